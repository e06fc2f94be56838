package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/planning"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// printedWithJSON is every type a command prints with --json, by command. A command that
// prints a new type adds it here.
var printedWithJSON = map[string]any{
	"cycle start":                       startResult{},
	"cycle start --region/--all":        []startResult{},
	"cycle status":                      statusJSON{},
	"cycle wait --step":                 waitResult{},
	"cycle wait --next-cycle":           cycleJSON{},
	"cycle cancel":                      cycleJSON{},
	"selfeval template":                 selfEvaluationFile{},
	"selfeval submit, visit, report...": workflows.StepRecord{},
	"assignment accept/decline/assign":  workflows.TeamMember{},
	"report comment":                    commentResult{},
	"institutions list/reopen":          []store.Institution{},
	"institutions close":                closeResult{},
	"institutions/people import":        registry.Summary{},
	"people list":                       []store.Person{},
	"reviewers why-not":                 []whyNotSeat{},
	"reviewers propose":                 []domain.Proposal{},
	"reviewers plan":                    planPrinted{},
	"steps list":                        []store.StepRow{},
	"audit":                             []store.AuditEntry{},
	"publications list":                 []store.Publication{},
	"outbox list/retry":                 []outboxRow{},
	"catalogue list":                    []catalogueListing{},
	"catalogue import":                  store.CatalogueImport{},
	"catalogue show":                    domain.Generation{},
	"ping":                              pingPrinted{},
}

// planPrinted and pingPrinted are the anonymous structs reviewers plan and ping print.
type planPrinted struct {
	From        domain.Date `json:"from"`
	To          domain.Date `json:"to"`
	Evaluations int         `json:"evaluations"`
	Applied     bool        `json:"applied"`
	planning.Plan
}

type pingPrinted struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	workflows.PingResult
	Milliseconds int64 `json:"round_trip_ms"`
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

// TestJSONOutputUsesTheAPINames walks every type printed with --json and fails on a field
// that would print under its Go name (no json tag), and on a duration, which prints as
// nanoseconds. A field shadowed by one of the same JSON name nearer the top is not printed
// (encoding/json's rule), so it is not held against the type: that is how the views replace
// the payloads' clocks.
func TestJSONOutputUsesTheAPINames(t *testing.T) {
	for command, v := range printedWithJSON {
		var problems []string
		walkJSON(reflect.TypeOf(v), "", map[reflect.Type]bool{}, &problems)
		for _, p := range problems {
			t.Errorf("%s --json: %s", command, p)
		}
	}
}

// TestTheJSONWalkerFindsProblems: the walker sees a Go name and a duration, also under an
// embedded struct, and lets a shadowed field be.
func TestTheJSONWalkerFindsProblems(t *testing.T) {
	type inner struct {
		Day  time.Duration `json:"day"`
		Kept string        `json:"kept"`
	}
	type bad struct {
		Name string
		inner
	}
	type good struct {
		inner
		Day string `json:"day"`
	}
	var problems []string
	walkJSON(reflect.TypeFor[bad](), "", map[reflect.Type]bool{}, &problems)
	if len(problems) != 2 || !strings.Contains(problems[0]+problems[1], "Name") || !strings.Contains(problems[0]+problems[1], "nanoseconds") {
		t.Errorf("problems of bad: %q", problems)
	}
	problems = nil
	walkJSON(reflect.TypeFor[good](), "", map[reflect.Type]bool{}, &problems)
	if len(problems) != 0 {
		t.Errorf("problems of good: %q", problems)
	}
}

// walkJSON collects the problems of t as encoding/json prints it.
func walkJSON(t reflect.Type, path string, seen map[reflect.Type]bool, problems *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		*problems = append(*problems, path+" is a time.Duration: it prints as nanoseconds")
		return
	}
	// A type with its own encoding says how it prints.
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) ||
		t.Implements(textType) || reflect.PointerTo(t).Implements(textType) {
		return
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		walkJSON(t.Elem(), path+"[]", seen, problems)
		return
	case reflect.Struct:
	default:
		return
	}
	if seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for _, f := range visibleFields(t) {
		walkJSON(f.typ, path+"."+f.name, seen, problems)
	}
	for _, f := range untagged(t) {
		*problems = append(*problems, path+"."+f+" has no json tag: it prints under its Go name")
	}
}

