package store

// What the dispatchers learn about people in Slack: the member ID found by e-mail for a person
// whose people.csv row has no slack_user_id; and, the other way round, who a Slack member who
// clicked a button is.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	_, err := s.w.ExecContext(ctx, s.db.Rebind(`UPDATE people SET slack_found_id = ?, slack_found_for = ? WHERE id = ?`),
		slackID, email, personID)
	return err
}

// PersonBySlackUser returns the person a Slack member ID stands for: the one whose people.csv
// row names it (slack_user_id), else the one it was found for by e-mail (slack_found_id, while
// their e-mail address is still the one it was found for). This is how a click in Slack
// learns who clicked. ErrNotFound when nobody is known by it; an error when two people are,
// since it cannot then say who acts.
func (s *Store) PersonBySlackUser(ctx context.Context, slackID string) (Person, error) {
	if strings.TrimSpace(slackID) == "" {
		return Person{}, fmt.Errorf("no Slack user: %w", ErrNotFound)
	}
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id FROM people WHERE slack_user_id = ?
		OR (slack_user_id = '' AND slack_found_id = ? AND LOWER(slack_found_for) = LOWER(email)) ORDER BY id`), slackID, slackID)
	if err != nil {
		return Person{}, err
	}
	switch len(ids) {
	case 0:
		return Person{}, fmt.Errorf("no person of the registry is the Slack user %s: %w", slackID, ErrNotFound)
	case 1:
		return s.Person(ctx, ids[0])
	}
	return Person{}, fmt.Errorf("the Slack user %s stands for %d people of the registry (%s): give each their own slack_user_id in people.csv",
		slackID, len(ids), strings.Join(ids, ", "))
}

// LinkSlackUser records that a Slack member, whose Slack profile has this e-mail address, is
// the one person of the registry with that address and no slack_user_id of their own, and
// returns them. ErrNotFound when no such person is, or when the address is shared (it
// cannot then say who the member is).
func (s *Store) LinkSlackUser(ctx context.Context, slackID, email string) (Person, error) {
	email = strings.TrimSpace(email)
	if slackID == "" || email == "" {
		return Person{}, fmt.Errorf("a Slack user without an e-mail address: %w", ErrNotFound)
	}
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id FROM people WHERE LOWER(email) = ? AND slack_user_id = ''
		ORDER BY id`), strings.ToLower(email))
	if err != nil {
		return Person{}, err
	}
	if len(ids) != 1 {
		return Person{}, fmt.Errorf("%d people of the registry without a slack_user_id have the e-mail address %s: %w", len(ids), email, ErrNotFound)
	}
	p, err := s.Person(ctx, ids[0])
	if err != nil {
		return Person{}, err
	}
	if err := s.SetSlackFound(ctx, p.ID, slackID, p.Email); err != nil {
		return Person{}, err
	}
	return p, nil
}
