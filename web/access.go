package web

// Who may see and do what. Roles come from the registry (store.Person); these rules are the
// web app's, checked on every page and action before anything is read or sent, and the
// workflows' validators check every action again:
//
//   - a manager reads everything and changes nothing;
//   - the secretariat reads and steers its own region's institutions (the national
//     secretariat every region's): start, cancel, assign, extend, waive, decide;
//   - an institution manager reads their own institution and acts on the steps they hold;
//   - a reviewer or representative reads the institutions of the teams they are invited to
//     or sit on, and acts on the steps they hold.
//
// Every refusal is logged with who, what and why (Server.refuse).

import (
	"net/http"
	"slices"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Viewer is the signed-in person.
type Viewer struct {
	store.Person
	// Session is the browser's session.
	Session store.Session
	// Teams are the institutions (and cycles) whose team the person is invited to or sits on.
	Teams map[string][]int
}

// IsManager reports a (regional or national) manager: reads everything, changes nothing.
func (v *Viewer) IsManager() bool { return v != nil && v.Role == domain.RoleManager }

// IsSecretariat reports any secretariat person.
func (v *Viewer) IsSecretariat() bool { return v != nil && v.Role == domain.RoleSecretariat }

// SecretariatOf reports whether the person is the secretariat of a region: its own, or the
// national secretariat, which covers every region.
func (v *Viewer) SecretariatOf(r domain.Region) bool {
	return v.IsSecretariat() && (v.Region == "" || v.Region == r)
}

// IsNational reports the national secretariat.
func (v *Viewer) IsNational() bool { return v.IsSecretariat() && v.Region == "" }

// OnTeam reports whether the person is invited to or sits on a team of the institution.
func (v *Viewer) OnTeam(institutionID string) bool {
	if v == nil {
		return false
	}
	_, ok := v.Teams[institutionID]
	return ok
}

// CanRead reports whether the person may read an institution's page, timeline and documents.
func (v *Viewer) CanRead(in store.Institution) bool {
	if v == nil {
		return false
	}
	switch v.Role {
	case domain.RoleManager:
		return true
	case domain.RoleSecretariat:
		return v.SecretariatOf(in.Region)
	case domain.RoleInstitutionManager:
		return v.HomeInstitution == in.ID
	}
	return v.OnTeam(in.ID)
}

// CanSteer reports whether the person may take the secretariat's actions on an institution
// (start, cancel, assign, extend, waive, decide).
func (v *Viewer) CanSteer(in store.Institution) bool { return v.SecretariatOf(in.Region) }

// HoldsStep reports whether the person may act on an open step: its holder, or for a step
// the secretariat holds, the secretariat of the step's region.
func (v *Viewer) HoldsStep(st store.StepRow) bool {
	if v == nil || st.Status != "open" || v.IsManager() {
		return false
	}
	if st.HolderID != "" && st.HolderID == v.ID {
		return true
	}
	return st.HolderRole == string(domain.RoleSecretariat) && v.SecretariatOf(st.Region)
}

// Scope is the part of the dashboard the person may see.
func (v *Viewer) Scope() store.DashboardFilter {
	var f store.DashboardFilter
	switch v.Role {
	case domain.RoleManager:
	case domain.RoleSecretariat:
		f.ScopeRegion = v.Region
	case domain.RoleInstitutionManager:
		f.ScopeInstitutions = []string{v.HomeInstitution}
	default:
		f.ScopeInstitutions = []string{}
		for id := range v.Teams {
			f.ScopeInstitutions = append(f.ScopeInstitutions, id)
		}
		slices.Sort(f.ScopeInstitutions)
	}
	return f
}

// refuse logs a refused request and answers it with the status and the page that says why.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	v := viewerOf(r)
	who := ""
	role := ""
	if v != nil {
		who, role = v.ID, string(v.Role)
	}
	s.log.Warn("request refused", "status", status, "method", r.Method, "path", r.URL.Path, "query", sanitizeQuery(r.URL.RawQuery),
		"person", who, "role", role, "reason", reason, "remote", r.RemoteAddr)
	s.renderStatus(w, r, status, reason)
}
