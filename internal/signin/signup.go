package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/store"
)

// Self-service sign-up creates a personal account (in the consumers
// directory) or an account in the unmanaged tenant of the address's
// domain (section 3's fallback, R12):
//
//	inviting tenant:  Begin → homeTenant method, Decision.CreateAccount → StartHomeTenant
//	consumers pages:  OpenSignUp → SendSignUpCode → CompleteSignUp (code + password)
//	inviting tenant:  HomeReturn (the new account's session) → finish
//
// The code proves the mailbox with the one passcode flow (codeflow.go)
// and its R3 limits, but under a sign-up scope of its own (signUpAddress), so a
// sign-up code never signs anyone in, nor a sign-in code signs anyone up.
// Anyone can also open the consumers directory's sign-up page with no
// invitation and create a personal account (StartPersonalSignUp).

const purposeSignUp = "sign-up"

// signUpLifetime bounds the sign-up round trip.
const signUpLifetime = 30 * time.Minute

type signUpState struct {
	From    string        `json:"from"`
	Guest   string        `json:"guest,omitempty"`
	Address string        `json:"addr"`
	Kind    directory.IdP `json:"kind"` // personal or unmanaged
	Next    Continuation  `json:"next"`
	Started time.Time     `json:"started"`
	Browser string        `json:"b"`
	// AppSignUp: the person signs up to an app of From (appsignup.go).
	AppSignUp bool `json:"app,omitempty"`
}

// SignUp is a sign-up in progress as its pages see it.
type SignUp struct {
	From    directory.Tenant
	Address string
	// Unmanaged: the account is made in the unmanaged tenant of the
	// address's domain, not the consumers directory.
	Unmanaged bool
	// Token is the sealed state, carried by the pages' forms.
	Token string
	// SignInURL, when set, says the address already has the account: the
	// person signs in with it instead (nothing is created). A sign-up with
	// no invitation never sets it: that is said only once the address is
	// proved (CompleteSignUp).
	SignInURL string
	st        signUpState
}

// SignUpResult is a created account: its session at Home (the caller
// sets the cookie) and where the browser goes next.
type SignUpResult struct {
	Home directory.Tenant
	Result
}

// ErrSignUpUnavailable: this deployment does not create the account the
// sign-up asked for (unmanaged accounts are retired, or a US Government
// tenant's guest, R11), or nothing can create accounts.
var ErrSignUpUnavailable = errors.New("this kind of account cannot be created here")

// errHasAccount: a sign-up with no invitation for an address that has
// its personal account (CompleteSignUp turns it into a way to sign in).
var errHasAccount = errors.New("the address has a personal account")

// signUpAddress scopes the sign-up codes of addr apart from its sign-in codes.
func signUpAddress(addr string) string { return strings.ToLower(addr) + " (sign-up)" }

// SignUpPath is the consumers directory's sign-up page.
func SignUpPath() string { return "/" + directory.ConsumersTenantID + "/signup" }

func (s *Service) startSignUp(r Route, next Continuation, browser string) (string, error) {
	if browser == "" || r.Decision.IdP != directory.IdPPersonal && r.Decision.IdP != directory.IdPUnmanaged {
		return "", ErrDecisionChanged
	}
	st := signUpState{From: r.Tenant.ID, Guest: r.User.ID, Address: r.User.Mail, Kind: r.Decision.IdP, Next: next}
	return s.sealSignUp(st, browser)
}

// StartPersonalSignUp begins the sign-up of a personal account with no
// invitation: anyone may create one at the consumers directory.
func (s *Service) StartPersonalSignUp(addr, browser string) (string, error) {
	if browser == "" {
		return "", ErrExpiredState
	}
	st := signUpState{From: directory.ConsumersTenantID, Address: addr, Kind: directory.IdPPersonal}
	return s.sealSignUp(st, browser)
}

func (s *Service) sealSignUp(st signUpState, browser string) (string, error) {
	now := s.d.Clock.Now()
	st.Started, st.Browser = now, bind(browser)
	tok, err := seal(s.seals, purposeSignUp, st, now.Add(signUpLifetime))
	if err != nil {
		return "", err
	}
	return SignUpPath() + "?state=" + url.QueryEscape(tok), nil
}

