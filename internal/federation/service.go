package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/egress"
	"github.com/guestgate/guestgate/internal/store"
)

// Config configures a Service.
type Config struct {
	// PublicURL is the deployment's base URL (service-provider and redirect addresses).
	PublicURL string
	// Key seals client secrets at rest (at least 32 bytes, from the deployment secret).
	Key []byte
	// GoogleIssuer is where the Google preset discovers Google (default
	// GoogleIssuer; tests point it at a local provider).
	GoogleIssuer string
	// Egress governs every fetch from partners' providers (metadata,
	// discovery, keys, tokens); the zero value is production's: https to
	// public addresses only. Its AllowHTTP also lets configurations name
	// plain http URLs (development and tests only).
	Egress egress.Options
}

// Deps are what a Service uses.
type Deps struct {
	Store Store
	// Directory finds the tenant that verified a domain.
	Directory interface {
		GetTenantByDomain(ctx context.Context, domain string) (directory.Tenant, error)
	}
	Audit audit.Store
	Tx    store.Transactor
	Clock clock.Clock
	Log   *slog.Logger
}

// Service keeps tenants' federations and makes their Providers. It is
// safe for concurrent use.
type Service struct {
	cfg     Config
	d       Deps
	secrets *secrets
	// client is the one egress client; discovery keeps its results.
	client    *http.Client
	discovery *discoveryCache
}

// NewService returns a Service.
func NewService(cfg Config, d Deps) (*Service, error) {
	s, err := newSecrets(cfg.Key)
	if err != nil {
		return nil, err
	}
	if cfg.GoogleIssuer == "" {
		cfg.GoogleIssuer = GoogleIssuer
	}
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	client := egress.NewClient(cfg.Egress)
	return &Service{cfg: cfg, d: d, secrets: s, client: client, discovery: newDiscoveryCache(client, d.Clock, d.Log)}, nil
}

// Draft is a federation as an admin gives it: the secret in clear (it is
// sealed before it is stored) and, for SAML, optionally a metadata URL or
// document to read the issuer, sign-in URI and certificates from.
type Draft struct {
	Federation
	ClientSecret string
	MetadataXML  string
}

// Patch is a partial update; nil fields are left as they are.
type Patch struct {
	DisplayName         *string
	Issuer              *string
	PassiveSignInURI    *string
	MetadataExchangeURI *string
	SigningCertificate  *string
	Protocol            *string
	Domains             *[]string
	ClientID            *string
	ClientSecret        *string
	Authoritative       *bool
	EmailAttribute      *string
}

// List returns the tenant's federations.
func (s *Service) List(ctx context.Context, tenantID string) ([]Federation, error) {
	fs, err := s.d.Store.ListFederations(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list federations: %w", err)
	}
	return fs, nil
}

// Get returns one federation, or store.ErrNotFound.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Federation, error) {
	return s.d.Store.GetFederation(ctx, tenantID, id)
}

// Create checks and stores a new federation with its audit record. A
// SAML draft with a metadata URL reads it first (an unreachable or
// unreadable one is ErrMetadataUnavailable and saves nothing).
func (s *Service) Create(ctx context.Context, t directory.Tenant, d Draft, by audit.Actor) (Federation, error) {
	f := d.Federation
	f.TenantID = t.ID
	switch f.Kind {
	case KindGoogle:
		f.ID, f.Issuer, f.Domains = GoogleID, s.cfg.GoogleIssuer, nil
		if f.DisplayName == "" {
			f.DisplayName = "Google"
		}
	default:
		f.ID = uuid.NewString()
	}
	if f.Kind == KindSAML {
		if err := s.readMetadata(ctx, &f, d.MetadataXML); err != nil {
			return Federation{}, err
		}
	}
	if err := normalize(&f); err != nil {
		return Federation{}, err
	}
	if d.ClientSecret != "" {
		f.Settings.SealedSecret = s.secrets.seal(f.TenantID, f.ID, d.ClientSecret)
	}
	if err := s.check(ctx, f); err != nil {
		return Federation{}, err
	}
	now := s.d.Clock.Now()
	f.CreatedAt, f.UpdatedAt = now, now
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Store.CreateFederation(ctx, f); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) && f.Kind == KindGoogle {
				return invalid("identityProviderType", "google_configured", "Google federation is already configured")
			}
			if errors.Is(err, store.ErrAlreadyExists) {
				return invalid("domains", "domain_taken", "a domain is already federated")
			}
			return fmt.Errorf("create federation: %w", err)
		}
		return audit.Write(ctx, s.d.Audit, record(f, ActivityAdd, audit.OperationAdd, by, changes(Federation{}, f, true)), now)
	})
	if err != nil {
		return Federation{}, err
	}
	s.d.Log.InfoContext(ctx, "federation added", "tenant_id", t.ID, "federation_id", f.ID, "kind", f.Kind)
	return f, nil
}

