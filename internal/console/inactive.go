package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// The "Inactive guests" page lists the guests who have not signed in for
// N days (or never redeemed after N days) with their sponsors; its bulk
// disable and delete go through a confirmation page, then the lifecycle
// service as the member (R14 applies to each guest as on the user page).
// Page and actions need what disabling or deleting a user needs.

// inactivePerPage bounds a page, and so the guests one post acts on.
const inactivePerPage = 100

// defaultInactiveDays is the page's choice before the member picks one.
const defaultInactiveDays = 90

// inactiveRow is one guest on the page.
type inactiveRow struct {
	ID, DisplayName, Mail string
	LastActive            time.Time
	Never, Disabled       bool
	Sponsors              []string // display names (or addresses) of the sponsors
	InvitedBy             string
}

type inactiveData struct {
	// Policy is the form of the tenant's inactive-guest policy (nil: none).
	Policy  *inactivePolicyData
	Days    int
	Choices []option
	Rows    []inactiveRow
	NextURL string
}

// inactiveDays reads the days of a request: one of inactive.ConsoleDays,
// else the default.
func inactiveDays(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || !slices.Contains(inactive.ConsoleDays, n) {
		return defaultInactiveDays
	}
	return n
}

// inactiveCursor reads ?after=<unix micro>.<id>; a bad one is the start.
func inactiveCursor(v string) inactive.Cursor {
	us, id, ok := strings.Cut(v, ".")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || n < 0 || id == "" {
		return inactive.Cursor{}
	}
	c := inactive.Cursor{ID: id}
	if n > 0 {
		c.LastSuccessfulSignIn = time.UnixMicro(n).UTC()
	}
	return c
}

func cursorParam(c inactive.Cursor) string {
	var us int64
	if !c.LastSuccessfulSignIn.IsZero() {
		us = c.LastSuccessfulSignIn.UnixMicro()
	}
	return strconv.FormatInt(us, 10) + "." + c.ID
}

// inactiveGuests is the page.
func (h *Handler) inactiveGuests(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.UserReadWriteAll) {
		h.forbidden(w, r, a)
		return
	}
	q := r.URL.Query()
	days := inactiveDays(q.Get("days"))
	now := h.d.Clock.Now()
	list, err := h.d.Inactive.ListInactiveGuests(r.Context(), a.Tenant.ID, inactive.Cutoff(now, days), inactiveCursor(q.Get("after")), inactivePerPage+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "inactive", "console.inactive.title")
	d := inactiveData{Days: days}
	for _, n := range inactive.ConsoleDays {
		d.Choices = append(d.Choices, option{Value: strconv.Itoa(n), Label: i18n.T(v.Lang, "console.inactive.days", n), Selected: n == days})
	}
	if len(list) > inactivePerPage {
		list = list[:inactivePerPage]
		d.NextURL = v.Base + "/guests/inactive?" + url.Values{"days": {strconv.Itoa(days)}, "after": {cursorParam(inactive.Next(list[len(list)-1]))}}.Encode()
	}
	sponsors := map[string]string{}
	for _, g := range list {
		row, err := h.inactiveRow(r, a, g, days, now, sponsors)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Policy, err = h.inactivePolicyView(r, a, v.Lang); err != nil {
		h.fail(w, r, err)
		return
	}
	v.Notice = inactiveNotice(v.Lang, q)
	v.Data = d
	h.render(w, r, http.StatusOK, "inactive", v)
}

// inactiveRow shapes one guest, naming each sponsor once per page (names
// caches them; a sponsor no longer in the tenant is left out).
func (h *Handler) inactiveRow(r *http.Request, a admin, g inactive.Guest, days int, now time.Time, names map[string]string) (inactiveRow, error) {
	verdict := inactive.Decide(g.User, days, now)
	row := inactiveRow{ID: g.User.ID, DisplayName: g.User.DisplayName, Mail: g.User.Mail, LastActive: verdict.LastActive,
		Never: verdict.Reason == inactive.ReasonNeverSignedIn, Disabled: !g.User.AccountEnabled, InvitedBy: g.InvitedBy}
	for _, id := range g.Sponsors {
		name, ok := names[id]
		if !ok {
			u, err := h.d.Directory.GetUser(r.Context(), a.Tenant.ID, id)
			switch {
			case err == nil:
				name = u.DisplayName
				if name == "" {
					name = u.UserPrincipalName
				}
			case !errors.Is(err, store.ErrNotFound):
				return row, err
			}
			names[id] = name
		}
		if name != "" {
			row.Sponsors = append(row.Sponsors, name)
		}
	}
	return row, nil
}

