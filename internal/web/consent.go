package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/i18n"
)

// consentCookie holds the sealed proof of a first redemption while the
// guest reviews permissions; per tenant, like the session.
func consentCookie(tenantID string) string { return "gg_consent_" + tenantID }

// setConsentCookie keeps the proof until it expires.
func (h *Handler) setConsentCookie(w http.ResponseWriter, t directory.Tenant, proof string, expires time.Time) {
	httpx.SetCookie(w, h.cfg.SecureCookies, consentCookie(t.ID), proof, h.maxAgeUntil(expires))
}

func (h *Handler) clearConsentCookie(w http.ResponseWriter, t directory.Tenant) {
	httpx.SetCookie(w, h.cfg.SecureCookies, consentCookie(t.ID), "", -1)
}

func (h *Handler) consentProof(r *http.Request, t directory.Tenant) string {
	return httpx.ReadCookie(r, h.cfg.SecureCookies, consentCookie(t.ID))
}

// consentPage is Review permissions, shown once, after the guest first
// proves who they are in a tenant: the tenant's name and domain, what it
// may read, its privacy statement, Accept and Cancel.
func (h *Handler) consentPage(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	next, err := h.deps.SignIn.ConsentNext(t, h.consentProof(r, t))
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "consent", page{
		Lang: l, Title: i18n.T(l, "consent.title"), TenantName: t.DisplayName, Heading: i18n.T(l, "consent.title"),
		Domain: displayDomain(t), PrivacyURL: t.PrivacyURL, FormOrigins: []string{origin(next.RedirectURL)},
		CSRF: h.csrf.Token(w, r), Action: tenantPath(t, "/consent/accept"), ResendAction: tenantPath(t, "/consent/cancel"),
	})
}

// consentAccept redeems the invitation and continues.
func (h *Handler) consentAccept(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	res, err := h.deps.SignIn.Accept(r.Context(), t, h.consentProof(r, t))
	if errors.Is(err, assignment.ErrNotAssigned) {
		// Redeemed, then refused by the app (R16): the proof is spent.
		h.clearConsentCookie(w, t)
	}
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.clearConsentCookie(w, t)
	h.finish(w, r, t, res)
}

// consentCancel leaves the invitation pending and says so.
func (h *Handler) consentCancel(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	back, err := h.deps.SignIn.Decline(r.Context(), t, h.consentProof(r, t))
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.clearConsentCookie(w, t)
	l := lang(r)
	p := page{
		Lang: l, Title: i18n.T(l, "consent.declined_title"), TenantName: t.DisplayName,
		Heading: i18n.T(l, "consent.declined_title"), Paragraphs: []string{i18n.T(l, "consent.declined", t.DisplayName)},
	}
	if back != "" {
		p.LinkURL, p.LinkText = back, i18n.T(l, "consent.back_to_app")
	}
	h.r.render(w, r, http.StatusOK, "message", p)
}

// displayDomain is the tenant's first verified domain other than its
// initial one, else the initial domain.
func displayDomain(t directory.Tenant) string {
	for _, d := range t.Domains {
		if d != t.InitialDomain {
			return d
		}
	}
	return t.InitialDomain
}
