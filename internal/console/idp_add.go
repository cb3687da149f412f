package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
)

// idpKind is one of the add forms: its title, how it reads a post into a
// draft and which fields it shows.
type idpKind struct {
	path, titleKey string
	draft          func(in url.Values) federation.Draft
	form           func(h *Handler, l string, a admin, in url.Values) idpFormData
}

var (
	samlKind   = idpKind{path: "saml", titleKey: "console.idps.saml.title", draft: samlDraft, form: (*Handler).samlForm}
	oidcKind   = idpKind{path: "oidc", titleKey: "console.idps.oidc.title", draft: oidcDraft, form: (*Handler).oidcForm}
	googleKind = idpKind{path: "google", titleKey: "console.idps.google.title", draft: googleDraft, form: (*Handler).googleForm}
)

// addIdPPage shows an empty add form; it is for members who may change
// identity providers (as the API's IdentityProvider.ReadWrite.All).
func (h *Handler) addIdPPage(k idpKind) func(w http.ResponseWriter, r *http.Request, a admin) {
	return func(w http.ResponseWriter, r *http.Request, a admin) {
		if !a.may(roles.PolicyReadWriteIdP) || h.d.Federations == nil {
			h.forbidden(w, r, a)
			return
		}
		h.renderIDPForm(w, r, a, http.StatusOK, k.titleKey, k.form(h, lang(r), a, url.Values{}), fedProblem{})
	}
}

// addIdP creates the identity provider with the service the API uses: the
// same rules, messages and audit record.
func (h *Handler) addIdP(k idpKind) func(w http.ResponseWriter, r *http.Request, a admin) {
	return func(w http.ResponseWriter, r *http.Request, a admin) {
		if h.d.Federations == nil {
			h.forbidden(w, r, a)
			return
		}
		if err := r.ParseForm(); err != nil {
			h.badForm(w, r, a)
			return
		}
		_, err := h.d.Federations.Create(r.Context(), a.Tenant, k.draft(r.PostForm), a.actor())
		if err != nil {
			p, ok := fedMessage(lang(r), err)
			if !ok {
				h.fail(w, r, err)
				return
			}
			if k.path == oidcKind.path && p.Field == "issuerUri" {
				p.Field = "issuer"
			}
			h.renderIDPForm(w, r, a, http.StatusBadRequest, k.titleKey, k.form(h, lang(r), a, r.PostForm), p)
			return
		}
		http.Redirect(w, r, base(a.Tenant)+"/identity-providers?added=1", http.StatusSeeOther)
	}
}

func samlDraft(in url.Values) federation.Draft {
	f := federation.Federation{Kind: federation.KindSAML, DisplayName: strings.TrimSpace(in.Get("displayName")),
		Issuer: strings.TrimSpace(in.Get("issuerUri")), Domains: splitDomains(in.Get("domains")),
		Settings: federation.Settings{PassiveSignInURI: strings.TrimSpace(in.Get("passiveSignInUri")),
			MetadataURL: strings.TrimSpace(in.Get("metadataUrl")), Protocol: federation.ProtocolSAML}}
	if c := strings.TrimSpace(in.Get("signingCertificate")); c != "" {
		f.Settings.SigningCertificates = []string{c}
	}
	return federation.Draft{Federation: f}
}

func oidcDraft(in url.Values) federation.Draft {
	return federation.Draft{Federation: federation.Federation{Kind: federation.KindOIDC,
		DisplayName: strings.TrimSpace(in.Get("displayName")), Issuer: strings.TrimSpace(in.Get("issuer")),
		Domains: splitDomains(in.Get("domains")), Settings: federation.Settings{ClientID: strings.TrimSpace(in.Get("clientId")),
			Authoritative: in.Get("authoritative") == "true"}}, ClientSecret: in.Get("clientSecret")}
}

func googleDraft(in url.Values) federation.Draft {
	return federation.Draft{Federation: federation.Federation{Kind: federation.KindGoogle,
		Settings: federation.Settings{ClientID: strings.TrimSpace(in.Get("clientId"))}}, ClientSecret: in.Get("clientSecret")}
}

func (h *Handler) samlForm(l string, a admin, in url.Values) idpFormData {
	sp := federation.SAMLServiceProvider(h.cfg.PublicURL, a.Tenant.ID)
	return idpFormData{
		// SAML is the one protocol offered: WS-Fed is refused (federation.
		// ErrWSFedUnsupported), so the form offers no choice it would refuse.
		Intro: []string{i18n.T(l, "console.idps.saml.intro"), i18n.T(l, "console.idps.saml.protocol_note"), i18n.T(l, "console.idps.saml.give")},
		Facts: []fact{{"sp-metadata", i18n.T(l, "console.idps.saml.sp_metadata"), sp.Metadata},
			{"sp-entity-id", i18n.T(l, "console.idps.saml.sp_entity_id"), sp.EntityID}, {"sp-acs", i18n.T(l, "console.idps.saml.sp_acs"), sp.ACS}},
		Action: base(a.Tenant) + "/identity-providers/saml",
		Fields: []formField{
			textField(l, in, "displayName", "text", true),
			textField(l, in, "domains", "textarea", true),
			textField(l, in, "metadataUrl", "url", false),
			textField(l, in, "issuerUri", "text", false),
			textField(l, in, "passiveSignInUri", "url", false),
			textField(l, in, "signingCertificate", "textarea", false),
		},
		Button: i18n.T(l, "console.idps.add"),
	}
}

func (h *Handler) oidcForm(l string, a admin, in url.Values) idpFormData {
	auth := formField{ID: "authoritative", Type: "checkbox", Label: i18n.T(l, "console.idps.field.authoritative"),
		Help: i18n.T(l, "console.idps.help.authoritative"), Checked: in.Get("authoritative") == "true"}
	return idpFormData{
		Intro:  []string{i18n.T(l, "console.idps.oidc.intro")},
		Facts:  []fact{{"redirect-uri", i18n.T(l, "console.idps.redirect_uri"), federation.OIDCRedirectURI(h.cfg.PublicURL, a.Tenant.ID)}},
		Action: base(a.Tenant) + "/identity-providers/oidc",
		Fields: []formField{
			textField(l, in, "displayName", "text", true), textField(l, in, "issuer", "url", true),
			textField(l, in, "clientId", "text", true), secretField(l, "clientSecret"),
			textField(l, in, "domains", "textarea", true), auth,
		},
		Button: i18n.T(l, "console.idps.add"),
	}
}

func (h *Handler) googleForm(l string, a admin, in url.Values) idpFormData {
	return idpFormData{
		Intro:  []string{i18n.T(l, "console.idps.google.intro")},
		Facts:  []fact{{"redirect-uri", i18n.T(l, "console.idps.redirect_uri"), federation.OIDCRedirectURI(h.cfg.PublicURL, a.Tenant.ID)}},
		Action: base(a.Tenant) + "/identity-providers/google",
		Fields: []formField{textField(l, in, "clientId", "text", true), secretField(l, "clientSecret")},
		Button: i18n.T(l, "console.idps.google.button"),
	}
}