// inactiveNotice says what the last bulk action did (?done=…&n=…), or
// that the policy was saved (?policy=saved).
func inactiveNotice(l string, q url.Values) string {
	if q.Get("policy") == "saved" {
		return i18n.T(l, "console.inactive_policy.saved")
	}
	done := q.Get("done")
	if done != "disabled" && done != "deleted" {
		return ""
	}
	n, _ := strconv.Atoi(q.Get("n"))
	skipped, _ := strconv.Atoi(q.Get("skipped"))
	msg := i18n.T(l, "console.inactive.done_"+done, n)
	if skipped > 0 {
		msg += " " + i18n.T(l, "console.inactive.done_skipped", skipped)
	}
	return msg
}

// inactiveForm is a bulk action's posted form: the days, the chosen
// guests (at most a page) and the action.
type inactiveForm struct {
	Days   int
	IDs    []string
	Action string // "disable" or "delete"
}

func readInactiveForm(r *http.Request) (inactiveForm, bool) {
	f := inactiveForm{Days: inactiveDays(r.PostFormValue("days")), Action: r.PostFormValue("action")}
	for _, id := range r.PostForm["id"] {
		if id != "" && !slices.Contains(f.IDs, id) {
			f.IDs = append(f.IDs, id)
		}
	}
	ok := len(f.IDs) > 0 && len(f.IDs) <= inactivePerPage && (f.Action == "disable" || f.Action == "delete")
	return f, ok
}

type inactiveConfirmData struct {
	inactiveForm
	Heading, Explain, Button string
	Danger                   bool
	Names                    []string
	CancelURL                string
}

// confirmInactive asks before disabling or deleting the chosen guests.
func (h *Handler) confirmInactive(w http.ResponseWriter, r *http.Request, a admin) {
	f, ok := readInactiveForm(r)
	if !ok {
		h.messagePage(w, r, a, http.StatusBadRequest, "console.inactive.none_chosen_title", i18n.T(lang(r), "console.inactive.none_chosen"))
		return
	}
	v := h.newView(w, r, a, "inactive", "console.inactive.confirm_"+f.Action+"_title")
	d := inactiveConfirmData{inactiveForm: f, Heading: v.Title, Explain: i18n.T(v.Lang, "console.inactive.confirm_"+f.Action, len(f.IDs)),
		Button: i18n.T(v.Lang, "console.inactive.button_"+f.Action), Danger: f.Action == "delete",
		CancelURL: v.Base + "/guests/inactive?days=" + strconv.Itoa(f.Days)}
	for _, id := range f.IDs {
		u, err := h.d.Directory.GetUser(r.Context(), a.Tenant.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Names = append(d.Names, u.DisplayName+" <"+u.Mail+">")
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "inactive_confirm", v)
}

// actOnInactive disables or deletes each chosen guest who is, read again
// now, still an inactive guest (a guest who signed in since, a member, or
// an unknown id is skipped), through the lifecycle service as the member.
// A refusal of R14 stops the run on its page; the guests before it stay
// changed, each with its audit record.
func (h *Handler) actOnInactive(action string) func(w http.ResponseWriter, r *http.Request, a admin) {
	return func(w http.ResponseWriter, r *http.Request, a admin) {
		f, ok := readInactiveForm(r)
		if !ok || f.Action != action {
			h.messagePage(w, r, a, http.StatusBadRequest, "console.inactive.none_chosen_title", i18n.T(lang(r), "console.inactive.none_chosen"))
			return
		}
		now := h.d.Clock.Now()
		var done, skipped int
		for _, id := range f.IDs {
			u, err := h.d.Directory.GetUser(r.Context(), a.Tenant.ID, id)
			if errors.Is(err, store.ErrNotFound) {
				skipped++
				continue
			}
			if err != nil {
				h.fail(w, r, err)
				return
			}
			verdict := inactive.Decide(u, f.Days, now)
			if !verdict.Inactive || (action == "disable" && verdict.Disabled) {
				skipped++
				continue
			}
			if h.userActionFailed(w, r, a, u, h.act(r, a, u, action)) {
				return
			}
			done++
		}
		past := map[string]string{"disable": "disabled", "delete": "deleted"}[action]
		http.Redirect(w, r, base(a.Tenant)+"/guests/inactive?"+url.Values{"days": {strconv.Itoa(f.Days)}, "done": {past},
			"n": {strconv.Itoa(done)}, "skipped": {strconv.Itoa(skipped)}}.Encode(), http.StatusSeeOther)
	}
}

// act disables or deletes u as the member.
func (h *Handler) act(r *http.Request, a admin, u directory.User, action string) error {
	if action == "delete" {
		return h.d.Lifecycle.Delete(r.Context(), a.Tenant, u.ID, a.actor(), a.authority())
	}
	off := false
	_, err := h.d.Lifecycle.Update(r.Context(), a.Tenant, u.ID, lifecycle.Patch{AccountEnabled: &off}, a.actor(), a.authority())
	return err
}
