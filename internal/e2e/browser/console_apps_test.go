package browser

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/groups"
)

// seedAssignableApp registers an app named name with one app role and a
// security group holding the guest; it returns the app, the role and the
// group.
func seedAssignableApp(t *testing.T, in *e2etest.Instance, tn directory.Tenant, name, groupName, guest string) (assignment.App, assignment.AppRole, groups.Group) {
	t.Helper()
	ctx := context.Background()
	app, _, err := in.Srv.CreateApp(ctx, tn.ID, name, nil, []string{"https://wiki.partner.example/callback"}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := in.Srv.Base().Assignments()
	if err != nil {
		t.Fatal(err)
	}
	role := assignment.AppRole{ID: uuid.NewString(), Value: "Wiki.Editor", DisplayName: "Wiki editor",
		AllowedMemberTypes: []string{assignment.MemberTypeUser}, IsEnabled: true}
	a, err := ops.SetAppRoles(ctx, tn, app.AppID, []assignment.AppRole{role})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ops.CreateGroup(ctx, tn, groups.Input{DisplayName: groupName, MailNickname: "partners-" + uuid.NewString()[:8]})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ops.AddMember(ctx, tn, g.ID, guest); err != nil {
		t.Fatal(err)
	}
	return a, role, g
}

// TestConsoleAppAssignment (R16): a Global Administrator opens the app
// from Enterprise applications, turns "Assignment required?" on and
// assigns a group by name with the app's role in its Users and groups;
// the admin API then answers the service principal as requiring
// assignment and lists the group with the role in appRoleAssignedTo, the
// group's guest is admitted with the role, and the guest's page names the
// group that assigns her. The apps list, the app's page and the guest's page fit 390
// and 1280 px and pass axe-core, in English and Japanese.
func TestConsoleAppAssignment(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		domain := "apps.example"
		tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
		guest := seedInactiveGuests(t, in, tn, domain)["recent"]
		app, role, g := seedAssignableApp(t, in, tn, "Partner wiki", "Contoso partners", guest)
		appPath := "/apps/" + app.AppID
		done := false
		for _, lang := range consoleLangs {
			for _, width := range layoutWidths {
				c := openLayoutTab(t, in, tn, "admin@"+domain, lang, width)
				c.visit("apps", "/apps", "#apps")
				if !strings.Contains(c.html(), appPath) {
					t.Fatalf("the apps list (%s, %d px) lacks the app", lang, width)
				}
				c.visit("app", appPath, "#assignments")
				if !done {
					browserDo(c.b, t, "require assignment", chromedp.Click(chromedp.CSS("#required-yes")),
						chromedp.Click(chromedp.CSS("#save-required")), chromedp.WaitVisible(chromedp.CSS("#notice")))
					browserDo(c.b, t, "assign the group", chromedp.Click(chromedp.CSS("#kind-group")),
						chromedp.SendKeys(chromedp.CSS("#principal"), "Contoso partners"),
						chromedp.SetValue(chromedp.CSS("#role"), role.ID),
						chromedp.Click(chromedp.CSS("#assign")), chromedp.WaitVisible(chromedp.CSS("#assignments button")))
					c.checkLayout("app_assigned")
					done = true
				}
				if h := c.html(); !strings.Contains(h, "/groups/"+g.ID) || !strings.Contains(h, "Wiki editor") {
					t.Fatalf("the app's page (%s, %d px) lacks the group and its role", lang, width)
				}
				c.visit("user_apps", "/users/"+guest, "#app-assignments")
				if !strings.Contains(c.html(), "/groups/"+g.ID) {
					t.Fatalf("the guest's page (%s, %d px) does not say the group assigns her", lang, width)
				}
			}
		}
		_, client := in.TenantWithAdminIn(tn, "Application.Read.All")
		var assignedTo struct {
			Value []struct{ PrincipalID, PrincipalType, AppRoleID, ResourceID string }
		}
		if status := e2etest.API(t, client, http.MethodGet, in.URL+"/v1.0/servicePrincipals/"+app.ServicePrincipalID+"/appRoleAssignedTo", nil, &assignedTo); status != http.StatusOK ||
			len(assignedTo.Value) != 1 || assignedTo.Value[0].PrincipalID != g.ID || assignedTo.Value[0].PrincipalType != "Group" ||
			assignedTo.Value[0].AppRoleID != role.ID || assignedTo.Value[0].ResourceID != app.ServicePrincipalID {
			t.Fatalf("GET appRoleAssignedTo = %d %+v, want the group with the role", status, assignedTo)
		}
		var sp struct {
			AppRoleAssignmentRequired bool
		}
		if status := e2etest.API(t, client, http.MethodGet, in.URL+"/v1.0/servicePrincipals/"+app.ServicePrincipalID, nil, &sp); status != http.StatusOK || !sp.AppRoleAssignmentRequired {
			t.Fatalf("GET servicePrincipal = %d %+v, want appRoleAssignmentRequired", status, sp)
		}
		checkAccess(t, in, tn, app, role, guest)
	})
}

// checkAccess asserts the group's guest is admitted to the app with the
// role's value, as the sign-in reads it.
func checkAccess(t *testing.T, in *e2etest.Instance, tn directory.Tenant, app assignment.App, role assignment.AppRole, guest string) {
	t.Helper()
	ops, err := in.Srv.Base().Assignments()
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ops.Access(context.Background(), tn, app.AppID, guest)
	if err != nil || !acc.Allowed() || len(acc.Roles) != 1 || acc.Roles[0] != role.Value {
		t.Fatalf("the guest's access = %+v %v, want admitted with %s", acc, err, role.Value)
	}
}

// seedLongApp registers an app with a long Japanese name and a role, and
// assigns it the guest directly and a group with a long name holding the
// guest; it returns the app's console path.
func seedLongApp(t *testing.T, in *e2etest.Instance, tn directory.Tenant, guest string) string {
	t.Helper()
	ctx := context.Background()
	app, role, g := seedAssignableApp(t, in, tn, longJapaneseName+"ポータル", longJapaneseName+"パートナー", guest)
	ops, err := in.Srv.Base().Assignments()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{guest, g.ID} {
		if _, err := ops.Assign(ctx, tn, app.AppID, p, role.ID); err != nil {
			t.Fatal(err)
		}
	}
	return "/apps/" + app.AppID
}
