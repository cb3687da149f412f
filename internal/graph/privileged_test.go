package graph

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

// TestWriteErrorR14: R14's refusals answer Graph's envelope: a change of
// an admin the caller does not manage is Graph's 403
// Authorization_RequestDenied, the last Global Administrator a 400 that
// says what to do.
func TestWriteErrorR14(t *testing.T) {
	a := mustNew(Deps{Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	cases := []struct {
		name   string
		err    error
		status int
		want   string
	}{
		{"privileged_target", fmt.Errorf("reset redemption: %w", roles.ErrPrivilegedTarget), http.StatusForbidden,
			`"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."`},
		{"last_global_admin", fmt.Errorf("delete user: %w", roles.ErrLastGlobalAdmin), http.StatusBadRequest,
			`"code":"Request_BadRequest","message":"The last Global Administrator of the organization cannot be disabled, deleted or removed from the role. Assign the role to another user first."`},
	}
	for _, c := range cases {
		t.Run("R14_"+c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			a.writeError(w, httptest.NewRequest(http.MethodPost, "/v1.0/invitations", nil), c.err)
			if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
				t.Fatalf("%d %s, want %d %s", w.Code, w.Body.String(), c.status, c.want)
			}
		})
	}
}

// TestCallerAuthority: a delegated token acts with the signed-in member's
// roles (never the app's permissions), an app-only token with its
// application permissions (R14).
func TestCallerAuthority(t *testing.T) {
	ga := roles.GlobalAdministrator.TemplateID
	admin := roles.Change{Action: roles.ResetRedemption, TargetRoles: []string{ga}, OtherGlobalAdmins: 1}
	cases := []struct {
		name string
		c    Caller
		want error
	}{
		{"delegated_global_admin", Caller{User: directory.User{ID: "u"}, DirectoryRoles: []string{ga}}, nil},
		{"delegated_user_admin", Caller{User: directory.User{ID: "u"}, DirectoryRoles: []string{roles.UserAdministrator.TemplateID},
			Roles: []string{roles.RoleManagementReadWrite}}, roles.ErrPrivilegedTarget},
		{"app_user_readwrite", Caller{Roles: []string{roles.UserReadWriteAll, roles.DirectoryReadWriteAll}}, roles.ErrPrivilegedTarget},
		{"app_role_management", Caller{Roles: []string{roles.RoleManagementReadWrite}}, nil},
		{"app_with_roles_of_no_one", Caller{DirectoryRoles: []string{ga}}, roles.ErrPrivilegedTarget},
	}
	for _, c := range cases {
		t.Run("R14_"+c.name, func(t *testing.T) {
			if got := roles.DecideChange(c.c.authority(), admin); !errors.Is(got, c.want) || (got == nil) != (c.want == nil) {
				t.Fatalf("DecideChange = %v, want %v", got, c.want)
			}
		})
	}
}
