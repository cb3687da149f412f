package signin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/store"
)

// Config configures a Service.
type Config struct {
	// PublicURL is the deployment's base URL: tenants' issuers are
	// {PublicURL}/{tenantId}/v2.0.
	PublicURL string
	// Key seals hand-offs and proofs (at least 32 bytes, from the secret).
	Key []byte
	// OldKeys, from earlier secrets, still open what they sealed.
	OldKeys [][]byte
	// ProofLifetime bounds the wait on the consent page (default 10 minutes).
	ProofLifetime time.Duration
	// UnmanagedRetired is the deployment's unmanaged-redemption switch.
	UnmanagedRetired bool
	// PublicMailDomains are the public consumer mail domains: no
	// unmanaged account is used or created for their addresses (R15).
	// The zero value is the built-in list.
	PublicMailDomains directory.PublicMailDomains
	// DomainSuffix names the initial domains of the tenants sign-up
	// creates (the consumers directory, unmanaged tenants).
	DomainSuffix string
}

// Deps are the services and stores the sign-in service calls.
type Deps struct {
	Directory   directory.Store
	Invitations *invitation.Service
	OTP         *otp.Service
	Sessions    *session.Service
	Policies    Policies
	Members     Members
	// Accounts creates personal and unmanaged accounts by self-service
	// sign-up (optional: without it nobody can sign up).
	Accounts Accounts
	// SignUps says which apps offer self-service sign-up (R13) and to
	// which domains (optional: without it no app does).
	SignUps SignUps
	// ComposePasscode renders a passcode mail; Outbox takes it in the
	// transaction that issues the code.
	ComposePasscode PasscodeComposer
	Outbox          mail.OutboxWriter
	Login           LoginBridge
	// Assignments says whether a user may sign in to an app that requires
	// assignment (R16), in one read (required: without it such an app
	// would admit anyone).
	Assignments assignment.Reader
	// Federations are the tenants' partner identity providers (optional).
	Federations Federations
	// SignInLog records every sign-in and refused attempt (optional).
	SignInLog SignInLog
	// Limiter and Limits bound sends and refused codes per client address
	// and per tenant (optional: without a Limiter nothing is limited).
	Limiter *ratelimit.Limiter
	Limits  ratelimit.Limits
	Tx      store.Transactor
	Clock   clock.Clock
	Log     *slog.Logger
	// Metrics counts passcodes and sign-ins; nil counts nothing.
	Metrics *metrics.Metrics
	// Methods maps decisions to sign-in methods (nil: Builtin()).
	Methods *Registry
}

// Service signs people in. Create it with New; it is safe for concurrent use.
type Service struct {
	cfg     Config
	d       Deps
	seals   *sealer
	methods map[directory.IdP]Method
}

