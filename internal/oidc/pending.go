package oidc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A pending authorization request lives in the browser, not in the store:
// the id the login pages carry (a "handle") is the request itself, sealed
// with AES-256-GCM under a key derived for this purpose, the tenant id as
// additional data, so it opens only in its tenant and cannot be altered.
// The store first holds the request when the user has signed in: the
// completion inserts it, in the transaction that uses the passcode and
// starts the session. That spares every sign-in the commit the authorize
// step used to make, and an abandoned sign-in leaves nothing to clean up.
//
// A handle completes once: the random id inside it is the stored row's
// key, so a second completion finds the row (ErrAuthRequestDone). The row
// outlives its code: the exchange only marks it redeemed, and the cleanup
// keeps it until the handle no longer opens, so a handle replayed after
// the exchange, or after its code expired, gets no second code. From the
// completion on, the request is known by that id (the callback URL, the
// code), exactly as requests stored at authorize used to be.

// pendingPrefix marks a handle; stored request ids are UUIDs.
const pendingPrefix = "p1."

// maxPendingHandle bounds a handle, which travels in URLs and forms: an
// authorization request too large for it is refused at authorize.
const maxPendingHandle = 3000

// errRequestTooLarge refuses an authorization request whose parameters
// (state, nonce, login_hint, …) make its handle longer than maxPendingHandle.
var errRequestTooLarge = errors.New("the authorization request is too large")

// isPendingHandle tells a handle from a stored request's id.
func isPendingHandle(id string) bool { return strings.HasPrefix(id, pendingPrefix) }

// pendingSealer seals pending requests with the current key and opens them
// with it or an earlier secret's, so a sign-in in progress survives a
// secret rotation.
type pendingSealer struct{ aeads []cipher.AEAD }

func newPendingSealer(keys [][32]byte) (*pendingSealer, error) {
	s := &pendingSealer{}
	for _, k := range keys {
		block, err := aes.NewCipher(deriveKey(k, "guestgate pending authorization request"))
		if err != nil {
			return nil, fmt.Errorf("pending requests: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("pending requests: %w", err)
		}
		s.aeads = append(s.aeads, aead)
	}
	if len(s.aeads) == 0 {
		return nil, errors.New("pending requests: no key")
	}
	return s, nil
}

// pendingWire is a pending request in a handle, with short names: every
// byte travels in the sign-in pages' URLs.
type pendingWire struct {
	ID                  string   `json:"i"`
	ClientID            string   `json:"c"`
	RedirectURI         string   `json:"r"`
	Scopes              []string `json:"s,omitempty"`
	State               string   `json:"st,omitempty"`
	Nonce               string   `json:"n,omitempty"`
	ResponseType        string   `json:"rt"`
	ResponseMode        string   `json:"rm,omitempty"`
	Prompt              []string `json:"p,omitempty"`
	MaxAge              int64    `json:"ma"`
	LoginHint           string   `json:"lh,omitempty"`
	UILocales           []string `json:"ul,omitempty"`
	CodeChallenge       string   `json:"cc,omitempty"`
	CodeChallengeMethod string   `json:"cm,omitempty"`
	CreatedAt           int64    `json:"ct"` // Unix milliseconds
	ExpiresAt           int64    `json:"et"` // Unix milliseconds
}

func additionalData(tenantID string) []byte {
	return []byte("guestgate pending authorization request\x00" + tenantID)
}

// seal returns the handle of a pending request.
func (s *pendingSealer) seal(rec AuthRequestRecord) (string, error) {
	plain, err := json.Marshal(pendingWire{
		ID: rec.ID, ClientID: rec.ClientID, RedirectURI: rec.RedirectURI, Scopes: rec.Scopes,
		State: rec.State, Nonce: rec.Nonce, ResponseType: rec.ResponseType, ResponseMode: rec.ResponseMode,
		Prompt: rec.Prompt, MaxAge: rec.MaxAge, LoginHint: rec.LoginHint, UILocales: rec.UILocales,
		CodeChallenge: rec.CodeChallenge, CodeChallengeMethod: rec.CodeChallengeMethod,
		CreatedAt: rec.CreatedAt.UnixMilli(), ExpiresAt: rec.ExpiresAt.UnixMilli(),
	})
	if err != nil {
		return "", fmt.Errorf("seal pending request: %w", err)
	}
	aead := s.aeads[0]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal pending request: %w", err)
	}
	h := pendingPrefix + base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, additionalData(rec.TenantID)))
	if len(h) > maxPendingHandle {
		return "", errRequestTooLarge
	}
	return h, nil
}

// open returns the request a handle holds, if it was sealed for tenantID
// and has not expired at now; any failure is ErrAuthRequestNotFound.
func (s *pendingSealer) open(tenantID, handle string, now time.Time) (AuthRequestRecord, error) {
	if len(handle) > maxPendingHandle || !isPendingHandle(handle) {
		return AuthRequestRecord{}, ErrAuthRequestNotFound
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(handle, pendingPrefix))
	if err != nil {
		return AuthRequestRecord{}, ErrAuthRequestNotFound
	}
	for _, aead := range s.aeads {
		if len(raw) < aead.NonceSize() {
			break
		}
		plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], additionalData(tenantID))
		if err != nil {
			continue
		}
		var w pendingWire
		if json.Unmarshal(plain, &w) != nil {
			return AuthRequestRecord{}, ErrAuthRequestNotFound
		}
		rec := w.record(tenantID)
		if !rec.ExpiresAt.After(now) {
			return AuthRequestRecord{}, ErrAuthRequestNotFound
		}
		return rec, nil
	}
	return AuthRequestRecord{}, ErrAuthRequestNotFound
}

func (w pendingWire) record(tenantID string) AuthRequestRecord {
	return AuthRequestRecord{
		TenantID: tenantID, ID: w.ID, ClientID: w.ClientID, RedirectURI: w.RedirectURI, Scopes: w.Scopes,
		State: w.State, Nonce: w.Nonce, ResponseType: w.ResponseType, ResponseMode: w.ResponseMode,
		Prompt: w.Prompt, MaxAge: w.MaxAge, LoginHint: w.LoginHint, UILocales: w.UILocales,
		CodeChallenge: w.CodeChallenge, CodeChallengeMethod: w.CodeChallengeMethod,
		CreatedAt: time.UnixMilli(w.CreatedAt).UTC(), ExpiresAt: time.UnixMilli(w.ExpiresAt).UTC(),
	}
}
