package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/roles"
)

// invitePolicy is a collaboration store holding one allowInvitesFrom.
type invitePolicy struct{ from collab.AllowInvitesFrom }

func (p *invitePolicy) GetCollaboration(_ context.Context, tenantID string) (collab.Settings, error) {
	return collab.Settings{TenantID: tenantID, AllowInvitesFrom: p.from}, nil
}

func (p *invitePolicy) PutCollaboration(context.Context, collab.Settings) error { return nil }

// standIn is a console whose requests come from the member *as (no
// session look-up) and whose only service is the collaboration policy:
// a change handler that runs reaches a missing service and panics, which
// post reports.
type standIn struct {
	h      *Handler
	as     *admin
	policy *invitePolicy
	cookie string // the browser's CSRF cookie value
}

func newStandIn(t *testing.T) *standIn {
	t.Helper()
	p := &invitePolicy{from: collab.InvitesAdminsAndGuestInviter}
	h, err := newHandler(Config{PublicURL: "https://id.guestgate.example", CSRFKey: []byte("console-test-key-0123456789abcdef-0123")},
		Deps{Collab: collab.NewService(collab.Deps{Store: p}), Clock: clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tn := directory.Tenant{ID: "6f9619ff-8b86-4d01-b42d-00cf4fc964ff", DisplayName: "Fabrikam", Managed: true}
	s := &standIn{h: h, policy: p, cookie: strings.Repeat("c", 43), as: &admin{Tenant: tn,
		User: directory.User{TenantID: tn.ID, ID: "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b", UserType: directory.UserTypeMember, UserPrincipalName: "kim@fabrikam.example"}}}
	h.whoIs = func(*http.Request) (admin, error) { return *s.as, nil }
	return s
}

// answer is what a post got: the status, the page, and whether a handler
// panicked (it ran and reached a service the stand-in lacks).
type answer struct {
	code     int
	body     string
	panicked any
}

// post sends a change route a form with body fields and query q.
func (s *standIn) post(pattern string, contentType string, body io.Reader, q url.Values) (ans answer) {
	_, path, _ := strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{id}", "1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	r := httptest.NewRequest(http.MethodPost, path, body)
	r.Header.Set("Content-Type", contentType)
	r.AddCookie(&http.Cookie{Name: httpx.CookieName(false, csrfCookie), Value: s.cookie})
	w := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			ans.panicked = p
		}
	}()
	s.h.Serve(w, r, s.as.Tenant)
	return answer{code: w.Code, body: w.Body.String()}
}

// postForm posts a URL-encoded form, with the valid CSRF token in the
// body when withToken.
func (s *standIn) postForm(pattern string, withToken bool, q url.Values) answer {
	f := url.Values{"email": {"kim@fabrikam.example"}}
	if withToken {
		f.Set("csrf", s.h.csrfSign(s.cookie))
	}
	return s.post(pattern, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), q)
}

// rolesWithout are the template ids of every built-in role that does not
// allow permission.
func rolesWithout(permission string) []string {
	var out []string
	for _, r := range roles.All() {
		if !roles.Allows([]string{r.TemplateID}, permission) {
			out = append(out, r.TemplateID)
		}
	}
	return out
}

func rolesWith(permission string) []string {
	for _, r := range roles.All() {
		if roles.Allows([]string{r.TemplateID}, permission) {
			return []string{r.TemplateID}
		}
	}
	return nil
}

const (
	forbiddenHeading = "You don&#39;t have permission to do this"
	csrfHeading      = "This form has expired"
)

