package federation

import (
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"strings"
)

// Check applies the product's rules to a federation about to be saved
// (created or changed): its settings make sense for its kind, WS-Fed is
// refused, each domain is a domain name that no managed tenant of the
// deployment verifies (managedVerified) and no other federation of the
// tenant (others; f itself may be among them) claims, and no two
// federations of the tenant share an issuer. Its URLs are https; plain
// http only when plainHTTP, the deployment's development switch (issue
// 20, finding 4). It is pure: the caller gathers others and
// managedVerified.
func Check(f Federation, others []Federation, managedVerified map[string]bool, plainHTTP bool) error {
	if strings.TrimSpace(f.DisplayName) == "" {
		return invalid("displayName", "display_name_required", "a display name is required")
	}
	switch f.Kind {
	case KindSAML:
		if err := checkSAML(f, plainHTTP); err != nil {
			return err
		}
	case KindOIDC:
		if err := checkURL("issuer", f.Issuer, plainHTTP); err != nil {
			return err
		}
		if err := checkClient(f); err != nil {
			return err
		}
	case KindGoogle:
		if len(f.Domains) > 0 {
			return invalid("domains", "google_domains", "Google federation applies to gmail.com and googlemail.com only")
		}
		return checkClient(f)
	default:
		return invalid("@odata.type", "unknown_kind", "unknown kind of identity provider")
	}
	if len(f.Domains) == 0 {
		return invalid("domains", "domains_required", "at least one domain is required")
	}
	seen := map[string]bool{}
	for _, d := range f.Domains {
		if !ValidDomain(d) {
			return invalid("domains", "not_a_domain", "\""+d+"\" is not a domain name", d)
		}
		if seen[d] {
			return invalid("domains", "domain_twice", "\""+d+"\" is listed twice", d)
		}
		seen[d] = true
		if managedVerified[d] {
			return invalid("domains", "domain_verified", "\""+d+"\" is a verified domain of an organization of this deployment; its users sign in at their organization, so it cannot be federated", d)
		}
	}
	for _, o := range others {
		if o.ID == f.ID {
			continue
		}
		for _, d := range o.Domains {
			if seen[d] {
				return invalid("domains", "domain_federated", "\""+d+"\" is already federated with "+o.DisplayName, d, o.DisplayName)
			}
		}
		if o.Kind != KindGoogle && f.Kind != KindGoogle && o.Issuer == f.Issuer {
			return invalid("issuerUri", "issuer_taken", "another federation of this organization has the issuer "+f.Issuer, f.Issuer)
		}
	}
	return nil
}

func checkSAML(f Federation, plainHTTP bool) error {
	s := f.Settings
	switch s.Protocol {
	case ProtocolSAML:
	case ProtocolWSFed:
		return ErrWSFedUnsupported
	default:
		return invalid("preferredAuthenticationProtocol", "protocol", "must be \"saml\" (or \"wsFed\", which this deployment does not support)")
	}
	if strings.TrimSpace(f.Issuer) == "" {
		return invalid("issuerUri", "issuer_required", "the issuer URI of the partner's identity provider is required")
	}
	if err := checkURL("passiveSignInUri", s.PassiveSignInURI, plainHTTP); err != nil {
		return err
	}
	if len(s.SigningCertificates) == 0 {
		return invalid("signingCertificate", "certificate_required", "a signing certificate (or a metadata URL that names one) is required")
	}
	for _, c := range s.SigningCertificates {
		if _, err := ParseCertificate(c); err != nil {
			return invalid("signingCertificate", "certificate_invalid", "not a base64-encoded X.509 certificate")
		}
	}
	return nil
}

func checkClient(f Federation) error {
	if strings.TrimSpace(f.Settings.ClientID) == "" {
		return invalid("clientId", "client_id_required", "a client id is required")
	}
	if f.Settings.SealedSecret == "" {
		return invalid("clientSecret", "client_secret_required", "a client secret is required")
	}
	return nil
}

// checkURL requires an absolute https URL; plain http only with the
// deployment's development switch (plainHTTP). Which addresses may be
// fetched is decided when they are dialled (internal/egress), not here.
func checkURL(prop, raw string, plainHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return invalid(prop, "url", "must be an absolute https URL")
	}
	if u.Scheme == "https" || u.Scheme == "http" && plainHTTP {
		return nil
	}
	return invalid(prop, "url", "must be an absolute https URL")
}

// ValidDomain reports a lower-case domain name of at least two labels.
func ValidDomain(d string) bool {
	if len(d) > 253 || d != strings.ToLower(d) {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// ParseCertificate reads a base64 DER certificate (PEM armour and
// whitespace are tolerated).
func ParseCertificate(b64 string) (*x509.Certificate, error) {
	s := strings.TrimSpace(b64)
	s = strings.TrimPrefix(s, "-----BEGIN CERTIFICATE-----")
	s = strings.TrimSuffix(s, "-----END CERTIFICATE-----")
	s = strings.Join(strings.Fields(s), "")
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// NormalizeCertificate is a certificate as stored: base64 DER on one line.
func NormalizeCertificate(b64 string) (string, error) {
	c, err := ParseCertificate(b64)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(c.Raw), nil
}

// CheckEmail requires that the partner vouched for the invited address.
func CheckEmail(invited, proved string) error {
	if !strings.EqualFold(strings.TrimSpace(proved), invited) {
		return &PartnerError{Problem: ProblemWrongAccount, Detail: "the identity provider signed in \"" + proved + "\"; the invitation is for \"" + invited + "\""}
	}
	return nil
}
