package store

// What the dispatchers learn about people in Slack: the member ID found by e-mail for a person
// whose people.csv row has no slack_user_id.

import (
	"context"
	"database/sql"
	"errors"
)

// SlackFound returns the Slack member ID found for a person and the e-mail address it was
// found for ("", "" when none was).
func (s *Store) SlackFound(ctx context.Context, personID string) (slackID, forEmail string, err error) {
	var row struct {
		ID  string `db:"slack_found_id"`
		For string `db:"slack_found_for"`
	}
	err = s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT slack_found_id, slack_found_for FROM people WHERE id = ?`), personID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", notFound(err, "person "+personID)
	}
	return row.ID, row.For, err
}

// SetSlackFound records the Slack member ID found for a person's e-mail address, so the next
// message to them needs no lookup. A registry import keeps it (it rewrites slack_user_id
// only); a new e-mail address makes it stale.
func (s *Store) SetSlackFound(ctx context.Context, personID, slackID, email string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE people SET slack_found_id = ?, slack_found_for = ? WHERE id = ?`),
		slackID, email, personID)
	return err
}
