package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/invitation"
)

// A guest whose domain the inviting tenant federates (section 3,
// externalFederation: SAML 2.0 or OpenID Connect) or who has a Google
// address and the tenant configured Google (socialIdentityProviders)
// signs in at the partner's identity provider and comes back:
//
//	Begin → federation method → Redirect (a sealed, browser-bound state
//	        travels as SAML RelayState or OAuth state) → the partner
//	FederationCallback (the SAML ACS or the OpenID Connect redirect URI):
//	        the provider verifies the answer, the address must be the
//	        invited one → a sealed proof, bound to the same browser
//	FederationReturn: the proof is opened in that browser (its cookie),
//	        the decision is made again → finish
//
// The callback is a separate step because a SAML response arrives as a
// cross-site POST, which carries no SameSite=Lax cookie: the browser
// binding is checked on the same-site GET that follows. Providers do
// network I/O (discovery, the code exchange); no transaction is open then.
// A failure the partner causes (*federation.PartnerError) is recorded in
// the sign-in log with its technical detail; the guest never falls back
// to a passcode.

// Federations are the tenant's federations (federation.Service has them).
type Federations interface {
	// ForAddress is the SAML or OpenID Connect federation of addr's domain, or nil.
	ForAddress(ctx context.Context, tenantID, addr string) (*federation.Federation, error)
	// Google is the tenant's Google preset, or nil.
	Google(ctx context.Context, tenantID string) (*federation.Federation, error)
	// ByIdP is the federation whose guests' idp is idp, or federation.ErrRemoved.
	ByIdP(ctx context.Context, tenantID, idp string) (federation.Federation, error)
	Provider(f federation.Federation) (federation.Provider, error)
}

// fedLifetime bounds the round trip to the partner; proofLifetime the
// step from the callback back into the browser.
const (
	fedLifetime      = 15 * time.Minute
	fedProofLifetime = 5 * time.Minute
	purposeFedState  = "federation-state"
	purposeFedProof  = "federation-proof"
)

type fedState struct {
	Tenant  string           `json:"t"`
	Guest   string           `json:"g"`
	Address string           `json:"a"`
	Fed     string           `json:"f"`
	IdP     string           `json:"i"`
	Next    Continuation     `json:"n"`
	Browser string           `json:"b"`
	St      federation.State `json:"s"`
	// SignUp: no guest yet; the person signs up to an app (appsignup.go).
	SignUp bool `json:"su,omitempty"`
}

type fedProof struct {
	Tenant  string       `json:"t"`
	Guest   string       `json:"g"`
	IdP     string       `json:"i"`
	Next    Continuation `json:"n"`
	Browser string       `json:"b"`
	At      time.Time    `json:"at"`
	// SignUp and Address: a sign-up's proof names the address, not a guest.
	SignUp  bool   `json:"su,omitempty"`
	Address string `json:"a,omitempty"`
}

// lookUpFederation fills step 1's federation inputs for addr at t.
func (s *Service) lookUpFederation(ctx context.Context, t directory.Tenant, addr string, f *invitation.Found) error {
	if s.d.Federations == nil {
		return nil
	}
	fed, err := s.d.Federations.ForAddress(ctx, t.ID, addr)
	if err != nil {
		return err
	}
	if fed != nil {
		f.Federation = &invitation.Upstream{Issuer: fed.IdPIssuer()}
	}
	g, err := s.d.Federations.Google(ctx, t.ID)
	if err != nil {
		return err
	}
	if g != nil {
		f.Google = &invitation.Upstream{Issuer: g.IdPIssuer()}
	}
	return nil
}

// federationOf is the federation a decision names; a redeemed guest's
// federation that was removed is federation.ErrRemoved (R7: a reset lets
// the guest redeem again).
func (s *Service) federationOf(ctx context.Context, t directory.Tenant, dec invitation.Decision) (federation.Federation, error) {
	if s.d.Federations == nil {
		return federation.Federation{}, federation.ErrRemoved
	}
	return s.d.Federations.ByIdP(ctx, t.ID, dec.Issuer)
}

// federationMethod is the sign-in at a partner's identity provider the
// tenant federates with (SAML, OpenID Connect or Google; each protocol a
// federation.Provider): a RedirectMethod whose way back is
// FederationCallback and FederationReturn.
type federationMethod struct{ s *Service }

var _ RedirectMethod = federationMethod{}

// Name is MethodFederation.
func (federationMethod) Name() string { return MethodFederation }

