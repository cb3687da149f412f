package e2etest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/guestgate/guestgate/internal/server"
)

// SAMLPartner is a partner's SAML identity provider built with
// crewjam/saml (not guestgate's code), on 127.0.0.1. It signs in whoever
// it is told to (email), and tamper, if set, changes each assertion
// before it is signed.
type SAMLPartner struct {
	T      *testing.T
	idp    *saml.IdentityProvider
	Srv    *httptest.Server
	CertB4 string
	spMeta string // the service provider's metadata URL

	mu     sync.Mutex
	email  string
	tamper func(*saml.Assertion)
}

// StartSAMLPartner starts a SAML partner that fetches the service
// provider's metadata from spMetadataURL; it stops when the test ends.
func StartSAMLPartner(t *testing.T, spMetadataURL string) *SAMLPartner {
	t.Helper()
	p := &SAMLPartner{T: t, spMeta: spMetadataURL}
	key, cert := NewKeyPair(t)
	p.CertB4 = base64.StdEncoding.EncodeToString(cert.Raw)
	mux := http.NewServeMux()
	p.Srv = httptest.NewServer(mux)
	t.Cleanup(p.Srv.Close)
	base, _ := url.Parse(p.Srv.URL)
	p.idp = &saml.IdentityProvider{
		Key: key, Certificate: cert,
		MetadataURL: *base.JoinPath("metadata"), SSOURL: *base.JoinPath("sso"),
		SessionProvider: p, ServiceProviderProvider: p, AssertionMaker: p,
	}
	mux.HandleFunc("/metadata", p.idp.ServeMetadata)
	mux.HandleFunc("/sso", p.idp.ServeSSO)
	return p
}

// RotateKey makes the partner sign with a new key the tenant does not know.
func (p *SAMLPartner) RotateKey() {
	key, cert := NewKeyPair(p.T)
	p.idp.Key, p.idp.Certificate = key, cert
}

// SignInAs makes the partner sign in email from now on, its assertions
// changed by tamper if set.
func (p *SAMLPartner) SignInAs(email string, tamper func(*saml.Assertion)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.email, p.tamper = email, tamper
}

// GetSession is the partner's saml.SessionProvider: the person SignInAs named.
func (p *SAMLPartner) GetSession(_ http.ResponseWriter, _ *http.Request, _ *saml.IdpAuthnRequest) *saml.Session {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	return &saml.Session{ID: random(), CreateTime: now, ExpireTime: now.Add(time.Hour), Index: random(),
		NameID: p.email, NameIDFormat: string(saml.EmailAddressNameIDFormat), UserEmail: p.email}
}

// GetServiceProvider is the partner's saml.ServiceProviderProvider: the
// service provider's metadata, fetched.
func (p *SAMLPartner) GetServiceProvider(_ *http.Request, _ string) (*saml.EntityDescriptor, error) {
	resp, err := http.Get(p.spMeta)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(raw, &ed); err != nil {
		return nil, err
	}
	return &ed, nil
}

// MakeAssertion is the partner's saml.AssertionMaker: the default
// assertion, then tamper's changes.
func (p *SAMLPartner) MakeAssertion(req *saml.IdpAuthnRequest, s *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	p.mu.Lock()
	tamper := p.tamper
	p.mu.Unlock()
	if tamper != nil {
		tamper(req.Assertion)
	}
	return nil
}

// Answer follows the redirect to the partner and reads the form.
func (p *SAMLPartner) Answer(b *Browser, toPartner Page) samlPost {
	p.T.Helper()
	if toPartner.Status != http.StatusSeeOther || !strings.HasPrefix(toPartner.Location, p.Srv.URL+"/sso?") {
		p.T.Fatalf("want a redirect to the partner's SAML sign-in, got %d → %q:\n%s", toPartner.Status, toPartner.Location, toPartner.Body)
	}
	pg := b.Get(toPartner.Location)
	resp, relay, action := samlResponseRe.FindStringSubmatch(pg.Body), relayStateRe.FindStringSubmatch(pg.Body), formActionRe.FindStringSubmatch(pg.Body)
	if pg.Status != http.StatusOK || resp == nil || relay == nil || action == nil {
		p.T.Fatalf("the partner's answer page = %d:\n%s", pg.Status, pg.Body)
	}
	return samlPost{action: html.UnescapeString(action[1]), Form: url.Values{
		"SAMLResponse": {html.UnescapeString(resp[1])}, "RelayState": {html.UnescapeString(relay[1])},
	}}
}

// Post sends the partner's form to the ACS, as the browser does (cross-site).
func (b *Browser) Post(sp samlPost, origin string) Page {
	b.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, sp.action, strings.NewReader(sp.Form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	return b.Do(req)
}

// LoopbackPartners lets guestgate reach the tests' partners, which run on
// 127.0.0.1 over plain http: the development switch and the allow-list,
// set explicitly (the production default refuses both, issue 20 finding 4).
func LoopbackPartners(c *server.Config) {
	c.FederationAllowHTTP = true
	c.FederationAllowAddresses = "127.0.0.0/8,::1"
}

// BackAtFabrikam follows the callback's redirect to the return step and
// through Review permissions (first redemption) to the app.
func (rp *RelyingParty) BackAtFabrikam(b *Browser, callback Page) Page {
	rp.T.Helper()
	if callback.Status != http.StatusSeeOther || !strings.HasPrefix(callback.Location, "/"+rp.Tenant.ID+"/login/federation/return?proof=") {
		rp.T.Fatalf("after the partner, want the return step, got %d → %q:\n%s", callback.Status, callback.Location, callback.Body)
	}
	done := b.Get(rp.In.URL + callback.Location)
	if strings.HasSuffix(done.Location, "/consent") {
		rp.Consents++
		done = rp.In.ConsentStep(b, done, rp.Tenant)
	}
	return b.Follow(rp.In, done)
}

// ToPartner gives the address at the app's sign-in. The answer to that
// form post is a page that moves on to the partner by itself (a meta
// refresh, with the link), since browsers hold a redirect after a form
// post to the page's CSP form-action; it is returned as the redirect a
// browser follows.
func (rp *RelyingParty) ToPartner(b *Browser, addr string) (AuthFlow, Page) {
	rp.T.Helper()
	f := rp.Begin()
	login := b.Follow(rp.In, b.Get(f.URL))
	p := b.Submit(rp.In.URL, login, "/"+rp.Tenant.ID+"/login/next", map[string]string{"email": addr})
	link := ActionLinkRe.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || link == nil {
		return f, p
	}
	to := html.UnescapeString(link[1])
	if !strings.Contains(html.UnescapeString(p.Body), `<meta http-equiv="refresh" content="0;url=`+to+`">`) {
		rp.T.Fatalf("the way to the partner moves on by itself (meta refresh to %s):\n%s", to, p.Body)
	}
	return f, Page{Status: http.StatusSeeOther, Location: to, Header: p.Header}
}

// NewKeyPair returns a new RSA key and a self-signed certificate for it.
func NewKeyPair(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "partner idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return k, c
}

var (
	samlResponseRe = regexp.MustCompile(`name="SAMLResponse" value="([^"]*)"`)
	relayStateRe   = regexp.MustCompile(`name="RelayState" value="([^"]*)"`)
	formActionRe   = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
)

// samlPost is the partner's answer: the form its page posts to the ACS.
type samlPost struct {
	action string
	Form   url.Values
}