// Update applies a partial update, checks the result and records it.
func (s *Service) Update(ctx context.Context, t directory.Tenant, id string, p Patch, by audit.Actor) (Federation, error) {
	cur, err := s.d.Store.GetFederation(ctx, t.ID, id)
	if err != nil {
		return Federation{}, err
	}
	next, err := s.apply(cur, p)
	if err != nil {
		return Federation{}, err
	}
	if err := s.check(ctx, next); err != nil {
		return Federation{}, err
	}
	var after Federation
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		var before Federation
		err := s.d.Store.UpdateFederation(ctx, t.ID, id, func(f *Federation) error {
			before = *f
			n, err := s.apply(*f, p)
			if err != nil {
				return err
			}
			n.UpdatedAt = now
			*f, after = n, n
			return nil
		})
		if err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return invalid("domains", "domain_taken", "a domain is already federated")
			}
			return fmt.Errorf("update federation: %w", err)
		}
		return audit.Write(ctx, s.d.Audit, record(after, ActivityUpdate, audit.OperationUpdate, by, changes(before, after, p.ClientSecret != nil)), now)
	})
	return after, err
}

// AddDomain adds a domain to a SAML or OpenID Connect federation.
func (s *Service) AddDomain(ctx context.Context, t directory.Tenant, id, domain string, by audit.Actor) (Federation, error) {
	cur, err := s.d.Store.GetFederation(ctx, t.ID, id)
	if err != nil {
		return Federation{}, err
	}
	ds := append(slices.Clone(cur.Domains), strings.ToLower(strings.TrimSpace(domain)))
	return s.Update(ctx, t, id, Patch{Domains: &ds}, by)
}

// Delete removes a federation. Guests who redeemed with it can no longer
// sign in until an admin resets their redemption (R7).
func (s *Service) Delete(ctx context.Context, t directory.Tenant, id string, by audit.Actor) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		f, err := s.d.Store.GetFederation(ctx, t.ID, id)
		if err != nil {
			return err
		}
		if err := s.d.Store.DeleteFederation(ctx, t.ID, id); err != nil {
			return fmt.Errorf("delete federation: %w", err)
		}
		return audit.Write(ctx, s.d.Audit, record(f, ActivityDelete, audit.OperationDelete, by, nil), s.d.Clock.Now())
	})
}

// ForAddress returns the domain federation (SAML or OpenID Connect) that
// claims addr's domain, or nil.
func (s *Service) ForAddress(ctx context.Context, tenantID, addr string) (*Federation, error) {
	f, err := s.d.Store.FederationForDomain(ctx, tenantID, DomainOf(addr))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up federation: %w", err)
	}
	return &f, nil
}

// Google returns the tenant's Google preset, or nil.
func (s *Service) Google(ctx context.Context, tenantID string) (*Federation, error) {
	f, err := s.d.Store.GetFederation(ctx, tenantID, GoogleID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up Google federation: %w", err)
	}
	return &f, nil
}

// ByIdP returns the tenant's federation whose guests' idp is idp; one
// removed since is ErrRemoved.
func (s *Service) ByIdP(ctx context.Context, tenantID, idp string) (Federation, error) {
	fs, err := s.List(ctx, tenantID)
	if err != nil {
		return Federation{}, err
	}
	for _, f := range fs {
		if f.IdPIssuer() == idp {
			return f, nil
		}
	}
	return Federation{}, ErrRemoved
}

// Provider makes the protocol runner of f for one sign-in.
func (s *Service) Provider(f Federation) (Provider, error) {
	switch f.Kind {
	case KindSAML:
		return newSAMLProvider(f, SAMLServiceProvider(s.cfg.PublicURL, f.TenantID), s.d.Store, s.d.Clock.Now())
	case KindOIDC, KindGoogle:
		secret, err := s.secrets.open(f.TenantID, f.ID, f.Settings.SealedSecret)
		if err != nil {
			return nil, err
		}
		return &oidcProvider{f: f, secret: secret, redirect: OIDCRedirectURI(s.cfg.PublicURL, f.TenantID),
			client: s.client, discovery: s.discovery, log: s.d.Log}, nil
	}
	return nil, fmt.Errorf("federation %s: unknown kind %q", f.ID, f.Kind)
}

// SAMLMetadata is the tenant's SAML service-provider metadata, which
// partners load to configure their side.
func (s *Service) SAMLMetadata(tenantID string) ([]byte, error) {
	p, err := newSAMLProvider(Federation{TenantID: tenantID}, SAMLServiceProvider(s.cfg.PublicURL, tenantID), s.d.Store, s.d.Clock.Now())
	if err != nil {
		return nil, err
	}
	return p.Metadata()
}

