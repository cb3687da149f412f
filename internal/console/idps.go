package console

import (
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/roles"
)

type idpRow struct {
	Name, Kind, State, URL string
}

type idpsData struct {
	USGov      bool
	Providers  []idpRow
	Precedence []string
	Fallback   string
	Partners   partnerPanes
}

// identityProviders is External Identities > All identity providers (or,
// for US Government tenants, Organizational relationships > All identity
// providers): each provider with its state, and the redemption order of
// DESIGN section 3.
func (h *Handler) identityProviders(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.PolicyReadAll) {
		h.forbidden(w, r, a)
		return
	}
	l := lang(r)
	pv, err := h.d.Policies.Get(r.Context(), a.Tenant)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := idpsData{USGov: a.Tenant.Cloud == directory.CloudUSGov}
	d.Providers = append(d.Providers, idpRow{Name: i18n.T(l, "console.otp.name"), Kind: i18n.T(l, "console.idps.builtin"),
		State: stateText(l, pv.Effective.Enabled), URL: base(a.Tenant) + "/identity-providers/email-otp"})
	if h.d.Federations != nil {
		fs, err := h.d.Federations.List(r.Context(), a.Tenant.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, f := range fs {
			d.Providers = append(d.Providers, idpRow{Name: f.DisplayName, Kind: string(f.Kind), State: stateText(l, true)})
		}
		d.Partners = panesOf(fs, a.may(roles.PolicyReadWriteIdP))
	}
	rc, err := h.d.Policies.Redemption(r.Context(), a.Tenant.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, p := range rc.Precedence {
		d.Precedence = append(d.Precedence, i18n.T(l, "console.idps.primary."+p))
	}
	d.Fallback = i18n.T(l, "console.idps.fallback."+rc.Fallback)
	v := h.newView(w, r, a, "idps", "console.idps.title")
	if d.USGov {
		v.Title = i18n.T(l, "console.idps.title_usgov")
	}
	v.Notice = idpNotice(l, r)
	v.Data = d
	h.render(w, r, http.StatusOK, "idps", v)
}

func stateText(l string, enabled bool) string {
	if enabled {
		return i18n.T(l, "console.state.enabled")
	}
	return i18n.T(l, "console.state.disabled")
}

// otpForm is which form of the pane a tenant gets (DESIGN section 4).
type otpForm string

const (
	// formThree: the three options; "Automatically enable … after {date}"
	// only while the value is default.
	formThree otpForm = "three"
	// formYesNo: a Yes/No toggle, for preview opt-in tenants and (under
	// Organizational relationships) US Government tenants.
	formYesNo otpForm = "yesno"
)

type otpOption struct {
	Value, Label string
	Checked      bool
}

type otpData struct {
	Form       otpForm
	USGov      bool
	Current    string
	Options    []otpOption
	Effective  bool
	CanChange  bool
	Breadcrumb string
}

// paneOf builds the pane for a tenant and its stored policy.
func paneOf(l string, t directory.Tenant, v policy.View, autoEnable time.Time) otpData {
	cur := v.Config.AllowExternal
	d := otpData{Current: string(cur), Effective: v.Effective.Enabled, USGov: t.Cloud == directory.CloudUSGov}
	d.Breadcrumb = i18n.T(l, "console.otp.breadcrumb")
	if d.USGov {
		d.Breadcrumb = i18n.T(l, "console.otp.breadcrumb_usgov")
	}
	if d.USGov || v.PreviewOptIn {
		d.Form = formYesNo
		d.Options = []otpOption{
			{Value: string(policy.AllowEnabled), Label: i18n.T(l, "console.otp.yes"), Checked: v.Effective.Enabled},
			{Value: string(policy.AllowDisabled), Label: i18n.T(l, "console.otp.no"), Checked: !v.Effective.Enabled},
		}
		return d
	}
	d.Form = formThree
	if cur == policy.AllowDefault {
		d.Options = append(d.Options, otpOption{Value: string(policy.AllowDefault),
			Label: i18n.T(l, "console.otp.auto", autoEnable.UTC().Format("2006-01-02")), Checked: true})
	}
	d.Options = append(d.Options,
		otpOption{Value: string(policy.AllowEnabled), Label: i18n.T(l, "console.otp.enable_now"), Checked: cur == policy.AllowEnabled},
		otpOption{Value: string(policy.AllowDisabled), Label: i18n.T(l, "console.otp.disable"), Checked: cur == policy.AllowDisabled},
	)
	return d
}

func (h *Handler) emailOTPPane(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.PolicyReadAll) {
		h.forbidden(w, r, a)
		return
	}
	pv, err := h.d.Policies.Get(r.Context(), a.Tenant)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := lang(r)
	d := paneOf(l, a.Tenant, pv, h.d.Policies.AutoEnableDate())
	d.CanChange = a.may(roles.PolicyReadWriteAuthn)
	v := h.newView(w, r, a, "idps", "console.otp.title")
	if r.URL.Query().Get("saved") == "1" {
		v.Notice = i18n.T(l, "console.otp.saved")
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "email_otp", v)
}

type otpConfirmData struct {
	Value        string
	Choice       string
	PasscodeUsed int
	Disables     bool
	Enables      bool
}

// emailOTPConfirm is Save's confirmation: how many guests redeemed with a
// passcode, what disabling does to them (R9) and what enabling does (R8).
func (h *Handler) emailOTPConfirm(w http.ResponseWriter, r *http.Request, a admin) {
	l := lang(r)
	value := policy.AllowExternal(r.PostFormValue("value"))
	pv, err := h.d.Policies.Get(r.Context(), a.Tenant)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var choice string
	for _, o := range paneOf(l, a.Tenant, pv, h.d.Policies.AutoEnableDate()).Options {
		if o.Value == string(value) {
			choice = o.Label
		}
	}
	if choice == "" {
		h.messagePage(w, r, a, http.StatusBadRequest, "console.otp.title", i18n.T(l, "console.otp.pick"))
		return
	}
	byIdP, _, err := h.d.Stats.CountGuestsByIdPAndState(r.Context(), a.Tenant.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The policy service says what saving would make effective: the same
	// rules, auto-enable date and clock as the sign-ins that follow.
	after, err := h.d.Policies.Preview(r.Context(), a.Tenant, policy.Patch{AllowExternal: &value})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	eff := after.Effective
	v := h.newView(w, r, a, "idps", "console.otp.confirm_title")
	v.Data = otpConfirmData{Value: string(value), Choice: choice, PasscodeUsed: byIdP[directory.IdPMail],
		Disables: pv.Effective.Enabled && !eff.Enabled, Enables: !pv.Effective.Enabled && eff.Enabled}
	h.render(w, r, http.StatusOK, "email_otp_confirm", v)
}

func (h *Handler) emailOTPSave(w http.ResponseWriter, r *http.Request, a admin) {
	value := policy.AllowExternal(r.PostFormValue("value"))
	if _, err := h.d.Policies.Update(r.Context(), a.Tenant, policy.Patch{AllowExternal: &value}, a.actor()); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base(a.Tenant)+"/identity-providers/email-otp?saved=1", http.StatusSeeOther)
}
