package console

import (
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/roles"
)

// routes are the console's pages and forms. Every change is a POST in the
// changes table, which says who may make it; change checks the form's
// CSRF token, then the session, then that, before the handler runs.
func (h *Handler) routes() {
	m := h.mux
	// view adds a page: only GET; a change goes in the changes table.
	view := func(pattern string, fn func(w http.ResponseWriter, r *http.Request, a admin)) {
		if !strings.HasPrefix(pattern, "GET ") {
			panic("console: " + pattern + " changes something: add it to the changes table")
		}
		m.HandleFunc(pattern, h.page(fn))
	}
	m.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, base(tenantOf(r))+"/", http.StatusSeeOther)
	})
	m.HandleFunc("GET /admin/signin", h.signInPage)
	m.HandleFunc("POST /admin/signin", h.csrf.Require(func(w http.ResponseWriter, r *http.Request) { h.badForm(w, r, admin{}) }, h.signIn))
	view("GET /admin/{$}", h.overview)

	view("GET /admin/users", h.users)
	view("GET /admin/users/{id}", h.user)
	view("GET /admin/users/{id}/reset", h.confirmReset)
	view("GET /admin/users/{id}/delete", h.confirmDelete)

	view("GET /admin/guests/inactive", h.inactiveGuests)

	view("GET /admin/groups", h.groupsList)
	view("GET /admin/groups/new", h.newGroupPage)
	view("GET /admin/groups/{id}", h.group)

	view("GET /admin/apps", h.appsList)
	view("GET /admin/apps/{id}", h.app)

	view("GET /admin/invite", h.invitePage)
	view("GET /admin/invite/bulk/{id}", h.bulkStatus)
	view("GET /admin/invite/bulk/{id}/results.csv", h.bulkResultCSV)
	view("GET /admin/invite/template.csv", h.bulkTemplate)

	view("GET /admin/identity-providers", h.identityProviders)
	view("GET /admin/identity-providers/email-otp", h.emailOTPPane)
	for _, k := range []idpKind{samlKind, oidcKind, googleKind} {
		view("GET /admin/identity-providers/"+k.path, h.addIdPPage(k))
	}
	view("GET /admin/identity-providers/{id}/remove", h.confirmRemoveIdP)

	view("GET /admin/collaboration", h.collabPage)

	view("GET /admin/logs/signins", h.signInLog)
	view("GET /admin/logs/audit", h.auditLog)

	for _, c := range h.changes() {
		m.HandleFunc(c.pattern, h.change(c))
	}

	m.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		h.messagePage(w, r, admin{}, http.StatusNotFound, "console.notfound.title")
	})
}

// gate is who may make a change (R10).
type gate struct {
	// permission, if set, must be allowed by the member's roles.
	permission string
	// invite: the tenant's allowInvitesFrom must let the member invite.
	invite bool
}

var (
	// anyMember: any signed-in member (signing out).
	anyMember = gate{}
	// inviters: members the tenant's allowInvitesFrom lets invite.
	inviters = gate{invite: true}
)

// need is the gate of a change that needs permission.
func need(permission string) gate { return gate{permission: permission} }

func (g gate) String() string {
	switch {
	case g.permission != "":
		return g.permission
	case g.invite:
		return "allowInvitesFrom"
	}
	return "any member"
}

// lets reports whether the gate lets a through.
func (h *Handler) lets(r *http.Request, a admin, g gate) bool {
	switch {
	case g.permission != "":
		return a.may(g.permission)
	case g.invite:
		return h.mayInvite(r, a)
	}
	return true
}

// changeRoute is a form post that changes something, and who may post it.
type changeRoute struct {
	pattern string
	who     gate
	fn      func(w http.ResponseWriter, r *http.Request, a admin)
	// maxBody bounds the posted body (0: the form limits of net/http).
	maxBody int64
}

// changes is the one table of the console's changes and who may make
// each: routes registers them and change enforces the gate before the
// handler runs (TestChangeRoutes holds the expected table).
func (h *Handler) changes() []changeRoute {
	cs := []changeRoute{
		{pattern: "POST /admin/signout", who: anyMember, fn: h.signOut},

		{pattern: "POST /admin/users/{id}/reset", who: need(roles.UserReadWriteAll), fn: h.resetRedemption},
		{pattern: "POST /admin/users/{id}/resend", who: inviters, fn: h.resendInvitation},
		{pattern: "POST /admin/users/{id}/revoke", who: need(roles.UserReadWriteAll), fn: h.revokeSessions},
		{pattern: "POST /admin/users/{id}/enable", who: need(roles.UserReadWriteAll), fn: h.setEnabled(true)},
		{pattern: "POST /admin/users/{id}/disable", who: need(roles.UserReadWriteAll), fn: h.setEnabled(false)},
		{pattern: "POST /admin/users/{id}/delete", who: need(roles.UserReadWriteAll), fn: h.deleteUser},

		{pattern: "POST /admin/guests/inactive/confirm", who: need(roles.UserReadWriteAll), fn: h.confirmInactive},
		{pattern: "POST /admin/guests/inactive/disable", who: need(roles.UserReadWriteAll), fn: h.actOnInactive("disable")},
		{pattern: "POST /admin/guests/inactive/delete", who: need(roles.UserReadWriteAll), fn: h.actOnInactive("delete")},
		{pattern: "POST /admin/guests/inactive/policy", who: need(roles.UserReadWriteAll), fn: h.saveInactivePolicy},

		{pattern: "POST /admin/groups", who: need(roles.GroupReadWriteAll), fn: h.createGroup},
		{pattern: "POST /admin/groups/{id}/members", who: need(roles.GroupMemberReadWriteAll), fn: h.addGroupMember},
		{pattern: "POST /admin/groups/{id}/members/remove", who: need(roles.GroupMemberReadWriteAll), fn: h.removeGroupMember},

		{pattern: "POST /admin/apps/{id}/assignment-required", who: need(roles.ApplicationReadWriteAll), fn: h.setAssignmentRequired},
		{pattern: "POST /admin/apps/{id}/groups-claim", who: need(roles.ApplicationReadWriteAll), fn: h.setGroupsClaim},
		{pattern: "POST /admin/apps/{id}/assignments", who: need(roles.AppRoleAssignmentReadWriteAll), fn: h.addAssignment},
		{pattern: "POST /admin/apps/{id}/assignments/remove", who: need(roles.AppRoleAssignmentReadWriteAll), fn: h.removeAssignment},

		{pattern: "POST /admin/invite", who: inviters, fn: h.invite},
		{pattern: "POST /admin/invite/bulk", who: inviters, fn: h.bulkUpload, maxBody: maxUpload},

		{pattern: "POST /admin/identity-providers/email-otp", who: need(roles.PolicyReadWriteAuthn), fn: h.emailOTPConfirm},
		{pattern: "POST /admin/identity-providers/email-otp/save", who: need(roles.PolicyReadWriteAuthn), fn: h.emailOTPSave},
		{pattern: "POST /admin/identity-providers/{id}/remove", who: need(roles.PolicyReadWriteIdP), fn: h.removeIdP},

		{pattern: "POST /admin/collaboration", who: need(roles.PolicyReadWriteAuthz), fn: h.collabSave},
	}
	for _, k := range []idpKind{samlKind, oidcKind, googleKind} {
		cs = append(cs, changeRoute{pattern: "POST /admin/identity-providers/" + k.path, who: need(roles.PolicyReadWriteIdP), fn: h.addIdP(k)})
	}
	return cs
}

// maxUpload bounds a bulk invitation CSV (a few thousand rows).
const maxUpload = 4 << 20
