package console

import (
	"errors"
	"github.com/guestgate/guestgate/internal/session"
	"net/http"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// usersPerPage is the Users page size. Search is a prefix match on the
// name and the addresses and paging uses the store's cursor, so both stay
// fast with a million guests (the same query as GET /v1.0/users).
const usersPerPage = 25

type usersData struct {
	Query    string
	Users    []directory.User
	NextURL  string
	FirstURL string
}

func (h *Handler) users(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.UserReadAll) {
		h.forbidden(w, r, a)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	uq := directory.UserQuery{After: r.URL.Query().Get("after"), Limit: usersPerPage}
	if q != "" {
		uq.Filter = directory.AnyOf{
			directory.Match{Field: directory.FieldDisplayName, Op: directory.MatchStartsWith, Value: q},
			directory.Match{Field: directory.FieldMail, Op: directory.MatchStartsWith, Value: q},
			directory.Match{Field: directory.FieldUserPrincipalName, Op: directory.MatchStartsWith, Value: q},
		}
	}
	page, err := h.d.Directory.QueryUsers(r.Context(), a.Tenant.ID, uq)
	if errors.Is(err, directory.ErrInvalidCursor) {
		uq.After = ""
		page, err = h.d.Directory.QueryUsers(r.Context(), a.Tenant.ID, uq)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := usersData{Query: q, Users: page.Users}
	if page.Next != "" {
		d.NextURL = base(a.Tenant) + "/users?" + url.Values{"q": {q}, "after": {page.Next}}.Encode()
	}
	if uq.After != "" {
		d.FirstURL = base(a.Tenant) + "/users?" + url.Values{"q": {q}}.Encode()
	}
	v := h.newView(w, r, a, "users", "console.users.title")
	v.Data = d
	h.render(w, r, http.StatusOK, "users", v)
}

type userData struct {
	U          directory.User
	IsGuest    bool
	InvitedAt  string
	InvitedBy  string
	Identities []identity
	Sessions   []sessionRow
	CanChange  bool
	CanInvite  bool
	// Protected names the admin roles of a user the signed-in admin may
	// not reset, re-address, disable, delete or sign out (R14); "" when
	// it may.
	Protected string
}

type identity struct{ SignInType, Issuer, Value string }

// user is a user's detail page: state, identity provider, who invited
// them and when (from the audit log), identities, and the actions.
func (h *Handler) user(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.UserReadAll) {
		h.forbidden(w, r, a)
		return
	}
	u, ok := h.loadUser(w, r, a)
	if !ok {
		return
	}
	d := userData{U: u, IsGuest: u.UserType == directory.UserTypeGuest, CanChange: a.may(roles.UserReadWriteAll)}
	if d.CanChange {
		var err error
		if d.Protected, err = h.protectedRoles(r, a, u); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if s, err := h.d.Collab.Get(r.Context(), a.Tenant); err == nil {
		d.CanInvite = s.MayInvite(a.Roles, a.User.UserType)
	}
	if d.IsGuest {
		inv, err := h.d.Stats.LatestInvitation(r.Context(), a.Tenant.ID, u.ID)
		switch {
		case err == nil:
			d.InvitedAt, d.InvitedBy = formatTime(inv.CreatedAt), inv.InvitedBy
		case !errors.Is(err, store.ErrNotFound):
			h.fail(w, r, err)
			return
		}
	}
	if d.IsGuest {
		issuer := u.IdPIssuer
		if issuer == "" {
			issuer = string(u.IdP)
		}
		typ := "federated"
		if u.IdP == directory.IdPMail {
			typ = "emailAddress"
		}
		d.Identities = append(d.Identities, identity{typ, issuer, u.Mail})
	} else {
		d.Identities = append(d.Identities, identity{"userPrincipalName", a.Tenant.InitialDomain, u.UserPrincipalName})
	}
	v := h.newView(w, r, a, "users", "console.user.title", u.DisplayName)
	if d.Sessions, ok = h.sessionRows(w, r, a, u, v.Lang); !ok {
		return
	}
	v.Notice = noticeText(v.Lang, r.URL.Query().Get("done"))
	v.Data = d
	h.render(w, r, http.StatusOK, "user", v)
}

// sessionRow is one of a user's sessions on the detail page.
type sessionRow struct {
	SignedIn, Expires, Method, State string
	Live                             bool
}

// sessionRows lists the user's sessions, newest first; a session from
// before the user's revocation instant is shown as ended, as it is.
func (h *Handler) sessionRows(w http.ResponseWriter, r *http.Request, a admin, u directory.User, lang string) ([]sessionRow, bool) {
	list, err := h.d.Sessions.ListUserSessions(r.Context(), a.Tenant.ID, u.ID)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	rows := make([]sessionRow, 0, len(list))
	for _, s := range list {
		row := sessionRow{SignedIn: formatTime(s.AuthTime), Expires: formatTime(s.ExpiresAt), Method: strings.Join(s.AMR, ", ")}
		switch {
		case errors.Is(s.Err, session.ErrRevoked) || directory.TokensRevoked(u, s.AuthTime):
			row.State = i18n.T(lang, "console.user.session_revoked")
		case s.Err != nil:
			row.State = i18n.T(lang, "console.user.session_expired")
		default:
			row.State, row.Live = i18n.T(lang, "console.user.session_live"), true
		}
		rows = append(rows, row)
	}
	return rows, true
}

// noticeText is the confirmation after a change (?done=…).
func noticeText(l, done string) string {
	switch done {
	case "reset", "resent", "revoked", "enabled", "disabled", "invited":
		return i18n.T(l, "console.done."+done)
	}
	return ""
}

func (h *Handler) loadUser(w http.ResponseWriter, r *http.Request, a admin) (directory.User, bool) {
	u, err := h.d.Directory.GetUser(r.Context(), a.Tenant.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
		return u, false
	}
	if err != nil {
		h.fail(w, r, err)
		return u, false
	}
	return u, true
}

type confirmData struct {
	Heading    string
	Paragraphs []string
	Action     string
	Button     string
	Danger     bool
	CancelURL  string
}

// confirmReset explains R7 before a redemption is reset.
func (h *Handler) confirmReset(w http.ResponseWriter, r *http.Request, a admin) {
	u, ok := h.loadUser(w, r, a)
	if !ok {
		return
	}
	v := h.newView(w, r, a, "users", "console.reset.title")
	v.Data = confirmData{Heading: v.Title, Paragraphs: []string{
		i18n.T(v.Lang, "console.reset.r7", u.DisplayName, u.Mail),
		i18n.T(v.Lang, "console.reset.keeps"),
		i18n.T(v.Lang, "console.reset.sessions"),
	}, Action: base(a.Tenant) + "/users/" + u.ID + "/reset", Button: i18n.T(v.Lang, "console.reset.button"), CancelURL: base(a.Tenant) + "/users/" + u.ID}
	h.render(w, r, http.StatusOK, "confirm", v)
}

func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request, a admin) {
	u, ok := h.loadUser(w, r, a)
	if !ok {
		return
	}
	v := h.newView(w, r, a, "users", "console.delete.title")
	v.Data = confirmData{Heading: v.Title, Paragraphs: []string{i18n.T(v.Lang, "console.delete.explain", u.DisplayName)},
		Action: base(a.Tenant) + "/users/" + u.ID + "/delete", Button: i18n.T(v.Lang, "console.delete.button"), Danger: true,
		CancelURL: base(a.Tenant) + "/users/" + u.ID}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// redirectURL is where a console invitation sends the guest: the
// tenant's My Apps page.
func (h *Handler) redirectURL(a admin) string {
	return strings.TrimSuffix(h.cfg.PublicURL, "/") + "/" + a.Tenant.ID + "/"
}

// resetRedemption invites the user again (R7). As POST /v1.0/invitations
// with resetRedemption, it needs the tenant's allowInvitesFrom to let the
// member invite besides the role, and counts against their write limit.
func (h *Handler) resetRedemption(w http.ResponseWriter, r *http.Request, a admin) {
	u, ok := h.loadUser(w, r, a)
	if !ok {
		return
	}
	if !h.mayInvite(r, a) {
		h.forbidden(w, r, a)
		return
	}
	if err := h.checkWrites(r, a); err != nil {
		h.limitedPage(w, r, a, err)
		return
	}
	_, err := h.d.Invitations.ResetRedemption(r.Context(), a.Tenant, u.ID,
		invitation.Request{RedirectURL: h.redirectURL(a), SendMessage: true, InvitedBy: a.User.DisplayName}, a.actor(), a.authority())
	if h.userActionFailed(w, r, a, u, err) {
		return
	}
	h.doneUser(w, r, a, u, "reset")
}

// resendInvitation sends the guest a new invitation mail, with the member
// as its initiator, under the member's write limit.
func (h *Handler) resendInvitation(w http.ResponseWriter, r *http.Request, a admin) {
	u, ok := h.loadUser(w, r, a)
	if !ok {
		return
	}
	if !h.mayInvite(r, a) {
		h.forbidden(w, r, a)
		return
	}
	if err := h.checkWrites(r, a); err != nil {
		h.limitedPage(w, r, a, err)
		return
	}
	_, err := h.d.Invitations.Invite(r.Context(), a.Tenant, invitation.Request{Email: u.Mail, DisplayName: u.DisplayName,
		RedirectURL: h.redirectURL(a), SendMessage: true, InvitedBy: a.User.DisplayName, By: a.actor()})
	if h.userActionFailed(w, r, a, u, err) {
		return
	}
	h.doneUser(w, r, a, u, "resent")
}

func (h *Handler) revokeSessions(w http.ResponseWriter, r *http.Request, a admin) {
	u, ok := h.loadUser(w, r, a)
	if !ok {
		return
	}
	if h.userActionFailed(w, r, a, u, h.d.Lifecycle.RevokeSignInSessions(r.Context(), a.Tenant, u.ID, a.actor(), a.authority())) {
		return
	}
	h.doneUser(w, r, a, u, "revoked")
}

func (h *Handler) setEnabled(enabled bool) func(w http.ResponseWriter, r *http.Request, a admin) {
	return func(w http.ResponseWriter, r *http.Request, a admin) {
		u, ok := h.loadUser(w, r, a)
		if !ok {
			return
		}
		if u.ID == a.User.ID && !enabled {
			h.messagePage(w, r, a, http.StatusBadRequest, "console.self.title", i18n.T(lang(r), "console.self.explain"))
			return
		}
		_, err := h.d.Lifecycle.Update(r.Context(), a.Tenant, u.ID, lifecycle.Patch{AccountEnabled: &enabled}, a.actor(), a.authority())
		if h.userActionFailed(w, r, a, u, err) {
			return
		}
		done := "disabled"
		if enabled {
			done = "enabled"
		}
		h.doneUser(w, r, a, u, done)
	}
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, a admin) {
	u, ok := h.loadUser(w, r, a)
	if !ok {
		return
	}
	if u.ID == a.User.ID {
		h.messagePage(w, r, a, http.StatusBadRequest, "console.self.title", i18n.T(lang(r), "console.self.explain"))
		return
	}
	if h.userActionFailed(w, r, a, u, h.d.Lifecycle.Delete(r.Context(), a.Tenant, u.ID, a.actor(), a.authority())) {
		return
	}
	http.Redirect(w, r, base(a.Tenant)+"/users?deleted=1", http.StatusSeeOther)
}

func (h *Handler) doneUser(w http.ResponseWriter, r *http.Request, a admin, u directory.User, done string) {
	http.Redirect(w, r, base(a.Tenant)+"/users/"+u.ID+"?done="+done, http.StatusSeeOther)
}

// userActionFailed shows a refused action's reason (an invalid request)
// or fails; it reports whether err was not nil.
func (h *Handler) userActionFailed(w http.ResponseWriter, r *http.Request, a admin, u directory.User, err error) bool {
	if err == nil {
		return false
	}
	if status, title, msg, ok := privilegedRefusal(lang(r), u, err); ok {
		h.messagePage(w, r, a, status, title, msg)
		return true
	}
	if msg, ok := invitationMessage(lang(r), err); ok {
		h.messagePage(w, r, a, http.StatusBadRequest, "console.refused.title", msg)
		return true
	}
	h.fail(w, r, err)
	return true
}
