package console

import (
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
)

type countRow struct {
	Name  string
	Count int
}

type overviewData struct {
	TenantID        string
	Domains         []string
	Cloud           string
	GuestsByState   []countRow
	GuestsByIdP     []countRow
	SignIns24h      int
	SignInsFailed   int
	SignInsTruncate bool
	MailWaiting     int
	MailFailed      int
	// SignInChart and StateChart are the Overview's charts.
	SignInChart signInChart
	StateChart  stateChart
}

// maxOverviewSignIns bounds the sign-ins the Overview counts.
const maxOverviewSignIns = 10000

func (h *Handler) overview(w http.ResponseWriter, r *http.Request, a admin) {
	ctx := r.Context()
	d := overviewData{TenantID: a.Tenant.ID, Domains: a.Tenant.Domains, Cloud: string(a.Tenant.Cloud)}
	byIdP, byState, err := h.d.Stats.CountGuestsByIdPAndState(ctx, a.Tenant.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, s := range []directory.ExternalUserState{directory.StatePendingAcceptance, directory.StateAccepted} {
		d.GuestsByState = append(d.GuestsByState, countRow{string(s), byState[s]})
	}
	l := lang(r)
	states := make([]countRow, 0, len(d.GuestsByState))
	for _, row := range d.GuestsByState {
		states = append(states, countRow{i18n.T(l, "console.users.state_"+row.Name), row.Count})
	}
	d.StateChart = newStateChart(states)
	for _, p := range []directory.IdP{directory.IdPMail, directory.IdPHomeTenant, directory.IdPFederation, directory.IdPPersonal, directory.IdPUnmanaged, directory.IdPNone} {
		if n := byIdP[p]; n > 0 || p == directory.IdPMail {
			name := string(p)
			if p == directory.IdPNone {
				name = "—"
			}
			d.GuestsByIdP = append(d.GuestsByIdP, countRow{name, n})
		}
	}
	ss, err := h.d.SignIns.QuerySignIns(ctx, a.Tenant.ID, audit.SignInQuery{
		Conditions: []audit.SignInCondition{{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpGe, Time: h.now().Add(-24 * time.Hour)}},
		Limit:      maxOverviewSignIns,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.SignIns24h, d.SignInsTruncate = len(ss), len(ss) == maxOverviewSignIns
	for _, s := range ss {
		if s.ErrorCode != 0 {
			d.SignInsFailed++
		}
	}
	today := h.now().UTC().Truncate(24 * time.Hour)
	days, err := h.d.Stats.CountSignInsByDay(ctx, a.Tenant.ID, today.AddDate(0, 0, -(chartDays-1)))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.SignInChart = newSignInChart(l, today, days)
	if d.MailWaiting, d.MailFailed, err = h.d.Stats.OutboxCounts(ctx, a.Tenant.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "overview", "console.overview.title")
	v.Data = d
	h.render(w, r, http.StatusOK, "overview", v)
}
