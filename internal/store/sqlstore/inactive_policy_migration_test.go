package sqlstore_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestMigration0028TakesTheSetterFromTheAuditLog: the backfill of
// migration 0028 gives each policy set before it the member its latest
// "Update inactive guest policy" record names, so a policy a User
// Administrator set keeps being bounded by their authority (R14); a
// policy the operator set last (the CLI: no user) stays the operator's;
// on both engines.
func TestMigration0028TakesTheSetterFromTheAuditLog(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
			s := inactivepolicy.Settings{Store: db, Audit: db, Tx: db, Clock: c}
			member := audit.Actor{UserID: "7b6f3c1e-2a4d-4e8f-9c0b-1d2e3f4a5b6c", UserName: "Uma"}
			want := map[string]string{}
			for _, tc := range []struct {
				name string
				by   []audit.Actor // in order; the last set it
				want string
			}{
				{"Contoso", []audit.Actor{audit.CLI, member}, member.UserID},
				{"Fabrikam", []audit.Actor{member, audit.CLI}, ""},
			} {
				tn, err := directory.CreateTenant(ctx, db, directory.NewTenantRequest{Name: tc.name}, "guestgate.local", c.Now())
				if err != nil {
					t.Fatal(err)
				}
				for _, by := range tc.by {
					c.Advance(time.Minute)
					if _, err := s.Set(ctx, tn, inactivepolicy.Policy{Days: 90, WarnDays: 14}, by); err != nil {
						t.Fatal(err)
					}
				}
				want[tn.ID] = tc.want
			}
			// As before the migration: no setter recorded.
			if _, err := db.ExecRaw(ctx, `UPDATE inactive_guest_policies SET set_by = ''`); err != nil {
				t.Fatal(err)
			}
			text, err := sqlstore.MigrationText("0028_inactive_policy_set_by." + db.Engine() + ".sql")
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(text, "UPDATE inactive_guest_policies")
			if i < 0 {
				t.Fatal("migration 0028 has no backfill")
			}
			if _, err := db.ExecRaw(ctx, strings.TrimSuffix(strings.TrimSpace(text[i:]), ";")); err != nil {
				t.Fatalf("backfill: %v", err)
			}
			for id, setter := range want {
				p, err := db.GetInactivePolicy(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if p.SetBy != setter {
					t.Errorf("tenant %s: set by %q after the backfill, want %q", id, p.SetBy, setter)
				}
			}
		})
	}
}
