package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Search attributes let the Temporal UI and CLI filter cycles the way managers ask: by
// institution, region, cycle number, current step, due date and holder. They stay within the
// slots SQLite and PostgreSQL visibility share (3 Datetime, 3 Int, 10 Keyword, ...).
var (
	InstitutionIDKey = temporal.NewSearchAttributeKeyKeyword("InstitutionID")
	RegionKey        = temporal.NewSearchAttributeKeyKeyword("Region")
	CycleNumberKey   = temporal.NewSearchAttributeKeyInt64("CycleNumber")
	StepKey          = temporal.NewSearchAttributeKeyKeyword("Step")
	StepDueAtKey     = temporal.NewSearchAttributeKeyTime("StepDueAt")
	StepHolderKey    = temporal.NewSearchAttributeKeyKeyword("StepHolder")
)

// SearchAttributes is the set the server must know, by name and type.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		InstitutionIDKey.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		RegionKey.GetName():        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		CycleNumberKey.GetName():   enumspb.INDEXED_VALUE_TYPE_INT,
		StepKey.GetName():          enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		StepDueAtKey.GetName():     enumspb.INDEXED_VALUE_TYPE_DATETIME,
		StepHolderKey.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}
