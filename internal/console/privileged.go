package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
)

// protectedRoles names the roles of u, comma-separated, when R14 keeps the
// signed-in admin from changing u's sign-in, account or sessions; "" when
// u holds no role the admin does not manage.
func (h *Handler) protectedRoles(r *http.Request, a admin, u directory.User) (string, error) {
	held, err := h.d.Roles.RolesOf(r.Context(), a.Tenant.ID, u.ID)
	if err != nil || len(held) == 0 {
		return "", err
	}
	c := roles.Change{Action: roles.ResetRedemption, TargetRoles: held, TargetEnabled: u.AccountEnabled, Managed: a.Tenant.Managed, OtherGlobalAdmins: 1}
	if !errors.Is(roles.DecideChange(a.authority(), c), roles.ErrPrivilegedTarget) {
		return "", nil
	}
	names := make([]string, 0, len(held))
	for _, id := range held {
		if role, ok := roles.Lookup(id); ok {
			names = append(names, role.DisplayName)
		}
	}
	return strings.Join(names, ", "), nil
}

// privilegedRefusal is the page of an R14 refusal: 403 when u holds an
// admin role the admin does not manage, 400 for the last Global
// Administrator. ok is false for other errors.
func privilegedRefusal(l string, u directory.User, err error) (status int, titleKey, msg string, ok bool) {
	switch {
	case errors.Is(err, roles.ErrPrivilegedTarget):
		return http.StatusForbidden, "console.privileged.title", i18n.T(l, "console.privileged.explain", u.DisplayName), true
	case errors.Is(err, roles.ErrLastGlobalAdmin):
		return http.StatusBadRequest, "console.lastadmin.title", i18n.T(l, "console.lastadmin.explain", u.DisplayName), true
	}
	return 0, "", "", false
}
