package signin

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/session"
)

// Every interactive sign-in and every refused attempt is recorded as
// Graph's signIn (audit.SignIn). A success is appended in the transaction
// that starts its session (startSession), or, for a sign-in to an app from
// a live session, in the one that completes the app's request
// (ContinueSession), so it commits with it and costs no transaction of its
// own; a refusal is one small write of its own after the refusal (its
// transaction, if any, rolled back), naming the app of the request when
// the step knows it (BeginFor keeps it in the Route). Codes and passwords
// are never recorded.
//
// Refusals carry error codes as Entra ID logs them (AADSTS numbers):
//
//	50034  the address is no user of the tenant (UserAccountNotFound)
//	50057  the account is disabled (UserDisabled)
//	50126  wrong password (InvalidUserNameOrPassword)
//	50053  too many attempts: a password or passcode throttle, or a limit
//	       of the client address or the tenant (IdsLocked)
//	50181  a passcode that is wrong, expired, used, void or never sent
//	       (OtpExpiredInvalid; Entra documents no separate code for a wrong
//	       email passcode, so the reason says which it was)
//	50020  a guest with no way to sign in here: passcodes turned off (R9)
//	       or no identity provider applies (UserUnauthorized, Entra's code
//	       for a guest the resource tenant cannot let in)
//	65004  the guest declined Review permissions (UserDeclinedConsent)
//	50105  the user is not assigned to an app that requires assignment
//	       (EntitlementGrantsNotFound, R16)
//
// A changed decision or an expired step is not recorded: the person is
// asked to start again, nothing was refused.

// SignInLog records sign-ins (audit.SignInStore has it).
type SignInLog interface {
	// AppendSignIn joins the transaction in ctx.
	AppendSignIn(ctx context.Context, s audit.SignIn) error
}

// PortalName is the app name recorded for sign-ins to the tenant's own
// pages (My Apps, a redeem link's redirect) rather than to an app.
const PortalName = "My Apps"

// ConsoleName is the app name recorded for sign-ins to the admin console
// (Continuation.Portal), as Entra ID logs its admin center by name.
const ConsoleName = "guestgate admin console"

// Status texts of recorded sign-ins.
const (
	// successReason is what Graph shows as a success's failureReason.
	successReason = "Other."

	reasonNotFound       = "The user account does not exist in the directory. To sign into this application, the account must be added to the directory."
	reasonDisabled       = "The user account is disabled. The account has been disabled by an administrator."
	reasonWrongPassword  = "Error validating credentials due to invalid username or password."
	reasonLocked         = "The account is locked because the user tried to sign in too many times with an incorrect user ID or password."
	reasonPasscodeLocked = "Too many one-time passcodes were asked for; the user must wait before asking again."
	reasonRateLimited    = "Too many sign-in attempts from this client address or to this organization; the user must wait before trying again."
	reasonWrongCode      = "The one-time passcode is not valid."
	reasonExpiredCode    = "The one-time passcode has expired."
	reasonUsedCode       = "The one-time passcode was already used."
	reasonVoidCode       = "Too many wrong one-time passcodes were entered; the passcode is void."
	reasonNoCode         = "No one-time passcode was sent to this address."
	reasonOTPDisabled    = "This organization turned off sign-in with email one-time passcodes, the only way this guest can sign in."
	reasonNoMethod       = "No identity provider this organization allows applies to this guest."
	reasonDeclined       = "The user declined to consent to access the app."
	reasonNotAssigned    = "The signed in user is not assigned to a role for the application."
)

