package publication

import (
	"context"
	"fmt"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Source is where the models are read from; *store.Store is one.
type Source interface {
	PublishedRecords(ctx context.Context, f store.PublishedFilter) ([]store.PublishedRecord, error)
	PublishedSelfEvaluations(ctx context.Context) ([]store.PublishedSelfEvaluation, error)
	StepTimes(ctx context.Context, f store.StepTimesFilter) ([]store.StepTime, error)
	Generation(ctx context.Context, number int) (domain.Generation, error)
}

var _ Source = (*store.Store)(nil)

// LabelGeneration is the catalogue generation that labels standards and indicators: the
// newest one the records were assessed against (the first when nothing is published).
func LabelGeneration(ctx context.Context, src Source, records []store.PublishedRecord) (domain.Generation, error) {
	number := 1
	for _, r := range records {
		number = max(number, r.Generation)
	}
	gen, err := src.Generation(ctx, number)
	if err != nil {
		return domain.Generation{}, fmt.Errorf("catalogue generation %d: %w", number, err)
	}
	return gen, nil
}

// LoadAnnual reads what the annual report of year for region ("" for the whole country)
// needs, and builds it.
func LoadAnnual(ctx context.Context, src Source, year int, region domain.Region) (AnnualReport, error) {
	end := domain.NewDate(year, 12, 31)
	records, err := src.PublishedRecords(ctx, store.PublishedFilter{WithSuperseded: true, To: end})
	if err != nil {
		return AnnualReport{}, fmt.Errorf("published records: %w", err)
	}
	evals, err := src.PublishedSelfEvaluations(ctx)
	if err != nil {
		return AnnualReport{}, fmt.Errorf("self-evaluations of published cycles: %w", err)
	}
	steps, err := src.StepTimes(ctx, store.StepTimesFilter{Region: region, From: domain.NewDate(year-1, 1, 1), To: end})
	if err != nil {
		return AnnualReport{}, fmt.Errorf("steps: %w", err)
	}
	gen, err := LabelGeneration(ctx, src, records)
	if err != nil {
		return AnnualReport{}, err
	}
	return BuildAnnual(AnnualInput{Year: year, Region: region, Records: records, Evals: evals, Steps: steps,
		Generation: gen}), nil
}