// OpenSignUp opens a sign-up's state. When the address already has the
// account (a second sign-up), SignInURL is the way to sign in with it.
func (s *Service) OpenSignUp(ctx context.Context, token, browser string) (SignUp, error) {
	st, err := open[signUpState](s.seals, purposeSignUp, token, s.d.Clock.Now())
	if err != nil || browser == "" || subtle.ConstantTimeCompare([]byte(st.Browser), []byte(bind(browser))) != 1 {
		return SignUp{}, ErrExpiredState
	}
	from, err := s.d.Directory.GetTenant(ctx, st.From)
	if err != nil {
		return SignUp{}, notFoundAs(err, ErrExpiredState, "open sign-up")
	}
	su := SignUp{From: from, Address: st.Address, Unmanaged: st.Kind == directory.IdPUnmanaged, Token: token, st: st}
	if err := s.signUpAllowed(from, st.Kind, st.Address); err != nil {
		return SignUp{}, err
	}
	if directory.IsConsumers(from.ID) {
		// No invitation: whether the address has an account is said only
		// once its code is proved (CompleteSignUp; finding 10).
		return su, nil
	}
	home, err := s.existingAccount(ctx, st)
	if err != nil {
		return SignUp{}, err
	}
	if home != "" {
		su.SignInURL, err = s.signInInstead(st, home, browser)
	}
	return su, err
}

// signUpAllowed refuses an unmanaged account where none may be made:
// unmanaged accounts retired, an address at a public consumer mail domain
// (R15), a US Government tenant's guest (R11).
func (s *Service) signUpAllowed(from directory.Tenant, kind directory.IdP, addr string) error {
	switch {
	case s.d.Accounts == nil:
		return ErrSignUpUnavailable
	case kind != directory.IdPUnmanaged:
		return nil
	case s.cfg.UnmanagedRetired, s.cfg.PublicMailDomains.HasAddress(addr):
		return ErrSignUpUnavailable
	case from.Cloud == directory.CloudUSGov:
		return invitation.ErrNoSignInMethod
	}
	return nil
}

// existingAccount is the directory that already holds st's account, or "".
func (s *Service) existingAccount(ctx context.Context, st signUpState) (string, error) {
	if st.Kind == directory.IdPPersonal {
		u, err := s.personalAccount(ctx, st.Address)
		if err != nil || u == nil {
			return "", err
		}
		return directory.ConsumersTenantID, nil
	}
	t, err := s.d.Directory.GetTenantByDomain(ctx, domainOf(st.Address))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sign-up: %w", err)
	}
	if t.Managed {
		// A managed tenant took the domain over since: decide again.
		return "", ErrDecisionChanged
	}
	if _, err := s.d.Directory.GetUserByMail(ctx, t.ID, st.Address); err == nil {
		return t.ID, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("sign-up: %w", err)
	}
	return "", nil
}

// signInInstead is the home tenant's sign-in for an address that has the
// account already: with an invitation, the hand-off back to the inviting
// tenant; without, the consumers directory's own sign-in.
func (s *Service) signInInstead(st signUpState, home, browser string) (string, error) {
	if st.From == directory.ConsumersTenantID {
		return "/" + home + "/login?login_hint=" + url.QueryEscape(st.Address), nil
	}
	now := s.d.Clock.Now()
	h := handoff{From: st.From, Home: home, Guest: st.Guest, Address: st.Address, Next: st.Next, Started: now, Browser: bind(browser), SignUp: st.AppSignUp}
	tok, err := seal(s.seals, purposeHandoff, h, now.Add(handoffLifetime))
	if err != nil {
		return "", err
	}
	return "/" + home + "/login/home?handoff=" + url.QueryEscape(tok), nil
}

// signUpFlow is the sign-up's use of the passcode flow: a code of the
// consumers directory under the sign-up scope (signUpAddress), mailed to
// the address, whose refusals are recorded as an unknown account's.
func signUpFlow(consumers directory.Tenant, addr string) codeFlow {
	a := attempt{address: addr, method: methodEmailOTP, unknown: true}
	return codeFlow{tenant: consumers, key: signUpAddress(addr), to: addr, attempt: a}
}

// SendSignUpCode mails a code that proves the sign-up's address, under
// the passcode limits of R3 and the client's and directory's send limits.
func (s *Service) SendSignUpCode(ctx context.Context, su SignUp, lang string) error {
	consumers, err := s.d.Directory.GetTenant(ctx, directory.ConsumersTenantID)
	if err != nil {
		return fmt.Errorf("send sign-up code: %w", err)
	}
	_, err = s.sendCode(ctx, signUpFlow(consumers, su.Address), lang)
	return err
}

