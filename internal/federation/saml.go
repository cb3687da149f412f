package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/guestgate/guestgate/internal/store"
)

// samlProvider is SAML 2.0 direct federation, as a service provider built
// with crewjam/saml: the AuthnRequest goes by HTTP-Redirect, the response
// comes back by HTTP-POST to the tenant's assertion consumer service.
// crewjam/saml checks the signature (over the response or the assertion)
// against the configured certificates and their validity, the issuer, the
// audience (the tenant's entity id), the recipient and destination (the
// tenant's ACS URL), NotBefore and NotOnOrAfter with saml.MaxClockSkew,
// and InResponseTo (the request this sign-in made; unsolicited responses
// are refused). Each assertion id is used once: the store records it.
type samlProvider struct {
	f        Federation
	sp       *saml.ServiceProvider
	store    Store
	now      time.Time
	tenantID string
}

var _ MetadataProvider = (*samlProvider)(nil)

// SPURLs are a tenant's service-provider addresses.
type SPURLs struct {
	EntityID, ACS, Metadata string
}

// SAMLServiceProvider returns the SAML service-provider addresses of a tenant.
func SAMLServiceProvider(publicURL, tenantID string) SPURLs {
	base := strings.TrimSuffix(publicURL, "/") + "/" + tenantID + "/federation/saml"
	return SPURLs{EntityID: base, ACS: base + "/acs", Metadata: base + "/metadata"}
}

func newSAMLProvider(f Federation, urls SPURLs, st Store, now time.Time) (*samlProvider, error) {
	acs, err := url.Parse(urls.ACS)
	if err != nil {
		return nil, fmt.Errorf("saml: ACS URL: %w", err)
	}
	md, err := url.Parse(urls.Metadata)
	if err != nil {
		return nil, fmt.Errorf("saml: metadata URL: %w", err)
	}
	p := &samlProvider{f: f, store: st, now: now, tenantID: f.TenantID}
	p.sp = &saml.ServiceProvider{
		EntityID: urls.EntityID, AcsURL: *acs, MetadataURL: *md,
		IDPMetadata:                      idpMetadata(f),
		AuthnNameIDFormat:                saml.EmailAddressNameIDFormat,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		Clock:                            dsig.NewFakeClockAt(now),
		MetadataValidDuration:            7 * 24 * time.Hour,
	}
	if f.Settings.EmailAttribute != "" {
		p.sp.AuthnNameIDFormat = saml.UnspecifiedNameIDFormat
	}
	return p, nil
}

// idpMetadata describes the partner's provider from its configuration
// (the certificates and sign-in URI saved, from metadata or given).
func idpMetadata(f Federation) *saml.EntityDescriptor {
	var keys []saml.KeyDescriptor
	for _, c := range f.Settings.SigningCertificates {
		keys = append(keys, saml.KeyDescriptor{Use: "signing", KeyInfo: saml.KeyInfo{
			X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{{Data: c}}},
		}})
	}
	return &saml.EntityDescriptor{
		EntityID: f.Issuer,
		IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
				ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
				KeyDescriptors:             keys,
			}},
			SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: f.Settings.PassiveSignInURI}},
		}},
	}
}

// AuthURL is the partner's sign-in with an AuthnRequest whose id is st.RequestID.
func (p *samlProvider) AuthURL(_ context.Context, st State, relay string) (string, error) {
	req, err := p.sp.MakeAuthenticationRequest(p.f.Settings.PassiveSignInURI, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", fmt.Errorf("saml: authentication request: %w", err)
	}
	req.ID = st.RequestID
	u, err := req.Redirect(relay, p.sp)
	if err != nil {
		return "", fmt.Errorf("saml: authentication request: %w", err)
	}
	return u.String(), nil
}