// check gathers what the rules need and applies Check.
func (s *Service) check(ctx context.Context, f Federation) error {
	others, err := s.d.Store.ListFederations(ctx, f.TenantID)
	if err != nil {
		return fmt.Errorf("check federation: %w", err)
	}
	managed := map[string]bool{}
	for _, d := range f.Domains {
		t, err := s.d.Directory.GetTenantByDomain(ctx, d)
		switch {
		case err == nil:
			managed[d] = t.Managed
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("check federation: %w", err)
		}
	}
	return Check(f, others, managed, s.cfg.Egress.AllowHTTP)
}

// apply returns cur with p applied.
func (s *Service) apply(cur Federation, p Patch) (Federation, error) {
	f := cur
	f.Domains = slices.Clone(cur.Domains)
	f.Settings.SigningCertificates = slices.Clone(cur.Settings.SigningCertificates)
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&f.DisplayName, p.DisplayName)
	set(&f.Settings.PassiveSignInURI, p.PassiveSignInURI)
	set(&f.Settings.MetadataExchangeURI, p.MetadataExchangeURI)
	set(&f.Settings.Protocol, p.Protocol)
	set(&f.Settings.ClientID, p.ClientID)
	set(&f.Settings.EmailAttribute, p.EmailAttribute)
	if p.Issuer != nil {
		if f.Kind == KindGoogle {
			return f, invalid("issuer", "google_issuer_fixed", "the Google preset's issuer is fixed")
		}
		f.Issuer = *p.Issuer
	}
	if p.SigningCertificate != nil {
		// A new certificate goes first; the previous one stays valid
		// for a rollover (as Entra keeps the next and the current one).
		f.Settings.SigningCertificates = append([]string{*p.SigningCertificate}, cur.Settings.SigningCertificates...)
		if len(f.Settings.SigningCertificates) > 2 {
			f.Settings.SigningCertificates = f.Settings.SigningCertificates[:2]
		}
	}
	if p.Domains != nil {
		if f.Kind == KindGoogle {
			return f, invalid("domains", "google_domains", "Google federation applies to gmail.com and googlemail.com only")
		}
		f.Domains = slices.Clone(*p.Domains)
	}
	if p.Authoritative != nil {
		f.Settings.Authoritative = *p.Authoritative
	}
	if p.ClientSecret != nil {
		if *p.ClientSecret == "" {
			return f, invalid("clientSecret", "client_secret_empty", "a client secret cannot be empty")
		}
		f.Settings.SealedSecret = s.secrets.seal(f.TenantID, f.ID, *p.ClientSecret)
	}
	if err := normalize(&f); err != nil {
		return f, err
	}
	return f, nil
}

// normalize lower-cases domains and stores certificates as one-line base64.
func normalize(f *Federation) error {
	for i, d := range f.Domains {
		f.Domains[i] = strings.ToLower(strings.TrimSpace(d))
	}
	for i, c := range f.Settings.SigningCertificates {
		n, err := NormalizeCertificate(c)
		if err != nil {
			return invalid("signingCertificate", "certificate_invalid", "not a base64-encoded X.509 certificate")
		}
		f.Settings.SigningCertificates[i] = n
	}
	f.Issuer = strings.TrimSpace(f.Issuer)
	return nil
}

// readMetadata fills the issuer, sign-in URI and certificates a SAML
// draft leaves out from its metadata (document, or URL read now through
// the egress client). A URL that cannot be fetched, or whose answer is not
// SAML metadata, is ErrMetadataUnavailable and nothing more: the cause
// goes to the log, so no port or byte of an answer shows.
func (s *Service) readMetadata(ctx context.Context, f *Federation, doc string) error {
	raw, fetched := []byte(doc), false
	if len(raw) == 0 && f.Settings.MetadataURL != "" {
		if err := checkURL("metadataUrl", f.Settings.MetadataURL, s.cfg.Egress.AllowHTTP); err != nil {
			return err
		}
		var err error
		if raw, err = egress.Get(ctx, s.client, f.Settings.MetadataURL); err != nil {
			s.d.Log.WarnContext(ctx, "federation: the SAML metadata could not be fetched", "tenant_id", f.TenantID,
				"url", f.Settings.MetadataURL, "err", logText(err))
			return ErrMetadataUnavailable
		}
		fetched = true
	}
	if len(raw) == 0 {
		return nil
	}
	issuer, signIn, certs, err := ReadIdPMetadata(raw)
	if err != nil && fetched {
		s.d.Log.WarnContext(ctx, "federation: the SAML metadata could not be read", "tenant_id", f.TenantID,
			"url", f.Settings.MetadataURL, "err", logText(err))
		return ErrMetadataUnavailable
	}
	if err != nil {
		return err
	}
	if f.Issuer == "" {
		f.Issuer = issuer
	}
	if f.Settings.PassiveSignInURI == "" {
		f.Settings.PassiveSignInURI = signIn
	}
	if len(f.Settings.SigningCertificates) == 0 {
		f.Settings.SigningCertificates = certs
	}
	return nil
}
