package oidc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/store"
)

// AuthRequestInfo is what the login page needs to know about an
// authorization request.
type AuthRequestInfo struct {
	ID          string
	TenantID    string
	ClientID    string
	AppName     string
	LoginHint   string
	Prompt      []string // "none", "login", "consent", "select_account"
	Scopes      []string
	RedirectURI string
	UILocales   []string
	// MaxAge, if set, is the oldest sign-in the app accepts; prompt=login sets it to 0.
	MaxAge    *time.Duration
	ExpiresAt time.Time
}

// PromptNone reports prompt=none: the page must not interact; without a
// session it calls FailAuthRequest with FailLoginRequired.
func (i AuthRequestInfo) PromptNone() bool { return slices.Contains(i.Prompt, oidc.PromptNone) }

// ForceLogin reports whether the user must sign in again even with a
// session (prompt=login or max_age=0).
func (i AuthRequestInfo) ForceLogin() bool {
	return slices.Contains(i.Prompt, oidc.PromptLogin) || i.MaxAge != nil && *i.MaxAge == 0
}

// Login is a completed sign-in, reported by the login page.
type Login struct {
	UserID    string
	AuthTime  time.Time // when the user authenticated (e.g. entered the passcode)
	AMR       []string  // e.g. ["otp"]
	IdP       string    // "mail" for passcode guests, else the IdP (see directory.IdP)
	SessionID string    // guestgate's browser session, if any
}

// Failure codes for FailAuthRequest (OpenID Connect Core 3.1.2.6).
const (
	FailLoginRequired       = "login_required"
	FailInteractionRequired = "interaction_required"
	FailAccessDenied        = "access_denied"
)

// AuthRequest returns what the login page needs of a pending request, or
// ErrAuthRequestNotFound if there is none (unknown, tampered with or
// expired). A sealed request the user already signed in for still opens
// here (nothing is read); its completion says ErrAuthRequestDone. A request
// stored by an earlier version is ErrAuthRequestDone here already.
func (p *Core) AuthRequest(ctx context.Context, tenantID, id string) (AuthRequestInfo, error) {
	rec, err := p.pendingRequest(ctx, tenantID, id)
	if err != nil {
		return AuthRequestInfo{}, err
	}
	name, err := p.appName(ctx, tenantID, rec.ClientID)
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
		return AuthRequestInfo{}, fmt.Errorf("auth request: app deleted: %w", ErrAuthRequestNotFound)
	default:
		return AuthRequestInfo{}, fmt.Errorf("auth request: %w", err)
	}
	info := AuthRequestInfo{
		ID:          id,
		TenantID:    rec.TenantID,
		ClientID:    rec.ClientID,
		AppName:     name,
		LoginHint:   rec.LoginHint,
		Prompt:      rec.Prompt,
		Scopes:      rec.Scopes,
		RedirectURI: rec.RedirectURI,
		UILocales:   rec.UILocales,
		ExpiresAt:   rec.ExpiresAt,
	}
	if rec.MaxAge >= 0 {
		d := time.Duration(rec.MaxAge) * time.Second
		info.MaxAge = &d
	}
	return info, nil
}

// CompleteAuthRequest records the sign-in of a pending request (one write,
// joining the transaction in ctx) and returns the absolute URL the browser
// must go to next, where the library issues the code and redirects to the
// app. The user must exist in the tenant. A sign-in older than the
// request's max_age is ErrLoginTooOld: the page must authenticate the user
// again.
func (p *Core) CompleteAuthRequest(ctx context.Context, tenantID, id string, done Login) (string, error) {
	if done.UserID == "" || done.AuthTime.IsZero() {
		return "", errors.New("complete auth request: user id and auth time are required")
	}
	rec, err := p.pendingRequest(ctx, tenantID, id)
	if err != nil {
		return "", err
	}
	now := p.clock.Now()
	if !freshEnough(rec, done.AuthTime, now) {
		return "", ErrLoginTooOld
	}
	if _, err := p.deps.Directory.GetUser(ctx, tenantID, done.UserID); err != nil {
		return "", fmt.Errorf("complete auth request: user: %w", err)
	}
	c := AuthCompletion{
		UserID:    done.UserID,
		AuthTime:  done.AuthTime,
		AMR:       done.AMR,
		IdP:       done.IdP,
		SessionID: done.SessionID,
		DoneAt:    now,
	}
	if isPendingHandle(id) {
		// The request is stored now, signed in: its code expires, not its login.
		rec.AuthCompletion, rec.ExpiresAt = c, now.Add(p.cfg.CodeLifetime)
		err = p.deps.AuthRequests.CreateOIDCAuthRequest(ctx, rec)
	} else {
		// A request stored at authorize by an earlier version.
		err = p.deps.AuthRequests.CompleteOIDCAuthRequest(ctx, tenantID, id, c, now.Add(p.cfg.CodeLifetime))
	}
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrAlreadyExists):
		return "", ErrAuthRequestDone
	case errors.Is(err, store.ErrNotFound):
		return "", ErrAuthRequestNotFound
	case err != nil:
		return "", fmt.Errorf("complete auth request: %w", err)
	}
	return p.callbackURL(tenantID, rec.ID), nil
}

