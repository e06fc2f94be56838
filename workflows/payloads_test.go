package workflows_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite workflows/testdata/golden from the current payload types")

// payloads are every type that crosses a workflow's boundary: workflow and child inputs and
// results, update and query payloads, activity inputs and outputs. A cycle's history keeps
// them for years, so their JSON is a contract.
var payloads = []any{
	// Workflows and children.
	workflows.CycleInput{}, workflows.StageInput{}, workflows.StageResult{}, workflows.PingRequest{}, workflows.PingResult{},
	// Queries.
	workflows.CycleStatus{}, workflows.StageStatus{},
	// Updates and their results.
	workflows.SelfEvaluationSubmission{}, workflows.InvitationAnswer{}, workflows.ReviewerAssignment{},
	workflows.VisitDate{}, workflows.VisitRecord{}, workflows.Report{}, workflows.Comment{}, workflows.ActionPlan{},
	workflows.Appeal{}, workflows.Decision{}, workflows.Extension{}, workflows.Waiver{}, workflows.Cancellation{},
	workflows.StepRecord{}, workflows.TeamMember{},
	// Activities.
	activities.Settings{}, activities.InstitutionContext{}, activities.CycleWrite{}, activities.StepWrite{},
	activities.AssignmentWrite{}, activities.VisitWrite{}, activities.AuditWrite{}, activities.PublicationWrite{},
	activities.SubmissionRecord{}, activities.DocumentRef{}, activities.FinalVerdict{}, activities.Notification{},
	activities.CandidateCheck{}, activities.TeamRequest{}, activities.TeamProposal{}, activities.StoreInfo{},
	activities.TeamAnnouncement{}, domain.Generation{},
}

// TestPayloadGoldens serialises one value of every payload type, with every field set, and
// compares it with its golden file: a renamed, removed or retyped field shows as a diff that
// someone must accept with -update-golden, knowing that running cycles hold the old form.
func TestPayloadGoldens(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	seen := map[string]bool{}
	for _, p := range payloads {
		typ := reflect.TypeOf(p)
		name := typ.PkgPath()[len("github.com/kvalitetsmodel/accredit/"):] + "." + typ.Name()
		seen[name+".json"] = true
		v := reflect.New(typ).Elem()
		fill(v, 1)
		got, err := json.MarshalIndent(v.Interface(), "", "  ")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got = append(got, '\n')
		assertNoGoFieldNames(t, name, v.Type(), "")
		path := filepath.Join(dir, name+".json")
		if *updateGolden {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s has no golden file %s: run go test ./workflows -run TestPayloadGoldens -update-golden", name, path)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s serialises differently from %s: running cycles hold the old form. If the change is safe "+
				"(a new optional field, say), accept it with -update-golden; a renamed or removed field needs versioning.\ngot:\n%s",
				name, path, got)
		}
		// What was written reads back the same.
		back := reflect.New(typ)
		if err := json.Unmarshal(got, back.Interface()); err != nil {
			t.Errorf("%s does not read back: %v", name, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("golden file %s names no payload type: a type was renamed or removed", f)
		}
	}
}

// assertNoGoFieldNames fails for an exported struct field without an explicit JSON name.
func assertNoGoFieldNames(t *testing.T, payload string, typ reflect.Type, path string) {
	t.Helper()
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
		typ = typ.Elem()
	}
	// A type that writes itself as text or JSON (a date, a period, a time) has no fields in
	// the JSON.
	if typ.Kind() != reflect.Struct || typ.Implements(textMarshaler) || reflect.PointerTo(typ).Implements(textMarshaler) ||
		typ.Implements(jsonMarshaler) {
		return
	}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if tag := f.Tag.Get("json"); tag == "" && !f.Anonymous {
			t.Errorf("%s: field %s%s has no JSON name", payload, path, f.Name)
		}
		assertNoGoFieldNames(t, payload, f.Type, path+f.Name+".")
	}
}

var (
	textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

// fill sets every field of v to a value that is not the zero value, so omitted-when-empty
// fields show in the golden files too.
func fill(v reflect.Value, depth int) {
	switch v.Type() {
	case reflect.TypeOf(domain.Date{}):
		v.Set(reflect.ValueOf(domain.NewDate(2027, time.January, 4)))
		return
	case reflect.TypeOf(time.Time{}):
		v.Set(reflect.ValueOf(time.Date(2027, time.January, 4, 7, 0, 0, 0, time.UTC)))
		return
	case reflect.TypeOf(time.Duration(0)):
		v.Set(reflect.ValueOf(24 * time.Hour))
		return
	case reflect.TypeOf(domain.Period{}):
		v.Set(reflect.ValueOf(domain.Period{Weeks: 8}))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", v.Type().Name(), depth))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(depth))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		if depth > 3 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(map[string]any{"document": "what the person handed in"}))
	}
}
