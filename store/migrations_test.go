package store

import (
	"context"
	"slices"
	"testing"
)

// TestMigrationsDownAndUpAgain: every migration's Down section undoes its Up on both
// backends: the schema goes back to nothing and up again to the newest version, with the same
// tables.
func TestMigrationsDownAndUpAgain(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.seeded(t)
		before := tables(t, s)
		provider, err := s.migrations()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := provider.DownTo(ctx, 0); err != nil {
			t.Fatalf("down to nothing: %v", err)
		}
		if left := slices.DeleteFunc(tables(t, s), func(name string) bool { return name == "goose_db_version" }); len(left) != 0 {
			t.Errorf("tables left after every Down: %v", left)
		}
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("up again: %v", err)
		}
		if want := len(provider.ListSources()); len(applied) != want {
			t.Errorf("up again applied %v, want all %d migrations", applied, want)
		}
		if after := tables(t, s); !slices.Equal(before, after) {
			t.Errorf("tables after down and up = %v, want %v", after, before)
		}
		if err := s.Seed(ctx); err != nil {
			t.Errorf("seed after down and up: %v", err)
		}
	})
}
