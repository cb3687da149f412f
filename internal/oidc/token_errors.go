package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/guestgate/guestgate/internal/httpx"
)

// Errors of the token endpoint carry Entra's fields besides OAuth's
// error and error_description, as MSAL reads them: error_description
// starts with "AADSTSnnnnn: ", error_codes lists that number, and
// timestamp, trace_id and correlation_id name the request (the
// correlation id is the client's client-request-id when it sent one).
// The library (zitadel/oidc) writes the OAuth error; entraTokenErrors
// rewrites that answer on its way out, so the library is not forked.
//
// A description that already starts with an AADSTS code (set where the
// cause is known, e.g. liveUser) keeps it; otherwise the code follows from
// the OAuth error and, for invalid_grant, what the description says.
// Codes are those of Microsoft's "Microsoft Entra authentication and
// authorization error codes" page (docs/graph.md names it).

// Refusal is a reason the user of a grant may no longer sign in, with the
// AADSTS code Entra gives it (an AccessChecker returns it wrapped with
// ErrAccessEnded).
type Refusal struct {
	Code int
	Err  error
}

func (r *Refusal) Error() string { return r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// AADSTS codes of the token endpoint.
const (
	codeInvalidRequest      = 9002313 // InvalidRequest: malformed or invalid
	codeMissingField        = 900144  // the request body must contain a parameter
	codeInvalidClient       = 7000215 // invalid client secret
	codeUnknownClient       = 700016  // application not found in the directory
	codeUnauthorizedClient  = 70001   // UnauthorizedClient
	codeInvalidGrant        = 70000   // InvalidGrant
	codeExpiredGrant        = 70008   // ExpiredOrRevokedGrant
	codeCodeRedeemed        = 54005   // authorization code already redeemed
	codeRevokedGrant        = 50173   // FreshTokenNeeded: the grant was revoked
	codeCodeVerifier        = 501481  // code_verifier does not match code_challenge
	codeReplyTo             = 50011   // InvalidReplyTo: redirect_uri mismatch
	codeUserNotFound        = 50034   // UserAccountNotFound
	codeUserDisabled        = 50057   // UserDisabled
	codeInvalidScope        = 70011   // InvalidScope
	codeUnsupportedGrant    = 70003   // UnsupportedGrantType
	codeTokenIssuanceFailed = 50000   // TokenIssuanceError
)

var leadingCode = regexp.MustCompile(`^AADSTS([0-9]{5,7}): `)

// tokenErrorCode is the AADSTS code of an OAuth error of the token
// endpoint, and the description without a leading code.
func tokenErrorCode(errType, desc string) (int, string) {
	if m := leadingCode.FindStringSubmatch(desc); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, strings.TrimPrefix(desc, m[0])
	}
	d := strings.ToLower(desc)
	switch errType {
	case "invalid_request":
		if strings.Contains(d, "missing") || strings.Contains(d, "must contain") || strings.Contains(d, "required") {
			return codeMissingField, desc
		}
		return codeInvalidRequest, desc
	case "invalid_client":
		if strings.Contains(d, "not found") || strings.Contains(d, "unknown") {
			return codeUnknownClient, desc
		}
		return codeInvalidClient, desc
	case "unauthorized_client":
		return codeUnauthorizedClient, desc
	case "invalid_scope":
		return codeInvalidScope, desc
	case "unsupported_grant_type":
		return codeUnsupportedGrant, desc
	case "invalid_grant":
		switch {
		case strings.Contains(d, "code_verifier") || strings.Contains(d, "code challenge") || strings.Contains(d, "code_challenge"):
			return codeCodeVerifier, desc
		case strings.Contains(d, "redirect_uri"):
			return codeReplyTo, desc
		case strings.Contains(d, "revoked") || strings.Contains(d, "has ended"):
			return codeRevokedGrant, desc
		case strings.Contains(d, "code") && strings.Contains(d, "already redeemed"):
			return codeCodeRedeemed, desc
		case strings.Contains(d, "expired") || strings.Contains(d, "already used"):
			return codeExpiredGrant, desc
		}
		return codeInvalidGrant, desc
	case "server_error", "temporarily_unavailable":
		return codeTokenIssuanceFailed, desc
	}
	return codeInvalidRequest, desc
}

// entraTokenError is the body of a token endpoint error, in Entra's shape.
type entraTokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
}

// entraTimestamp is how Entra writes an error's time.
const entraTimestamp = "2006-01-02 15:04:05Z"

// entraError builds the Entra body of an OAuth error at now for r.
func entraError(r *http.Request, now time.Time, errType, desc string) entraTokenError {
	code, text := tokenErrorCode(errType, desc)
	if text == "" {
		text = "The request could not be completed (" + errType + ")."
	}
	trace := httpx.RequestID(r.Context())
	if trace == "" {
		trace = uuid.NewString()
	}
	corr := httpx.ClientRequestID(r.Context())
	if corr == "" {
		corr = uuid.NewString()
	}
	ts := now.UTC().Format(entraTimestamp)
	return entraTokenError{
		Error: errType,
		ErrorDescription: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			code, text, trace, corr, ts),
		ErrorCodes: []int{code}, Timestamp: ts, TraceID: trace, CorrelationID: corr,
	}
}

// tokenResponse holds the library's answer until it is complete.
type tokenResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (t *tokenResponse) Header() http.Header { return t.header }
func (t *tokenResponse) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
}
func (t *tokenResponse) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	return t.body.Write(b)
}

// maxTokenResponse bounds what is held: a token answer is a few KB.
const maxTokenResponse = 1 << 20

// grantRefusal keeps, for one request of the token endpoint, why the
// grant's user was refused (liveUser): the library answers a refresh whose
// token its storage refused with a bare invalid_grant (the cause is only
// its parent), so the reason is taken from here instead.
type grantRefusal struct{ desc string }

type grantRefusalKey struct{}

// refuseGrant notes e's description for the token endpoint's answer and
// returns e.
func refuseGrant(ctx context.Context, e *oidc.Error) *oidc.Error {
	if note, ok := ctx.Value(grantRefusalKey{}).(*grantRefusal); ok && note.desc == "" {
		note.desc = e.Description
	}
	return e
}

// entraTokenErrors serves the token endpoint through next, rewriting an
// OAuth error answer (4xx/5xx with a JSON "error") into Entra's shape. A
// bare invalid_grant takes the reason the grant's user was refused for,
// when one was noted (refuseGrant).
func (p *Provider) entraTokenErrors(next http.Handler, w http.ResponseWriter, r *http.Request) {
	rec := &tokenResponse{header: w.Header()}
	note := &grantRefusal{}
	next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), grantRefusalKey{}, note)))
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if rec.status < 400 || rec.body.Len() > maxTokenResponse || json.Unmarshal(rec.body.Bytes(), &oauth) != nil || oauth.Error == "" {
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	if oauth.Error == "invalid_grant" && oauth.Description == "" {
		oauth.Description = note.desc
	}
	body, err := json.Marshal(entraError(r, p.clock.Now(), oauth.Error, oauth.Description))
	if err != nil {
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.status)
	_, _ = w.Write(body)
}
