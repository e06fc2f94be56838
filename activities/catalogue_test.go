package activities_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

func TestLoadGeneration(t *testing.T) {
	a := newActivities(t)
	ctx := context.Background()
	gen, err := a.LoadGeneration(ctx, domain.NewDate(2027, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if want := domain.FirstGeneration(); !reflect.DeepEqual(gen, want) {
		t.Fatalf("LoadGeneration(2027-03-01) differs from the shipped generation 1: %v", want.Differences(gen, 0))
	}

	// A region's own generation, imported into the store, is in force from its date.
	own := domain.FirstGeneration()
	own.Number, own.EffectiveFrom, own.Example, own.Notice = 2, domain.NewDate(2028, 1, 1), false, domain.Text{}
	own.Name = domain.Text{DA: "Regionernes katalog", EN: "The regions' catalogue"}
	own.Themes[0].Standards[0].Purpose.DA = "Regionernes eget formål."
	if _, err := a.Store.ImportGeneration(ctx, own, nil); err != nil {
		t.Fatal(err)
	}
	for on, want := range map[domain.Date]int{domain.NewDate(2027, 12, 31): 1, domain.NewDate(2028, 1, 1): 2} {
		gen, err := a.LoadGeneration(ctx, on)
		if err != nil || gen.Number != want {
			t.Errorf("LoadGeneration(%s) = generation %d, %v; want %d", on, gen.Number, err, want)
		}
	}
	if gen, _ := a.LoadGeneration(ctx, domain.NewDate(2028, 1, 1)); !reflect.DeepEqual(gen, own) {
		t.Errorf("LoadGeneration gave generation 2 differently from its import: %v", own.Differences(gen, 0))
	}

	for _, on := range []domain.Date{domain.NewDate(2008, 12, 31), {}} {
		_, err := a.LoadGeneration(ctx, on)
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != activities.ErrNoCatalogue {
			t.Errorf("LoadGeneration(%s) = %v, want a non-retryable %s error", on, err, activities.ErrNoCatalogue)
		}
	}
	_, err = a.LoadGeneration(ctx, domain.NewDate(2008, 12, 31))
	if err == nil || !strings.Contains(err.Error(), "no standards catalogue is in force on 2008-12-31: the first generation takes effect on 2009-01-01") ||
		!strings.Contains(err.Error(), "starter catalogue import") {
		t.Errorf("LoadGeneration before the first generation: %v", err)
	}
}
