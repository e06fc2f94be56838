package store

// The calendar invitations of visits (migration 00010): what each visit's event last
// announced, so that the dispatchers of package notify send a new SEQUENCE exactly when the
// visits table or the cycle says something else.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// CalendarEvent is the calendar event of one visit or revisit, as last decided.
type CalendarEvent struct {
	UID           string      `db:"uid"`
	VisitID       string      `db:"visit_id"`
	InstitutionID string      `db:"institution_id"`
	Cycle         int         `db:"cycle_number"`
	Kind          string      `db:"kind"`
	Sequence      int         `db:"sequence"`
	VisitOn       domain.Date `db:"visit_on"`
	Cancelled     bool        `db:"cancelled"`
	ChangedAt     time.Time   `db:"changed_at"`
	// QueuedSequence is the last SEQUENCE whose invitations are in the outbox (-1: none).
	QueuedSequence int `db:"queued_sequence"`
}

// CalendarChange is a visit whose calendar event must change: it has none yet (Sequence is
// -1 and UID empty), its date moved, or it is called off (Cancel).
type CalendarChange struct {
	VisitID       string      `db:"visit_id"`
	InstitutionID string      `db:"institution_id"`
	Cycle         int         `db:"cycle_number"`
	Kind          string      `db:"kind"`
	VisitOn       domain.Date `db:"visit_on"`
	UID           string      `db:"uid"`
	Sequence      int         `db:"sequence"`
	SentOn        domain.Date `db:"sent_on"`
	// Cancel: the cycle was cancelled, or a newer incarnation of the same cycle planned
	// its own visit of this kind.
	Cancel bool `db:"cancel"`
}

// calledOff is the condition, on a visits row v joined with its cycle c, that the visit will
// not take place: the cycle was cancelled, or the cycle was started again and the new run
// wrote a visit of the same kind.
const calledOff = `(c.status = 'cancelled' OR EXISTS (SELECT 1 FROM visits v2 WHERE v2.institution_id = v.institution_id
	AND v2.cycle_number = v.cycle_number AND v2.kind = v.kind AND v2.id <> v.id AND v2.updated_at > v.updated_at))`

// CalendarChanges lists up to limit visits whose calendar event must change. Only visits
// not yet recorded as done are looked at (a visit that took place has nothing left to
// announce), and a cancelled event is final, so the scan stays as small as the visits
// being planned.
func (s *Store) CalendarChanges(ctx context.Context, limit int) ([]CalendarChange, error) {
	var out []CalendarChange
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT v.id AS visit_id, v.institution_id, v.cycle_number,
		v.kind, v.visit_on, COALESCE(e.uid, '') AS uid, COALESCE(e.sequence, -1) AS sequence,
		COALESCE(e.visit_on, '') AS sent_on, CASE WHEN `+calledOff+` THEN 1 ELSE 0 END AS cancel
		FROM visits v JOIN cycles c ON c.institution_id = v.institution_id AND c.number = v.cycle_number
		LEFT JOIN calendar_events e ON e.visit_id = v.id
		WHERE v.recorded_on IS NULL AND (
			(e.uid IS NULL AND NOT `+calledOff+`)
			OR (e.uid IS NOT NULL AND e.cancelled = ? AND (e.visit_on <> v.visit_on OR `+calledOff+`)))
		ORDER BY v.updated_at, v.id LIMIT ?`), false, limit)
	if err != nil {
		return nil, fmt.Errorf("calendar changes: %w", err)
	}
	return out, nil
}

// AdvanceCalendarEvent records the event's next SEQUENCE, ev.Sequence, if the event is still
// at ev.Sequence-1 (or, for SEQUENCE 0, does not exist yet), and reports whether it did: two
// dispatchers deciding at once record one of them.
func (s *Store) AdvanceCalendarEvent(ctx context.Context, ev CalendarEvent) (bool, error) {
	if ev.UID == "" || ev.VisitID == "" || ev.Sequence < 0 || ev.VisitOn.IsZero() {
		return false, errors.New("advance calendar event: UID, visit, sequence and date are required")
	}
	var (
		n   int64
		err error
	)
	if ev.Sequence == 0 {
		res, e := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO calendar_events (uid, visit_id, institution_id,
			cycle_number, kind, sequence, visit_on, cancelled, changed_at, queued_sequence)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, -1) ON CONFLICT DO NOTHING`),
			ev.UID, ev.VisitID, ev.InstitutionID, ev.Cycle, ev.Kind, ev.VisitOn, ev.Cancelled, dbTime(ev.ChangedAt))
		if e != nil {
			return false, fmt.Errorf("record calendar event %s: %w", ev.UID, e)
		}
		n, err = res.RowsAffected()
	} else {
		res, e := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE calendar_events SET sequence = ?, visit_on = ?, cancelled = ?,
			changed_at = ? WHERE uid = ? AND sequence = ?`),
			ev.Sequence, ev.VisitOn, ev.Cancelled, dbTime(ev.ChangedAt), ev.UID, ev.Sequence-1)
		if e != nil {
			return false, fmt.Errorf("record calendar event %s sequence %d: %w", ev.UID, ev.Sequence, e)
		}
		n, err = res.RowsAffected()
	}
	return n == 1, err
}

// UnqueuedCalendarEvents lists up to limit events whose last SEQUENCE is not yet queued.
func (s *Store) UnqueuedCalendarEvents(ctx context.Context, limit int) ([]CalendarEvent, error) {
	var out []CalendarEvent
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT uid, visit_id, institution_id, cycle_number, kind,
		sequence, visit_on, cancelled, changed_at, queued_sequence FROM calendar_events
		WHERE queued_sequence < sequence ORDER BY changed_at, uid LIMIT ?`), limit)
	return out, err
}

