package browser

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/server"
)

// idpsConsole is a console tab of a Global Administrator with a SAML
// partner on loopback and an admin app that reads identity providers and
// the audit log.
type idpsConsole struct {
	*consoleTab
	tn      directory.Tenant
	domain  string
	app     *http.Client
	partner *e2etest.SAMLPartner
}

// setValues sets form fields by id, as typing would.
func (c *idpsConsole) setValues(fields map[string]string) {
	c.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for id, v := range fields {
		if v == "" {
			acts = append(acts, chromedp.Clear(chromedp.CSS("#"+id)))
			continue
		}
		acts = append(acts, chromedp.SetValue(chromedp.CSS("#"+id), v))
	}
	browserDo(c.b, c.t, "fill the form", acts...)
}

// submitFor presses the form's button and waits for sel.
func (c *idpsConsole) submitFor(sel string) {
	c.t.Helper()
	browserDo(c.b, c.t, "submit, wait for "+sel, chromedp.Click(chromedp.CSS("#add")), chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (c *idpsConsole) text(sel string) string {
	c.t.Helper()
	return browserValue(c.b, c.t, chromedp.Text(chromedp.CSS(sel)))
}

// apiRefusal is the message the admin API gives for a SAML federation body.
func (c *idpsConsole) apiRefusal(body map[string]any) string {
	c.t.Helper()
	var e struct{ Error struct{ Message string } }
	if s := e2etest.API(c.t, c.app, http.MethodPost, c.in.URL+e2etest.SAMLFedsPath, body, &e); s != http.StatusBadRequest {
		c.t.Fatalf("API POST %v = %d, want 400", body, s)
	}
	return e.Error.Message
}

// sameAsAPI: the form's message is the API's, or the API's clause after
// its property name as a sentence.
func sameAsAPI(apiMsg, form string) bool {
	if apiMsg == form {
		return true
	}
	_, clause, ok := strings.Cut(apiMsg, "': ")
	return ok && strings.EqualFold(clause, form)
}

// samlFeds lists the tenant's SAML federations through the API.
func (c *idpsConsole) samlFeds() []map[string]any {
	c.t.Helper()
	var out struct{ Value []map[string]any }
	if s := e2etest.API(c.t, c.app, http.MethodGet, c.in.URL+e2etest.SAMLFedsPath, nil, &out); s != http.StatusOK {
		c.t.Fatalf("GET SAML federations = %d", s)
	}
	return out.Value
}

// auditedByAdmin: the newest audit record is activity, by the console's admin.
func (c *idpsConsole) auditedByAdmin(activity, target string) {
	c.t.Helper()
	rec := e2etest.LatestAudit(c.t, c.in, c.app)
	if rec["activityDisplayName"] != activity || rec["category"] != "Policy" || !strings.Contains(e2etest.JSONText(c.t, rec["initiatedBy"]), "admin@"+c.domain) ||
		!strings.Contains(e2etest.JSONText(c.t, rec["targetResources"]), target) {
		c.t.Fatalf("audit record after %s: %s", activity, e2etest.JSONText(c.t, rec))
	}
}

// TestConsoleBrowserIdentityProviders: a Global Administrator adds a SAML
// partner through the form (its errors first: a verified domain of the
// tenant, metadata that cannot be read, a certificate that is not one,
// WS-Fed, each with the API's message), sees it listed with its domain,
// finds it in the API and the audit log, and removes it after the
// confirmation; then adds and removes an OpenID Connect partner, and sets
// up and removes Google, whose secret is never shown back. In English and
// Japanese; every page passes axe.
func TestConsoleBrowserIdentityProviders(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) { c.GoogleIssuer = "http://127.0.0.1:9/google"; e2etest.LoopbackPartners(c) }})
		for _, lang := range consoleLangs {
			domain := "idps-" + lang + ".example"
			tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
			_, app := in.TenantWithAdminIn(tn, "IdentityProvider.ReadWrite.All", "AuditLog.Read.All")
			c := &idpsConsole{consoleTab: openConsole(t, in, tn, "admin@"+domain, lang), tn: tn, domain: domain, app: app,
				partner: e2etest.StartSAMLPartner(t, in.URL+"/"+tn.ID+"/federation/saml/metadata")}
			c.open("/identity-providers", "#add-saml")
			c.shot("idps_panes")
			c.addSAML(lang)
			c.addOIDC(lang)
			c.google(lang)
		}
	})
}