// Finish verifies the posted SAMLResponse.
func (p *samlProvider) Finish(ctx context.Context, st State, r *http.Request) (Identity, error) {
	if err := r.ParseForm(); err != nil {
		return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the SAML response could not be read: " + err.Error(), Err: err}
	}
	sp := *p.sp
	sp.ReplayCache = replayCache{ctx: ctx, store: p.store, tenantID: p.tenantID, issuer: p.f.Issuer, now: p.now}
	a, err := sp.ParseResponse(r, []string{st.RequestID})
	if err != nil {
		return Identity{}, samlFailure(err)
	}
	id := Identity{}
	if a.Subject != nil && a.Subject.NameID != nil {
		id.Subject = a.Subject.NameID.Value
		id.Email = a.Subject.NameID.Value
	}
	if name := p.f.Settings.EmailAttribute; name != "" {
		id.Email = ""
		for _, s := range a.AttributeStatements {
			for _, at := range s.Attributes {
				if (at.Name == name || at.FriendlyName == name) && len(at.Values) > 0 {
					id.Email = at.Values[0].Value
				}
			}
		}
	}
	if id.Email == "" {
		return Identity{}, &PartnerError{Problem: ProblemRefused, Detail: "the SAML assertion carries no email address (NameID or attribute " + p.f.Settings.EmailAttribute + ")"}
	}
	return id, nil
}

// samlFailure names the problem of a refused response; the detail is
// crewjam/saml's private error, which says exactly what failed.
func samlFailure(err error) error {
	detail := err.Error()
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		detail = ire.PrivateErr.Error()
		err = ire.PrivateErr
	}
	var bad saml.ErrBadStatus
	p := ProblemRefused
	switch {
	case errors.Is(err, saml.ErrAssertionReplayed):
		p = ProblemReplay
	case errors.Is(err, saml.ErrExpired), errors.Is(err, saml.ErrNotYetValid):
		p = ProblemClock
	case errors.Is(err, saml.ErrAudienceMismatch), errors.Is(err, saml.ErrDestinationMismatch):
		p = ProblemAudience
	case errors.Is(err, saml.ErrUntrustedCertificate), errors.Is(err, saml.ErrCertificateNotValidNow):
		p = ProblemCertificate
	case errors.Is(err, saml.ErrInvalidSignature):
		p = ProblemSignature
	case errors.As(err, &bad):
		p = ProblemRefused
	}
	return &PartnerError{Problem: p, Detail: "SAML response refused: " + detail, Err: err}
}

// replayCache records assertion ids in the store: one use each, across
// every process of the deployment.
type replayCache struct {
	ctx              context.Context
	store            Store
	tenantID, issuer string
	now              time.Time
}

func (c replayCache) Consume(id string, expires time.Time) error {
	err := c.store.ConsumeAssertion(c.ctx, c.tenantID, assertionKey(c.issuer, id), c.now, expires)
	if errors.Is(err, store.ErrAlreadyExists) {
		return saml.ErrAssertionReplayed
	}
	return err
}

// Metadata is the tenant's service-provider metadata for this partner.
func (p *samlProvider) Metadata() ([]byte, error) {
	b, err := xml.MarshalIndent(p.sp.Metadata(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("saml: metadata: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

// ReadIdPMetadata parses a partner's metadata document: its entity id,
// HTTP-Redirect sign-in URI and signing certificates.
func ReadIdPMetadata(raw []byte) (issuer, signIn string, certs []string, err error) {
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(raw, &ed); err != nil {
		var eds saml.EntitiesDescriptor
		if err2 := xml.Unmarshal(raw, &eds); err2 != nil || len(eds.EntityDescriptors) == 0 {
			return "", "", nil, fmt.Errorf("%w: not SAML metadata: %v", ErrMetadataUnavailable, err)
		}
		ed = eds.EntityDescriptors[0]
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return "", "", nil, fmt.Errorf("%w: the metadata describes no identity provider", ErrMetadataUnavailable)
	}
	d := ed.IDPSSODescriptors[0]
	for _, s := range d.SingleSignOnServices {
		if s.Binding == saml.HTTPRedirectBinding {
			signIn = s.Location
		}
	}
	for _, k := range d.KeyDescriptors {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, c := range k.KeyInfo.X509Data.X509Certificates {
			n, err := NormalizeCertificate(c.Data)
			if err == nil {
				certs = append(certs, n)
			}
		}
	}
	return ed.EntityID, signIn, certs, nil
}

// assertionKey names an assertion id of an issuer in the store: a hash, so
// ids of any length and characters fit one column.
func assertionKey(issuer, id string) string {
	sum := sha256.Sum256([]byte(issuer + "\x00" + id))
	return hex.EncodeToString(sum[:])
}
