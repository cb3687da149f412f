package signin

import (
	"context"
	"errors"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/otp"
)

// A Method is one way a person proves an address at a tenant, as a Dex
// connector is one upstream: the registry (registry.go) picks it from the
// decision of section 3, Begin puts it in the Route, and the pages ask the
// route's method what it can do by type assertion on the capabilities
// below, never by its name. Every method ends in an Identity that Finish
// turns into a session (finish.go).
//
// A method has at least one capability, or no page can run it (the
// pages try a password, then a redirect, then a code):
//
//   - CodeMethod: it mails something to the address and checks what the
//     person brings back (the email passcode);
//   - PasswordMethod: it checks a password the person types here (a
//     member of the tenant);
//   - RedirectMethod: it sends the browser elsewhere to prove the address
//     and come back (a home tenant, the consumers directory, an unmanaged
//     tenant, a partner's SAML, OpenID Connect or Google sign-in).
type Method interface {
	// Name identifies the method in logs and tests ("passcode",
	// "password", "homeTenant", "federation"); pages never branch on it.
	Name() string
}

// Names of the built-in methods.
const (
	MethodPasscode   = "passcode"
	MethodPassword   = "password"
	MethodHomeTenant = "homeTenant"
	MethodFederation = "federation"
)

// CodeMethod is a method that mails a code (or a link) to the route's
// address and checks it: Send code, enter code, Send a new code.
type CodeMethod interface {
	Method
	// SendCode mails a new code for r, in the language lang.
	SendCode(ctx context.Context, r Route, lang string) error
	// VerifyCode checks what the person brought back and finishes the
	// sign-in (Finish): a session, or Review permissions first.
	VerifyCode(ctx context.Context, r Route, code string, next Continuation) (Result, error)
	// CodeState is what the enter-code page may offer the requester now.
	CodeState(ctx context.Context, r Route) (otp.State, error)
}

// PasswordMethod is a method that checks a password typed on this
// deployment's page.
type PasswordMethod interface {
	Method
	// CheckPassword checks the password of r's address and finishes the
	// sign-in; clientAddr feeds the password throttle.
	CheckPassword(ctx context.Context, r Route, password, clientAddr string, next Continuation) (Result, error)
}

// RedirectMethod is a method that proves the address elsewhere: the
// browser goes to Redirect's URL and comes back to a return step of the
// method's own (HomeReturn, FederationReturn), which finishes.
type RedirectMethod interface {
	Method
	// Redirect starts r and says where the browser goes. browser is a
	// value only this browser holds (its CSRF cookie): the round trip is
	// bound to it.
	Redirect(ctx context.Context, r Route, next Continuation, browser string) (Redirect, error)
}

// Redirect is where a RedirectMethod sends the browser.
type Redirect struct {
	URL string
	// External: the URL is another site's (a partner's identity
	// provider). After a form post the pages move on with a page of
	// their own, since the form's CSP form-action names only this
	// deployment and the tenant's apps.
	External bool
}

// SendCode is Send code for a route whose method mails a code; any other
// route is ErrDecisionChanged (the decision moved under the page).
func (s *Service) SendCode(ctx context.Context, r Route, lang string) error {
	_, err := s.SendCodeState(ctx, r, lang)
	return err
}

// SendCodeState is SendCode that also returns the code's state right
// after the send (CodeState's answer), which the send's transaction read
// and wrote: the enter-code page that follows need not read it again.
func (s *Service) SendCodeState(ctx context.Context, r Route, lang string) (otp.State, error) {
	m, ok := r.Method.(CodeMethod)
	if !ok {
		return otp.State{}, ErrDecisionChanged
	}
	if ss, ok := m.(stateSender); ok {
		return ss.SendCodeState(ctx, r, lang)
	}
	if err := m.SendCode(ctx, r, lang); err != nil {
		return otp.State{}, err
	}
	return m.CodeState(ctx, r)
}

// stateSender is a CodeMethod whose send knows the state it leaves.
type stateSender interface {
	SendCodeState(ctx context.Context, r Route, lang string) (otp.State, error)
}

// VerifyCode is the enter-code page's Sign in for a route whose method
// mails a code.
func (s *Service) VerifyCode(ctx context.Context, r Route, code string, next Continuation) (Result, error) {
	m, ok := r.Method.(CodeMethod)
	if !ok {
		return Result{}, ErrDecisionChanged
	}
	return m.VerifyCode(ctx, r, code, next)
}

// VerifyCodeAt is BeginFor and VerifyCode in one step: for an address
// whose route is a passcode, the route is read in the transaction that
// checks the code and starts the session, not in a read of its own before
// it, and nothing else changes (the decision is still made again where the
// session starts). It returns the route for the enter-code page. A route
// that could not be made is a *BeginError wrapping BeginFor's error,
// recorded as BeginFor records it.
func (s *Service) VerifyCodeAt(ctx context.Context, t directory.Tenant, addr, code string, next Continuation) (Route, Result, error) {
	app := s.appOf(ctx, t, next)
	var (
		route  Route
		record func(context.Context) error
		begun  error
	)
	errOther := errors.New("not a passcode route")
	res, err := passcodeMethod{s}.verify(ctx, t, func(ctx context.Context) (Route, error) {
		route, record, begun = s.lookup(ctx, t, addr, app)
		if begun != nil {
			return Route{}, begun
		}
		if _, ok := route.Method.(passcodeMethod); !ok {
			return Route{}, errOther
		}
		return route, nil
	}, code, next, app)
	switch {
	case begun != nil:
		if record != nil {
			begun = record(ctx)
		}
		return Route{}, Result{}, &BeginError{Err: begun}
	case errors.Is(err, errOther):
		// Another method (the transaction rolled back, nothing written).
		res, err = s.VerifyCode(ctx, route, code, next)
	}
	return route, res, err
}

// BeginError is VerifyCodeAt's refusal or failure to make the address's
// route: Err is what BeginFor would have returned.
type BeginError struct{ Err error }

func (e *BeginError) Error() string { return e.Err.Error() }

// Unwrap returns BeginFor's error.
func (e *BeginError) Unwrap() error { return e.Err }

// CodeState is the enter-code page's state for a route whose method mails a code.
func (s *Service) CodeState(ctx context.Context, r Route) (otp.State, error) {
	m, ok := r.Method.(CodeMethod)
	if !ok {
		return otp.State{}, ErrDecisionChanged
	}
	return m.CodeState(ctx, r)
}

// CheckPassword signs r's address in with a password, for a route whose
// method checks one (a member of the route's tenant). Refusals are
// member.ErrWrongPassword, member.ErrDisabled and *member.ThrottledError.
func (s *Service) CheckPassword(ctx context.Context, r Route, password, clientAddr string, next Continuation) (Result, error) {
	m, ok := r.Method.(PasswordMethod)
	if !ok {
		return Result{}, ErrDecisionChanged
	}
	return m.CheckPassword(ctx, r, password, clientAddr, next)
}

// StartRedirect starts a route whose method proves the address elsewhere.
func (s *Service) StartRedirect(ctx context.Context, r Route, next Continuation, browser string) (Redirect, error) {
	m, ok := r.Method.(RedirectMethod)
	if !ok {
		return Redirect{}, ErrDecisionChanged
	}
	return m.Redirect(ctx, r, next, browser)
}
