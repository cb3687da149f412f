package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/roles"
)

// panicky is a federation service no page may reach before its gate:
// a page that calls it got past the gate (which get reports).
type panicky struct{}

func (panicky) List(context.Context, string) ([]federation.Federation, error) {
	panic("federations listed")
}

func (panicky) Get(context.Context, string, string) (federation.Federation, error) {
	panic("a federation read")
}

func (panicky) Create(context.Context, directory.Tenant, federation.Draft, audit.Actor) (federation.Federation, error) {
	panic("a federation created")
}

func (panicky) Delete(context.Context, directory.Tenant, string, audit.Actor) error {
	panic("a federation deleted")
}

// consoleViews are the console's pages (GET) and who may see each: "any
// member" (guests never; every member reads the directory, its policies
// and its identity providers, as in Entra) or the permission the
// member's roles must allow.
var consoleViews = map[string]string{
	"GET /admin/":                               "any member",
	"GET /admin/users":                          "any member",
	"GET /admin/users/{id}":                     "any member",
	"GET /admin/users/{id}/reset":               "any member",
	"GET /admin/users/{id}/delete":              "any member",
	"GET /admin/guests/inactive":                roles.UserReadWriteAll,
	"GET /admin/groups":                         "any member",
	"GET /admin/groups/new":                     roles.GroupReadWriteAll,
	"GET /admin/groups/{id}":                    "any member",
	"GET /admin/apps":                           "any member",
	"GET /admin/apps/{id}":                      "any member",
	"GET /admin/invite":                         "any member",
	"GET /admin/invite/bulk/{id}":               "any member",
	"GET /admin/invite/bulk/{id}/results.csv":   "any member",
	"GET /admin/invite/template.csv":            "any member",
	"GET /admin/identity-providers":             "any member",
	"GET /admin/identity-providers/email-otp":   "any member",
	"GET /admin/identity-providers/saml":        roles.PolicyReadWriteIdP,
	"GET /admin/identity-providers/oidc":        roles.PolicyReadWriteIdP,
	"GET /admin/identity-providers/google":      roles.PolicyReadWriteIdP,
	"GET /admin/identity-providers/{id}/remove": roles.PolicyReadWriteIdP,
	"GET /admin/collaboration":                  "any member",
	"GET /admin/logs/signins":                   roles.AuditLogReadAll,
	"GET /admin/logs/audit":                     roles.AuditLogReadAll,
}

// get asks the stand-in console for a page; panicked reports that its
// handler ran past its gate to a service the stand-in lacks.
func (s *standIn) get(pattern string) (ans answer) {
	_, path, _ := strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{id}", "1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	r := httptest.NewRequest(http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			ans.panicked = p
		}
	}()
	s.h.Serve(w, r, s.as.Tenant)
	return answer{code: w.Code, body: w.Body.String()}
}

// TestViewRoutes (R10; issue 21, tests for the wiring): every page of the
// console sends a browser without a session to sign in and shows a guest
// the 403 members-only page, its handler never running; a page that needs
// a permission is the 403 page, before any service is asked, for a member
// whose roles (every role that does not allow it, at once) lack it, and
// opens for a member whose role allows it; the other pages open for a
// member without a role.
func TestViewRoutes(t *testing.T) {
	s := newStandIn(t)
	s.h.d.Federations = panicky{}
	member := s.h.whoIs
	for pattern, who := range consoleViews {
		t.Run(strings.NewReplacer("GET /admin/", "", "/", "_", "{id}", "id").Replace(pattern), func(t *testing.T) {
			s.h.whoIs = func(*http.Request) (admin, error) { return admin{}, errNoSession }
			if a := s.get(pattern); a.panicked != nil || a.code != http.StatusSeeOther {
				t.Fatalf("without a session: %d (panic %v), want a redirect to sign in", a.code, a.panicked)
			}
			s.h.whoIs = func(*http.Request) (admin, error) { return admin{}, errGuest }
			if a := s.get(pattern); a.panicked != nil || a.code != http.StatusForbidden || !strings.Contains(a.body, "The admin console is for members") {
				t.Fatalf("a guest: %d (panic %v), want the 403 members-only page", a.code, a.panicked)
			}
			s.h.whoIs = member
			if who == "any member" {
				s.as.Roles = nil
				if a := s.get(pattern); a.code == http.StatusForbidden && a.panicked == nil {
					t.Fatalf("a member without a role is refused:\n%s", a.body)
				}
				return
			}
			s.as.Roles = rolesWithout(who)
			if a := s.get(pattern); a.panicked != nil || a.code != http.StatusForbidden || !strings.Contains(a.body, forbiddenHeading) {
				t.Fatalf("a member with roles %v: %d (panic %v), want the 403 page", s.as.Roles, a.code, a.panicked)
			}
			s.as.Roles = rolesWith(who)
			if a := s.get(pattern); a.code == http.StatusForbidden && a.panicked == nil {
				t.Fatalf("a member with roles %v is refused:\n%s", s.as.Roles, a.body)
			}
		})
	}
}
