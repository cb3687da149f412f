package graph

import (
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/federation"
)

// SAML direct federation by domain: Graph's samlOrWsFedExternalDomainFederation
// under /v1.0/directory/federationConfigurations. The type segment may be
// spelled graph.… or microsoft.graph.…, before the id (as the issue and
// Graph's create and list requests do) or after it (as Graph's domain
// requests do).
const federationConfigsPath = "/v1.0/directory/federationConfigurations"

const (
	samlFedTypeName   = "samlOrWsFedExternalDomainFederation"
	samlFedType       = "#microsoft.graph." + samlFedTypeName
	externalDomainTyp = "#microsoft.graph.externalDomainName"
	samlFedContext    = "https://graph.microsoft.com/v1.0/$metadata#directory/federationConfigurations/microsoft.graph.samlOrWsFedExternalDomainFederation"
)

// isSAMLFedSegment reports a path segment that names the type (a cast).
func isSAMLFedSegment(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(s), "microsoft."), "graph.")
	return s == strings.ToLower(samlFedTypeName)
}

// samlFedBody is a samlOrWsFedExternalDomainFederation; metadataUrl is
// guestgate's (where the certificates were read from, see docs/graph.md).
type samlFedBody struct {
	ODataContext        string `json:"@odata.context,omitempty"`
	ODataType           string `json:"@odata.type"`
	ID                  string `json:"id"`
	DisplayName         string `json:"displayName"`
	IssuerURI           string `json:"issuerUri"`
	MetadataExchangeURI string `json:"metadataExchangeUri"`
	PassiveSignInURI    string `json:"passiveSignInUri"`
	Protocol            string `json:"preferredAuthenticationProtocol"`
	SigningCertificate  string `json:"signingCertificate"`
	MetadataURL         string `json:"metadataUrl,omitempty"`
}

func samlFedOut(f federation.Federation) samlFedBody {
	s := f.Settings
	cert := ""
	if len(s.SigningCertificates) > 0 {
		cert = s.SigningCertificates[0]
	}
	return samlFedBody{ODataType: samlFedType, ID: f.ID, DisplayName: f.DisplayName, IssuerURI: f.Issuer,
		MetadataExchangeURI: s.MetadataExchangeURI, PassiveSignInURI: s.PassiveSignInURI, Protocol: s.Protocol,
		SigningCertificate: cert, MetadataURL: s.MetadataURL}
}

type externalDomainBody struct {
	ODataType *string `json:"@odata.type,omitempty"`
	ID        string  `json:"id"`
}

// samlFedIn is a POST or PATCH body.
type samlFedIn struct {
	ODataType           *string                   `json:"@odata.type"`
	ID                  *string                   `json:"id"`
	DisplayName         opt[string]               `json:"displayName"`
	IssuerURI           opt[string]               `json:"issuerUri"`
	MetadataExchangeURI opt[string]               `json:"metadataExchangeUri"`
	PassiveSignInURI    opt[string]               `json:"passiveSignInUri"`
	Protocol            opt[string]               `json:"preferredAuthenticationProtocol"`
	SigningCertificate  opt[string]               `json:"signingCertificate"`
	Domains             opt[[]externalDomainBody] `json:"domains"`
	MetadataURL         opt[string]               `json:"metadataUrl"`
}

func (in samlFedIn) check() error {
	if in.ODataType != nil && !odataTypeIs(*in.ODataType, samlFedType) {
		return badRequest(`The @odata.type of this resource is "` + samlFedType + `".`)
	}
	if in.ID != nil {
		return badRequest("Property 'id' is read-only.")
	}
	for name, null := range map[string]bool{"displayName": in.DisplayName.Null, "issuerUri": in.IssuerURI.Null,
		"passiveSignInUri": in.PassiveSignInURI.Null, "preferredAuthenticationProtocol": in.Protocol.Null,
		"signingCertificate": in.SigningCertificate.Null, "domains": in.Domains.Null} {
		if null {
			return badRequest("Property '" + name + "' cannot be null.")
		}
	}
	for _, d := range in.Domains.V {
		if d.ODataType != nil && !odataTypeIs(*d.ODataType, externalDomainTyp) {
			return badRequest(`The @odata.type of a domain is "` + externalDomainTyp + `".`)
		}
	}
	return nil
}

func domainIDs(ds []externalDomainBody) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// federationConfigs serves GET|POST|PATCH|DELETE …/federationConfigurations/{x}:
// the collection when x is the type cast, else the item with id x.
func (a *API) federationConfigs(w http.ResponseWriter, r *http.Request, c Caller) error {
	x := r.PathValue("x")
	if isSAMLFedSegment(x) {
		switch r.Method {
		case http.MethodGet:
			return a.listSAMLFeds(w, r, c)
		case http.MethodPost:
			return a.createSAMLFed(w, r, c)
		}
		return &Error{Status: http.StatusMethodNotAllowed, Code: "BadRequest", Message: "Method not allowed on a collection."}
	}
	return a.samlFedItem(w, r, c, x)
}

// federationConfigItem serves …/federationConfigurations/{a}/{b}: one of
// the segments is the type cast, the other the id.
func (a *API) federationConfigItem(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, ok := castID(r.PathValue("a"), r.PathValue("b"))
	if !ok {
		return notFound("Resource not found for the segment '" + r.PathValue("b") + "'.")
	}
	return a.samlFedItem(w, r, c, id)
}