type jsonField struct {
	name string
	typ  reflect.Type
}

// visibleFields are the fields encoding/json prints of struct t, with their JSON names: a
// field of an embedded struct is promoted unless a field nearer the top has its name.
func visibleFields(t reflect.Type) []jsonField {
	var out []jsonField
	names := map[string]bool{}
	level := []reflect.Type{t}
	for len(level) > 0 {
		var next []reflect.Type
		atLevel := map[string]bool{}
		for _, lt := range level {
			for i := range lt.NumField() {
				f := lt.Field(i)
				name, embedded, ok := jsonName(f)
				if !ok {
					continue
				}
				if embedded {
					ft := f.Type
					for ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					next = append(next, ft)
					continue
				}
				if names[name] {
					continue // shadowed by a field nearer the top
				}
				atLevel[name] = true
				out = append(out, jsonField{name: name, typ: f.Type})
			}
		}
		for n := range atLevel {
			names[n] = true
		}
		level = next
	}
	return out
}

// untagged are the printed fields of t (and of the structs it embeds) without a json tag.
func untagged(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, embedded, ok := jsonName(f)
		if !ok {
			continue
		}
		if embedded {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			out = append(out, untagged(ft)...)
			continue
		}
		if _, has := f.Tag.Lookup("json"); !has {
			out = append(out, name)
		}
	}
	return out
}

// jsonName is the name encoding/json prints field f under; embedded reports an untagged
// embedded struct, whose fields are promoted; ok is false for a field that is not printed.
func jsonName(f reflect.StructField) (name string, embedded, ok bool) {
	tag, hasTag := f.Tag.Lookup("json")
	if tag == "-" {
		return "", false, false
	}
	name, _, _ = strings.Cut(tag, ",")
	if f.Anonymous && name == "" {
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			return "", true, true
		}
	}
	if !f.IsExported() {
		return "", false, false
	}
	if name == "" || !hasTag {
		name = f.Name
	}
	return name, false, true
}

// TestCycleStatusJSONHasEachStepOnce pins the shape of cycle status --json: the cycle, the
// running stage and a note; the finished stages' steps under cycle.steps, the running stage's
// under stage.steps, nowhere else; the day length as a duration's text.
func TestCycleStatusJSONHasEachStepOnce(t *testing.T) {
	clock := domain.Clock{AnchorDate: domain.NewDate(2027, 3, 1), AnchorTime: time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC), DayLength: 24 * time.Hour}
	v := cycles.Status{
		Cycle: workflows.CycleStatus{InstitutionID: "H-01", Number: 1, Clock: clock, Stage: workflows.StageExternalEvaluation,
			Steps: []workflows.StepRecord{{Key: "self-evaluation", Status: workflows.StepDone}}},
		Stage: &workflows.StageStatus{Stage: workflows.StageExternalEvaluation, Clock: clock,
			Steps: []workflows.StepRecord{{Key: "invitation/lead/1", Status: workflows.StepOpen}}},
	}
	data, err := json.Marshal(statusJSONOf(v))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out["cycle"] == nil || out["stage"] == nil {
		t.Errorf("top level of %s: want cycle and stage only (note when there is one)", data)
	}
	var shape struct {
		Cycle struct {
			Clock map[string]any         `json:"clock"`
			Steps []workflows.StepRecord `json:"steps"`
		} `json:"cycle"`
		Stage struct {
			Clock map[string]any         `json:"clock"`
			Steps []workflows.StepRecord `json:"steps"`
		} `json:"stage"`
	}
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatal(err)
	}
	if shape.Cycle.Clock["day_length"] != "24h0m0s" || shape.Stage.Clock["day_length"] != "24h0m0s" {
		t.Errorf("day lengths %v and %v, want \"24h0m0s\"", shape.Cycle.Clock["day_length"], shape.Stage.Clock["day_length"])
	}
	if len(shape.Cycle.Steps) != 1 || len(shape.Stage.Steps) != 1 || strings.Count(string(data), `"key"`) != 2 {
		t.Errorf("steps printed more than once, or not at all: %s", data)
	}
}
