package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
)

type choice struct {
	Value, Label string
	Checked      bool
}

type collabData struct {
	InvitesFrom []choice
	GuestRoles  []choice
	DomainModes []choice
	Domains     string
	CanChange   bool
}

func collabView(l string, s collab.Settings) collabData {
	d := collabData{Domains: strings.Join(s.Domains, "\n")}
	for _, v := range collab.AllInvitesFrom {
		d.InvitesFrom = append(d.InvitesFrom, choice{string(v), i18n.T(l, "console.collab.from."+string(v)), v == s.AllowInvitesFrom})
	}
	for i, v := range collab.GuestRoles {
		d.GuestRoles = append(d.GuestRoles, choice{v, i18n.T(l, "console.collab.guest_role."+[]string{"same", "limited", "restricted"}[i]), v == s.GuestUserRoleID})
	}
	for _, v := range []collab.DomainMode{collab.DomainsAny, collab.DomainsAllow, collab.DomainsDeny} {
		d.DomainModes = append(d.DomainModes, choice{string(v), i18n.T(l, "console.collab.domains."+string(v)), v == s.DomainMode})
	}
	return d
}

// collabPage is External Identities > External collaboration settings.
func (h *Handler) collabPage(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.PolicyReadAll) {
		h.forbidden(w, r, a)
		return
	}
	s, err := h.d.Collab.Get(r.Context(), a.Tenant)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "collab", "console.collab.title")
	d := collabView(v.Lang, s)
	d.CanChange = a.may(roles.PolicyReadWriteAuthz)
	if r.URL.Query().Get("saved") == "1" {
		v.Notice = i18n.T(v.Lang, "console.collab.saved")
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "collab", v)
}

func (h *Handler) collabSave(w http.ResponseWriter, r *http.Request, a admin) {
	from := collab.AllowInvitesFrom(r.PostFormValue("allowInvitesFrom"))
	role := r.PostFormValue("guestUserRoleId")
	mode := collab.DomainMode(r.PostFormValue("domainMode"))
	domains := strings.FieldsFunc(r.PostFormValue("domains"), func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' })
	if mode == collab.DomainsAny {
		domains = []string{}
	}
	_, err := h.d.Collab.Update(r.Context(), a.Tenant, collab.Patch{AllowInvitesFrom: &from, GuestUserRoleID: &role, DomainMode: &mode, Domains: &domains}, a.actor())
	var ve *collab.ValidationError
	if errors.As(err, &ve) {
		v := h.newView(w, r, a, "collab", "console.collab.title")
		d := collabView(v.Lang, collab.Settings{AllowInvitesFrom: from, GuestUserRoleID: role, DomainMode: mode, Domains: domains})
		d.CanChange = true
		v.Error, v.Data = ve.Error(), d
		h.render(w, r, http.StatusBadRequest, "collab", v)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base(a.Tenant)+"/collaboration?saved=1", http.StatusSeeOther)
}
