package federation_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/store"
)

// usedAssertions is a federation store that keeps only the assertions
// used (what the SAML replay check needs), as the real stores do: a key
// used before is store.ErrAlreadyExists.
type usedAssertions struct {
	federation.Store // nil: the test calls nothing else

	mu   sync.Mutex
	used map[string]bool
}

func (u *usedAssertions) ConsumeAssertion(_ context.Context, tenantID, key string, _, _ time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.used[tenantID+"/"+key] {
		return store.ErrAlreadyExists
	}
	u.used[tenantID+"/"+key] = true
	return nil
}

// samlPartner is a partner identity provider built with crewjam/saml (not
// guestgate's code) that answers one sign-in with a signed response.
type samlPartner struct {
	idp  *saml.IdentityProvider
	cert string // base64 DER
}

func newSAMLPartner(t *testing.T) *samlPartner {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "partner idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := url.Parse("https://idp.partner.example/metadata")
	sso, _ := url.Parse("https://idp.partner.example/sso")
	return &samlPartner{idp: &saml.IdentityProvider{Key: key, Certificate: cert, MetadataURL: *md, SSOURL: *sso},
		cert: base64.StdEncoding.EncodeToString(der)}
}

// answer is the partner's signed SAMLResponse for the sign-in st began,
// asserting email, to the service provider whose metadata is spMeta.
func (p *samlPartner) answer(t *testing.T, spMeta []byte, st federation.State, email string) string {
	t.Helper()
	var sp saml.EntityDescriptor
	if err := xml.Unmarshal(spMeta, &sp); err != nil {
		t.Fatal(err)
	}
	sso := &sp.SPSSODescriptors[0]
	now := time.Now()
	req := &saml.IdpAuthnRequest{
		IDP: p.idp, Now: now, HTTPRequest: httptest.NewRequest(http.MethodGet, p.idp.SSOURL.String(), nil), ServiceProviderMetadata: &sp, SPSSODescriptor: sso, ACSEndpoint: &sso.AssertionConsumerServices[0],
		Request: saml.AuthnRequest{ID: st.RequestID, AssertionConsumerServiceURL: sso.AssertionConsumerServices[0].Location,
			Issuer: &saml.Issuer{Value: sp.EntityID}},
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	s := &saml.Session{ID: hex.EncodeToString(id[:]), CreateTime: now, ExpireTime: now.Add(time.Hour), Index: hex.EncodeToString(id[:]),
		NameID: email, NameIDFormat: string(saml.EmailAddressNameIDFormat), UserEmail: email}
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		t.Fatal(err)
	}
	form, err := req.PostBinding()
	if err != nil {
		t.Fatal(err)
	}
	return form.SAMLResponse
}

// acs is the partner's answer posted to the assertion consumer service.
func acs(response string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/federation/saml/acs", strings.NewReader(url.Values{"SAMLResponse": {response}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// TestSAMLReplay (security round 2, tests a mutation showed missing): the
// SAML provider the service builds records each assertion it accepts, so
// the same signed response posted again is refused as a replay, while a
// fresh assertion for the same person is accepted.
func TestSAMLReplay(t *testing.T) {
	ctx := context.Background()
	const tenantID = "6f9619ff-8b86-4d01-b42d-00cf4fc964ff"
	used := &usedAssertions{used: map[string]bool{}}
	svc, err := federation.NewService(
		federation.Config{PublicURL: "https://id.guestgate.example", Key: []byte("federation-key-0123456789abcdef-0123")},
		federation.Deps{Store: used, Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	partner := newSAMLPartner(t)
	f := federation.Federation{TenantID: tenantID, ID: "saml-1", Kind: federation.KindSAML, Issuer: partner.idp.MetadataURL.String(),
		Domains: []string{"partner.example"}, Settings: federation.Settings{PassiveSignInURI: partner.idp.SSOURL.String(),
			SigningCertificates: []string{partner.cert}}}
	spMeta, err := svc.SAMLMetadata(tenantID)
	if err != nil {
		t.Fatal(err)
	}
	finish := func(st federation.State, response string) (federation.Identity, error) {
		p, err := svc.Provider(f)
		if err != nil {
			t.Fatal(err)
		}
		return p.Finish(ctx, st, acs(response))
	}

	st := federation.NewState("sam@partner.example")
	response := partner.answer(t, spMeta, st, "sam@partner.example")
	if id, err := finish(st, response); err != nil || id.Email != "sam@partner.example" {
		t.Fatalf("first use = %+v, %v; want sam@partner.example", id, err)
	}
	_, err = finish(st, response)
	var pe *federation.PartnerError
	if !errors.As(err, &pe) || pe.Problem != federation.ProblemReplay {
		t.Fatalf("F_replayed_assertion: second use = %v, want a replay refusal", err)
	}
	if len(used.used) != 1 {
		t.Fatalf("assertions recorded = %d, want 1", len(used.used))
	}

	st2 := federation.NewState("sam@partner.example")
	if id, err := finish(st2, partner.answer(t, spMeta, st2, "sam@partner.example")); err != nil || id.Email != "sam@partner.example" {
		t.Fatalf("a fresh assertion = %+v, %v; want accepted", id, err)
	}
}