// Redirect begins a federation route and returns the partner's sign-in
// URL.
func (m federationMethod) Redirect(ctx context.Context, r Route, next Continuation, browser string) (Redirect, error) {
	u, err := m.s.startFederation(ctx, r, next, browser, false)
	return Redirect{URL: u, External: true}, err
}

// startFederation is Redirect, or, with signUp, the partner's
// sign-in of an app sign-up (no guest yet).
func (s *Service) startFederation(ctx context.Context, r Route, next Continuation, browser string, signUp bool) (string, error) {
	if _, ok := r.Method.(federationMethod); !ok && !signUp || browser == "" {
		return "", ErrDecisionChanged
	}
	a := attempt{user: &r.User, address: r.User.Mail, app: s.appOf(ctx, r.Tenant, next)}
	if signUp {
		a.user = nil
	}
	f, err := s.federationOf(ctx, r.Tenant, r.Decision)
	if err != nil {
		return "", s.refused(ctx, r.Tenant, a, err)
	}
	p, err := s.d.Federations.Provider(f)
	if err != nil {
		return "", err
	}
	now := s.d.Clock.Now()
	st := fedState{Tenant: r.Tenant.ID, Guest: r.User.ID, Address: r.User.Mail, Fed: f.ID, IdP: f.IdPIssuer(),
		Next: next, Browser: bind(browser), St: federation.NewState(r.User.Mail), SignUp: signUp}
	tok, err := seal(s.seals, purposeFedState+r.Tenant.ID, st, now.Add(fedLifetime))
	if err != nil {
		return "", err
	}
	u, err := p.AuthURL(ctx, st.St, tok)
	if err != nil {
		return "", s.refused(ctx, r.Tenant, a, err)
	}
	return u, nil
}

// FederationCallback takes the partner's answer at tenant t (relay is the
// SAML RelayState or OAuth state): the provider verifies it, and it must
// vouch for the invited address. It returns the same-site URL that
// finishes the sign-in in the browser that started it.
func (s *Service) FederationCallback(ctx context.Context, t directory.Tenant, relay string, r *http.Request) (string, error) {
	st, err := open[fedState](s.seals, purposeFedState+t.ID, relay, s.d.Clock.Now())
	if err != nil || st.Tenant != t.ID {
		return "", ErrExpiredState
	}
	a := attempt{address: st.Address, app: s.appOf(ctx, t, st.Next)}
	if !st.SignUp {
		guest, err := s.d.Directory.GetUser(ctx, t.ID, st.Guest)
		if err != nil {
			return "", notFoundAs(err, ErrExpiredState, "federation callback")
		}
		a.user, a.address = &guest, guest.Mail
	}
	f, err := s.federationOf(ctx, t, invitation.Decision{Issuer: st.IdP})
	if err == nil && f.ID != st.Fed {
		err = ErrDecisionChanged
	}
	if err != nil {
		return "", s.refused(ctx, t, a, err)
	}
	p, err := s.d.Federations.Provider(f)
	if err != nil {
		return "", err
	}
	id, err := p.Finish(ctx, st.St, r)
	if err == nil {
		err = federation.CheckEmail(st.Address, id.Email)
	}
	if err != nil {
		return "", s.refused(ctx, t, a, err)
	}
	now := s.d.Clock.Now()
	fp := fedProof{Tenant: t.ID, Guest: st.Guest, IdP: st.IdP, Next: st.Next, Browser: st.Browser, At: now}
	if st.SignUp {
		fp.SignUp, fp.Address = true, st.Address
	}
	proof, err := seal(s.seals, purposeFedProof+t.ID, fp, now.Add(fedProofLifetime))
	if err != nil {
		return "", err
	}
	return "/" + t.ID + "/login/federation/return?proof=" + url.QueryEscape(proof), nil
}

