package workflows

// ChangeIDs lists every workflow.GetVersion change ID the workflows use, oldest first. A
// cycle runs for years across many deploys: each behaviour change gets a change ID here, and
// TestReplayRecordedHistories fails until a recorded history in testdata exercises it.
// The first release has none.
var ChangeIDs = []string{}