func (c *idpsConsole) addSAML(lang string) {
	t := c.t
	partnerDomain := "partner-saml-" + lang + ".example"
	metadata := c.partner.Srv.URL + "/metadata"
	browserDo(c.b, t, "open the SAML form", chromedp.Click(chromedp.CSS("#add-saml")), chromedp.WaitVisible(chromedp.CSS("#metadataUrl")))
	if got := c.text("#sp-metadata"); got != c.in.URL+"/"+c.tn.ID+"/federation/saml/metadata" {
		t.Fatalf("the form gives the partner %q as the metadata URL", got)
	}
	c.shot("idps_saml_new")

	c.setValues(map[string]string{"displayName": "Partner SAML", "domains": c.domain, "metadataUrl": metadata})
	c.submitFor("#domains-error")
	form := c.text("#domains-error")
	apiMsg := c.apiRefusal(map[string]any{"displayName": "Partner SAML", "metadataUrl": metadata, "domains": []map[string]any{{"id": c.domain}}})
	if !strings.Contains(form, c.domain) || lang == "en" && !sameAsAPI(apiMsg, form) || lang != "en" && sameAsAPI(apiMsg, form) {
		t.Fatalf("verified domain: the form says %q, the API %q", form, apiMsg)
	}
	if got := browserValue(c.b, t, chromedp.AttributeValue(chromedp.CSS("#domains"), "aria-describedby")); !strings.Contains(got.Value, "domains-error") {
		t.Fatalf("the domains field is not described by its error: %q", got.Value)
	}
	c.shot("idps_saml_error")

	missing := c.partner.Srv.URL + "/no-metadata"
	c.setValues(map[string]string{"domains": partnerDomain, "metadataUrl": missing})
	c.submitFor("#metadataUrl-error")
	form = c.text("#metadataUrl-error")
	apiMsg = c.apiRefusal(map[string]any{"displayName": "Partner SAML", "metadataUrl": missing, "domains": []map[string]any{{"id": partnerDomain}}})
	if form == "" || strings.Contains(form+apiMsg, "404") || lang == "en" && form != apiMsg {
		t.Fatalf("unreadable metadata (a generic message, issue 20 finding 4): the form says %q, the API %q", form, apiMsg)
	}

	c.setValues(map[string]string{"metadataUrl": "", "issuerUri": metadata, "passiveSignInUri": c.partner.Srv.URL + "/sso", "signingCertificate": "bm90IGEgY2VydA=="})
	c.submitFor("#signingCertificate-error")
	form = c.text("#signingCertificate-error")
	apiMsg = c.apiRefusal(map[string]any{"displayName": "Partner SAML", "issuerUri": metadata, "passiveSignInUri": c.partner.Srv.URL + "/sso",
		"signingCertificate": "bm90IGEgY2VydA==", "domains": []map[string]any{{"id": partnerDomain}}})
	if lang == "en" && !sameAsAPI(apiMsg, form) || form == "" {
		t.Fatalf("bad certificate: the form says %q, the API %q", form, apiMsg)
	}

	pem := "-----BEGIN CERTIFICATE-----\n" + c.partner.CertB4 + "\n-----END CERTIFICATE-----"
	// The pane offers no WS-Fed it would refuse: it says SAML is the
	// protocol, while the API still refuses WS-Fed by name.
	if n := len(browserValue(c.b, t, chromedp.Nodes(chromedp.CSSAll(`input[name="protocol"]`), chromedp.AtLeast(0)))); n != 0 {
		t.Fatalf("the SAML pane offers %d protocol choices", n)
	}
	pageHas(c.b, t, "the SAML pane names its protocol", "SAML 2.0", "WS-Fed")
	apiMsg = c.apiRefusal(map[string]any{"displayName": "Partner SAML", "preferredAuthenticationProtocol": "wsFed", "metadataUrl": metadata, "domains": []map[string]any{{"id": partnerDomain}}})
	if !strings.Contains(apiMsg, "WS-Fed") {
		t.Fatalf("WS-Fed: the API says %q", apiMsg)
	}
	if n := len(c.samlFeds()); n != 0 {
		t.Fatalf("a refused form saved %d federations", n)
	}

	c.setValues(map[string]string{"signingCertificate": pem})
	c.submitFor("#notice")
	if got := c.text("#saml-partners"); !strings.Contains(got, "Partner SAML") || !strings.Contains(got, partnerDomain) {
		t.Fatalf("the SAML pane lists %q", got)
	}
	feds := c.samlFeds()
	if len(feds) != 1 || feds[0]["displayName"] != "Partner SAML" || feds[0]["signingCertificate"] != c.partner.CertB4 || feds[0]["issuerUri"] != metadata {
		t.Fatalf("SAML federations in the API: %v", feds)
	}
	id := feds[0]["id"].(string)
	var domains struct{ Value []map[string]any }
	e2etest.API(t, c.app, http.MethodGet, c.in.URL+"/v1.0/directory/federationConfigurations/"+id+"/microsoft.graph.samlOrWsFedExternalDomainFederation/domains", nil, &domains)
	if len(domains.Value) != 1 || domains.Value[0]["id"] != partnerDomain {
		t.Fatalf("domains in the API: %v", domains.Value)
	}
	c.auditedByAdmin("Add identity provider", "Partner SAML")
	c.shot("idps_saml_added")

	browserDo(c.b, t, "remove", chromedp.Click(chromedp.CSS("#remove-"+id)), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	c.shot("idps_remove_confirm")
	browserDo(c.b, t, "confirm the removal", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#notice")), chromedp.WaitVisible(chromedp.CSS("#no-saml")))
	if s := e2etest.API(t, c.app, http.MethodGet, c.in.URL+"/v1.0/directory/federationConfigurations/"+id, nil, nil); s != http.StatusNotFound || len(c.samlFeds()) != 0 {
		t.Fatalf("after the removal the API answers %d for the federation", s)
	}
	c.auditedByAdmin("Delete identity provider", "Partner SAML")
}

func (c *idpsConsole) addOIDC(lang string) {
	t := c.t
	browserDo(c.b, t, "open the OpenID Connect form", chromedp.Click(chromedp.CSS("#add-oidc")), chromedp.WaitVisible(chromedp.CSS("#issuer")))
	c.shot("idps_oidc_new")
	secret := "oidc-secret-" + lang + "-never-shown"
	partnerDomain := "partner-oidc-" + lang + ".example"
	c.setValues(map[string]string{"displayName": "Partner OIDC", "issuer": "ftp://127.0.0.1/op", "clientId": "fabrikam-client",
		"clientSecret": secret, "domains": partnerDomain})
	c.submitFor("#issuer-error")
	if strings.Contains(c.html(), secret) {
		t.Fatal("the refused form shows the client secret back")
	}
	c.setValues(map[string]string{"issuer": c.partner.Srv.URL + "/op", "clientSecret": secret})
	c.submitFor("#notice")
	if got := c.text("#oidc-partners"); !strings.Contains(got, "Partner OIDC") || !strings.Contains(got, partnerDomain) || !strings.Contains(got, "fabrikam-client") {
		t.Fatalf("the OpenID Connect pane lists %q", got)
	}
	var idps struct{ Value []map[string]any }
	e2etest.API(t, c.app, http.MethodGet, c.in.URL+"/v1.0/identity/identityProviders", nil, &idps)
	var id string
	for _, p := range idps.Value {
		if p["displayName"] == "Partner OIDC" && p["issuer"] == c.partner.Srv.URL+"/op" && p["clientId"] == "fabrikam-client" {
			id, _ = p["id"].(string)
		}
	}
	if id == "" || strings.Contains(e2etest.JSONText(t, idps.Value), secret) {
		t.Fatalf("OpenID Connect provider in the API: %v", idps.Value)
	}
	c.shot("idps_oidc_added")
	browserDo(c.b, t, "remove", chromedp.Click(chromedp.CSS("#remove-"+id)), chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#no-oidc")))
	if s := e2etest.API(t, c.app, http.MethodGet, c.in.URL+"/v1.0/identity/identityProviders/"+id, nil, nil); s != http.StatusNotFound {
		t.Fatalf("after the removal the API answers %d", s)
	}
}

func (c *idpsConsole) google(lang string) {
	t := c.t
	browserDo(c.b, t, "open Set up Google", chromedp.Click(chromedp.CSS("#setup-google")), chromedp.WaitVisible(chromedp.CSS("#clientId")))
	if got := c.text("#redirect-uri"); got != c.in.URL+"/"+c.tn.ID+"/federation/oidc/callback" {
		t.Fatalf("redirect URI shown: %q", got)
	}
	c.shot("idps_google_setup")
	secret := "google-secret-" + lang + "-write-only"
	clientID := "123-" + lang + ".apps.googleusercontent.com"
	c.setValues(map[string]string{"clientId": clientID, "clientSecret": secret})
	c.submitFor("#notice")
	if got := c.text("#google-state"); !strings.Contains(got, clientID) || strings.Contains(c.html(), secret) {
		t.Fatalf("Google pane: %q (the secret must never be shown)", got)
	}
	var g map[string]any
	if s := e2etest.API(t, c.app, http.MethodGet, c.in.URL+"/v1.0/identity/identityProviders/Google-OAUTH", nil, &g); s != http.StatusOK || g["clientId"] != clientID || g["clientSecret"] != "******" {
		t.Fatalf("Google in the API: %d %v", s, g)
	}
	c.auditedByAdmin("Add identity provider", "Google")
	c.shot("idps_google_added")
	browserDo(c.b, t, "remove Google", chromedp.Click(chromedp.CSS("#remove-google")), chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#setup-google")))
	if s := e2etest.API(t, c.app, http.MethodGet, c.in.URL+"/v1.0/identity/identityProviders/Google-OAUTH", nil, nil); s != http.StatusNotFound {
		t.Fatalf("after the removal the API answers %d for Google", s)
	}
	c.auditedByAdmin("Delete identity provider", "Google")
}

// TestConsoleIdentityProviderRoles (R10): changing identity providers
// needs what the API needs (IdentityProvider.ReadWrite.All, which only a
// Global Administrator's role allows). A member without a role, a User
// Administrator and an Authentication Policy Administrator see the panes
// without forms, get the 403 page for the forms and for posts to add or
// remove (with a valid CSRF token), and nothing changes; a post without
// its CSRF token is refused too. A Global Administrator uses the same
// forms without JavaScript.
func TestConsoleIdentityProviderRoles(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) { c.GoogleIssuer = "http://127.0.0.1:9/google"; e2etest.LoopbackPartners(c) }})
		tn, _ := e2etest.ConsoleTenant(t, in, map[string]string{"plain": "", "ua": "User Administrator", "apa": "Authentication Policy Administrator"})
		_, app := in.TenantWithAdminIn(tn, "IdentityProvider.ReadWrite.All")
		partner := e2etest.StartSAMLPartner(t, in.URL+"/"+tn.ID+"/federation/saml/metadata")
		var fed map[string]any
		if s := e2etest.API(t, app, http.MethodPost, in.URL+e2etest.SAMLFedsPath, map[string]any{"displayName": "Partner SAML", "metadataUrl": partner.Srv.URL + "/metadata",
			"domains": []map[string]any{{"id": "partner-saml.example"}}}, &fed); s != http.StatusCreated {
			t.Fatalf("create SAML federation = %d %v", s, fed)
		}
		id := fed["id"].(string)
		base := "/" + tn.ID + "/admin"
		state := func() (int, int) {
			var saml, idps struct{ Value []map[string]any }
			e2etest.API(t, app, http.MethodGet, in.URL+e2etest.SAMLFedsPath, nil, &saml)
			e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/identity/identityProviders", nil, &idps)
			return len(saml.Value), len(idps.Value)
		}
		posts := map[string]url.Values{
			"/identity-providers/saml":              {"displayName": {"Other"}, "metadataUrl": {partner.Srv.URL + "/metadata"}, "domains": {"other.example"}},
			"/identity-providers/oidc":              {"displayName": {"OIDC"}, "issuer": {partner.Srv.URL + "/op"}, "clientId": {"c"}, "clientSecret": {"s"}, "domains": {"oidc.example"}},
			"/identity-providers/google":            {"clientId": {"c"}, "clientSecret": {"s"}},
			"/identity-providers/" + id + "/remove": {},
		}
		forbidden := func(who, what string, p e2etest.Page) {
			t.Helper()
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "You don&#39;t have permission to do this") {
				t.Fatalf("%s %s = %d, want the 403 page\n%s", who, what, p.Status, p.Body)
			}
		}
		for _, who := range []string{"plain", "ua", "apa"} {
			t.Run("R10_"+who+"_reads_and_is_refused", func(t *testing.T) {
				b := e2etest.ConsoleSignIn(t, in, tn, who)
				p := b.Get(in.URL + base + "/identity-providers")
				if p.Status != http.StatusOK || !strings.Contains(p.Body, "Partner SAML") || !strings.Contains(p.Body, "partner-saml.example") || !strings.Contains(p.Body, `id="idps-readonly"`) {
					t.Fatalf("panes = %d\n%s", p.Status, p.Body)
				}
				for _, bad := range []string{`id="add-saml"`, `id="add-oidc"`, `id="setup-google"`, `/remove"`, `action="` + base + `/identity-providers`} {
					if strings.Contains(p.Body, bad) {
						t.Fatalf("a member who may not change identity providers is offered %s:\n%s", bad, p.Body)
					}
				}
				for path := range posts {
					forbidden(who, "GET "+path, b.Get(in.URL+base+path))
				}
				for path, fields := range posts {
					form := e2etest.FormValues(t, p.Body, base+"/signout") // a valid CSRF token of the session
					for k, v := range fields {
						form[k] = v
					}
					req, _ := http.NewRequest(http.MethodPost, in.URL+base+path, strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					forbidden(who, "POST "+path, b.Do(req))
				}
				if saml, idps := state(); saml != 1 || idps != 2 {
					t.Fatalf("after refused posts: %d SAML federations, %d identity providers", saml, idps)
				}
			})
		}

		t.Run("R10_global_administrator_without_javascript", func(t *testing.T) {
			b := e2etest.ConsoleSignIn(t, in, tn, "admin")
			p := b.Get(in.URL + base + "/identity-providers")
			for _, want := range []string{`id="add-saml"`, `id="add-oidc"`, `id="setup-google"`, `id="remove-` + id + `"`} {
				if !strings.Contains(p.Body, want) {
					t.Fatalf("a Global Administrator lacks %s:\n%s", want, p.Body)
				}
			}
			form := e2etest.FormValues(t, b.Get(in.URL+base+"/identity-providers/google").Body, base+"/identity-providers/google")
			form.Set("csrf", "forged")
			form.Set("clientId", "c")
			form.Set("clientSecret", "s")
			req, _ := http.NewRequest(http.MethodPost, in.URL+base+"/identity-providers/google", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if p := b.Do(req); p.Status != http.StatusForbidden {
				t.Fatalf("forged CSRF token = %d", p.Status)
			}
			if _, idps := state(); idps != 2 {
				t.Fatalf("a forged form set up Google")
			}
			if p := e2etest.ConsolePost(t, in, b, tn, "/identity-providers/google", "/identity-providers/google", map[string]string{"clientId": "c", "clientSecret": "s"}); p.Status != http.StatusSeeOther {
				t.Fatalf("set up Google = %d\n%s", p.Status, p.Body)
			}
			if p := e2etest.ConsolePost(t, in, b, tn, "/identity-providers/"+id+"/remove", "/identity-providers/"+id+"/remove", nil); p.Status != http.StatusSeeOther {
				t.Fatalf("remove = %d\n%s", p.Status, p.Body)
			}
			if saml, idps := state(); saml != 0 || idps != 3 {
				t.Fatalf("after the Global Administrator's forms: %d SAML federations, %d identity providers", saml, idps)
			}
			if p := e2etest.ConsolePost(t, in, b, tn, "/identity-providers/google", "/identity-providers/google", map[string]string{"clientId": "c", "clientSecret": "s"}); p.Status != http.StatusBadRequest ||
				!strings.Contains(p.Body, "Google federation is already configured.") {
				t.Fatalf("Google twice = %d\n%s", p.Status, p.Body)
			}
		})
	})
}
