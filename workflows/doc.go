// Package workflows holds the Temporal workflows of the accreditation cycle. Workflow code
// here reads like PRODUCT.md §3; every side effect goes through the activities package, and
// every message name, workflow ID and payload type of a workflow family sits in one api file.
package workflows