// failureOf maps a refusal to its recorded code and reason; ok is false
// for errors that are not recorded (a changed decision, an expired step,
// internal errors).
func failureOf(err error) (code int, reason string, ok bool) {
	var (
		pt *member.ThrottledError
		ot *otp.ThrottledError
		ue *UnavailableError
		rl *ratelimit.LimitedError
	)
	if code, reason, _, ok := federationFailure(err); ok {
		return code, reason, true
	}
	switch {
	case errors.Is(err, ErrNotMember):
		return 50034, reasonNotFound, true
	case errors.Is(err, ErrAccountDisabled), errors.Is(err, member.ErrDisabled):
		return 50057, reasonDisabled, true
	case errors.Is(err, member.ErrWrongPassword):
		return 50126, reasonWrongPassword, true
	case errors.As(err, &pt):
		return 50053, reasonLocked, true
	case errors.As(err, &ot):
		return 50053, reasonPasscodeLocked, true
	case errors.As(err, &rl):
		return 50053, reasonRateLimited, true
	case errors.Is(err, otp.ErrWrongCode):
		return 50181, reasonWrongCode, true
	case errors.Is(err, otp.ErrExpired):
		return 50181, reasonExpiredCode, true
	case errors.Is(err, otp.ErrUsed):
		return 50181, reasonUsedCode, true
	case errors.Is(err, otp.ErrTooManyAttempts):
		return 50181, reasonVoidCode, true
	case errors.Is(err, otp.ErrNoCode):
		return 50181, reasonNoCode, true
	case errors.Is(err, invitation.ErrOTPDisabled), errors.As(err, &ue) && ue.OTPDisabled:
		return 50020, reasonOTPDisabled, true
	case errors.Is(err, invitation.ErrNoSignInMethod), errors.As(err, &ue):
		return 50020, reasonNoMethod, true
	case errors.Is(err, ErrConsentDeclined):
		return 65004, reasonDeclined, true
	case errors.Is(err, assignment.ErrNotAssigned):
		return 50105, reasonNotAssigned, true
	}
	return 0, "", false
}

// ErrorCode is the AADSTS code a refusal is recorded with (see above), or
// 0 for an error that is no refusal (IsRefusal).
func ErrorCode(err error) int {
	code, _, _ := failureOf(err)
	return code
}

// appRef is the app a sign-in is for. An app's request named by
// request is looked up only when a sign-in is recorded (resolve): the
// pages before the proof record nothing on their way, so they read no
// app for it.
type appRef struct {
	ID, Name string
	request  string // the app's pending request, "" when ID and Name are known
}

// appOf names the app of a continuation: the app of its OpenID Connect
// request (resolved when a sign-in is recorded), else the tenant's own
// pages.
func (s *Service) appOf(_ context.Context, _ directory.Tenant, next Continuation) appRef {
	if next.AuthRequestID == "" && next.Portal != "" {
		return appRef{Name: next.Portal}
	}
	if next.AuthRequestID == "" || s.d.Login == nil {
		return appRef{Name: PortalName}
	}
	if !plausibleRequestID(next.AuthRequestID) {
		return appRef{}
	}
	return appRef{request: next.AuthRequestID}
}

// resolve reads the app of a's request, if it is not known yet; a request
// that is gone names no app. It reads in the transaction in ctx, if any.
func (s *Service) resolve(ctx context.Context, t directory.Tenant, a appRef) appRef {
	if a.request == "" {
		return a
	}
	ar, err := s.d.Login.AuthRequest(ctx, t.ID, a.request)
	if err != nil {
		return appRef{}
	}
	return appRef{ID: ar.AppID, Name: ar.AppName}
}

// attempt is who tried to sign in: the user when known, else the address typed.
type attempt struct {
	user    *directory.User
	address string
	id      *Identity // what was proved, on success
	method  string    // the authentication method tried
	app     appRef
	// unknown: the address is no user of the tenant; a refusal is recorded
	// as the unknown account it is (50034), whatever the step refused.
	unknown bool
	// count, when set, is the limit a refusal counts against, in the
	// refusal's own write.
	count *ratelimit.Scope
}

// record builds the sign-in of a at t.
func (s *Service) record(ctx context.Context, t directory.Tenant, a attempt) audit.SignIn {
	client := httpx.ClientOf(ctx)
	corr := httpx.ClientRequestID(ctx)
	if corr == "" {
		corr = uuid.NewString()
	}
	app := s.resolve(ctx, t, a.app)
	rec := audit.SignIn{
		TenantID: t.ID, ID: uuid.NewString(), CreatedAt: s.d.Clock.Now(),
		UserPrincipalName: a.address, AppID: app.ID, AppDisplayName: app.Name,
		IPAddress: client.Addr, UserAgent: client.UserAgent, ClientAppUsed: audit.SignInBrowser,
		CorrelationID: corr, AuthenticationMethod: a.method, CrossTenantAccessType: audit.SignInNoCrossTenant,
	}
	if u := a.user; u != nil {
		rec.UserID, rec.UserPrincipalName, rec.UserDisplayName = u.ID, u.UserPrincipalName, u.DisplayName
		rec.UserType = audit.SignInMember
		rec.HomeTenantID = t.ID
		if isInvited(*u) {
			rec.UserType, rec.CrossTenantAccessType, rec.HomeTenantID = audit.SignInGuest, audit.SignInB2BCollaboration, ""
			rec.IdP = u.IdPIssuer
		}
	}
	if id := a.id; id != nil && id.IdP != directory.IdPNone {
		rec.IdP = id.Issuer
		if id.IdP == directory.IdPHomeTenant {
			rec.HomeTenantID = s.tenantOfIssuer(id.Issuer)
			rec.AuthenticationMethod = "Previously satisfied"
		}
	}
	return rec
}

