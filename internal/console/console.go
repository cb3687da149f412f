package console

import (
	"context"
	"errors"
	"fmt"
	"github.com/guestgate/guestgate/internal/httpx"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/csrf"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
)

// Config configures the console.
type Config struct {
	PublicURL string
	// SecureCookies marks cookies Secure (with the __Host- prefix).
	SecureCookies bool
	// CSRFKey signs form tokens (at least 32 bytes).
	CSRFKey []byte
	// OldCSRFKeys are earlier secrets' keys: forms served before a
	// rotation still post.
	OldCSRFKeys [][]byte
}

// Stats are the counts the Overview shows (the store has them).
type Stats interface {
	// CountGuestsByIdPAndState counts the tenant's guests by identity
	// provider and by externalUserState, in one read.
	CountGuestsByIdPAndState(ctx context.Context, tenantID string) (byIdP map[directory.IdP]int, byState map[directory.ExternalUserState]int, err error)
	// OutboxCounts counts the tenant's mail waiting to be sent and given up.
	OutboxCounts(ctx context.Context, tenantID string) (waiting, failed int, err error)
	// LatestInvitation returns the user's newest invitation, or
	// store.ErrNotFound.
	LatestInvitation(ctx context.Context, tenantID, userID string) (invitation.Invitation, error)
	// SignInCounter counts sign-ins by day for the Overview's chart.
	audit.SignInCounter
}

// Deps are the services the console calls.
type Deps struct {
	Directory   directory.Store
	SignIn      *signin.Service
	Sessions    *session.Service
	Roles       *roles.Service
	Collab      *collab.Service
	Policies    *policy.Service
	Invitations *invitation.Service
	Lifecycle   *lifecycle.Service
	// Bulk runs bulk invitations; the console words their rows' failures.
	Bulk *bulkinvite.Service
	// Federations is the service the admin API uses (federation.Service),
	// so the panes' rules, messages and audit records are the API's.
	Federations interface {
		List(ctx context.Context, tenantID string) ([]federation.Federation, error)
		Get(ctx context.Context, tenantID, id string) (federation.Federation, error)
		Create(ctx context.Context, t directory.Tenant, d federation.Draft, by audit.Actor) (federation.Federation, error)
		Delete(ctx context.Context, t directory.Tenant, id string, by audit.Actor) error
	}
	// Groups is the groups service the admin API uses (groups.Service).
	Groups Groups
	// Assignments is the app assignment service the admin API uses
	// (assignment.Service).
	Assignments Assignments
	Audit       audit.Store
	SignIns     audit.SignInStore
	// Inactive lists the guests who stopped signing in (the Inactive
	// guests page).
	Inactive inactive.Store
	// InactivePolicy is the tenant's inactive-guest policy (the form on
	// the Inactive guests page; nil: no form).
	InactivePolicy InactivePolicy
	Stats          Stats
	// Limiter and WriteLimit count the member's invitations (single,
	// resend, reset) against Graph's write limit, per member as Graph
	// counts per app (ratelimit.MemberWrites), shared with the rows of
	// their bulk invitations; without a Limiter nothing is limited.
	Limiter    *ratelimit.Limiter
	WriteLimit ratelimit.Scope
	Clock      clock.Clock
	Log        *slog.Logger
}

// Handler serves the console. Create it with New.
type Handler struct {
	cfg Config
	d   Deps
	r   *renderer
	mux *http.ServeMux
	// whoIs finds the request's admin: signedIn, or a test's stand-in.
	whoIs func(r *http.Request) (admin, error)
	csrf  csrf.Guard
}

// New returns a Handler. Every service of d is required but Clock and Log
// (defaults) and WriteLimit: a service left out is an error naming it
// when the process starts, never a page that silently lacks a check or a
// form (as the other services' constructors refuse theirs).
func New(cfg Config, d Deps) (*Handler, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return newHandler(cfg, d)
}

// check names the first service d lacks.
func (d Deps) check() error {
	for _, dep := range []struct {
		name    string
		missing bool
	}{
		{"Directory", d.Directory == nil}, {"SignIn", d.SignIn == nil}, {"Sessions", d.Sessions == nil},
		{"Roles", d.Roles == nil}, {"Collab", d.Collab == nil}, {"Policies", d.Policies == nil},
		{"Invitations", d.Invitations == nil}, {"Lifecycle", d.Lifecycle == nil}, {"Bulk", d.Bulk == nil},
		{"Federations", d.Federations == nil}, {"Groups", d.Groups == nil}, {"Assignments", d.Assignments == nil},
		{"Audit", d.Audit == nil}, {"SignIns", d.SignIns == nil}, {"Inactive", d.Inactive == nil},
		{"InactivePolicy", d.InactivePolicy == nil}, {"Stats", d.Stats == nil}, {"Limiter", d.Limiter == nil},
	} {
		if dep.missing {
			return fmt.Errorf("console: %s is missing: the wiring left it out", dep.name)
		}
	}
	return nil
}

