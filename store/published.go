package store

// The published record: a cycle's final result as the public reads it, versioned so that a
// correction never hides what was published before.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

// PublishedRecord is what the public may read about one cycle's result: the institution, the
// visit, the final verdict, the assessment of each standard by theme, the areas to improve,
// the report's summary and suggestions, and the institution's comments. It holds no person:
// no names or IDs of users, relatives, reviewers or staff, and no visit notes.
type PublishedRecord struct {
	InstitutionID   string               `json:"institution_id"`
	InstitutionName string               `json:"institution_name"`
	Region          domain.Region        `json:"region"`
	Municipality    string               `json:"municipality,omitempty"`
	TargetGroups    []domain.TargetGroup `json:"target_groups"`
	Cycle           int                  `json:"cycle"`
	// Version counts the publications of this cycle's result, from 1; a correction adds one.
	Version     int         `json:"version"`
	PublishedOn domain.Date `json:"published_on"`
	VisitOn     domain.Date `json:"visit_on,omitzero"`
	RevisitOn   domain.Date `json:"revisit_on,omitzero"`
	Verdict     int         `json:"verdict"`
	// FinalOn is the day the verdict became final (after the hearing, a revisit or an appeal).
	FinalOn        domain.Date        `json:"final_on,omitzero"`
	Generation     int                `json:"generation"`
	Summary        string             `json:"summary"`
	Suggestions    string             `json:"suggestions,omitempty"`
	Themes         []PublishedTheme   `json:"themes"`
	AreasToImprove []string           `json:"areas_to_improve"`
	Comments       []PublishedComment `json:"institution_comments,omitempty"`
	Correction     string             `json:"correction,omitempty"`
	SupersededOn   domain.Date        `json:"superseded_on,omitzero"`
}

// PublishedTheme is one theme of the catalogue generation with its assessed standards.
type PublishedTheme struct {
	Code      string              `json:"code"`
	Name      domain.Text         `json:"name"`
	Standards []PublishedStandard `json:"standards"`
}

// PublishedStandard is the report's assessment of one standard.
type PublishedStandard struct {
	Code       string      `json:"code"`
	Title      domain.Text `json:"title"`
	Met        bool        `json:"met"`
	Assessment string      `json:"assessment"`
}

// PublishedComment is a comment the institution made in the hearing, without who wrote it.
type PublishedComment struct {
	On   domain.Date `json:"on"`
	Text string      `json:"text"`
}

// ErrSameRecord is returned by PublishRecord when the latest version already says the same:
// a retried publication, which changes nothing.
var ErrSameRecord = errors.New("the published record is unchanged")

// PublishRecord publishes a cycle's record: version 1 the first time; a record that differs
// from the latest version (a correction) becomes the next version, and the latest is marked
// superseded on the new one's publication day. The same record again changes nothing and
// returns ErrSameRecord, so a retried activity publishes once. The summary row in
// publications is written with the first version, in the same transaction.
func (s *Store) PublishRecord(ctx context.Context, rec PublishedRecord) (PublishedRecord, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Two replicas publishing at once would both find no version and both write version 1.
		if err := s.serialize(ctx, tx, fmt.Sprintf("published/%s/%d", rec.InstitutionID, rec.Cycle)); err != nil {
			return err
		}
		var latest struct {
			Version int    `db:"version"`
			Record  string `db:"record"`
		}
		err := tx.GetContext(ctx, &latest, tx.Rebind(`SELECT version, record FROM published_records
			WHERE institution_id = ? AND cycle_number = ? ORDER BY version DESC LIMIT 1`), rec.InstitutionID, rec.Cycle)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			rec.Version = 1
		case err != nil:
			return err
		default:
			var prev PublishedRecord
			if err := json.Unmarshal([]byte(latest.Record), &prev); err != nil {
				return fmt.Errorf("published record %s/%d v%d: %w", rec.InstitutionID, rec.Cycle, latest.Version, err)
			}
			if sameContent(prev, rec) {
				rec = prev
				return ErrSameRecord
			}
			rec.Version = latest.Version + 1
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE published_records SET superseded_on = ?
				WHERE institution_id = ? AND cycle_number = ? AND version = ?`),
				rec.PublishedOn, rec.InstitutionID, rec.Cycle, latest.Version); err != nil {
				return err
			}
		}
		rec.SupersededOn = domain.Date{}
		body, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO published_records (institution_id, cycle_number, version,
			published_on, verdict, region, record, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			rec.InstitutionID, rec.Cycle, rec.Version, rec.PublishedOn, rec.Verdict, string(rec.Region), string(body),
			rec.Correction, s.stamp()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO publications (institution_id, cycle_number, verdict,
			published_on, summary, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (institution_id, cycle_number) DO UPDATE SET verdict = excluded.verdict`),
			rec.InstitutionID, rec.Cycle, rec.Verdict, rec.PublishedOn, rec.Summary, s.stamp())
		return err
	})
	return rec, err
}