// Authentication methods as Entra's sign-in details name them.
const (
	methodEmailOTP = "Email OTP"
	methodPassword = "Password"
	// methodReused is a sign-in answered from a live session (single
	// sign-on), as Entra's authentication details name it.
	methodReused = "Previously satisfied"
)

// methodOf names what an identity proved, as Entra's authentication details do.
func methodOf(amr []string) string {
	for _, m := range amr {
		switch m {
		case "otp":
			return methodEmailOTP
		case "pwd":
			return methodPassword
		}
	}
	return ""
}

// logSuccess appends a sign-in in the transaction in ctx (startSession's).
func (s *Service) logSuccess(ctx context.Context, t directory.Tenant, u directory.User, id Identity, app appRef) error {
	if s.d.SignInLog == nil {
		return nil
	}
	rec := s.record(ctx, t, attempt{user: &u, address: u.Mail, id: &id, method: methodOf(id.AMR), app: app})
	rec.FailureReason = successReason
	return s.d.SignInLog.AppendSignIn(ctx, rec)
}

// logReuse appends, in the transaction in ctx (the one that completes the
// app's request), the sign-in of a live session's user to an app.
func (s *Service) logReuse(ctx context.Context, t directory.Tenant, u directory.User, sess session.Session, app appRef) error {
	if s.d.SignInLog == nil {
		return nil
	}
	id := Identity{TenantID: t.ID, UserID: u.ID, IdP: directory.IdP(sess.IdP), AMR: sess.AMR, AuthTime: sess.AuthTime}
	if isInvited(u) {
		id.Issuer = u.IdPIssuer
	}
	rec := s.record(ctx, t, attempt{user: &u, address: u.Mail, id: &id, method: methodReused, app: app})
	rec.AuthenticationMethod = methodReused
	rec.FailureReason = successReason
	if err := s.d.SignInLog.AppendSignIn(ctx, rec); err != nil {
		return fmt.Errorf("record sign-in: %w", err)
	}
	return nil
}

// refused records a refused attempt with its own write (counting it
// against a.count in the same transaction), and returns err unchanged for
// the caller to return.
func (s *Service) refused(ctx context.Context, t directory.Tenant, a attempt, err error) error {
	if err == nil {
		return nil
	}
	code, reason, ok := failureOf(err)
	if !ok {
		return err
	}
	if a.unknown {
		code, reason, _ = failureOf(ErrNotMember)
	}
	write := func(ctx context.Context) error {
		if a.count != nil {
			if err := s.countLimit(ctx, *a.count, t); err != nil {
				return err
			}
		}
		if s.d.SignInLog == nil {
			return nil
		}
		rec := s.record(ctx, t, a)
		rec.ErrorCode, rec.FailureReason = code, reason
		_, _, rec.AdditionalDetails, _ = federationFailure(err)
		return s.d.SignInLog.AppendSignIn(ctx, rec)
	}
	var werr error
	if a.count != nil && s.d.Limiter != nil {
		werr = s.d.Tx.InTx(ctx, write)
	} else {
		werr = write(ctx)
	}
	if werr != nil {
		s.d.Log.ErrorContext(ctx, "record a refused sign-in", "tenant_id", t.ID, "err", werr, "request_id", httpx.RequestID(ctx))
	}
	return err
}

// logUnknown records, in the transaction in ctx, an attempt to send a
// passcode to an address that is no user of t (50034), in place of the
// mail a guest would get.
func (s *Service) logUnknown(ctx context.Context, t directory.Tenant, addr string, app appRef) error {
	if s.d.SignInLog == nil {
		return nil
	}
	rec := s.record(ctx, t, attempt{address: addr, method: methodEmailOTP, app: app})
	rec.ErrorCode, rec.FailureReason, _ = failureOf(ErrNotMember)
	return s.d.SignInLog.AppendSignIn(ctx, rec)
}
