package federation

import (
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/url"
	"strings"
)

// Check applies the product's rules to a federation about to be saved
// (created or changed): its settings make sense for its kind, WS-Fed is
// refused, each domain is a domain name that no managed tenant of the
// deployment verifies (managedVerified) and no other federation of the
// tenant (others; f itself may be among them) claims, and no two
// federations of the tenant share an issuer. It is pure: the caller
// gathers others and managedVerified.
func Check(f Federation, others []Federation, managedVerified map[string]bool) error {
	if strings.TrimSpace(f.DisplayName) == "" {
		return &ValidationError{Property: "displayName", Message: "a display name is required"}
	}
	switch f.Kind {
	case KindSAML:
		if err := checkSAML(f); err != nil {
			return err
		}
	case KindOIDC:
		if err := checkURL("issuer", f.Issuer); err != nil {
			return err
		}
		if err := checkClient(f); err != nil {
			return err
		}
	case KindGoogle:
		if len(f.Domains) > 0 {
			return &ValidationError{Property: "domains", Message: "Google federation applies to gmail.com and googlemail.com only"}
		}
		return checkClient(f)
	default:
		return &ValidationError{Property: "@odata.type", Message: "unknown kind of identity provider"}
	}
	if len(f.Domains) == 0 {
		return &ValidationError{Property: "domains", Message: "at least one domain is required"}
	}
	seen := map[string]bool{}
	for _, d := range f.Domains {
		if !ValidDomain(d) {
			return &ValidationError{Property: "domains", Message: "\"" + d + "\" is not a domain name"}
		}
		if seen[d] {
			return &ValidationError{Property: "domains", Message: "\"" + d + "\" is listed twice"}
		}
		seen[d] = true
		if managedVerified[d] {
			return &ValidationError{Property: "domains", Message: "\"" + d + "\" is a verified domain of an organization of this deployment; its users sign in at their organization, so it cannot be federated"}
		}
	}
	for _, o := range others {
		if o.ID == f.ID {
			continue
		}
		for _, d := range o.Domains {
			if seen[d] {
				return &ValidationError{Property: "domains", Message: "\"" + d + "\" is already federated with " + o.DisplayName}
			}
		}
		if o.Kind != KindGoogle && f.Kind != KindGoogle && o.Issuer == f.Issuer {
			return &ValidationError{Property: "issuerUri", Message: "another federation of this organization has the issuer " + f.Issuer}
		}
	}
	return nil
}

func checkSAML(f Federation) error {
	s := f.Settings
	switch s.Protocol {
	case ProtocolSAML:
	case ProtocolWSFed:
		return ErrWSFedUnsupported
	default:
		return &ValidationError{Property: "preferredAuthenticationProtocol", Message: "must be \"saml\" (or \"wsFed\", which this deployment does not support)"}
	}
	if strings.TrimSpace(f.Issuer) == "" {
		return &ValidationError{Property: "issuerUri", Message: "the issuer URI of the partner's identity provider is required"}
	}
	if err := checkURL("passiveSignInUri", s.PassiveSignInURI); err != nil {
		return err
	}
	if len(s.SigningCertificates) == 0 {
		return &ValidationError{Property: "signingCertificate", Message: "a signing certificate (or a metadata URL that names one) is required"}
	}
	for _, c := range s.SigningCertificates {
		if _, err := ParseCertificate(c); err != nil {
			return &ValidationError{Property: "signingCertificate", Message: "not a base64-encoded X.509 certificate"}
		}
	}
	return nil
}

func checkClient(f Federation) error {
	if strings.TrimSpace(f.Settings.ClientID) == "" {
		return &ValidationError{Property: "clientId", Message: "a client id is required"}
	}
	if f.Settings.SealedSecret == "" {
		return &ValidationError{Property: "clientSecret", Message: "a client secret is required"}
	}
	return nil
}

// checkURL requires an absolute https URL; plain http only for a loopback
// address (a provider on the same machine, as in development and tests).
func checkURL(prop, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return &ValidationError{Property: prop, Message: "must be an absolute https URL"}
	}
	if u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname()) {
		return nil
	}
	return &ValidationError{Property: prop, Message: "must be an absolute https URL"}
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
