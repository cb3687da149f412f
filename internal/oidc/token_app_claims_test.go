package oidc_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/groups"
)

// fakeAssignments answers each app and user the access it was given
// (none by default), or what store answers when set, and counts the reads.
type fakeAssignments struct {
	mu     sync.Mutex
	access map[string]assignment.Access // by appID|userID
	store  assignment.Reader
	reads  int
}

func (f *fakeAssignments) readFrom(r assignment.Reader) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.store = r
}

func (f *fakeAssignments) set(appID, userID string, a assignment.Access) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.access == nil {
		f.access = map[string]assignment.Access{}
	}
	f.access[appID+"|"+userID] = a
}

func (f *fakeAssignments) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

func (f *fakeAssignments) Access(ctx context.Context, tenantID, appID, userID string) (assignment.Access, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.store != nil {
		return f.store.Access(ctx, tenantID, appID, userID)
	}
	return f.access[appID+"|"+userID], nil
}

// stringList reads a JSON array of strings from a claim.
func stringList(t *testing.T, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("claim %v is not a list", v)
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// TestTokensCarryRolesAndGroups (R16): the ID tokens of a code exchange
// and of a refresh carry the user's app roles and, as the app asked,
// groups; userinfo carries neither (as in Entra ID). Each token request
// reads the user's access exactly once.
func TestTokensCarryRolesAndGroups(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		groups := []string{"2b1f0c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "7c6b5a49-3827-4165-9f8e-7d6c5b4a3928"}
		e.assign.set(app.AppID, e.guestA.ID, assignment.Access{Required: true, Assigned: true,
			Roles: []string{"Approver", "Reader"}, GroupsClaim: true, Groups: groups})
		f := flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}

		before := e.assign.readCount()
		res := e.signIn(t, f)
		if n := e.assign.readCount() - before; n != 1 {
			t.Errorf("code exchange read the access %d times, want 1", n)
		}
		c := jwtClaims(t, res.idToken)
		if got := stringList(t, c["roles"]); !slices.Equal(got, []string{"Approver", "Reader"}) {
			t.Errorf("ID token roles = %v", got)
		}
		if got := stringList(t, c["groups"]); !slices.Equal(got, groups) {
			t.Errorf("ID token groups = %v, want %v", got, groups)
		}

		// A refresh reads the access as it is now: a role taken away is gone.
		e.assign.set(app.AppID, e.guestA.ID, assignment.Access{Required: true, Assigned: true,
			Roles: []string{"Reader"}, GroupsClaim: true, Groups: groups[:1]})
		before = e.assign.readCount()
		tok, err := res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: res.token.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if n := e.assign.readCount() - before; n != 1 {
			t.Errorf("refresh read the access %d times, want 1", n)
		}
		raw, _ := tok.Extra("id_token").(string)
		c = jwtClaims(t, raw)
		if got := stringList(t, c["roles"]); !slices.Equal(got, []string{"Reader"}) {
			t.Errorf("refreshed ID token roles = %v, want [Reader]", got)
		}
		if got := stringList(t, c["groups"]); !slices.Equal(got, groups[:1]) {
			t.Errorf("refreshed ID token groups = %v", got)
		}

		info, err := e.goProvider(e.a).UserInfo(e.ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		var claims map[string]any
		if err := info.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"roles", "groups", "_claim_names"} {
			if _, ok := claims[k]; ok {
				t.Errorf("userinfo carries %s; Entra ID's does not", k)
			}
		}
	})
}

// TestGroupsOnlyWhenAsked (R16): an app that did not ask for the groups
// claim never gets the user's group ids, and a user with no roles gets no
// roles claim.
func TestGroupsOnlyWhenAsked(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		e.assign.set(app.AppID, e.guestA.ID, assignment.Access{Assigned: true})
		res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA})
		c := jwtClaims(t, res.idToken)
		for _, k := range []string{"roles", "groups", "_claim_names", "_claim_sources"} {
			if _, ok := c[k]; ok {
				t.Errorf("ID token carries %s = %v for an app that did not ask and a user without roles", k, c[k])
			}
		}
	})
}