// FederationReturn finishes a federation sign-in in the browser that
// started it: the decision is made again and must still name the
// federation that proved the guest; then finish (Review permissions on
// the first redemption).
func (s *Service) FederationReturn(ctx context.Context, t directory.Tenant, token, browser string) (Result, error) {
	p, err := open[fedProof](s.seals, purposeFedProof+t.ID, token, s.d.Clock.Now())
	if err != nil || p.Tenant != t.ID || browser == "" || subtle.ConstantTimeCompare([]byte(p.Browser), []byte(bind(browser))) != 1 {
		return Result{}, ErrExpiredState
	}
	if p.SignUp {
		return s.federationSignUpReturn(ctx, t, p)
	}
	guest, err := s.d.Directory.GetUser(ctx, t.ID, p.Guest)
	if err != nil {
		return Result{}, notFoundAs(err, ErrExpiredState, "federation return")
	}
	dec, _, err := s.decide(ctx, t, guest)
	if err != nil {
		// E.g. the federation was removed while the guest was at the
		// partner (federation.ErrRemoved): refused and recorded.
		return Result{}, s.refused(ctx, t, attempt{user: &guest, address: guest.Mail, app: s.appOf(ctx, t, p.Next)}, err)
	}
	if dec.IdP != directory.IdPFederation || dec.Issuer != p.IdP {
		return Result{}, ErrDecisionChanged
	}
	id := Identity{TenantID: t.ID, UserID: guest.ID, IdP: directory.IdPFederation, Issuer: dec.Issuer, AMR: []string{"fed"}, AuthTime: p.At}
	res, err := s.finish(ctx, t, id, dec.Redeeming, p.Next)
	if err != nil {
		return res, s.refusedIdentity(ctx, t, id, s.appOf(ctx, t, p.Next), err)
	}
	if res.Consent == nil {
		s.d.Log.InfoContext(ctx, "guest signed in with a federated identity provider", "tenant_id", t.ID, "user_id", guest.ID, "idp", dec.Issuer)
	}
	return res, nil
}

// federationSignUpReturn finishes the partner's sign-in of an app
// sign-up: the sign-up decision, made again, must still name that
// partner; then Review permissions, whose Accept creates the guest.
func (s *Service) federationSignUpReturn(ctx context.Context, t directory.Tenant, p fedProof) (Result, error) {
	id := Identity{TenantID: t.ID, IdP: directory.IdPFederation, Issuer: p.IdP, AMR: []string{"fed"}, AuthTime: p.At}
	if err := s.signUpAllows(ctx, t, p.Address, id); err != nil {
		return Result{}, err
	}
	ar, err := s.AuthRequest(ctx, t, p.Next.AuthRequestID)
	if err != nil {
		return Result{}, err
	}
	return s.askSignUpConsent(t, id, p.Address, audit.Actor{AppID: ar.AppID, AppName: ar.AppName}, p.Next)
}

// Sign-in log codes of federation refusals (Entra's AADSTS numbers where
// one fits):
//
//	500133 the answer is outside its validity window (clock skew, expired)
//	50013  an invalid assertion: wrong audience or recipient, a bad
//	       signature, an assertion used before, or refused by the partner
//	50008  the signing certificate is not the configured one, or expired
//	50107  the partner's identity provider could not be reached
//	90072  the partner signed in another account than the invited address
//	       (or did not verify it)
//	50020  the guest's federation was removed (R7)
var fedReasons = map[federation.Problem]struct {
	code   int
	reason string
}{
	federation.ProblemClock:           {500133, "The partner's sign-in answer is not within its valid time range (clock skew or an expired assertion)."},
	federation.ProblemAudience:        {50013, "The partner's sign-in answer was made for another service (audience or recipient)."},
	federation.ProblemCertificate:     {50008, "The partner's sign-in answer is signed with a certificate that is not the configured one, or has expired."},
	federation.ProblemSignature:       {50013, "The signature of the partner's sign-in answer is not valid."},
	federation.ProblemReplay:          {50013, "The partner's sign-in answer was already used."},
	federation.ProblemUnreachable:     {50107, "The partner's identity provider could not be reached."},
	federation.ProblemWrongAccount:    {90072, "The partner's identity provider signed in an account other than the invited address."},
	federation.ProblemUnverifiedEmail: {90072, "The partner's identity provider did not verify the address."},
	federation.ProblemRefused:         {50013, "The partner's identity provider refused the sign-in or sent an answer that is not valid."},
}

const reasonFederationRemoved = "The identity provider this guest redeemed with was removed by the organization; an administrator must reset the guest's redemption."

// federationFailure maps a federation refusal to its recorded code,
// reason and technical detail.
func federationFailure(err error) (code int, reason, detail string, ok bool) {
	var pe *federation.PartnerError
	switch {
	case errors.As(err, &pe):
		r, known := fedReasons[pe.Problem]
		if !known {
			r = fedReasons[federation.ProblemRefused]
		}
		return r.code, r.reason, pe.Detail, true
	case errors.Is(err, federation.ErrRemoved):
		return 50020, reasonFederationRemoved, "", true
	}
	return 0, "", "", false
}
