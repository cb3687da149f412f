package signin

import (
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
)

// Registry is the one place that maps the decision of section 3 to the
// method that runs it: a member of the tenant to the member password, a
// guest to the method of the decision's identity provider. Dex's
// cmd/dex/config.go maps connector type names to constructors the same
// way. Build one with Builtin, Register more (or replace a built-in), and
// hand it to New in Deps.Methods; New builds every method once.
type Registry struct {
	ctors map[directory.IdP]func(*Service) Method
}

// NewRegistry is a registry with no method: nobody can sign in until
// methods are registered. Most callers start from Builtin.
func NewRegistry() *Registry {
	return &Registry{ctors: map[directory.IdP]func(*Service) Method{}}
}

// Member is the registry key of a tenant's own members, who sign in with
// no identity provider (directory.IdPNone).
const Member = directory.IdPNone

// Builtin is the registry of the methods this deployment offers:
//
//	Member (the tenant's own members)   password    (password.go)
//	mail (email one-time passcode)      passcode    (passcode.go)
//	homeTenant, personal, unmanaged     homeTenant  (hometenant.go; a
//	    personal or unmanaged account not yet made is signed up first,
//	    signup.go)
//	federation (SAML, OpenID Connect,   federation  (federation.go, over
//	    Google)                             federation.Provider)
//
// Self-service sign-up (signup.go, appsignup.go) is no route of its own:
// it reuses these methods' flows (the passcode flow, the hand-off, the
// partner's round trip) with its own step after the proof.
func Builtin() *Registry {
	r := NewRegistry()
	r.Register(Member, func(s *Service) Method { return passwordMethod{s} })
	r.Register(directory.IdPMail, func(s *Service) Method { return passcodeMethod{s} })
	home := func(s *Service) Method { return homeTenantMethod{s} }
	r.Register(directory.IdPHomeTenant, home)
	r.Register(directory.IdPPersonal, home)
	r.Register(directory.IdPUnmanaged, home)
	r.Register(directory.IdPFederation, func(s *Service) Method { return federationMethod{s} })
	return r
}

// Register makes newMethod's method the one that runs every route whose
// decision names idp (Member: the tenant's own members), replacing any
// earlier registration. newMethod is called once, by New, with the
// service the method may call back (Finish, Issuer, …).
func (r *Registry) Register(idp directory.IdP, newMethod func(*Service) Method) {
	r.ctors[idp] = newMethod
}

// build makes every registered method for s.
func (r *Registry) build(s *Service) map[directory.IdP]Method {
	ms := make(map[directory.IdP]Method, len(r.ctors))
	for idp, ctor := range r.ctors {
		ms[idp] = ctor(s)
	}
	return ms
}

// routeFor maps a user and the decision to the method that runs it. An
// identity this deployment does not offer is an *UnavailableError; a
// guest is never routed as a member, whatever is registered.
func (s *Service) routeFor(t directory.Tenant, u directory.User, dec invitation.Decision, otpEnabled bool) (Route, error) {
	r := Route{Tenant: t, User: u, Decision: dec}
	key := Member
	if isInvited(u) {
		key = dec.IdP
	}
	m, ok := s.methods[key]
	if !ok || isInvited(u) && key == Member {
		return r, &UnavailableError{IdP: dec.IdP, OTPDisabled: !otpEnabled}
	}
	r.Method = m
	return r, nil
}
