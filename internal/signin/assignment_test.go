package signin_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// app stores an app of tn; required makes it require assignment (R16).
func (f *fixture) app(t *testing.T, tn directory.Tenant, name string, required bool) string {
	t.Helper()
	ctx := context.Background()
	a := oidc.App{TenantID: tn.ID, AppID: uuid.NewString(), DisplayName: name,
		RedirectURIs: []string{"https://app.example/callback"}, CreatedAt: f.clock.Now()}
	if err := f.db.CreateApp(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.assignments.SetRequired(ctx, tn.ID, a.AppID, required, audit.CLI); err != nil {
		t.Fatal(err)
	}
	return a.AppID
}

// group stores a security group of tn with the given members.
func (f *fixture) group(t *testing.T, tn directory.Tenant, name string, memberIDs ...string) groups.Group {
	t.Helper()
	ctx := context.Background()
	g := groups.Group{TenantID: tn.ID, ID: uuid.NewString(), DisplayName: name, MailNickname: name, CreatedAt: f.clock.Now()}
	if err := f.db.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	for _, id := range memberIDs {
		if err := f.db.AddGroupMember(ctx, groups.Member{TenantID: tn.ID, GroupID: g.ID, MemberID: id, MemberType: groups.MemberUser, CreatedAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// assign gives principal (a user or a group) the app's default access.
func (f *fixture) assign(t *testing.T, tn directory.Tenant, appID, principalID string) assignment.Assignment {
	t.Helper()
	a, err := f.assignments.Assign(context.Background(), tn.ID, appID, principalID, assignment.DefaultAccessRoleID, audit.CLI)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signInTo runs a returning passcode guest's sign-in to the app of the
// request reqID: Begin, Send code, the code.
func (f *fixture) signInTo(t *testing.T, tn directory.Tenant, addr, reqID string) (signin.Result, error) {
	t.Helper()
	f.clock.Advance(61 * time.Second) // one send a minute (R3)
	next := signin.Continuation{AuthRequestID: reqID}
	r, err := f.svc.BeginFor(context.Background(), tn, addr, next)
	if err != nil {
		t.Fatalf("BeginFor(%s) = %v", addr, err)
	}
	return f.svc.VerifyCode(context.Background(), r, f.send(t, r), next)
}

// newestSignIn is the tenant's latest recorded sign-in and how many there are.
func (f *fixture) newestSignIn(t *testing.T, tn directory.Tenant) (audit.SignIn, int) {
	t.Helper()
	ss, err := f.db.ListSignIns(context.Background(), tn.ID, audit.SignInCursor{}, 0)
	if err != nil || len(ss) == 0 {
		t.Fatalf("sign-ins = %v, %v", ss, err)
	}
	return ss[0], len(ss)
}

// wantNotAssigned fails unless err is the refusal of appID (R16).
func wantNotAssigned(t *testing.T, what string, err error, appID string) {
	t.Helper()
	var na *signin.NotAssignedError
	if !errors.As(err, &na) || !errors.Is(err, assignment.ErrNotAssigned) || na.AppID != appID || signin.ErrorCode(err) != 50105 {
		t.Fatalf("%s = %v, want the app's refusal (AADSTS50105)", what, err)
	}
}

// countingReader counts the reads of a user's access to an app.
type countingReader struct {
	assignment.Reader
	n atomic.Int32
}

func (c *countingReader) Access(ctx context.Context, tenantID, appID, userID string) (assignment.Access, error) {
	c.n.Add(1)
	return c.Reader.Access(ctx, tenantID, appID, userID)
}

// TestAppAssignment (R16): an app that requires assignment admits only
// the users assigned to it, directly or through a group, at the one finish
// path, from a live session and wherever its grants are used (Allowed);
// a refusal is AADSTS50105 in the sign-in log; a redemption to it redeems
// and then refuses, a sign-up to it creates the guest and then refuses;
// one read per sign-in to an app, none to My Apps.
func TestAppAssignment(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("R16_unassigned_guest_refused_recorded_no_session", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			appID := f.app(t, f.fabrikam, "Wiki", true)
			f.bridge.forApp("ar-1", appID)
			before := len(f.userSessions(t, f.fabrikam, g.ID))
			_, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", "ar-1")
			wantNotAssigned(t, "sign-in of an unassigned guest", err, appID)
			var na *signin.NotAssignedError
			if errors.As(err, &na); na.AppName != "Woodgrove ar-1" {
				t.Fatalf("refusal names app %q, want the request's", na.AppName)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("bridge completions = %+v, want none", completed)
			}
			if n := len(f.userSessions(t, f.fabrikam, g.ID)); n != before {
				t.Fatalf("sessions %d → %d: a refused sign-in started one", before, n)
			}
			got, _ := f.newestSignIn(t, f.fabrikam)
			if got.ErrorCode != 50105 || got.UserID != g.ID || got.AppID != appID || got.AppDisplayName != "Woodgrove ar-1" ||
				got.FailureReason != "The signed in user is not assigned to a role for the application." {
				t.Fatalf("recorded refusal = %+v", got)
			}
		})
		t.Run("R16_app_without_requirement_and_my_apps_admit_anyone", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			f.bridge.forApp("ar-open", f.app(t, f.fabrikam, "Intranet", false))
			f.app(t, f.fabrikam, "Wiki", true) // another app's requirement is not this one's
			if _, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", "ar-open"); err != nil {
				t.Fatalf("sign-in to an app that does not require assignment = %v", err)
			}
			if _, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", ""); err != nil {
				t.Fatalf("sign-in to My Apps = %v", err)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 1 || completed[0].UserID != g.ID {
				t.Fatalf("bridge completions = %+v", completed)
			}
		})
		t.Run("R16_group_assignment_admits_leaving_the_group_refuses", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			appID := f.app(t, f.fabrikam, "Wiki", true)
			readers := f.group(t, f.fabrikam, "wiki-readers", g.ID)
			f.assign(t, f.fabrikam, appID, readers.ID)
			f.bridge.forApp("ar-2", appID)
			f.bridge.forApp("ar-3", appID)
			res, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", "ar-2")
			if err != nil {
				t.Fatalf("sign-in of a guest assigned through a group = %v", err)
			}
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, appID); err != nil {
				t.Fatalf("Allowed while in the group = %v", err)
			}

			if err := f.db.RemoveGroupMember(ctx, f.fabrikam.ID, readers.ID, g.ID); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Minute) // the log lists the newest first
			wantNotAssigned(t, "Allowed (a refresh) once she left the group", f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, appID), appID)
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, ""); err != nil {
				t.Fatalf("Allowed for no app = %v, want nil", err)
			}
			_, err = f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-3"})
			wantNotAssigned(t, "single sign-on once she left the group", err, appID)
			got, _ := f.newestSignIn(t, f.fabrikam)
			if got.ErrorCode != 50105 || got.AppID != appID || got.AuthenticationMethod != "Previously satisfied" {
				t.Fatalf("recorded refusal of the live session = %+v", got)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 1 || completed[0].ID != "ar-2" {
				t.Fatalf("bridge completions = %+v, want only the sign-in while assigned", completed)
			}
			if _, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", "ar-3"); err == nil {
				t.Fatal("a new sign-in once she left the group was admitted")
			}
		})
		t.Run("R16_removed_direct_assignment_stops_grants", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			m := f.member(t, f.fabrikam, "lee@fabrikam.example")
			appID := f.app(t, f.fabrikam, "Wiki", true)
			a := f.assign(t, f.fabrikam, appID, g.ID)
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, appID); err != nil {
				t.Fatalf("Allowed while assigned = %v", err)
			}
			// Members too: assignment is about the app, not the guest.
			wantNotAssigned(t, "Allowed for an unassigned member", f.svc.Allowed(ctx, f.fabrikam.ID, m.ID, appID), appID)
			if err := f.assignments.Unassign(ctx, f.fabrikam.ID, a.ID, audit.CLI); err != nil {
				t.Fatal(err)
			}
			err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, appID)
			wantNotAssigned(t, "Allowed once unassigned", err, appID)
			if !signin.IsRefusal(err) {
				t.Fatalf("IsRefusal(%v) = false, want a refusal (the grant ends)", err)
			}
		})
		t.Run("R16_redemption_redeems_then_refuses", func(t *testing.T) {
			f := newFixture(t, e)
			inv := f.invite(t, f.fabrikam, "kim@contoso.example")
			appID := f.app(t, f.fabrikam, "Wiki", true)
			f.bridge.forApp("ar-4", appID)
			f.bridge.forApp("ar-5", appID)
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-4"})
			_, err := f.svc.Accept(ctx, f.fabrikam, c.Proof)
			wantNotAssigned(t, "Accept to an app the guest is not assigned to", err, appID)
			g := f.user(t, f.fabrikam, inv.User.ID)
			if g.ExternalUserState != directory.StateAccepted || g.IdP != directory.IdPMail {
				t.Fatalf("guest after Accept = %s/%s, want the invitation redeemed with passcodes", g.ExternalUserState, g.IdP)
			}
			if n := len(f.userSessions(t, f.fabrikam, g.ID)); n != 0 {
				t.Fatalf("a refused redemption started %d sessions", n)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("bridge completions = %+v, want none", completed)
			}
			got, n := f.newestSignIn(t, f.fabrikam)
			if got.ErrorCode != 50105 || got.UserID != g.ID || got.AppID != appID || got.IdP != "mail" {
				t.Fatalf("recorded refusal of the redemption = %+v", got)
			}
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); err == nil {
				t.Fatal("the proof admitted the guest on a second Accept")
			}
			if _, again := f.newestSignIn(t, f.fabrikam); again != n+1 {
				t.Fatalf("a second Accept recorded %d sign-ins, want its refusal", again-n)
			}

			// Assigned later, she signs in as a returning guest: no new invitation.
			f.assign(t, f.fabrikam, appID, g.ID)
			if _, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", "ar-5"); err != nil {
				t.Fatalf("sign-in once assigned = %v", err)
			}
		})
		t.Run("R16_app_sign_up_creates_the_guest_then_refuses", func(t *testing.T) {
			f := newFixture(t, e)
			f.signUps.enable()
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)
			appID := f.app(t, f.fabrikam, "Wiki", true)
			f.bridge.forApp("ar-s", appID)
			const addr, browser = "ivy@tailspin.example", "csrf-cookie-of-browser-1"
			o, err := f.svc.OfferAppSignUp(ctx, f.begin(t, f.fabrikam, addr), "ar-s", browser)
			if err != nil || o == nil {
				t.Fatalf("OfferAppSignUp = %+v, %v", o, err)
			}
			opened, err := f.svc.OpenAppSignUp(ctx, f.fabrikam, o.Token, browser)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.SendAppSignUpCode(ctx, opened, "en"); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.CompleteAppSignUpPasscode(ctx, opened, f.code(t, f.fabrikam, addr))
			if err != nil || res.Consent == nil {
				t.Fatalf("CompleteAppSignUpPasscode = %+v, %v", res, err)
			}
			_, err = f.svc.Accept(ctx, f.fabrikam, res.Consent.Proof)
			wantNotAssigned(t, "Accept of a sign-up to an app that requires assignment", err, appID)
			u, err := f.db.GetUserByMail(ctx, f.fabrikam.ID, addr)
			if err != nil || u.ExternalUserState != directory.StateAccepted {
				t.Fatalf("the signed-up guest = %+v, %v; want her created, for an admin to assign", u, err)
			}
			if n := len(f.userSessions(t, f.fabrikam, u.ID)); n != 0 {
				t.Fatalf("a refused sign-up started %d sessions", n)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("bridge completions = %+v, want none", completed)
			}
			if got, _ := f.newestSignIn(t, f.fabrikam); got.ErrorCode != 50105 || got.UserID != u.ID || got.AppID != appID {
				t.Fatalf("recorded refusal of the sign-up = %+v", got)
			}
		})
		t.Run("one_read_per_sign_in_none_to_my_apps", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			appID := f.app(t, f.fabrikam, "Wiki", true)
			f.assign(t, f.fabrikam, appID, g.ID)
			f.bridge.forApp("ar-6", appID)
			f.bridge.forApp("ar-7", appID)
			reads := &countingReader{Reader: f.assignments}
			f.svc = withDeps(t, f, func(d *signin.Deps) { d.Assignments = reads })
			res, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", "ar-6")
			if err != nil {
				t.Fatal(err)
			}
			if n := reads.n.Swap(0); n != 1 {
				t.Fatalf("a sign-in to an app read its access %d times, want 1", n)
			}
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-7"}); err != nil {
				t.Fatal(err)
			}
			if n := reads.n.Swap(0); n != 1 {
				t.Fatalf("single sign-on to an app read its access %d times, want 1", n)
			}
			if _, err := f.signInTo(t, f.fabrikam, "kim@contoso.example", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{}); err != nil {
				t.Fatal(err)
			}
			if n := reads.n.Load(); n != 0 {
				t.Fatalf("sign-ins to My Apps read app access %d times, want 0", n)
			}
		})
		t.Run("R16_allowed_user_decides_on_the_access_it_is_handed", func(t *testing.T) {
			// The provider reads the user's access to the app once, for the
			// token's roles and groups claims, and hands it to the check,
			// which reads none of its own.
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			appID := f.app(t, f.fabrikam, "Wiki", true)
			f.assign(t, f.fabrikam, appID, g.ID)
			reads := &countingReader{Reader: f.assignments}
			f.svc = withDeps(t, f, func(d *signin.Deps) { d.Assignments = reads })
			u, err := f.db.GetUser(ctx, f.fabrikam.ID, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			a, err := f.assignments.Access(ctx, f.fabrikam.ID, appID, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.AllowedUser(ctx, f.fabrikam, u, appID, a); err != nil {
				t.Fatalf("AllowedUser with the access read = %v", err)
			}
			wantNotAssigned(t, "AllowedUser handed an access without the assignment",
				f.svc.AllowedUser(ctx, f.fabrikam, u, appID, assignment.Access{Required: true}), appID)
			if n := reads.n.Load(); n != 0 {
				t.Fatalf("AllowedUser read the access %d times, want 0 (it is handed the provider's read)", n)
			}
			u.AccountEnabled = false
			if err := f.svc.AllowedUser(ctx, f.fabrikam, u, appID, a); !errors.Is(err, signin.ErrAccountDisabled) {
				t.Fatalf("AllowedUser for a disabled user = %v, want ErrAccountDisabled", err)
			}
		})
	})
}

