package federation

import (
	"strings"
	"time"
)

// Kind is the protocol of a federation.
type Kind string

// Kinds of federation.
const (
	// KindSAML is samlOrWsFedExternalDomainFederation with the saml protocol.
	KindSAML Kind = "saml"
	// KindOIDC is OpenID Connect federation for domains.
	KindOIDC Kind = "oidc"
	// KindGoogle is the Google preset (socialIdentityProvider "Google").
	KindGoogle Kind = "google"
)

// Values of fixed names.
const (
	// GoogleID is the id of the Google preset, as Graph names it.
	GoogleID = "Google-OAUTH"
	// GoogleIdP is the idp claim and identities issuer of Google guests.
	GoogleIdP = "google.com"
	// GoogleIssuer is Google's OpenID Connect issuer (discovery).
	GoogleIssuer = "https://accounts.google.com"

	// ProtocolSAML and ProtocolWSFed are preferredAuthenticationProtocol values.
	ProtocolSAML  = "saml"
	ProtocolWSFed = "wsFed"
)

// GoogleDomains are the domains the Google preset applies to (section 3).
var GoogleDomains = []string{"gmail.com", "googlemail.com"}

// Federation is one upstream identity provider of a tenant.
type Federation struct {
	TenantID    string
	ID          string
	Kind        Kind
	DisplayName string
	// Issuer is the SAML issuer URI (entity id) or the OpenID Connect
	// issuer (discovery). For Google it is the deployment's Google issuer.
	Issuer string
	// Domains are the address domains it is for, lower case (none for Google).
	Domains   []string
	Settings  Settings
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Settings are the protocol's settings.
type Settings struct {
	// SAML.
	PassiveSignInURI    string   `json:"passiveSignInUri,omitempty"`
	MetadataExchangeURI string   `json:"metadataExchangeUri,omitempty"`
	MetadataURL         string   `json:"metadataUrl,omitempty"`
	SigningCertificates []string `json:"signingCertificates,omitempty"` // base64 DER, newest first
	Protocol            string   `json:"protocol,omitempty"`
	// EmailAttribute names the attribute carrying the address; "" takes NameID.
	EmailAttribute string `json:"emailAttribute,omitempty"`

	// OpenID Connect and Google.
	ClientID string `json:"clientId,omitempty"`
	// SealedSecret is the client secret, sealed with the deployment's key;
	// it is never returned by the API.
	SealedSecret string `json:"sealedSecret,omitempty"`
	// Authoritative: the provider speaks for its domains, so its email
	// claim is taken even without email_verified.
	Authoritative bool `json:"authoritative,omitempty"`
}

// IdPIssuer is the guests' idp claim and identities issuer.
func (f Federation) IdPIssuer() string {
	if f.Kind == KindGoogle {
		return GoogleIdP
	}
	return f.Issuer
}

// Covers reports whether the federation applies to addr's domain.
func (f Federation) Covers(addr string) bool {
	d := DomainOf(addr)
	domains := f.Domains
	if f.Kind == KindGoogle {
		domains = GoogleDomains
	}
	for _, x := range domains {
		if x == d {
			return true
		}
	}
	return false
}

// DomainOf is the lower-case domain of an address.
func DomainOf(addr string) string {
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
}

// Identity is what a partner's provider proved.
type Identity struct {
	// Email is the address the provider vouches for.
	Email string
	// Subject is the provider's stable id of the person (NameID or sub).
	Subject string
}