// TestChangeRoutes (security round 2, tests a mutation showed missing):
// every change the console takes is in one table with who may make it,
// as listed here; each is refused with the 403 page, its handler never
// running, to a member the gate does not let through (every role that
// does not allow its permission, at once), and the gate lets through a
// member whose role allows it.
func TestChangeRoutes(t *testing.T) {
	want := map[string]string{
		"POST /admin/signout":                           "any member",
		"POST /admin/users/{id}/reset":                  roles.UserReadWriteAll,
		"POST /admin/users/{id}/resend":                 "allowInvitesFrom",
		"POST /admin/users/{id}/revoke":                 roles.UserReadWriteAll,
		"POST /admin/users/{id}/enable":                 roles.UserReadWriteAll,
		"POST /admin/users/{id}/disable":                roles.UserReadWriteAll,
		"POST /admin/users/{id}/delete":                 roles.UserReadWriteAll,
		"POST /admin/guests/inactive/confirm":           roles.UserReadWriteAll,
		"POST /admin/guests/inactive/disable":           roles.UserReadWriteAll,
		"POST /admin/guests/inactive/delete":            roles.UserReadWriteAll,
		"POST /admin/guests/inactive/policy":            roles.UserReadWriteAll,
		"POST /admin/groups":                            roles.GroupReadWriteAll,
		"POST /admin/groups/{id}/members":               roles.GroupMemberReadWriteAll,
		"POST /admin/groups/{id}/members/remove":        roles.GroupMemberReadWriteAll,
		"POST /admin/apps/{id}/assignment-required":     roles.ApplicationReadWriteAll,
		"POST /admin/apps/{id}/groups-claim":            roles.ApplicationReadWriteAll,
		"POST /admin/apps/{id}/assignments":             roles.AppRoleAssignmentReadWriteAll,
		"POST /admin/apps/{id}/assignments/remove":      roles.AppRoleAssignmentReadWriteAll,
		"POST /admin/invite":                            "allowInvitesFrom",
		"POST /admin/invite/bulk":                       "allowInvitesFrom",
		"POST /admin/identity-providers/email-otp":      roles.PolicyReadWriteAuthn,
		"POST /admin/identity-providers/email-otp/save": roles.PolicyReadWriteAuthn,
		"POST /admin/identity-providers/{id}/remove":    roles.PolicyReadWriteIdP,
		"POST /admin/identity-providers/saml":           roles.PolicyReadWriteIdP,
		"POST /admin/identity-providers/oidc":           roles.PolicyReadWriteIdP,
		"POST /admin/identity-providers/google":         roles.PolicyReadWriteIdP,
		"POST /admin/collaboration":                     roles.PolicyReadWriteAuthz,
	}
	s := newStandIn(t)
	got := map[string]string{}
	for _, c := range s.h.changes() {
		got[c.pattern] = c.who.String()
	}
	for p, w := range want {
		if g, ok := got[p]; !ok || g != w {
			t.Errorf("%s: the table says %q, want %q", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is in the table of changes but not here: add its row", p)
		}
	}
	for _, c := range s.h.changes() {
		t.Run(strings.NewReplacer("POST /admin/", "", "/", "_", "{id}", "id").Replace(c.pattern), func(t *testing.T) {
			switch {
			case c.who.permission != "":
				s.as.Roles = rolesWithout(c.who.permission)
			case c.who.invite:
				s.as.Roles = nil // a member without a role, where only admins and Guest Inviters invite
			default:
				s.as.Roles = nil
				if a := s.postForm(c.pattern, true, nil); a.panicked != nil || a.code == http.StatusForbidden {
					t.Fatalf("any member may: got %d (panic %v)", a.code, a.panicked)
				}
				return
			}
			a := s.postForm(c.pattern, true, nil)
			if a.panicked != nil {
				t.Fatalf("the handler ran for a member with roles %v: %v", s.as.Roles, a.panicked)
			}
			if a.code != http.StatusForbidden || !strings.Contains(a.body, forbiddenHeading) {
				t.Fatalf("member with roles %v: %d, want the 403 page\n%s", s.as.Roles, a.code, a.body)
			}
			if c.who.permission != "" {
				s.as.Roles = rolesWith(c.who.permission)
			} else {
				s.as.Roles = []string{roles.GuestInviter.TemplateID}
			}
			r := httptest.NewRequest(http.MethodPost, "/admin/", nil)
			r = r.WithContext(context.WithValue(r.Context(), tenantKey{}, s.as.Tenant))
			if !s.h.lets(r, *s.as, c.who) {
				t.Fatalf("the gate %s refuses a member with roles %v", c.who, s.as.Roles)
			}
		})
	}
}

// TestChangeCSRF (security round 2, finding 14): a change's CSRF token
// counts only in the posted body; in the query string it is refused
// with the expired-form page.
func TestChangeCSRF(t *testing.T) {
	s := newStandIn(t)
	token := url.Values{"csrf": {s.h.csrfSign(s.cookie)}}
	for _, c := range s.h.changes() {
		if a := s.postForm(c.pattern, false, token); a.panicked != nil || a.code != http.StatusForbidden || !strings.Contains(a.body, csrfHeading) {
			t.Errorf("%s with the token in the query string: %d (panic %v), want the 403 expired-form page", c.pattern, a.code, a.panicked)
		}
		if a := s.postForm(c.pattern, false, nil); a.panicked != nil || a.code != http.StatusForbidden || !strings.Contains(a.body, csrfHeading) {
			t.Errorf("%s without a token: %d (panic %v), want the 403 expired-form page", c.pattern, a.code, a.panicked)
		}
	}
	if a := s.postForm("POST /admin/signout", true, nil); a.code != http.StatusSeeOther {
		t.Fatalf("sign-out with the token in the body: %d, want 303\n%s", a.code, a.body)
	}
}

// TestBulkUploadTooLarge (security round 2, finding 14): an upload over
// the limit is 413 with a page that says so, not the expired-form 403;
// one under it is read (its token from the multipart body counts).
func TestBulkUploadTooLarge(t *testing.T) {
	s := newStandIn(t)
	multipartForm := func(size int) (string, io.Reader) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("csrf", s.h.csrfSign(s.cookie))
		fw, _ := mw.CreateFormFile("file", "invite.csv")
		_, _ = fw.Write(bytes.Repeat([]byte("x"), size))
		_ = mw.Close()
		return mw.FormDataContentType(), &b
	}
	ct, body := multipartForm(maxUpload + 1)
	a := s.post("POST /admin/invite/bulk", ct, body, nil)
	if a.panicked != nil || a.code != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "The file is too large") ||
		!strings.Contains(a.body, fmt.Sprintf("at most %d MB", maxUpload>>20)) {
		t.Fatalf("an upload over the limit: %d (panic %v), want 413 and the page\n%s", a.code, a.panicked, a.body)
	}
	ct, body = multipartForm(1 << 10)
	a = s.post("POST /admin/invite/bulk", ct, body, nil) // a member without a role may not invite
	if a.panicked != nil || a.code != http.StatusForbidden || !strings.Contains(a.body, forbiddenHeading) {
		t.Fatalf("a small upload: %d (panic %v), want its token read and the 403 permission page\n%s", a.code, a.panicked, a.body)
	}
}