// CompleteSignUp takes the code and the new password: in one transaction
// the code is used, the account created (an unmanaged tenant for the
// domain first, when none exists), and a session started in its
// directory; the browser then goes back to the inviting tenant, whose
// decision now finds the account. A password the members' rules refuse
// is a *member.ValidationError and leaves the code unused.
//
// Two proved addresses create nothing and leave the code unused: one a
// tenant's sign-in sent here without an invitation (no guest, no app
// sign-up) is ErrNotInvited, before any account or directory exists
// (R15); one that already has its personal account, signing up with no
// invitation, is sent to sign in with it (SignUpResult.Next, no session),
// said only now that the mailbox is proved (finding 10).
func (s *Service) CompleteSignUp(ctx context.Context, su SignUp, code, displayName, password string) (SignUpResult, error) {
	if err := s.signUpAllowed(su.From, su.st.Kind, su.Address); err != nil {
		return SignUpResult{}, err
	}
	uninvited := !directory.IsConsumers(su.From.ID) && su.st.Guest == "" && !su.st.AppSignUp
	acct, err := s.d.Accounts.PrepareSelfService(su.Address, displayName, password)
	if err != nil {
		return SignUpResult{}, err
	}
	consumers, err := s.d.Directory.GetTenant(ctx, directory.ConsumersTenantID)
	if err != nil {
		return SignUpResult{}, fmt.Errorf("complete sign-up: %w", err)
	}
	var res SignUpResult
	err = s.verifyCode(ctx, signUpFlow(consumers, su.Address), code, func(ctx context.Context) error {
		if uninvited {
			return settled{ErrNotInvited}
		}
		home := consumers
		if su.st.Kind == directory.IdPUnmanaged {
			if home, err = s.unmanagedTenant(ctx, domainOf(su.Address)); err != nil {
				return err
			}
		}
		u, err := s.d.Accounts.CreateSelfService(ctx, home, acct)
		if errors.Is(err, member.ErrAddressTaken) && directory.IsConsumers(su.From.ID) {
			return settled{errHasAccount}
		}
		if errors.Is(err, member.ErrAddressTaken) {
			return ErrDecisionChanged // created meanwhile: start again, and sign in
		}
		if err != nil {
			return err
		}
		id := Identity{TenantID: home.ID, UserID: u.ID, IdP: directory.IdPNone, AMR: []string{"otp", "pwd"}, AuthTime: s.d.Clock.Now()}
		r, err := s.startSession(ctx, home, id, Continuation{}, appRef{Name: PortalName}, false)
		res = SignUpResult{Home: home, Result: r}
		return err
	})
	switch {
	case errors.Is(err, errHasAccount):
		s.d.Log.InfoContext(ctx, "self-service sign-up for an address with a personal account: sign in instead", "tenant_id", consumers.ID)
		return SignUpResult{Home: consumers, Result: Result{Next: "/" + consumers.ID + "/login?login_hint=" + url.QueryEscape(su.Address)}}, nil
	case errors.Is(err, ErrNotInvited):
		s.d.Log.InfoContext(ctx, "sign-up refused: the address was not invited", "tenant_id", su.From.ID)
		return SignUpResult{}, s.refused(ctx, su.From, attempt{address: su.Address, method: methodEmailOTP, unknown: true, app: s.appOf(ctx, su.From, su.st.Next)}, err)
	case err != nil:
		return SignUpResult{}, err
	}
	s.d.Log.InfoContext(ctx, "account created by self-service sign-up", "tenant_id", res.Home.ID, "user_id", res.Session.UserID,
		"unmanaged", su.st.Kind == directory.IdPUnmanaged)
	if su.From.ID != directory.ConsumersTenantID {
		now := s.d.Clock.Now()
		h := handoff{From: su.From.ID, Home: res.Home.ID, Guest: su.st.Guest, Address: su.Address, Next: su.st.Next, Started: su.st.Started, Browser: su.st.Browser, SignUp: su.st.AppSignUp}
		tok, err := seal(s.seals, purposeHandoff, h, now.Add(handoffLifetime))
		if err != nil {
			return SignUpResult{}, err
		}
		res.Next = "/" + su.From.ID + "/login/home/return?handoff=" + url.QueryEscape(tok)
	}
	return res, nil
}

// unmanagedTenant is the unmanaged tenant of domain, created when no
// tenant has the domain. A managed tenant that verified it since owns it:
// ErrDecisionChanged (the guest starts again and signs in there).
func (s *Service) unmanagedTenant(ctx context.Context, domain string) (directory.Tenant, error) {
	t, err := s.d.Directory.GetTenantByDomain(ctx, domain)
	if err == nil {
		if t.Managed {
			return directory.Tenant{}, ErrDecisionChanged
		}
		return t, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return directory.Tenant{}, fmt.Errorf("unmanaged tenant: %w", err)
	}
	t, err = directory.NewUnmanagedTenant(domain, s.cfg.DomainSuffix, s.cfg.PublicMailDomains, s.d.Clock.Now())
	if errors.Is(err, directory.ErrPublicMailDomain) {
		return directory.Tenant{}, fmt.Errorf("%w: %w", ErrSignUpUnavailable, err)
	}
	if err != nil {
		return directory.Tenant{}, err
	}
	if err := s.d.Directory.CreateTenant(ctx, t); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return directory.Tenant{}, ErrDecisionChanged
		}
		return directory.Tenant{}, fmt.Errorf("create unmanaged tenant: %w", err)
	}
	s.d.Log.InfoContext(ctx, "unmanaged tenant created by self-service sign-up", "tenant_id", t.ID, "domain", domain)
	return t, nil
}

func domainOf(addr string) string { return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:]) }
