package console

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/validation"
)

// InactivePolicy reads and sets the tenant's inactive-guest policy
// (inactivepolicy.Settings). The form on the Inactive guests page needs
// what the page needs: what disabling users needs.
type InactivePolicy interface {
	Get(ctx context.Context, t directory.Tenant) (inactivepolicy.Policy, error)
	Set(ctx context.Context, t directory.Tenant, p inactivepolicy.Policy, by audit.Actor) (inactivepolicy.Policy, error)
}

// inactivePolicyData is the form: the stored policy, or the defaults
// (90 days, DefaultWarnDays) a member turning it on starts from.
type inactivePolicyData struct {
	On             bool
	Days, WarnDays int
	State          string
	// SetBy says who set the policy that is on ("" when off): it disables
	// with their authority (R14), which the page's note explains.
	SetBy string
}

// inactivePolicyView reads the tenant's policy for the page; nil when
// this console has no policy settings.
func (h *Handler) inactivePolicyView(r *http.Request, a admin, lang string) (*inactivePolicyData, error) {
	if h.d.InactivePolicy == nil {
		return nil, nil
	}
	p, err := h.d.InactivePolicy.Get(r.Context(), a.Tenant)
	if err != nil {
		return nil, err
	}
	d := &inactivePolicyData{On: p.On(), Days: p.Days, WarnDays: p.WarnDays, State: i18n.T(lang, "console.inactive_policy.state_off")}
	if !p.On() {
		d.Days, d.WarnDays = defaultInactiveDays, inactivepolicy.DefaultWarnDays
		return d, nil
	}
	d.State = i18n.T(lang, "console.inactive_policy.state_on", p.Days, p.WarnDays)
	d.SetBy = i18n.T(lang, "console.inactive_policy.set_by_operator")
	if p.SetBy != "" {
		d.SetBy = i18n.T(lang, "console.inactive_policy.set_by", h.setterName(r.Context(), a.Tenant, p.SetBy))
	}
	return d, nil
}

// setterName names the member who set the policy: their display name and
// userPrincipalName, or their object id when they are gone (or cannot be
// read: the page still shows the policy).
func (h *Handler) setterName(ctx context.Context, t directory.Tenant, id string) string {
	u, err := h.d.Directory.GetUser(ctx, t.ID, id)
	if err != nil {
		return id
	}
	return u.DisplayName + " (" + u.UserPrincipalName + ")"
}

// saveInactivePolicy sets the policy from the form: "enabled" on with
// "days" and "warn_days", or off. A value the policy refuses is a 400
// page that says the limits; the policy stays as it was.
func (h *Handler) saveInactivePolicy(w http.ResponseWriter, r *http.Request, a admin) {
	if h.d.InactivePolicy == nil {
		http.NotFound(w, r)
		return
	}
	var p inactivepolicy.Policy
	if r.PostFormValue("enabled") == "on" {
		days, err1 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
		warn, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("warn_days")))
		if err1 != nil || err2 != nil {
			h.invalidInactivePolicy(w, r, a)
			return
		}
		p = inactivepolicy.Policy{Days: days, WarnDays: warn}
	}
	_, err := h.d.InactivePolicy.Set(r.Context(), a.Tenant, p, a.actor())
	var ve *validation.Error
	switch {
	case errors.As(err, &ve):
		h.invalidInactivePolicy(w, r, a)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base(a.Tenant)+"/guests/inactive?policy=saved", http.StatusSeeOther)
}

func (h *Handler) invalidInactivePolicy(w http.ResponseWriter, r *http.Request, a admin) {
	h.messagePage(w, r, a, http.StatusBadRequest, "console.inactive_policy.title", i18n.T(lang(r), "console.inactive_policy.invalid"))
}
