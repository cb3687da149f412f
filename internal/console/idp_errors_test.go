package console

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/i18n"
)

func testCertificate(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// TestFederationMessagesAsTheAPI: every refusal of federation.Check reads
// on the form as the API's message in English (as a sentence), and in
// Japanese as a translation naming the same values.
func TestFederationMessagesAsTheAPI(t *testing.T) {
	cert := testCertificate(t)
	saml := func(mod func(*federation.Federation)) federation.Federation {
		f := federation.Federation{ID: "new", Kind: federation.KindSAML, DisplayName: "Partner", Issuer: "https://idp.partner.example/saml",
			Domains: []string{"partner.example"}, Settings: federation.Settings{Protocol: federation.ProtocolSAML,
				PassiveSignInURI: "https://idp.partner.example/sso", SigningCertificates: []string{cert}}}
		mod(&f)
		return f
	}
	other := federation.Federation{ID: "o", Kind: federation.KindOIDC, DisplayName: "Other IdP", Issuer: "https://op.other.example",
		Domains: []string{"other.example"}, Settings: federation.Settings{ClientID: "c", SealedSecret: "s"}}
	cases := []struct {
		name, field string
		f           federation.Federation
	}{
		{"display_name_required", "displayName", saml(func(f *federation.Federation) { f.DisplayName = "" })},
		{"domains_required", "domains", saml(func(f *federation.Federation) { f.Domains = nil })},
		{"not_a_domain", "domains", saml(func(f *federation.Federation) { f.Domains = []string{"nodot"} })},
		{"domain_twice", "domains", saml(func(f *federation.Federation) { f.Domains = []string{"a.example", "a.example"} })},
		{"domain_verified", "domains", saml(func(f *federation.Federation) { f.Domains = []string{"fabrikam.example"} })},
		{"domain_federated", "domains", saml(func(f *federation.Federation) { f.Domains = []string{"other.example"} })},
		{"issuer_taken", "issuerUri", saml(func(f *federation.Federation) { f.Issuer = other.Issuer })},
		{"protocol", "protocol", saml(func(f *federation.Federation) { f.Settings.Protocol = "x" })},
		{"issuer_required", "issuerUri", saml(func(f *federation.Federation) { f.Issuer = "" })},
		{"url", "passiveSignInUri", saml(func(f *federation.Federation) { f.Settings.PassiveSignInURI = "ftp://x" })},
		{"certificate_required", "signingCertificate", saml(func(f *federation.Federation) { f.Settings.SigningCertificates = nil })},
		{"certificate_invalid", "signingCertificate", saml(func(f *federation.Federation) { f.Settings.SigningCertificates = []string{"bm90"} })},
		{"client_id_required", "clientId", federation.Federation{Kind: federation.KindGoogle, DisplayName: "Google", Settings: federation.Settings{SealedSecret: "s"}}},
		{"client_secret_required", "clientSecret", federation.Federation{Kind: federation.KindGoogle, DisplayName: "Google", Settings: federation.Settings{ClientID: "c"}}},
		{"google_domains", "domains", federation.Federation{Kind: federation.KindGoogle, DisplayName: "Google", Domains: []string{"x.example"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := federation.Check(c.f, []federation.Federation{other}, map[string]bool{"fabrikam.example": true}, false)
			var ve *federation.ValidationError
			if !errors.As(err, &ve) || ve.Code != c.name {
				t.Fatalf("Check = %#v, want the rule %s", err, c.name)
			}
			en, ok := fedMessage("en", err)
			if !ok || en.Field != c.field || en.Message != sentence(ve.Message) {
				t.Fatalf("form says %+v, API %q on %s", en, ve.Message, ve.Property)
			}
			ja, _ := fedMessage("ja", err)
			if ja.Message == en.Message || ja.Field != c.field {
				t.Fatalf("no Japanese message: %+v", ja)
			}
			for _, a := range ve.Args {
				if !regexp.MustCompile(regexp.QuoteMeta(a)).MatchString(ja.Message) {
					t.Fatalf("Japanese %q does not name %q", ja.Message, a)
				}
			}
		})
	}
	wsfed, _ := fedMessage("en", federation.Check(saml(func(f *federation.Federation) { f.Settings.Protocol = federation.ProtocolWSFed }), nil, nil, false))
	if wsfed.Message != federation.ErrWSFedUnsupported.Error()+"." || wsfed.Field != "protocol" {
		t.Fatalf("WS-Fed: %+v", wsfed)
	}
	// Issue 20, finding 4: a metadata URL that could not be fetched is a
	// generic message, never the cause (a port, a status, the answer).
	for _, lang := range []string{"en", "ja"} {
		md, _ := fedMessage(lang, fmt.Errorf("%w from http://127.0.0.1:6379/metadata: dial tcp 127.0.0.1:6379: connection refused; -ERR internal-only", federation.ErrMetadataUnavailable))
		if md.Field != "metadataUrl" || md.Message == "" || strings.ContainsAny(md.Message, "%") {
			t.Fatalf("metadata (%s): %+v", lang, md)
		}
		for _, leak := range []string{"6379", "refused", "internal-only", "ERR"} {
			if strings.Contains(md.Message, leak) {
				t.Fatalf("F4_errors_generic (%s): the form shows %q: %s", lang, leak, md.Message)
			}
		}
	}
	if md, _ := fedMessage("en", federation.ErrMetadataUnavailable); md.Message != "The federation metadata could not be fetched from the metadata URL, so nothing was saved. Check that the URL is the partner's https metadata address." {
		t.Fatalf("the form should say what the API says: %q", md.Message)
	}
}

// TestFederationRulesTranslated: every rule the federation package refuses
// a value under has a message in each language, and the English one of a
// fixed message is the API's word for word.
func TestFederationRulesTranslated(t *testing.T) {
	files, err := filepath.Glob("../federation/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("federation sources: %v %v", files, err)
	}
	call := regexp.MustCompile(`invalid\((?:"[^"]*"|prop), "([a-z_]+)", ("(?:[^"\\]|\\.)*")(.)`)
	seen := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			seen++
			key := "console.idps.err." + m[1]
			for _, l := range i18n.Languages {
				if !i18n.Has(l, key) {
					t.Errorf("%s: no %s message for the rule %s", name, l, m[1])
				}
			}
			if msg, err := strconv.Unquote(m[2]); err == nil && m[3] == ")" && i18n.T("en", key) != msg {
				t.Errorf("rule %s: English %q, API %q", m[1], i18n.T("en", key), msg)
			}
		}
	}
	if seen < 24 {
		t.Fatalf("found %d rules in the federation package; the pattern no longer matches its calls", seen)
	}
}
