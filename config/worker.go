package config

import "fmt"

// WorkerTuning sizes the worker for cycles that rest for weeks between steps (issue 13): a
// resting cycle needs no memory in the worker, so the sticky cache holds only the workflows
// that are busy, and one that wakes up after its eviction replays its short history.
type WorkerTuning struct {
	// CacheSize is how many workflows the worker keeps in memory between their tasks (the
	// SDK's sticky cache; the SDK's own default is 10,000). A cycle's histories are short, so
	// replaying one that was evicted costs little, while each cached workflow holds its
	// goroutines and state: about 60 kB, measured with 10,000 in memory (docs/performance.md).
	CacheSize int `yaml:"cache_size" env:"CACHE_SIZE"`
	// WorkflowPollers and ActivityPollers are the long polls the worker keeps open to the
	// Temporal server for each kind of task.
	WorkflowPollers int `yaml:"workflow_pollers" env:"WORKFLOW_POLLERS"`
	ActivityPollers int `yaml:"activity_pollers" env:"ACTIVITY_POLLERS"`
	// MaxWorkflowTasks and MaxActivities bound how many workflow tasks and activities the
	// worker runs at once.
	MaxWorkflowTasks int `yaml:"max_workflow_tasks" env:"MAX_WORKFLOW_TASKS"`
	MaxActivities    int `yaml:"max_activities" env:"MAX_ACTIVITIES"`
	// MemoryLimitMB is the soft limit of the worker process's Go memory (runtime/debug
	// SetMemoryLimit; GOMEMLIMIT, when set, wins): near it the garbage collector works harder
	// and hands freed memory back to the system, so that after a bulk start the worker does
	// not keep the peak it reached. 0 leaves the Go runtime's default (no limit).
	MemoryLimitMB int `yaml:"memory_limit_mb" env:"MEMORY_LIMIT_MB"`
}

// DefaultWorkerTuning suits one small machine with thousands of resting cycles.
func DefaultWorkerTuning() WorkerTuning {
	return WorkerTuning{CacheSize: 500, WorkflowPollers: 4, ActivityPollers: 2, MaxWorkflowTasks: 200, MaxActivities: 200}
}

func (w WorkerTuning) validate() []error {
	var problems []error
	for _, f := range []struct {
		env       string
		v, lo, hi int
	}{
		{"ACCREDIT_WORKER_CACHE_SIZE", w.CacheSize, 10, 1_000_000},
		{"ACCREDIT_WORKER_WORKFLOW_POLLERS", w.WorkflowPollers, 2, 100},
		{"ACCREDIT_WORKER_ACTIVITY_POLLERS", w.ActivityPollers, 1, 100},
		{"ACCREDIT_WORKER_MAX_WORKFLOW_TASKS", w.MaxWorkflowTasks, 1, 10_000},
		{"ACCREDIT_WORKER_MAX_ACTIVITIES", w.MaxActivities, 1, 10_000},
		{"ACCREDIT_WORKER_MEMORY_LIMIT_MB", w.MemoryLimitMB, 0, 1_000_000},
	} {
		if f.v < f.lo || f.v > f.hi {
			problems = append(problems, fmt.Errorf("%s is %d; give a number from %d to %d", f.env, f.v, f.lo, f.hi))
		}
	}
	return problems
}