// TestGroupsOverage (R16): a user in more than 200 groups gets Entra's
// overage indication, a distributed claim pointing to this deployment's
// Graph getMemberObjects for the user, instead of the list.
func TestGroupsOverage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		groups := make([]string, assignment.GroupsOverage+1)
		for i := range groups {
			groups[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		}
		e.assign.set(app.AppID, e.guestA.ID, assignment.Access{GroupsClaim: true, Groups: groups})
		res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA})
		c := jwtClaims(t, res.idToken)
		if _, ok := c["groups"]; ok {
			t.Fatalf("ID token lists %d groups; want the overage indication", assignment.GroupsOverage+1)
		}
		names, _ := c["_claim_names"].(map[string]any)
		sources, _ := c["_claim_sources"].(map[string]any)
		src, _ := sources["src1"].(map[string]any)
		want := e.publicURL + "/v1.0/users/" + e.guestA.ID + "/getMemberObjects"
		if names["groups"] != "src1" || src["endpoint"] != want {
			t.Fatalf("overage = _claim_names %v, _claim_sources %v; want groups→src1→%s", c["_claim_names"], c["_claim_sources"], want)
		}
	})
}

// TestDelegatedTokenSharesTheRead (R16): a delegated Graph grant gets a
// JWT access token beside the ID token; both carry the roles from one
// read of the user's access. An app role whose value spells a Graph
// permission grants nothing at the admin API: a user's token is judged by
// its scopes (and the user's directory roles), never by roles.
func TestDelegatedTokenSharesTheRead(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		const graphy = "Directory.ReadWrite.All"
		e.assign.set(app.AppID, e.guestA.ID, assignment.Access{Assigned: true, Roles: []string{graphy}})
		before := e.assign.readCount()
		res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "https://graph.microsoft.com/User.Read.All"}})
		if n := e.assign.readCount() - before; n != 1 {
			t.Errorf("code exchange read the access %d times, want 1", n)
		}
		for name, raw := range map[string]string{"ID token": res.idToken, "access token": res.token.AccessToken} {
			if got := stringList(t, jwtClaims(t, raw)["roles"]); !slices.Equal(got, []string{graphy}) {
				t.Errorf("%s roles = %v, want [%s]", name, got, graphy)
			}
		}
		ac, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, res.token.AccessToken)
		if err != nil {
			t.Fatalf("VerifyAccessToken: %v", err)
		}
		if len(ac.Roles) != 0 || !slices.Equal(ac.Scopes, []string{"User.Read.All"}) {
			t.Fatalf("the admin API reads roles %v, scopes %v; want no roles, scopes [User.Read.All]", ac.Roles, ac.Scopes)
		}
	})
}

// TestClaimsFromTheStore (R16): through the store's one read, a guest who
// is a member of a group assigned an app role gets that role's value and,
// the app having asked (groupMembershipClaims SecurityGroup), the group's
// object id; the guest of the other tenant gets neither.
func TestClaimsFromTheStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		svc := assignment.NewService(assignment.Deps{Store: e.db, Directory: e.db, Groups: e.db, Tx: e.db, Audit: e.db, Clock: e.clock})
		e.assign.readFrom(svc)
		app, _ := e.createApp(e.a, true)
		roleID := uuid.NewString()
		by := audit.Actor{AppName: "test"}
		if _, err := svc.SetAppRoles(e.ctx, e.a.ID, app.AppID, []assignment.AppRole{{ID: roleID, Value: "Approver",
			DisplayName: "Approver", AllowedMemberTypes: []string{"User"}, IsEnabled: true}}, by); err != nil {
			t.Fatalf("SetAppRoles: %v", err)
		}
		if _, err := svc.SetGroupClaims(e.ctx, e.a.ID, app.AppID, "SecurityGroup", by); err != nil {
			t.Fatalf("SetGroupClaims: %v", err)
		}
		g := groups.Group{TenantID: e.a.ID, ID: uuid.NewString(), DisplayName: "Approvers", MailNickname: "approvers", CreatedAt: e.clock.Now()}
		if err := e.db.CreateGroup(e.ctx, g); err != nil {
			t.Fatal(err)
		}
		if err := e.db.AddGroupMember(e.ctx, groups.Member{TenantID: e.a.ID, GroupID: g.ID, MemberID: e.guestA.ID,
			MemberType: groups.MemberUser, CreatedAt: e.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Assign(e.ctx, e.a.ID, app.AppID, g.ID, roleID, by); err != nil {
			t.Fatalf("Assign: %v", err)
		}

		before := e.assign.readCount()
		c := jwtClaims(t, e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA}).idToken)
		if n := e.assign.readCount() - before; n != 1 {
			t.Errorf("code exchange read the access %d times, want 1", n)
		}
		if got := stringList(t, c["roles"]); !slices.Equal(got, []string{"Approver"}) {
			t.Errorf("ID token roles = %v, want [Approver]", got)
		}
		if got := stringList(t, c["groups"]); !slices.Equal(got, []string{g.ID}) {
			t.Errorf("ID token groups = %v, want [%s]", got, g.ID)
		}
	})
}
