package federation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Provider runs one federation's protocol, as a Dex connector does: the
// sign-in service sends the browser to AuthURL and hands the partner's
// answer to Finish. Providers are cheap to make (Service.Provider) and
// used for one sign-in.
type Provider interface {
	// AuthURL is where the browser goes to sign in at the partner. relay
	// comes back unchanged with the answer (SAML RelayState, OAuth state).
	AuthURL(ctx context.Context, st State, relay string) (string, error)
	// Finish checks the partner's answer (the request at the SAML
	// assertion consumer service or the OpenID Connect redirect URI) for
	// the sign-in st began. Failures a partner causes are *PartnerError.
	Finish(ctx context.Context, st State, r *http.Request) (Identity, error)
}

// MetadataProvider is a Provider that publishes metadata for the partner
// to configure its side (the SAML service-provider metadata).
type MetadataProvider interface {
	Metadata() ([]byte, error)
}

// State is what a sign-in keeps (sealed by the caller) between AuthURL
// and Finish.
type State struct {
	// RequestID is the SAML AuthnRequest id.
	RequestID string `json:"rid,omitempty"`
	// Nonce and Verifier are OpenID Connect's nonce and PKCE verifier.
	Nonce    string `json:"n,omitempty"`
	Verifier string `json:"v,omitempty"`
	// LoginHint is the invited address, sent as a hint where the protocol allows.
	LoginHint string `json:"lh,omitempty"`
}

// NewState returns fresh random values for a sign-in.
func NewState(loginHint string) State {
	return State{RequestID: "id-" + randomHex(20), Nonce: randomHex(16), Verifier: randomHex(32), LoginHint: loginHint}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
