package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runWithInput(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(input))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestIdPCommands: idp add (SAML with a certificate file, Google with the
// secret on standard input), list (no secret), remove; a secret needs the
// deployment secret; a domain a tenant verified cannot be federated (F2).
func TestIdPCommands(t *testing.T) {
	t.Setenv("GUESTGATE_SECRET", "")
	dir := t.TempDir()
	db := "--database-url=" + filepath.Join(dir, "cli.db")
	if out, err := run(t, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	if out, err := run(t, "tenant", "create", db, "--name", "Contoso", "--domain", "contoso.example"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	certFile := filepath.Join(dir, "idp.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	saml := []string{"idp", "add", db, "--tenant", "fabrikam.example", "--type", "saml", "--name", "Partner",
		"--issuer", "https://idp.partner.example/saml", "--sign-in-url", "https://idp.partner.example/sso", "--certificate-file", certFile, "--output", "json"}
	if out, err := run(t, append(saml, "--domain", "contoso.example")...); err == nil || !strings.Contains(err.Error(), "verified domain") {
		t.Fatalf("F2_managed_verified_domain_refused: %q, %v", out, err)
	}
	out, err := run(t, append(saml, "--domain", "partner.example")...)
	var added struct{ ID, Type, IdP string }
	if err != nil || json.Unmarshal([]byte(out), &added) != nil || added.Type != "saml" || added.IdP != "https://idp.partner.example/saml" {
		t.Fatalf("idp add saml = %q, %v", out, err)
	}
	google := []string{"idp", "add", db, "--tenant", "fabrikam.example", "--type", "google", "--client-id", "123.apps.example"}
	if out, err := runWithInput(t, "s3cret-value\n", google...); err == nil || !strings.Contains(err.Error(), "GUESTGATE_SECRET") {
		t.Fatalf("a client secret without the deployment secret = %q, %v", out, err)
	}
	// The deployment secret comes from the environment, never a flag.
	t.Setenv("GUESTGATE_SECRET", "cli-test-secret-0123456789abcdef0123")
	if out, err := runWithInput(t, "s3cret-value\n", google...); err != nil {
		t.Fatalf("idp add google: %v\n%s", err, out)
	}
	out, err = run(t, "idp", "list", db, "--tenant", "fabrikam.example", "--output", "json")
	if err != nil || strings.Contains(out, "s3cret-value") || !strings.Contains(out, "google.com") || !strings.Contains(out, "partner.example") {
		t.Fatalf("idp list = %q, %v", out, err)
	}
	if out, err := run(t, "idp", "remove", db, "--tenant", "fabrikam.example", "--id", added.ID); err != nil {
		t.Fatalf("idp remove: %v\n%s", err, out)
	}
	if out, err := run(t, "idp", "list", db, "--tenant", "fabrikam.example"); err != nil || strings.Contains(out, "partner.example") {
		t.Fatalf("idp list after remove = %q, %v", out, err)
	}
}