// FailAuthRequest ends a pending request without a sign-in and returns the
// URL of the app's redirect URI carrying the OAuth error (code is one of
// the Fail* constants), state included. The login page uses it for
// prompt=none without a session (FailLoginRequired) or when the user
// cancels (FailAccessDenied).
func (p *Core) FailAuthRequest(ctx context.Context, tenantID, id, code, description string) (string, error) {
	rec, err := p.pendingRequest(ctx, tenantID, id)
	if err != nil {
		return "", err
	}
	var e *oidc.Error
	switch code {
	case FailLoginRequired:
		e = oidc.ErrLoginRequired()
	case FailInteractionRequired:
		e = oidc.ErrInteractionRequired()
	case FailAccessDenied:
		e = oidc.ErrAccessDenied()
	default:
		return "", fmt.Errorf("fail auth request: unknown error code %q", code)
	}
	if description != "" {
		e = e.WithDescription("%s", description)
	}
	e.State = rec.State
	// A pending handle has nothing stored to remove; the app has its
	// answer, and the state it sent is spent there.
	if !isPendingHandle(id) {
		if err := p.deps.AuthRequests.DeleteOIDCAuthRequest(ctx, tenantID, id); err != nil {
			return "", fmt.Errorf("fail auth request: %w", err)
		}
	}
	u, err := op.AuthResponseURL(rec.RedirectURI, oidc.ResponseType(rec.ResponseType), oidc.ResponseMode(rec.ResponseMode), e, encoder)
	if err != nil {
		return "", fmt.Errorf("fail auth request: %w", err)
	}
	return u, nil
}

// freshEnough applies prompt=login (a sign-in made for this request) and
// max_age (a sign-in at most that old). The library turns prompt=login into
// max_age=0.
func freshEnough(rec AuthRequestRecord, authTime, now time.Time) bool {
	if slices.Contains(rec.Prompt, oidc.PromptLogin) || rec.MaxAge == 0 {
		return !authTime.Before(rec.CreatedAt.Add(-tokenLeeway))
	}
	if rec.MaxAge > 0 {
		return now.Sub(authTime) <= time.Duration(rec.MaxAge)*time.Second+tokenLeeway
	}
	return true
}

// pendingRequest returns an unexpired request without a sign-in. A handle
// is opened, not looked up: whether it was completed already is found by
// its completion's insert (ErrAuthRequestDone), which spares every page of
// a sign-in a read. A request stored at authorize by an earlier version is
// read.
func (p *Core) pendingRequest(ctx context.Context, tenantID, id string) (AuthRequestRecord, error) {
	if isPendingHandle(id) {
		return p.pending.open(tenantID, id, p.clock.Now())
	}
	rec, err := p.deps.AuthRequests.GetOIDCAuthRequest(ctx, tenantID, id)
	if errors.Is(err, store.ErrNotFound) {
		return AuthRequestRecord{}, ErrAuthRequestNotFound
	}
	if err != nil {
		return AuthRequestRecord{}, fmt.Errorf("get auth request: %w", err)
	}
	if !rec.ExpiresAt.After(p.clock.Now()) {
		return AuthRequestRecord{}, ErrAuthRequestNotFound
	}
	if rec.Done() {
		return AuthRequestRecord{}, ErrAuthRequestDone
	}
	return rec, nil
}
