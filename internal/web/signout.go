package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
)

// signOutConfirm asks before ending the session: an app's logout without
// an id_token_hint lands here, and a cross-site link must not sign anyone
// out silently. Without a live session there is nothing to confirm.
func (h *Handler) signOutConfirm(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	back := h.postLogoutURL(r.Context(), t, r.URL.Query().Get("post_logout_redirect_uri"))
	if _, err := h.deps.Sessions.Lookup(r.Context(), t.ID, h.sessionToken(r, t.ID)); err != nil {
		h.signedOut(w, r, t, back)
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "signout", page{
		Lang: l, Title: i18n.T(l, "session.confirm_title"), TenantName: t.DisplayName,
		Heading: i18n.T(l, "session.confirm_title"), Paragraphs: []string{i18n.T(l, "session.confirm", t.DisplayName)},
		CSRF: h.csrf.Token(w, r), Action: tenantPath(t, "/signout"), Hidden: map[string]string{"post_logout_redirect_uri": back},
	})
}

// signOut ends the tenant session of this browser.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	if err := h.deps.Sessions.End(r.Context(), t.ID, h.sessionToken(r, t.ID)); err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.clearSessionCookie(w, t)
	h.signedOut(w, r, t, h.postLogoutURL(r.Context(), t, r.PostFormValue("post_logout_redirect_uri")))
}

// signedOutPage is where an app's logout lands when it gave no way back:
// a page that says so, instead of a silent redirect elsewhere.
func (h *Handler) signedOutPage(w http.ResponseWriter, r *http.Request) {
	h.signedOut(w, r, tenantFrom(r.Context()), "")
}

// signedOut says so, with the way back to the app when there is one.
func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request, t directory.Tenant, back string) {
	l := lang(r)
	p := page{
		Lang: l, Title: i18n.T(l, "session.signed_out_title"), TenantName: t.DisplayName,
		Heading:    i18n.T(l, "session.signed_out_title"),
		Paragraphs: []string{i18n.T(l, "session.signed_out", t.DisplayName), i18n.T(l, "session.signed_out_next")},
	}
	if back != "" {
		p.LinkURL, p.LinkText = back, i18n.T(l, "session.back_to_app")
	} else {
		// No app to return to: the next step is signing in again here.
		p.LinkURL, p.LinkText = tenantPath(t, "/"), i18n.T(l, "session.sign_in_again")
	}
	h.r.render(w, r, http.StatusOK, "message", p)
}

// postLogoutURL returns raw if it is a post-logout redirect URI one of the
// tenant's apps registered (its query aside: the provider adds state),
// else "": the page never links anywhere an app did not register.
func (h *Handler) postLogoutURL(ctx context.Context, t directory.Tenant, raw string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || !u.IsAbs() || h.deps.Apps == nil {
		return ""
	}
	bare := *u
	bare.RawQuery, bare.Fragment = "", ""
	apps, err := h.deps.Apps.ListApps(ctx, t.ID)
	if err != nil {
		return ""
	}
	for _, a := range apps {
		for _, reg := range a.PostLogoutRedirectURIs {
			if reg == bare.String() || reg == raw {
				return raw
			}
		}
	}
	return ""
}