// TestNewRequiresAssignments: a sign-in service without the assignment
// reader is an error at start, never an app that admits anyone.
func TestNewRequiresAssignments(t *testing.T) {
	_, err := signin.New(signin.Config{Key: []byte("signin-key-0123456789abcdef-0123456789")}, signin.Deps{})
	if err == nil {
		t.Fatal("New without Deps.Assignments = nil, want an error")
	}
}

// TestResetKeepsAssignments (R7, R16): a reset of redemption keeps the
// user object, its id, its group memberships and its app assignments; the
// next redemption to an app that requires assignment admits the guest
// without re-adding her anywhere.
func TestResetKeepsAssignments(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
		viaGroup, direct := f.app(t, f.fabrikam, "Wiki", true), f.app(t, f.fabrikam, "Payroll", true)
		readers := f.group(t, f.fabrikam, "wiki-readers", g.ID)
		own, viaReaders := f.assign(t, f.fabrikam, direct, g.ID), f.assign(t, f.fabrikam, viaGroup, readers.ID)

		if _, err := f.invitations.ResetRedemption(ctx, f.fabrikam, g.ID, invitation.Request{RedirectURL: "https://apps.fabrikam.example/"},
			audit.CLI, roles.AsOperator()); err != nil {
			t.Fatal(err)
		}
		after := f.user(t, f.fabrikam, g.ID)
		if after.ID != g.ID || after.ExternalUserState != directory.StatePendingAcceptance || after.IdP != directory.IdPNone {
			t.Fatalf("user after reset = %+v, want the same object, pending, no identity provider", after)
		}
		memberOf, err := f.db.ListMemberOf(ctx, f.fabrikam.ID, g.ID, "", 10)
		if err != nil || len(memberOf) != 1 || memberOf[0].ID != readers.ID {
			t.Fatalf("groups after reset = %+v, %v; want the group she was in", memberOf, err)
		}
		// Graph lists a user's own assignments and her groups'.
		kept, err := f.assignments.ListForPrincipal(ctx, f.fabrikam.ID, g.ID, "", 10)
		ids := []string{}
		for _, a := range kept {
			ids = append(ids, a.ID)
		}
		want := []string{own.ID, viaReaders.ID}
		slices.Sort(ids)
		slices.Sort(want)
		if err != nil || !slices.Equal(ids, want) {
			t.Fatalf("assignments after reset = %+v, %v; want her own and her group's", kept, err)
		}
		for _, appID := range []string{viaGroup, direct} {
			a, err := f.assignments.Access(ctx, f.fabrikam.ID, appID, g.ID)
			if err != nil || !a.Allowed() {
				t.Fatalf("access to %s after reset = %+v, %v; want assigned", appID, a, err)
			}
		}

		// She redeems again, to the app she reaches through the group.
		f.bridge.forApp("ar-1", viaGroup)
		f.clock.Advance(61 * time.Second)
		c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-1"})
		if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); err != nil {
			t.Fatalf("redemption after reset to an app she is assigned to = %v", err)
		}
		if completed, _ := f.bridge.calls(); len(completed) != 1 || completed[0].UserID != g.ID {
			t.Fatalf("bridge completions = %+v, want the same user's", completed)
		}
	})
}
