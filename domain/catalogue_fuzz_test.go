package domain

// Fuzz target of the catalogue file reader (issue 9, point 8): every input gives a
// *ValidationError that reads as text, or a generation that validates, writes back to a file
// that reads as the same generation, and survives JSON (the form workflows carry it in).
//
// go test -run '^$' -fuzz '^FuzzParseGeneration$' -fuzztime 60s ./domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func FuzzParseGeneration(f *testing.F) {
	_, shippedFile, _ := ShippedCatalogueFile(1)
	f.Add(shippedFile)
	f.Add([]byte(goodFile))
	for _, s := range []string{
		"", "number: 1\n", "- 1\n", "number: two\n", "{", "number: 1\nnumber: 2\n", "a: &x [*x]\n", "---\n---\n",
		strings.Replace(goodFile, "level: 4", "level: 5", 1),
		strings.Replace(goodFile, "theme: 1", "theme: 2", 1),
		strings.Replace(goodFile, "kind: result", "kind: outcome", 1),
		strings.Replace(goodFile, "en: Title", "en: \"Ti\\u0000tle\"", 1),
		strings.Replace(goodFile, "retired: false", "retired: true", 1),
		strings.Replace(goodFile, "    kind: quantitative\n", "    kind: quantitative\n    retired: yes\n", 1),
		goodFile + "---\nnumber: 3\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGeneration(data)
		if err != nil {
			checkMessage(t, err)
			var v *ValidationError
			if !errors.As(err, &v) || len(v.Problems) == 0 {
				t.Fatalf("ParseGeneration error %v is not a *ValidationError with problems", err)
			}
			if !reflect.DeepEqual(g, Generation{}) {
				t.Fatalf("ParseGeneration gave a generation with its error: %+v", g)
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("ParseGeneration accepted a generation that does not validate: %v", err)
		}
		out, err := EncodeGeneration(g)
		if err != nil {
			t.Fatalf("EncodeGeneration: %v", err)
		}
		back, err := ParseGeneration(out)
		if err != nil {
			t.Fatalf("the written file does not read back: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, g) {
			t.Fatalf("the written file reads back differently: %v", g.Differences(back, 0))
		}
		js, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON Generation
		if err := json.Unmarshal(js, &fromJSON); err != nil || !reflect.DeepEqual(fromJSON, g) {
			t.Fatalf("the generation does not survive JSON: %v %v", err, g.Differences(fromJSON, 0))
		}
	})
}
