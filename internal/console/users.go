package console

import (
	"errors"
	"github.com/guestgate/guestgate/internal/session"
	"net/http"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// usersPerPage is the Users page size. The list is sorted by display
// name; the search finds the text anywhere in the name, the address or
// the user principal name (a contains match no index serves), so every
// read is one page of the store's cursor: LIMIT usersPerPage+1 rows.
const usersPerPage = 25

// userFilters are the Users page's query: the search text and the
// user type and invitation state filters ("" is any).
type userFilters struct {
	Query, Type, State string
}

func readUserFilters(r *http.Request) userFilters {
	q := r.URL.Query()
	f := userFilters{Query: strings.TrimSpace(q.Get("q"))}
	if t := q.Get("type"); t == string(directory.UserTypeGuest) || t == string(directory.UserTypeMember) {
		f.Type = t
	}
	if st := q.Get("state"); st == string(directory.StatePendingAcceptance) || st == string(directory.StateAccepted) {
		f.State = st
	}
	return f
}

// filter is the store filter of f (nil: every user).
func (f userFilters) filter() directory.UserFilter {
	var all directory.AllOf
	if f.Query != "" {
		all = append(all, directory.AnyOf{
			directory.Match{Field: directory.FieldDisplayName, Op: directory.MatchContains, Value: f.Query},
			directory.Match{Field: directory.FieldMail, Op: directory.MatchContains, Value: f.Query},
			directory.Match{Field: directory.FieldUserPrincipalName, Op: directory.MatchContains, Value: f.Query},
		})
	}
	if f.Type != "" {
		all = append(all, directory.Match{Field: directory.FieldUserType, Op: directory.MatchEq, Value: f.Type})
	}
	if f.State != "" {
		all = append(all, directory.Match{Field: directory.FieldExternalUserState, Op: directory.MatchEq, Value: f.State})
	}
	if len(all) == 0 {
		return nil
	}
	return all
}

// url is the Users page of f, after the cursor ("" is the first page).
func (f userFilters) url(b, after string) string {
	v := url.Values{}
	for k, val := range map[string]string{"q": f.Query, "type": f.Type, "state": f.State, "after": after} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if len(v) == 0 {
		return b + "/users"
	}
	return b + "/users?" + v.Encode()
}

type usersData struct {
	userFilters
	Types, States []option
	Users         []directory.User
	NextURL       string
	FirstURL      string
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

func (h *Handler) users(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.UserReadAll) {
		h.forbidden(w, r, a)
		return
	}
	f := readUserFilters(r)
	uq := directory.UserQuery{Filter: f.filter(), Order: directory.OrderDisplayName, After: r.URL.Query().Get("after"), Limit: usersPerPage}
	page, err := h.d.Directory.QueryUsers(r.Context(), a.Tenant.ID, uq)
	if errors.Is(err, directory.ErrInvalidCursor) {
		uq.After = ""
		page, err = h.d.Directory.QueryUsers(r.Context(), a.Tenant.ID, uq)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "users", "console.users.title")
	d := usersData{userFilters: f, Users: page.Users,
		Types:  choices(v.Lang, "console.users.type_", f.Type, string(directory.UserTypeGuest), string(directory.UserTypeMember)),
		States: choices(v.Lang, "console.users.state_", f.State, string(directory.StatePendingAcceptance), string(directory.StateAccepted))}
	if page.Next != "" {
		d.NextURL = f.url(base(a.Tenant), page.Next)
	}
	if uq.After != "" {
		d.FirstURL = f.url(base(a.Tenant), "")
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "users", v)
}

// choices are a filter's options: "any", then values labelled by
// prefix+value in lang.
func choices(lang, prefix, selected string, values ...string) []option {
	opts := []option{{Value: "", Label: i18n.T(lang, prefix+"any"), Selected: selected == ""}}
	for _, val := range values {
		opts = append(opts, option{Value: val, Label: i18n.T(lang, prefix+val), Selected: val == selected})
	}
	return opts
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
	// Groups are the groups the user is directly in (memberOf).
	Groups []groups.Group
	// Apps are the user's own app assignments (appRoleAssignments).
	Apps []userApp
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
	var err error
	if d.Groups, err = h.userGroups(r, a, u); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Apps, err = h.userApps(r, a, u); err != nil {
		h.fail(w, r, err)
		return
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