// sameContent compares two records apart from their version and dates of publication.
func sameContent(a, b PublishedRecord) bool {
	a.Version, b.Version = 0, 0
	a.PublishedOn, b.PublishedOn = domain.Date{}, domain.Date{}
	a.SupersededOn, b.SupersededOn = domain.Date{}, domain.Date{}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// PublishedFilter narrows PublishedRecords.
type PublishedFilter struct {
	InstitutionID string
	Region        domain.Region
	// WithSuperseded includes the versions a correction replaced.
	WithSuperseded bool
	// From and To bound the publication date (inclusive); zero for no bound.
	From, To domain.Date
}

// PublishedRecords lists published records, newest publication first; by default only the
// current version of each cycle's result.
func (s *Store) PublishedRecords(ctx context.Context, f PublishedFilter) ([]PublishedRecord, error) {
	query := `SELECT record, superseded_on FROM published_records WHERE 1 = 1`
	var args []any
	if f.InstitutionID != "" {
		query += ` AND institution_id = ?`
		args = append(args, f.InstitutionID)
	}
	if f.Region != "" {
		query += ` AND region = ?`
		args = append(args, string(f.Region))
	}
	if !f.WithSuperseded {
		query += ` AND superseded_on IS NULL`
	}
	if !f.From.IsZero() {
		query += ` AND published_on >= ?`
		args = append(args, f.From)
	}
	if !f.To.IsZero() {
		query += ` AND published_on <= ?`
		args = append(args, f.To)
	}
	query += ` ORDER BY published_on DESC, institution_id, cycle_number DESC, version DESC`
	var rows []struct {
		Record       string         `db:"record"`
		SupersededOn sql.NullString `db:"superseded_on"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
		return nil, err
	}
	out := make([]PublishedRecord, 0, len(rows))
	for _, r := range rows {
		var rec PublishedRecord
		if err := json.Unmarshal([]byte(r.Record), &rec); err != nil {
			return nil, err
		}
		if r.SupersededOn.Valid {
			if d, err := domain.ParseDate(r.SupersededOn.String); err == nil {
				rec.SupersededOn = d
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// PublicationSource is what a cycle's record is composed from: the final report (the
// revisit report when there was a revisit) with its assessments, the visit dates, and the
// institution's hearing comments.
type PublicationSource struct {
	Report      ReportRow
	FinalOn     domain.Date
	Assessments []ReportAssessment
	VisitOn     domain.Date
	RevisitOn   domain.Date
	Comments    []PublishedComment
}

// PublicationSourceOf reads a cycle's publication source; ErrNotFound when it has no report.
func (s *Store) PublicationSourceOf(ctx context.Context, institutionID string, cycle int) (PublicationSource, error) {
	var src PublicationSource
	var reports []struct {
		ReportRow
		FinalOn sql.NullString `db:"final_on"`
	}
	if err := s.db.SelectContext(ctx, &reports, s.db.Rebind(`SELECT id, institution_id, cycle_number, kind, author_id,
		submitted_on, verdict, summary, suggestions, payload, final_on FROM reports
		WHERE institution_id = ? AND cycle_number = ?`), institutionID, cycle); err != nil {
		return src, err
	}
	found := false
	for _, r := range reports {
		if !found || r.Kind == "revisit-report" {
			src.Report, found = r.ReportRow, true
			src.FinalOn = domain.Date{}
			if r.FinalOn.Valid {
				src.FinalOn, _ = domain.ParseDate(r.FinalOn.String)
			}
		}
	}
	if !found {
		return src, fmt.Errorf("cycle %d of %s has no report: %w", cycle, institutionID, ErrNotFound)
	}
	var assessed []struct {
		Standard   string `db:"standard"`
		Met        bool   `db:"met"`
		Assessment string `db:"assessment"`
	}
	if err := s.db.SelectContext(ctx, &assessed, s.db.Rebind(`SELECT standard, met, assessment FROM report_assessments
		WHERE report_id = ? ORDER BY standard`), src.Report.ID); err != nil {
		return src, err
	}
	for _, a := range assessed {
		src.Assessments = append(src.Assessments, ReportAssessment{Standard: a.Standard, Met: a.Met, Assessment: a.Assessment})
	}
	var visits []struct {
		Kind    string      `db:"kind"`
		VisitOn domain.Date `db:"visit_on"`
	}
	if err := s.db.SelectContext(ctx, &visits, s.db.Rebind(`SELECT kind, visit_on FROM visits
		WHERE institution_id = ? AND cycle_number = ?`), institutionID, cycle); err != nil {
		return src, err
	}
	for _, v := range visits {
		switch v.Kind {
		case "visit":
			src.VisitOn = v.VisitOn
		case "revisit":
			src.RevisitOn = v.VisitOn
		}
	}
	var comments []struct {
		On      domain.Date `db:"submitted_on"`
		Payload string      `db:"payload"`
	}
	if err := s.db.SelectContext(ctx, &comments, s.db.Rebind(`SELECT submitted_on, payload FROM submissions
		WHERE institution_id = ? AND cycle_number = ? AND kind = 'comment' ORDER BY submitted_on, id`),
		institutionID, cycle); err != nil {
		return src, err
	}
	for _, c := range comments {
		var body struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal([]byte(c.Payload), &body); err != nil || body.Text == "" {
			continue
		}
		src.Comments = append(src.Comments, PublishedComment{On: c.On, Text: body.Text})
	}
	return src, nil
}