func castID(x, y string) (string, bool) {
	switch {
	case isSAMLFedSegment(x) && !isSAMLFedSegment(y):
		return y, true
	case isSAMLFedSegment(y) && !isSAMLFedSegment(x):
		return x, true
	}
	return "", false
}

func (a *API) samlFedByID(r *http.Request, c Caller, id string) (federation.Federation, error) {
	f, err := a.deps.Federations.Get(r.Context(), c.TenantID, id)
	if err != nil {
		return f, err
	}
	if f.Kind != federation.KindSAML {
		return f, notFound("Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.")
	}
	return f, nil
}

func (a *API) listSAMLFeds(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permIdPRead...); err != nil {
		return err
	}
	fs, err := a.deps.Federations.List(r.Context(), c.TenantID)
	if err != nil {
		return err
	}
	out := []samlFedBody{}
	for _, f := range fs {
		if f.Kind == federation.KindSAML {
			out = append(out, samlFedOut(f))
		}
	}
	writeJSON(w, http.StatusOK, struct {
		ODataContext string        `json:"@odata.context"`
		Value        []samlFedBody `json:"value"`
	}{samlFedContext, out})
	return nil
}

// createSAMLFed is POST …/graph.samlOrWsFedExternalDomainFederation, 201.
func (a *API) createSAMLFed(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permIdPWrite...); err != nil {
		return err
	}
	var in samlFedIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	d := federation.Draft{Federation: federation.Federation{Kind: federation.KindSAML, DisplayName: in.DisplayName.V,
		Issuer: in.IssuerURI.V, Domains: domainIDs(in.Domains.V), Settings: federation.Settings{
			PassiveSignInURI: in.PassiveSignInURI.V, MetadataExchangeURI: in.MetadataExchangeURI.V,
			Protocol: in.Protocol.V, MetadataURL: in.MetadataURL.V,
		}}}
	if d.Settings.Protocol == "" {
		d.Settings.Protocol = federation.ProtocolSAML
	}
	if in.SigningCertificate.V != "" {
		d.Settings.SigningCertificates = []string{in.SigningCertificate.V}
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	f, err := a.deps.Federations.Create(r.Context(), t, d, a.actor(r, c))
	if err != nil {
		return err
	}
	out := samlFedOut(f)
	out.ODataContext = samlFedContext + "/$entity"
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// samlFedItem is GET, PATCH (204) or DELETE (204) of one federation.
func (a *API) samlFedItem(w http.ResponseWriter, r *http.Request, c Caller, id string) error {
	perm := permIdPWrite
	if r.Method == http.MethodGet {
		perm = permIdPRead
	}
	if err := require(c, perm...); err != nil {
		return err
	}
	f, err := a.samlFedByID(r, c, id)
	if err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet:
		out := samlFedOut(f)
		out.ODataContext = samlFedContext + "/$entity"
		writeJSON(w, http.StatusOK, out)
		return nil
	case http.MethodDelete:
		t, err := a.tenant(r.Context(), c)
		if err != nil {
			return err
		}
		if err := a.deps.Federations.Delete(r.Context(), t, id, a.actor(r, c)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	var in samlFedIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	if in.MetadataURL.Set {
		return badRequest("Property 'metadataUrl' is read when a federation is created; to change certificates, set signingCertificate.")
	}
	var p federation.Patch
	str := func(o opt[string]) *string {
		if o.Set {
			return &o.V
		}
		return nil
	}
	p.DisplayName, p.Issuer, p.PassiveSignInURI = str(in.DisplayName), str(in.IssuerURI), str(in.PassiveSignInURI)
	p.MetadataExchangeURI, p.Protocol, p.SigningCertificate = str(in.MetadataExchangeURI), str(in.Protocol), str(in.SigningCertificate)
	if in.Domains.Set {
		ds := domainIDs(in.Domains.V)
		p.Domains = &ds
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	if _, err := a.deps.Federations.Update(r.Context(), t, id, p, a.actor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// federationConfigDomains is GET (list) or POST (add, 201) of …/{a}/{b}/domains.
func (a *API) federationConfigDomains(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, ok := castID(r.PathValue("a"), r.PathValue("b"))
	if !ok {
		return notFound("Resource not found for the segment '" + r.PathValue("b") + "'.")
	}
	perm := permIdPWrite
	if r.Method == http.MethodGet {
		perm = permIdPRead
	}
	if err := require(c, perm...); err != nil {
		return err
	}
	f, err := a.samlFedByID(r, c, id)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		out := []externalDomainBody{}
		typ := externalDomainTyp
		for _, d := range f.Domains {
			out = append(out, externalDomainBody{ODataType: &typ, ID: d})
		}
		writeJSON(w, http.StatusOK, struct {
			ODataContext string               `json:"@odata.context"`
			Value        []externalDomainBody `json:"value"`
		}{"https://graph.microsoft.com/v1.0/$metadata#directory/federationConfigurations('" + id + "')/microsoft.graph.samlOrWsFedExternalDomainFederation/domains", out})
		return nil
	}
	var in externalDomainBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.ODataType != nil && !odataTypeIs(*in.ODataType, externalDomainTyp) {
		return badRequest(`The @odata.type of a domain is "` + externalDomainTyp + `".`)
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	if _, err := a.deps.Federations.AddDomain(r.Context(), t, id, in.ID, a.actor(r, c)); err != nil {
		return err
	}
	typ := externalDomainTyp
	writeJSON(w, http.StatusCreated, externalDomainBody{ODataType: &typ, ID: strings.ToLower(strings.TrimSpace(in.ID))})
	return nil
}
