package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

// callerIs answers every token with one caller.
type callerIs struct{ c *Caller }

func (v callerIs) VerifyAccessToken(context.Context, string) (Caller, error) { return *v.c, nil }

// oneTenant is a directory that knows only the caller's tenant (what an
// authorization decision may read); anything else panics on purpose.
type oneTenant struct {
	directory.Store
	t directory.Tenant
}

func (o oneTenant) GetTenant(context.Context, string) (directory.Tenant, error) { return o.t, nil }

// adminsInvite is a tenant where only admins and Guest Inviters invite.
type adminsInvite struct{}

func (adminsInvite) Get(_ context.Context, t directory.Tenant) (collab.Settings, error) {
	return collab.Settings{TenantID: t.ID, AllowInvitesFrom: collab.InvitesAdminsAndGuestInviter}, nil
}

func (adminsInvite) Update(context.Context, directory.Tenant, collab.Patch, audit.Actor) (collab.Settings, error) {
	panic("a write got past authorization")
}

// readPermissions are every Graph permission that only reads.
var readPermissions = []string{
	roles.UserReadAll, roles.DirectoryReadAll, roles.PolicyReadAll, roles.IdentityProviderReadAll,
	roles.AuditLogReadAll, roles.RoleManagementRead, roles.GroupReadAll, roles.GroupMemberReadAll,
}

// writePermissions are every Graph permission guestgate knows that writes.
var writePermissions = []string{
	roles.UserReadWriteAll, roles.UserInviteAll, roles.DirectoryReadWriteAll, roles.PolicyReadWriteAuthn,
	roles.PolicyReadWriteAuthz, roles.PolicyReadWriteXTenant, roles.PolicyReadWriteIdP, roles.RoleManagementReadWrite,
	roles.GroupReadWriteAll, roles.GroupMemberReadWriteAll,
}

// readActions are Graph's actions sent with POST that only read: an app
// with read permissions gets past their authorization
// (TestWritesNeedWritePermissions checks that instead of a refusal).
var readActions = map[string]bool{"POST /v1.0/users/{id}/checkMemberGroups": true,
	"POST /v1.0/users/{id}/getMemberObjects": true, "POST /v1.0/me/getMemberObjects": true}

// TestWritesNeedWritePermissions (security round 2, tests a mutation
// showed missing): every route that writes (POST, PATCH, PUT, DELETE) is
// refused 403 Authorization_RequestDenied, before anything is read or
// changed, to an app holding every read permission (Policy.Read.All
// included: it never writes the email passcode policy), and to a
// delegated token carrying every write scope for a member whose roles
// only read (Security Reader, Reports Reader; R10).
func TestWritesNeedWritePermissions(t *testing.T) {
	tn := directory.Tenant{ID: "6f9619ff-8b86-4d01-b42d-00cf4fc964ff", DisplayName: "Fabrikam"}
	caller := &Caller{}
	a := mustNew(Deps{Tokens: callerIs{caller}, Directory: oneTenant{t: tn}, Collab: adminsInvite{},
		Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	const id = "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b"
	const cast = "microsoft.graph." + samlFedTypeName
	// {x} is the collection (its type cast) for POST, else an item.
	path := func(method, p string) string {
		x := id
		if method == http.MethodPost {
			x = cast
		}
		return strings.NewReplacer("{id}", id, "{x}", x, "{a}", id, "{b}", cast, "{lang}", "en-US").Replace(p)
	}
	callers := map[string]Caller{
		"app_with_every_read_permission": {TenantID: tn.ID, AppID: "app-1", Roles: readPermissions},
		"reader_member_with_every_write_scope": {TenantID: tn.ID, AppID: "app-1", Scopes: append(append([]string{}, writePermissions...), readPermissions...),
			User:           directory.User{TenantID: tn.ID, ID: id, UserType: directory.UserTypeMember},
			DirectoryRoles: []string{roles.SecurityReader.TemplateID, roles.ReportsReader.TemplateID}},
	}
	writes := 0
	for _, rt := range a.routes {
		method, p, _ := strings.Cut(rt.pattern, " ")
		if method == http.MethodGet {
			continue
		}
		writes++
		for name, c := range callers {
			t.Run(name+"/"+rt.pattern, func(t *testing.T) {
				*caller = c
				w := httptest.NewRecorder()
				r := httptest.NewRequest(method, path(method, p), strings.NewReader(`{}`))
				r.Header.Set("Authorization", "Bearer x")
				r.Header.Set("Content-Type", "application/json")
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("the handler went past authorization: %v", p)
						}
					}()
					a.ServeHTTP(w, r)
				}()
				var env errorBody
				_ = json.Unmarshal(w.Body.Bytes(), &env)
				if readActions[rt.pattern] && !c.Delegated() {
					if w.Code == http.StatusForbidden {
						t.Fatalf("a read action refused a reader: %d %s", w.Code, w.Body.String())
					}
					return
				}
				if w.Code != http.StatusForbidden || env.Error.Code != "Authorization_RequestDenied" {
					t.Fatalf("%d %s, want 403 Authorization_RequestDenied", w.Code, w.Body.String())
				}
			})
		}
	}
	if writes < 20 {
		t.Fatalf("only %d write routes found", writes)
	}
}
