package store

// Closing and reopening an institution (issue 9, point 6): the day it closed, who recorded it
// and why, and the entry in the institution's audit trail, written in one transaction.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

// The actions of the audit entries of an institution's closing and reopening.
const (
	AuditCloseInstitution  = "close-institution"
	AuditReopenInstitution = "reopen-institution"
)

// ErrNotClosed is ReopenInstitution's answer for an institution that is open.
var ErrNotClosed = errors.New("the institution is not closed")

// Closure is an institution's closing as recorded: by CloseInstitution, or by an import whose
// row gave closed_on.
type Closure struct {
	InstitutionID string        `json:"institution_id"`
	Name          string        `json:"name"`
	Region        domain.Region `json:"region"`
	On            domain.Date   `json:"closed_on"`
	By            string        `json:"closed_by,omitempty"`
	Reason        string        `json:"reason,omitempty"`
	// Created is set when an import created the institution closed: it never had a cycle.
	Created bool `json:"created,omitempty"`
}

func closureOf(in Institution) Closure {
	return Closure{InstitutionID: in.ID, Name: in.Name, Region: in.Region, On: in.ClosedOn, By: in.ClosedBy, Reason: in.ClosedReason}
}

// details is the audit entry's text: "closed on 2027-03-01: Tilbuddet er nedlagt".
func (c Closure) details() string {
	if c.Reason == "" {
		return "closed on " + c.On.String()
	}
	return "closed on " + c.On.String() + ": " + c.Reason
}

// ClosedError refuses an import row that would reopen a closed institution (closed_on left
// empty) or move the day it closed: closing is one-way, and only ReopenInstitution undoes it.
type ClosedError struct {
	// Institution is the closed institution as the store has it.
	Institution Institution
	// Given is the row's closed_on; zero when it was empty.
	Given domain.Date
}

// Error names the institution, when it closed, and the date the row gave.
func (e *ClosedError) Error() string {
	in := e.Institution
	if e.Given.IsZero() {
		return fmt.Sprintf("institution %s was closed on %s: an import does not reopen it", in.ID, in.ClosedOn)
	}
	return fmt.Sprintf("institution %s was closed on %s, not on %s: an import does not move the day it closed", in.ID, in.ClosedOn, e.Given)
}

// CloseInstitution records that institution id closed on the given day, by whom and why, with
// an entry in its audit trail, in one transaction. An institution that is already closed is
// left as it is: already is then true, and the Institution says when, by whom and why it
// closed. An unknown ID is ErrNotFound.
func (s *Store) CloseInstitution(ctx context.Context, id string, on domain.Date, by, reason string) (in Institution, already bool, err error) {
	switch {
	case !on.Valid():
		return Institution{}, false, fmt.Errorf("close institution %s: %s is not a calendar day", id, on)
	case strings.TrimSpace(by) == "" || strings.TrimSpace(reason) == "":
		return Institution{}, false, fmt.Errorf("close institution %s: say who closes it and why", id)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.serialize(ctx, tx, "institution/"+id); err != nil {
			return err
		}
		old, err := institutionTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Closed() {
			in, already = old, true
			return nil
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE institutions SET closed_on = ?, closed_by = ?, closed_reason = ?,
			updated_at = ? WHERE id = ?`), on, by, reason, s.stamp(), id); err != nil {
			return fmt.Errorf("close institution %s: %w", id, err)
		}
		in = old
		in.ClosedOn, in.ClosedBy, in.ClosedReason = on, by, reason
		return s.auditInstitutionTx(ctx, tx, id, by, AuditCloseInstitution, closureOf(in).details())
	})
	if err != nil {
		return Institution{}, false, err
	}
	return in, already, nil
}

// ReopenInstitution opens a closed institution again, by whom and why, with an entry in its
// audit trail that keeps when, by whom and why it had closed. It returns the institution as it
// was before; an open one is ErrNotClosed, an unknown ID ErrNotFound.
func (s *Store) ReopenInstitution(ctx context.Context, id, by, reason string) (Institution, error) {
	if strings.TrimSpace(by) == "" || strings.TrimSpace(reason) == "" {
		return Institution{}, fmt.Errorf("reopen institution %s: say who reopens it and why", id)
	}
	var was Institution
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.serialize(ctx, tx, "institution/"+id); err != nil {
			return err
		}
		old, err := institutionTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !old.Closed() {
			return fmt.Errorf("reopen institution %s: %w", id, ErrNotClosed)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE institutions SET closed_on = NULL, closed_by = '', closed_reason = '',
			updated_at = ? WHERE id = ?`), s.stamp(), id); err != nil {
			return fmt.Errorf("reopen institution %s: %w", id, err)
		}
		was = old
		closed := closureOf(old).details()
		if old.ClosedBy != "" {
			closed += " (recorded by " + old.ClosedBy + ")"
		}
		return s.auditInstitutionTx(ctx, tx, id, by, AuditReopenInstitution, "reopened: "+reason+"; it had been "+closed)
	})
	if err != nil {
		return Institution{}, err
	}
	return was, nil
}

// auditInstitutionTx appends an entry to an institution's audit trail that belongs to no
// cycle (cycle 0), such as its closing.
func (s *Store) auditInstitutionTx(ctx context.Context, tx *sqlx.Tx, institutionID, actor, action, details string) error {
	var nonce [6]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return err
	}
	at := s.stamp()
	// Unique per write, and sorted by time within the institution's entries of one action.
	id := fmt.Sprintf("institution/%s/%s/%s/%x", institutionID, action, at.Format("20060102T150405.000000000Z"), nonce)
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO audit_log (id, at, actor_id, action, institution_id,
		cycle_number, step, details) VALUES (?, ?, ?, ?, ?, 0, '', ?)`),
		id, at, actor, action, institutionID, details); err != nil {
		return fmt.Errorf("audit %s of %s by %s: %w", action, institutionID, actor, err)
	}
	return nil
}
