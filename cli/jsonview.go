package cli

import (
	"time"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// What --json prints of a cycle. The workflow's status types are Temporal payloads, kept in
// archived histories, so their encoding stays as it is; these views print them with the
// API's JSON names, durations as text ("24h0m0s", not nanoseconds), and each step once.
// A field of a view shadows the embedded payload's field of the same JSON name.

// statusJSON is what cycle status --json prints. The steps of the stages that finished are
// in cycle.steps, those of the running stage in stage.steps; the timeline is the one, then
// the other. note says why the running stage is not shown, when it is not.
type statusJSON struct {
	Cycle cycleJSON  `json:"cycle"`
	Stage *stageJSON `json:"stage"`
	Note  string     `json:"note,omitempty"`
}

// cycleJSON is a cycle's status with its clock's day length as a duration's text.
type cycleJSON struct {
	workflows.CycleStatus
	Clock clockJSON `json:"clock"`
}

// stageJSON is a stage's status with its clock's day length as a duration's text.
type stageJSON struct {
	workflows.StageStatus
	Clock clockJSON `json:"clock"`
}

// clockJSON is domain.Clock with the day length as text, e.g. "24h0m0s" or "1s".
type clockJSON struct {
	AnchorDate domain.Date `json:"anchor_date"`
	AnchorTime time.Time   `json:"anchor_time"`
	DayLength  string      `json:"day_length"`
}

func clockJSONOf(c domain.Clock) clockJSON {
	return clockJSON{AnchorDate: c.AnchorDate, AnchorTime: c.AnchorTime, DayLength: c.DayLength.String()}
}

func cycleJSONOf(st workflows.CycleStatus) cycleJSON {
	if st.Stages == nil {
		st.Stages = []workflows.StageSummary{}
	}
	if st.Steps == nil {
		st.Steps = []workflows.StepRecord{}
	}
	return cycleJSON{CycleStatus: st, Clock: clockJSONOf(st.Clock)}
}

func statusJSONOf(v cycles.Status) statusJSON {
	out := statusJSON{Cycle: cycleJSONOf(v.Cycle), Note: v.Note}
	if v.Stage != nil {
		st := *v.Stage
		if st.Steps == nil {
			st.Steps = []workflows.StepRecord{}
		}
		out.Stage = &stageJSON{StageStatus: st, Clock: clockJSONOf(st.Clock)}
	}
	return out
}