// New returns a Service.
func New(cfg Config, d Deps) (*Service, error) {
	if d.Assignments == nil {
		return nil, errors.New("signin: Deps.Assignments is nil: apps that require assignment would admit anyone")
	}
	seals, err := newSealer(cfg.Key, cfg.OldKeys...)
	if err != nil {
		return nil, err
	}
	if cfg.ProofLifetime <= 0 {
		cfg.ProofLifetime = 10 * time.Minute
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Methods == nil {
		d.Methods = Builtin()
	}
	s := &Service{cfg: cfg, d: d, seals: seals}
	s.methods = d.Methods.build(s)
	return s, nil
}

// Issuer is a tenant's OpenID Connect issuer: the idp of its members when
// they sign in elsewhere as guests.
func (s *Service) Issuer(tenantID string) string {
	return s.cfg.PublicURL + "/" + tenantID + "/v2.0"
}

// Continuation says where a successful sign-in goes: an app's pending
// OpenID Connect request, the invitation's redirect URL (redeem link), or
// neither (the tenant's My Apps).
type Continuation struct {
	AuthRequestID string `json:"ar,omitempty"`
	RedirectURL   string `json:"ru,omitempty"`
	// Portal, when there is no app request, names the tenant's own page
	// signed in to in the sign-in log (ConsoleName); "" is PortalName.
	Portal string `json:"p,omitempty"`
}

// Route is how an address signs in at a tenant.
type Route struct {
	// Method runs the route (registry.go); the pages ask it what it can
	// do (method.go), never which one it is.
	Method   Method
	Tenant   directory.Tenant
	User     directory.User
	Decision invitation.Decision // guests only
	// unknown marks the route of an address that is no user of Tenant:
	// it runs like a real one up to the proof, which it can never pass
	// (docs/security.md, Enumeration).
	unknown bool
	// app is the app the sign-in is for, when BeginFor was told: its
	// refusals name it.
	app appRef
}

// isInvited reports a user whose identity lives elsewhere: a guest, or a
// member invited as such (invitedUserType Member).
func isInvited(u directory.User) bool {
	return u.IsInvited()
}

// Begin decides how addr signs in at t: a member with a password, a guest
// with a passcode or at their home tenant; decision errors are returned as
// invitation's sentinels or an *UnavailableError.
//
// An address that is no user of t is not told so: it gets the route a
// guest with that address who has not redeemed yet would get (a password
// for an address in one of t's verified domains, where only members can
// be), made with the same reads, so the pages and their timing match
// until a proof is asked for; that proof never succeeds and nothing is
// mailed (docs/security.md, Enumeration).
func (s *Service) Begin(ctx context.Context, t directory.Tenant, addr string) (Route, error) {
	return s.begin(ctx, t, addr, appRef{})
}

// BeginFor is Begin for a sign-in that continues to next: a refusal, now
// or at a later step of the route (SendCode), names next's app (or
// the tenant's own pages), as Entra's sign-in log does.
func (s *Service) BeginFor(ctx context.Context, t directory.Tenant, addr string, next Continuation) (Route, error) {
	return s.begin(ctx, t, addr, s.appOf(ctx, t, next))
}

func (s *Service) begin(ctx context.Context, t directory.Tenant, addr string, app appRef) (Route, error) {
	r, record, err := s.lookup(ctx, t, addr, app)
	if record != nil {
		return r, record(ctx)
	}
	return r, err
}

// lookup is begin without recording its refusal: a refusal comes with
// record, which records it (in the sign-in log, against the limits) and
// returns the error begin returns. A caller that looks up in a transaction
// that a refusal rolls back records after it.
func (s *Service) lookup(ctx context.Context, t directory.Tenant, addr string, app appRef) (Route, func(context.Context) error, error) {
	u, err := s.d.Directory.GetUserByMail(ctx, t.ID, addr)
	if errors.Is(err, store.ErrNotFound) {
		return s.lookupUnknown(ctx, t, addr, app)
	}
	if err != nil {
		return Route{}, nil, fmt.Errorf("begin sign-in: %w", err)
	}
	r, err := s.routeUser(ctx, t, u)
	r.app = app
	if err == nil {
		return r, nil, nil
	}
	return r, func(ctx context.Context) error {
		return s.refused(ctx, t, attempt{user: &u, address: addr, app: app}, err)
	}, err
}

// lookupUnknown routes an address that is no user of t as the guest it
// could be; its refusal is recorded as an unknown account (50034) where a
// real one would record its own.
func (s *Service) lookupUnknown(ctx context.Context, t directory.Tenant, addr string, app appRef) (Route, func(context.Context) error, error) {
	r, err := s.routeUser(ctx, t, prospect(t, addr))
	r.unknown, r.app = true, app
	if err == nil {
		return r, nil, nil
	}
	return r, func(ctx context.Context) error {
		_ = s.refused(ctx, t, attempt{address: addr, app: app}, ErrNotMember)
		return err
	}, err
}

// prospect is the user an address that is no user of t could be: a guest
// who has not redeemed yet; or a member, asked for a password, where only
// members can be: an address in one of t's verified domains (guests are
// never invited there), and any address at the consumers directory, whose
// accounts are all personal accounts with a password (so its sign-in
// page tells no address with an account from one without, finding 10).
func prospect(t directory.Tenant, addr string) directory.User {
	u := directory.User{TenantID: t.ID, Mail: addr, UserPrincipalName: addr, AccountEnabled: true,
		UserType: directory.UserTypeGuest, CreationType: directory.CreationInvitation, ExternalUserState: directory.StatePendingAcceptance}
	if directory.IsConsumers(t.ID) || slices.Contains(t.Domains, domainOf(addr)) {
		u.UserType, u.CreationType, u.ExternalUserState = directory.UserTypeMember, "", ""
	}
	return u
}

// BeginRedemption resolves a redeem link's ticket and decides how its
// guest signs in (R2, R6: the decision is made now, not at invitation).
func (s *Service) BeginRedemption(ctx context.Context, ticket string) (Route, invitation.Redemption, error) {
	red, err := s.d.Invitations.Resolve(ctx, ticket)
	if err != nil {
		return Route{}, red, err
	}
	r, err := s.routeUser(ctx, red.Tenant, red.User)
	return r, red, s.refused(ctx, red.Tenant, attempt{user: &red.User, address: red.User.Mail, app: appRef{Name: PortalName}}, err)
}

func (s *Service) routeUser(ctx context.Context, t directory.Tenant, u directory.User) (Route, error) {
	if !isInvited(u) {
		// A member's disabled account is said only after a right password.
		return s.routeFor(t, u, invitation.Decision{}, false)
	}
	if !u.AccountEnabled {
		return Route{}, ErrAccountDisabled
	}
	dec, otpEnabled, err := s.decide(ctx, t, u)
	if err != nil {
		return Route{}, err
	}
	// A removed federation is said, not replaced (never a fallback): the
	// decision refuses its guests (step 0) and finds no other for a guest
	// who has not redeemed yet.
	r, err := s.routeFor(t, u, dec, otpEnabled)
	if p, ok := r.Method.(routePreparer); ok && err == nil {
		if err := p.prepareRoute(&r, otpEnabled); err != nil {
			return Route{}, err
		}
	}
	return r, err
}

// routePreparer is a built-in method that completes its route from the
// decision when Begin makes it (the home tenant names the directory the
// decision's issuer belongs to).
type routePreparer interface {
	prepareRoute(r *Route, otpEnabled bool) error
}

// tenantOfIssuer is the tenant id of one of this deployment's issuers, or "".
func (s *Service) tenantOfIssuer(issuer string) string {
	rest, ok := strings.CutPrefix(issuer, s.cfg.PublicURL+"/")
	if !ok {
		return ""
	}
	id, ok := strings.CutSuffix(rest, "/v2.0")
	if !ok || strings.Contains(id, "/") {
		return ""
	}
	return id
}

// decide gathers the inputs of section 3 (the tenant's policies and the
// directory look-ups for the address) and applies invitation.DecideIdP.
// Inside a transaction it reads through it, so the decision made again at
// redemption sees what commits with it. A guest redeemed with a
// federation needs that federation, not the passcode policy (step 0): it
// reads the one instead of the other, so checking that the federation
// still exists costs no read (issue 20, finding 7); the passcode state it
// reports for such a guest is false, which no federation route reads.
func (s *Service) decide(ctx context.Context, t directory.Tenant, u directory.User) (invitation.Decision, bool, error) {
	in, err := s.decisionInput(ctx, t, u)
	if err != nil {
		return invitation.Decision{}, false, err
	}
	dec, err := invitation.DecideIdP(in)
	return dec, in.OTPEnabled, err
}

// decisionInput gathers the inputs of section 3 for u at t: for a guest
// redeemed with a federation, that federation as it is now (and not the
// passcode policy, see decide); otherwise the passcode policy and, for a
// guest who has not redeemed, the tenant's configuration and the look-ups.
func (s *Service) decisionInput(ctx context.Context, t directory.Tenant, u directory.User) (invitation.DecisionInput, error) {
	in := invitation.DecisionInput{User: u, Tenant: t, UnmanagedRetired: s.cfg.UnmanagedRetired,
		PublicMailDomain: s.cfg.PublicMailDomains.HasAddress(u.Mail)}
	if u.ExternalUserState == directory.StateAccepted && u.IdP == directory.IdPFederation {
		f, err := s.federationOf(ctx, t, invitation.Decision{Issuer: u.IdPIssuer})
		switch {
		case err == nil:
			in.FixedFederation = &invitation.Upstream{Issuer: f.IdPIssuer()}
		case !errors.Is(err, federation.ErrRemoved):
			return in, fmt.Errorf("decide: federation: %w", err)
		}
		return in, nil
	}
	eff, err := s.d.Policies.Effective(ctx, t)
	if err != nil {
		return in, fmt.Errorf("decide: passcode policy: %w", err)
	}
	in.OTPEnabled = eff.Enabled
	if u.ExternalUserState != directory.StateAccepted {
		if in.Config, err = s.d.Policies.Redemption(ctx, t.ID); err != nil {
			return in, fmt.Errorf("decide: redemption configuration: %w", err)
		}
		if in.Found, err = s.lookUp(ctx, t, u.Mail); err != nil {
			return in, err
		}
	}
	return in, nil
}

// Allowed reports whether a user may still use what an earlier sign-in
// to the app appID (an OAuth client_id; "" for none) granted (its refresh
// and access tokens): the user exists and is enabled, an invited user's
// identity provider is still allowed by the decision of section 3 (R9: a
// passcode guest is refused once passcodes are turned off; a federation
// guest once the tenant removed the federation, federation.ErrRemoved),
// and an app that requires assignment still has the user assigned,
// directly or through a group (R16, *NotAssignedError). Refusals are the
// errors a sign-in would meet (ErrNotMember, ErrAccountDisabled,
// invitation.ErrOTPDisabled, …; see IsRefusal); anything else is a
// failure to decide.
func (s *Service) Allowed(ctx context.Context, tenantID, userID, appID string) error {
	t, err := s.d.Directory.GetTenant(ctx, tenantID)
	if err != nil {
		return notFoundAs(err, ErrNotMember, "allowed: tenant")
	}
	u, err := s.d.Directory.GetUser(ctx, tenantID, userID)
	if err != nil {
		return notFoundAs(err, ErrNotMember, "allowed: user")
	}
	if err := s.allowedUser(ctx, t, u); err != nil {
		return err
	}
	return s.admittedTo(ctx, t, u.ID, appRef{ID: appID})
}

// AllowedUser is Allowed for a tenant, a user and the user's access to the
// app appID that the caller has just read: the provider reads the user for
// the token's claims, and the access for its roles and groups claims,
// anyway, so the check decides on those reads instead of making its own.
func (s *Service) AllowedUser(ctx context.Context, t directory.Tenant, u directory.User, appID string, access assignment.Access) error {
	if err := s.allowedUser(ctx, t, u); err != nil {
		return err
	}
	if appID != "" && !access.Allowed() {
		return &NotAssignedError{AppID: appID}
	}
	return nil
}

// allowedUser is what Allowed checks of the user, the app aside.
func (s *Service) allowedUser(ctx context.Context, t directory.Tenant, u directory.User) error {
	if u.TenantID != t.ID {
		return ErrNotMember
	}
	if !u.AccountEnabled {
		return ErrAccountDisabled
	}
	if isInvited(u) {
		dec, otpEnabled, err := s.decide(ctx, t, u)
		if err != nil {
			return err
		}
		if _, err := s.routeFor(t, u, dec, otpEnabled); err != nil {
			return err
		}
	}
	return nil
}

// IsRefusal reports whether err is a reason a person may not sign in (as
// Allowed and the sign-in steps return them), rather than a failure.
func IsRefusal(err error) bool {
	_, _, ok := failureOf(err)
	return ok
}
