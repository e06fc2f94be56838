package store

// The web app's sign-in links, sessions and report drafts (migration 00008). A link's token
// and a session's ID are secrets that only the person's browser holds: they are made here,
// handed out once, and only their SHA-256 is kept.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// SignInLinkError says why a sign-in link cannot be used: unknown, already used or expired.
type SignInLinkError struct {
	// Reason is one of LinkUnknown, LinkUsed, LinkExpired.
	Reason string
}

// Reasons of a SignInLinkError.
const (
	LinkUnknown = "unknown"
	LinkUsed    = "used"
	LinkExpired = "expired"
)

func (e *SignInLinkError) Error() string {
	switch e.Reason {
	case LinkUsed:
		return "this sign-in link has been used already: each link signs in once; ask the secretariat for a new one"
	case LinkExpired:
		return "this sign-in link has expired: ask the secretariat for a new one"
	}
	return "this sign-in link is not known: check that the whole link was copied, or ask the secretariat for a new one"
}

// newSecret returns 32 random bytes as hex: a sign-in token, a session ID or a CSRF token.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// HashSecret is what the store keeps of a token or session ID: its SHA-256, hex.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SignInLink is an issued link, as the store keeps it (without its token).
type SignInLink struct {
	PersonID  string
	CreatedBy string
	Expires   time.Time
}

// AuditIssueSignInLink is the registry audit action of an issued sign-in link.
const AuditIssueSignInLink = "issue-signin-link"

// IssueSignInLink makes a single-use sign-in token for a person of the registry, valid for
// ttl, and returns it; only its hash is stored. The issue is in the registry's audit trail
// (who issued a link for whom, valid until when), in the same transaction.
func (s *Store) IssueSignInLink(ctx context.Context, personID, createdBy string, ttl time.Duration) (token string, expires time.Time, err error) {
	if ttl <= 0 {
		return "", time.Time{}, fmt.Errorf("a sign-in link must be valid for a positive time, not %s", ttl)
	}
	p, err := s.Person(ctx, personID)
	if err != nil {
		return "", time.Time{}, err
	}
	token, err = newSecret()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	expires = now.Add(ttl)
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO signin_links (token_hash, person_id, created_by,
			created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)`), HashSecret(token), personID, createdBy, now.UnixMilli(),
			expires.UnixMilli()); err != nil {
			return err
		}
		return s.auditRegistryTx(ctx, tx, RegistryAudit{ActorID: createdBy, Action: AuditIssueSignInLink,
			Subject: fmt.Sprintf("sign-in link for %s (%s, %s), valid until %s", p.ID, p.Name, p.Role,
				expires.UTC().Format(time.RFC3339))}, nil, nil)
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store the sign-in link of %s: %w", personID, err)
	}
	return token, expires, nil
}

// RedeemSignInLink uses a sign-in token once and returns the person it signs in. The check
// and the use are one statement, so two browsers racing with the same link get one session
// between them. A *SignInLinkError says why a token cannot be used.
func (s *Store) RedeemSignInLink(ctx context.Context, token string) (string, error) {
	hash := HashSecret(token)
	now := s.now().UnixMilli()
	res, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE signin_links SET used_ms = ?
		WHERE token_hash = ? AND used_ms = 0 AND expires_ms > ?`), now, hash, now)
	if err != nil {
		return "", err
	}
	var link struct {
		PersonID  string `db:"person_id"`
		ExpiresMS int64  `db:"expires_ms"`
		UsedMS    int64  `db:"used_ms"`
	}
	err = s.db.GetContext(ctx, &link, s.db.Rebind(`SELECT person_id, expires_ms, used_ms FROM signin_links
		WHERE token_hash = ?`), hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &SignInLinkError{Reason: LinkUnknown}
	}
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return link.PersonID, nil
	}
	if link.UsedMS != 0 {
		return "", &SignInLinkError{Reason: LinkUsed}
	}
	return "", &SignInLinkError{Reason: LinkExpired}
}

// SignInLinkPerson returns the person a token would sign in, without using it, so that the
// page behind the link can greet them; a *SignInLinkError when it cannot be used.
func (s *Store) SignInLinkPerson(ctx context.Context, token string) (string, error) {
	var link struct {
		PersonID  string `db:"person_id"`
		ExpiresMS int64  `db:"expires_ms"`
		UsedMS    int64  `db:"used_ms"`
	}
	err := s.db.GetContext(ctx, &link, s.db.Rebind(`SELECT person_id, expires_ms, used_ms FROM signin_links
		WHERE token_hash = ?`), HashSecret(token))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", &SignInLinkError{Reason: LinkUnknown}
	case err != nil:
		return "", err
	case link.UsedMS != 0:
		return "", &SignInLinkError{Reason: LinkUsed}
	case link.ExpiresMS <= s.now().UnixMilli():
		return "", &SignInLinkError{Reason: LinkExpired}
	}
	return link.PersonID, nil
}

