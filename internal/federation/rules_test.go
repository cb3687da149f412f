package federation

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"
)

func testCert(t *testing.T) string {
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

func TestCheck(t *testing.T) {
	cert := testCert(t)
	saml := func(mod func(*Federation)) Federation {
		f := Federation{ID: "new", Kind: KindSAML, DisplayName: "Partner", Issuer: "https://idp.partner.example/saml",
			Domains: []string{"partner.example"}, Settings: Settings{Protocol: ProtocolSAML,
				PassiveSignInURI: "https://idp.partner.example/sso", SigningCertificates: []string{cert}}}
		if mod != nil {
			mod(&f)
		}
		return f
	}
	oidc := Federation{ID: "o", Kind: KindOIDC, DisplayName: "Other", Issuer: "https://op.other.example/op",
		Domains: []string{"other.example"}, Settings: Settings{ClientID: "c", SealedSecret: "s"}}
	managed := map[string]bool{"contoso.example": true}
	cases := []struct {
		rule, name string
		f          Federation
		others     []Federation
		wantProp   string
		wantErr    error
		plainHTTP  bool // the deployment's development switch
	}{
		{rule: "F1", name: "saml_ok", f: saml(nil)},
		{rule: "F1", name: "oidc_ok", f: oidc},
		{rule: "F4_plain_http_issuer_refused", name: "loopback", f: withIssuer(oidc, "http://127.0.0.1:9/op"), wantProp: "issuer"},
		{rule: "F4_plain_http_issuer_refused", name: "remote", f: withIssuer(oidc, "http://op.other.example/op"), wantProp: "issuer"},
		{rule: "F4_plain_http_with_development_switch", name: "issuer", f: withIssuer(oidc, "http://127.0.0.1:9/op"), plainHTTP: true},
		{rule: "F4_plain_http_with_development_switch", name: "sign_in", f: saml(func(f *Federation) { f.Settings.PassiveSignInURI = "http://127.0.0.1:9/sso" }), plainHTTP: true},
		{rule: "F4_plain_http_sign_in_refused", name: "loopback", f: saml(func(f *Federation) { f.Settings.PassiveSignInURI = "http://127.0.0.1:9/sso" }), wantProp: "passiveSignInUri"},
		{rule: "F4_not_a_url", name: "scheme", f: withIssuer(oidc, "ftp://op.other.example/op"), plainHTTP: true, wantProp: "issuer"},
		{rule: "F1", name: "google_ok", f: Federation{ID: GoogleID, Kind: KindGoogle, DisplayName: "Google", Issuer: GoogleIssuer, Settings: Settings{ClientID: "c", SealedSecret: "s"}}},
		{rule: "F2_managed_verified_domain_refused", name: "managed", f: saml(func(f *Federation) { f.Domains = []string{"contoso.example"} }), wantProp: "domains"},
		{rule: "F3_one_federation_per_domain", name: "taken", f: saml(func(f *Federation) { f.Domains = []string{"other.example"} }), others: []Federation{oidc}, wantProp: "domains"},
		{rule: "F3_one_federation_per_domain", name: "itself_not_a_conflict", f: saml(nil), others: []Federation{saml(nil)}},
		{rule: "F4_issuer_unique", name: "same_issuer", f: saml(func(f *Federation) { f.Issuer = oidc.Issuer }), others: []Federation{oidc}, wantProp: "issuerUri"},
		{rule: "F5_wsfed_refused", name: "wsfed", f: saml(func(f *Federation) { f.Settings.Protocol = ProtocolWSFed }), wantErr: ErrWSFedUnsupported},
		{rule: "F1", name: "bad_protocol", f: saml(func(f *Federation) { f.Settings.Protocol = "x" }), wantProp: "preferredAuthenticationProtocol"},
		{rule: "F1", name: "no_certificate", f: saml(func(f *Federation) { f.Settings.SigningCertificates = nil }), wantProp: "signingCertificate"},
		{rule: "F1", name: "bad_certificate", f: saml(func(f *Federation) { f.Settings.SigningCertificates = []string{"bm90IGEgY2VydA=="} }), wantProp: "signingCertificate"},
		{rule: "F1", name: "plain_http_remote_refused", f: saml(func(f *Federation) { f.Settings.PassiveSignInURI = "http://idp.partner.example/sso" }), wantProp: "passiveSignInUri"},
		{rule: "F1", name: "no_domains", f: saml(func(f *Federation) { f.Domains = nil }), wantProp: "domains"},
		{rule: "F1", name: "bad_domain", f: saml(func(f *Federation) { f.Domains = []string{"Partner.example"} }), wantProp: "domains"},
		{rule: "F1", name: "oidc_no_secret", f: func() Federation { f := oidc; f.Settings.SealedSecret = ""; return f }(), wantProp: "clientSecret"},
		{rule: "F1", name: "google_no_domains", f: Federation{Kind: KindGoogle, DisplayName: "Google", Domains: []string{"x.example"}, Settings: Settings{ClientID: "c", SealedSecret: "s"}}, wantProp: "domains"},
	}
	for _, c := range cases {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			err := Check(c.f, c.others, managed, c.plainHTTP)
			var ve *ValidationError
			switch {
			case c.wantErr != nil:
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Check = %v, want %v", err, c.wantErr)
				}
			case c.wantProp != "":
				if !errors.As(err, &ve) || ve.Property != c.wantProp || ve.Code == "" {
					t.Fatalf("Check = %#v, want a validation error on %s with a code", err, c.wantProp)
				}
			case err != nil:
				t.Fatalf("Check = %v, want nil", err)
			}
		})
	}
}

func withIssuer(f Federation, issuer string) Federation {
	f.Issuer = issuer
	return f
}

func TestCheckEmail(t *testing.T) {
	if err := CheckEmail("ana@partner.example", "Ana@Partner.example"); err != nil {
		t.Fatalf("F6_same_address_any_case: %v", err)
	}
	var pe *PartnerError
	if err := CheckEmail("ana@partner.example", "bob@partner.example"); !errors.As(err, &pe) || pe.Problem != ProblemWrongAccount {
		t.Fatalf("F6_other_address_refused: %v", err)
	}
}