// newHandler builds the Handler without checking d: New's work, and the
// tests' stand-ins, which wire only the services a test reaches (a
// handler that reaches another panics, which they report).
func newHandler(cfg Config, d Deps) (*Handler, error) {
	if len(cfg.CSRFKey) < 32 {
		return nil, errors.New("console: CSRF key must be at least 32 bytes")
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	r, err := newRenderer()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, d: d, r: r, mux: http.NewServeMux(), csrf: newCSRF(cfg)}
	h.whoIs = h.signedIn
	h.routes()
	return h, nil
}

// Serve serves a request for t's console; r.URL.Path starts with /admin.
// A tenant nobody administers has no console (R15): every path is a 403.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, t directory.Tenant) {
	r = r.WithContext(context.WithValue(r.Context(), tenantKey{}, t))
	if !t.Administered() {
		h.notAdministered(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

type tenantKey struct{}

func tenantOf(r *http.Request) directory.Tenant {
	t, _ := r.Context().Value(tenantKey{}).(directory.Tenant)
	return t
}

// base is the console's path for t.
func base(t directory.Tenant) string { return "/" + t.ID + "/admin" }

// admin is the signed-in member a request is for.
type admin struct {
	Tenant directory.Tenant
	User   directory.User
	Roles  []string
}

// may reports whether the admin's roles allow permission (R10).
func (a admin) may(permission string) bool { return roles.Allows(a.Roles, permission) }

// authority is what R14 lets the admin do to other admins.
func (a admin) authority() roles.Authority { return roles.AsMember(a.Roles) }

// actor is the admin as audit records name them.
func (a admin) actor() audit.Actor {
	return audit.Actor{UserID: a.User.ID, UserName: a.User.DisplayName, UserPrincipalName: a.User.UserPrincipalName}
}

// errNoSession: the browser has no live session at the tenant.
var errNoSession = errors.New("no console session")

// errGuest: guests never see the console.
var errGuest = errors.New("the admin console is for the tenant's members")

// signedIn returns the admin of the request's session.
func (h *Handler) signedIn(r *http.Request) (admin, error) {
	t := tenantOf(r)
	s, err := h.d.Sessions.Lookup(r.Context(), t.ID, httpx.ReadCookie(r, h.cfg.SecureCookies, httpx.SessionCookie(t.ID)))
	if err != nil {
		return admin{}, errNoSession
	}
	if _, err := h.d.SignIn.ContinueSession(r.Context(), t, s, signin.Continuation{}); err != nil {
		return admin{}, errNoSession
	}
	u, err := h.d.Directory.GetUser(r.Context(), t.ID, s.UserID)
	if err != nil {
		return admin{}, errNoSession
	}
	if u.UserType != directory.UserTypeMember {
		return admin{}, errGuest
	}
	rs, err := h.d.Roles.RolesOf(r.Context(), t.ID, u.ID)
	if err != nil {
		return admin{}, fmt.Errorf("console: roles: %w", err)
	}
	return admin{Tenant: t, User: u, Roles: rs}, nil
}

// page wraps a console page: it needs a signed-in member (else the
// sign-in page, or the 403 page for a guest).
func (h *Handler) page(fn func(w http.ResponseWriter, r *http.Request, a admin)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := h.whoIs(r)
		switch {
		case errors.Is(err, errNoSession):
			http.Redirect(w, r, base(tenantOf(r))+"/signin", http.StatusSeeOther)
			return
		case errors.Is(err, errGuest):
			h.forbiddenGuest(w, r)
			return
		case err != nil:
			h.fail(w, r, err)
			return
		}
		fn(w, r, a)
	}
}

// change wraps a form post of the changes table: the form is read (a
// body over the route's limit is the 413 page), then its CSRF token is
// checked (from the posted body only, never the query string), then the
// session, then the route's gate; a member it does not let through gets
// the 403 page and the handler never runs.
func (h *Handler) change(c changeRoute) http.HandlerFunc {
	return h.page(func(w http.ResponseWriter, r *http.Request, a admin) {
		if c.maxBody > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, c.maxBody)
		}
		if err := readForm(r); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				h.tooLarge(w, r, a, tooLarge.Limit)
				return
			}
			h.badForm(w, r, a)
			return
		}
		if !h.csrf.Valid(r) {
			h.badForm(w, r, a)
			return
		}
		if !h.lets(r, a, c.who) {
			h.forbidden(w, r, a)
			return
		}
		c.fn(w, r, a)
	})
}

// readForm parses a posted form, URL-encoded or multipart.
func readForm(r *http.Request) error {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		return r.ParseMultipartForm(maxFormMemory)
	}
	return r.ParseForm()
}

// maxFormMemory is how much of a multipart form is held in memory (the
// rest goes to temporary files).
const maxFormMemory = 32 << 20

// now is the console's clock.
func (h *Handler) now() time.Time { return h.d.Clock.Now() }
