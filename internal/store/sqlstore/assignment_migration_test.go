package sqlstore_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestMigration0025GivesExistingAppsTheirObjects: the backfill of
// migration 0025 gives every app that existed before it a row of settings
// with an application and a service principal object id of its own (valid
// GUIDs, distinct from each other and from the app ids), nothing required,
// no roles, no groups claim; on both engines.
func TestMigration0025GivesExistingAppsTheirObjects(t *testing.T) {
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
			tn, err := directory.CreateTenant(ctx, db, directory.NewTenantRequest{Name: "Contoso"}, "guestgate.local", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			var apps []string
			for _, name := range []string{"portal", "wiki"} {
				a := oidc.App{TenantID: tn.ID, AppID: uuid.NewString(), DisplayName: name, CreatedAt: time.Now()}
				if err := db.CreateApp(ctx, a); err != nil {
					t.Fatal(err)
				}
				apps = append(apps, a.AppID)
			}
			// As before the migration: apps without settings.
			if _, err := db.ExecRaw(ctx, `DELETE FROM app_assignment_settings`); err != nil {
				t.Fatal(err)
			}
			text, err := sqlstore.MigrationText("0025_app_assignment." + db.Engine() + ".sql")
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(text, "INSERT INTO app_assignment_settings")
			if i < 0 {
				t.Fatal("migration 0025 has no backfill")
			}
			if _, err := db.ExecRaw(ctx, strings.TrimSuffix(strings.TrimSpace(text[i:]), ";")); err != nil {
				t.Fatalf("backfill: %v", err)
			}
			seen := map[string]bool{apps[0]: true, apps[1]: true}
			for _, id := range apps {
				got, err := db.GetAssignmentApp(ctx, tn.ID, id)
				if err != nil {
					t.Fatalf("app %s after the backfill: %v", id, err)
				}
				for _, obj := range []string{got.ApplicationID, got.ServicePrincipalID} {
					u, err := uuid.Parse(obj)
					if err != nil || u.Version() != 4 || u.String() != obj || seen[obj] {
						t.Fatalf("object id %q: not a fresh lower-case version 4 GUID (%v)", obj, err)
					}
					seen[obj] = true
				}
				if got.AssignmentRequired || got.GroupMembershipClaims != "None" || len(got.AppRoles) != 0 {
					t.Fatalf("settings after the backfill = %+v, want the defaults", got)
				}
			}
		})
	}
}
