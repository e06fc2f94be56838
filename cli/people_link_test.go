package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// TestPeopleLink: the secretariat prints a sign-in link under the public base URL; the
// link's token signs the person in; a regional secretariat issues links only for its own
// region's people, and nobody else issues any.
func TestPeopleLink(t *testing.T) {
	env := testEnviron(t, "ACCREDIT_PUBLIC_BASE_URL=https://akkreditering.example.dk")
	for _, f := range []string{"institutions", "people"} {
		if code, _, stderr := runStarter(t, env, f, "import", filepath.Join("..", "examples", f+".csv"), "--as", nationalSecretariat); code != ExitOK {
			t.Fatalf("%s import: %s", f, stderr)
		}
	}
	code, stdout, stderr := runStarter(t, env, "people", "link", "P-001", "--as", "P-131")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	link := strings.TrimSpace(stdout)
	token, ok := strings.CutPrefix(link, "https://akkreditering.example.dk/signin/link?token=")
	if !ok || len(token) != 64 {
		t.Fatalf("link %q", link)
	}
	if !strings.Contains(stderr, "P-001 (Simon Bruun, institution-manager): valid once, until") {
		t.Errorf("stderr %q", stderr)
	}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(strings.TrimPrefix(env[0], "ACCREDIT_DATA_DIR="), "accredit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if p, err := st.RedeemSignInLink(context.Background(), token); err != nil || p != "P-001" {
		t.Errorf("the printed link signs in %q, %v", p, err)
	}

	code, stdout, _ = runStarter(t, env, "people", "link", "P-084", "--as", nationalSecretariat, "--ttl", "48h", "--json")
	var out map[string]any
	if code != ExitOK || json.Unmarshal([]byte(stdout), &out) != nil || out["person_id"] != "P-084" || out["url"] == "" {
		t.Errorf("--json: exit %d, %s", code, stdout)
	}

	code, stdout, stderr = runStarter(t, env, "people", "link", "P-084", "--as", "P-131")
	assertRejected(t, code, stdout, stderr, "P-131", "secretariat of Region Hovedstaden", "Region Sjælland")
	// Once P-084 is invited to the team of H-01, Region Hovedstaden's secretariat may give them a link.
	if err := st.UpsertAssignment(context.Background(), store.AssignmentRow{ID: "a", InstitutionID: "H-01", Cycle: 1,
		Role: "lead", PersonID: "P-084", Status: "invited", InvitedOn: domain.NewDate(2027, 1, 4),
		AnswerDue: domain.NewDate(2027, 1, 9), Revision: 1}); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runStarter(t, env, "people", "link", "P-084", "--as", "P-131"); code != ExitOK || !strings.Contains(stdout, "/signin/link?token=") {
		t.Errorf("a team member's link from the institution's secretariat: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runStarter(t, env, "people", "link", "P-084", "--as", "P-133"); code != ExitRejected {
		t.Errorf("a third region's secretariat: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = runStarter(t, env, "people", "link", "P-001", "--as", "P-001")
	assertRejected(t, code, stdout, stderr, "not secretariat")
	code, stdout, stderr = runStarter(t, env, "people", "link", "P-999", "--as", nationalSecretariat)
	assertRejected(t, code, stdout, stderr, "P-999 is not in the registry")
}
