package member_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/testenv"
)

// assign gives u the role.
func (f *fixture) assign(t *testing.T, u directory.User, roleID string) {
	t.Helper()
	if err := f.db.CreateRoleAssignment(context.Background(), roles.Assignment{TenantID: f.tenant.ID, ID: uuid.NewString(),
		PrincipalID: u.ID, RoleDefinitionID: roleID, DirectoryScopeID: "/", CreatedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

// TestR14SetAccountEnabled (finding 1): a User Administrator neither
// disables nor enables a Global Administrator; it may a member without a
// role; no one but the operator disables the last enabled Global
// Administrator.
func TestR14SetAccountEnabled(t *testing.T) {
	ga, ua := roles.GlobalAdministrator.TemplateID, roles.UserAdministrator.TemplateID
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e)
			ctx := context.Background()
			root := f.create(t, "root@fabrikam.example", true)
			f.assign(t, root, ga)
			second := f.create(t, "second@fabrikam.example", false)
			f.assign(t, second, ga)
			plain := f.create(t, "kim@fabrikam.example", true)
			asUA, asGA := roles.AsMember([]string{ua}), roles.AsMember([]string{ga})

			if err := f.svc.SetAccountEnabled(ctx, f.tenant, root.ID, false, audit.CLI, asUA); !errors.Is(err, roles.ErrPrivilegedTarget) {
				t.Fatalf("User Administrator disables a Global Administrator: %v, want ErrPrivilegedTarget", err)
			}
			if err := f.svc.SetAccountEnabled(ctx, f.tenant, second.ID, true, audit.CLI, asUA); !errors.Is(err, roles.ErrPrivilegedTarget) {
				t.Fatalf("User Administrator enables a Global Administrator: %v, want ErrPrivilegedTarget", err)
			}
			if err := f.svc.SetAccountEnabled(ctx, f.tenant, root.ID, false, audit.CLI, asGA); !errors.Is(err, roles.ErrLastGlobalAdmin) {
				t.Fatalf("the only enabled Global Administrator disabled: %v, want ErrLastGlobalAdmin", err)
			}
			if _, err := f.auth("root@fabrikam.example", goodPassword, ""); err != nil {
				t.Fatalf("the Global Administrator after the refusals: %v", err)
			}
			if err := f.svc.SetAccountEnabled(ctx, f.tenant, plain.ID, false, audit.CLI, asUA); err != nil {
				t.Fatalf("User Administrator disables a member without a role: %v", err)
			}
			if err := f.svc.SetAccountEnabled(ctx, f.tenant, second.ID, true, audit.CLI, asGA); err != nil {
				t.Fatalf("Global Administrator enables a Global Administrator: %v", err)
			}
			if err := f.svc.SetAccountEnabled(ctx, f.tenant, root.ID, false, audit.CLI, asGA); err != nil {
				t.Fatalf("a Global Administrator disabled while another is enabled: %v", err)
			}
			if err := f.svc.SetAccountEnabled(ctx, f.tenant, second.ID, false, audit.CLI, roles.AsOperator()); err != nil {
				t.Fatalf("the operator disables the last Global Administrator: %v", err)
			}
		})
	}
}
