package console

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/i18n"
)

// partnerRow is a partner's identity provider as the panes list it.
type partnerRow struct {
	ID, Name, Issuer, ClientID string
	Domains                    []string
	Authoritative              bool
}

// partnerPanes are the SAML/WS-Fed, OpenID Connect and Google panes.
type partnerPanes struct {
	Shown     bool
	SAML      []partnerRow
	OIDC      []partnerRow
	Google    *partnerRow
	CanChange bool
}

// panesOf sorts the tenant's federations into the panes; canChange is
// whether the member may add and remove them.
func panesOf(fs []federation.Federation, canChange bool) partnerPanes {
	p := partnerPanes{Shown: true, CanChange: canChange}
	for _, f := range fs {
		row := partnerRow{ID: f.ID, Name: f.DisplayName, Issuer: f.Issuer, ClientID: f.Settings.ClientID,
			Domains: f.Domains, Authoritative: f.Settings.Authoritative}
		switch f.Kind {
		case federation.KindSAML:
			p.SAML = append(p.SAML, row)
		case federation.KindOIDC:
			p.OIDC = append(p.OIDC, row)
		case federation.KindGoogle:
			p.Google = &row
		}
	}
	return p
}

// idpNotice is the page's word on the change just made, if any.
func idpNotice(l string, r *http.Request) string {
	switch {
	case r.URL.Query().Get("added") == "1":
		return i18n.T(l, "console.idps.added")
	case r.URL.Query().Get("removed") == "1":
		return i18n.T(l, "console.idps.removed")
	}
	return ""
}