// CalendarEventOf returns the calendar event of a visit; ErrNotFound when it has none.
func (s *Store) CalendarEventOf(ctx context.Context, visitID string) (CalendarEvent, error) {
	var ev CalendarEvent
	err := s.db.GetContext(ctx, &ev, s.db.Rebind(`SELECT uid, visit_id, institution_id, cycle_number, kind,
		sequence, visit_on, cancelled, changed_at, queued_sequence FROM calendar_events WHERE visit_id = ?`), visitID)
	if err != nil {
		return CalendarEvent{}, notFound(err, "calendar event of visit "+visitID)
	}
	return ev, nil
}

// MarkCalendarQueued records that SEQUENCE sequence of an event is in the outbox.
func (s *Store) MarkCalendarQueued(ctx context.Context, uid string, sequence int) error {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE calendar_events SET queued_sequence = ?
		WHERE uid = ? AND queued_sequence < ?`), sequence, uid, sequence)
	return err
}

// TeamOf lists the people holding a seat (accepted or assigned) on the team of one stage,
// by the stage's key (the prefix of its assignment rows' IDs), ordered by ID.
func (s *Store) TeamOf(ctx context.Context, stageKey string) ([]string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT DISTINCT person_id FROM assignments
		WHERE id LIKE ? ESCAPE '\' AND status IN ('accepted', 'assigned') ORDER BY person_id`),
		likeEscaper.Replace(stageKey+"/")+"%")
	return ids, err
}

// OutboxRecipients lists the people that the rows whose ID starts with prefix were queued
// for, ordered by ID.
func (s *Store) OutboxRecipients(ctx context.Context, prefix string) ([]string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT DISTINCT recipient_id FROM outbox
		WHERE id LIKE ? ESCAPE '\' AND recipient_id <> '' ORDER BY recipient_id`), likeEscaper.Replace(prefix)+"%")
	return ids, err
}

// VisitsOf lists the visits of one institution's cycle, for the tests and tools that check
// what the calendar announces.
func (s *Store) VisitsOf(ctx context.Context, institutionID string, cycle int) ([]VisitRow, error) {
	var out []VisitRow
	err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT id, institution_id, cycle_number, kind, visit_on, set_by,
		COALESCE(recorded_on, '') AS recorded_on, recorded_by, notes, revision FROM visits
		WHERE institution_id = ? AND cycle_number = ? ORDER BY id`), institutionID, cycle)
	return out, err
}

// TeamLead is the lead seated on the team of one stage (by the stage's key), or "".
func (s *Store) TeamLead(ctx context.Context, stageKey string) (string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT person_id FROM assignments
		WHERE id LIKE ? ESCAPE '\' AND role = ? AND status IN ('accepted', 'assigned') ORDER BY updated_at DESC, person_id LIMIT 1`),
		likeEscaper.Replace(stageKey+"/")+"%", string(domain.SeatLead))
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}