// Session is a signed-in browser.
type Session struct {
	PersonID string
	// CSRFToken is the token every form of the session carries.
	CSRFToken string
	// Method is how the person signed in: "link" or "oidc".
	Method  string
	Created time.Time
	Expires time.Time
}

// CreateSession starts a session for a person, valid for ttl, and returns its ID (for the
// cookie; only its hash is stored) and the session.
func (s *Store) CreateSession(ctx context.Context, personID, method string, ttl time.Duration) (string, Session, error) {
	id, err := newSecret()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := newSecret()
	if err != nil {
		return "", Session{}, err
	}
	now := s.now()
	sess := Session{PersonID: personID, CSRFToken: csrf, Method: method, Created: now, Expires: now.Add(ttl)}
	_, err = s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO web_sessions (id_hash, person_id, csrf_token, method,
		created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?)`), HashSecret(id), personID, csrf, method,
		now.UnixMilli(), sess.Expires.UnixMilli())
	if err != nil {
		return "", Session{}, fmt.Errorf("store the session of %s: %w", personID, err)
	}
	return id, sess, nil
}

// SessionByID returns the live session with this ID; ErrNotFound when there is none or it
// has expired.
func (s *Store) SessionByID(ctx context.Context, id string) (Session, error) {
	var row struct {
		PersonID  string `db:"person_id"`
		CSRFToken string `db:"csrf_token"`
		Method    string `db:"method"`
		CreatedMS int64  `db:"created_ms"`
		ExpiresMS int64  `db:"expires_ms"`
	}
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT person_id, csrf_token, method, created_ms, expires_ms
		FROM web_sessions WHERE id_hash = ? AND expires_ms > ?`), HashSecret(id), s.now().UnixMilli())
	if err != nil {
		return Session{}, notFound(err, "session")
	}
	return Session{PersonID: row.PersonID, CSRFToken: row.CSRFToken, Method: row.Method,
		Created: time.UnixMilli(row.CreatedMS), Expires: time.UnixMilli(row.ExpiresMS)}, nil
}

// DeleteSession ends a session (sign-out); an unknown ID changes nothing.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`DELETE FROM web_sessions WHERE id_hash = ?`), HashSecret(id))
	return err
}

// DeleteExpired removes expired sessions, and sign-in links that expired more than a day
// ago (kept that long so that a late click is told "expired", not "unknown").
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.w.ExecContext(ctx, s.db.Rebind(`DELETE FROM web_sessions WHERE expires_ms <= ?`), now.UnixMilli())
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	res, err = s.w.ExecContext(ctx, s.db.Rebind(`DELETE FROM signin_links WHERE expires_ms <= ?`),
		now.Add(-24*time.Hour).UnixMilli())
	if err != nil {
		return n, err
	}
	m, _ := res.RowsAffected()
	return n + m, nil
}

// ReportDraft is a report being written, as the form held it (JSON).
type ReportDraft struct {
	Content string
	Saved   time.Time
}

// SaveReportDraft keeps the author's draft of a step's report, replacing the previous one.
func (s *Store) SaveReportDraft(ctx context.Context, institutionID string, cycle int, step, authorID, content string) error {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`INSERT INTO report_drafts (institution_id, cycle_number, step,
		author_id, content, saved_ms) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (institution_id, cycle_number, step, author_id) DO UPDATE SET content = excluded.content,
			saved_ms = excluded.saved_ms`), institutionID, cycle, step, authorID, content, s.now().UnixMilli())
	return err
}

// ReportDraftOf returns the author's draft of a step's report; ErrNotFound when none is kept.
func (s *Store) ReportDraftOf(ctx context.Context, institutionID string, cycle int, step, authorID string) (ReportDraft, error) {
	var row struct {
		Content string `db:"content"`
		SavedMS int64  `db:"saved_ms"`
	}
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT content, saved_ms FROM report_drafts
		WHERE institution_id = ? AND cycle_number = ? AND step = ? AND author_id = ?`), institutionID, cycle, step, authorID)
	if err != nil {
		return ReportDraft{}, notFound(err, "report draft")
	}
	return ReportDraft{Content: row.Content, Saved: time.UnixMilli(row.SavedMS)}, nil
}

// DeleteReportDraft drops the draft once the report is submitted.
func (s *Store) DeleteReportDraft(ctx context.Context, institutionID string, cycle int, step, authorID string) error {
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`DELETE FROM report_drafts
		WHERE institution_id = ? AND cycle_number = ? AND step = ? AND author_id = ?`), institutionID, cycle, step, authorID)
	return err
}
