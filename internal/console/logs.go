package console

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
)

// maxLogRows bounds a log page and a CSV export.
const (
	logPageRows = 100
	maxLogRows  = 10000
)

type logFilter struct {
	From, To, User, Activity, Result string
}

type logRow struct {
	When, User, Activity, App, Result, Detail, IP string
	// Code and Reason are a refused sign-in's, which the page shows in
	// its language (Detail is the CSV's, in English as recorded).
	Code   int
	Reason string
}

type logsData struct {
	Kind   string // "signins" or "audit"
	Filter logFilter
	Rows   []logRow
	CSVURL string
	More   bool
}

func readFilter(r *http.Request) logFilter {
	q := r.URL.Query()
	return logFilter{From: q.Get("from"), To: q.Get("to"), User: strings.TrimSpace(q.Get("user")),
		Activity: strings.TrimSpace(q.Get("activity")), Result: q.Get("result")}
}

// day parses a yyyy-mm-dd date (the date input's value), UTC.
func day(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

func (f logFilter) query() url.Values {
	return url.Values{"from": {f.From}, "to": {f.To}, "user": {f.User}, "activity": {f.Activity}, "result": {f.Result}, "format": {"csv"}}
}

// signInLog is the sign-in log, filtered by date, user, app (activity)
// and result, with CSV export (?format=csv).
func (h *Handler) signInLog(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.AuditLogReadAll) {
		h.forbidden(w, r, a)
		return
	}
	f := readFilter(r)
	var cs []audit.SignInCondition
	if t, ok := day(f.From); ok {
		cs = append(cs, audit.SignInCondition{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpGe, Time: t})
	}
	if t, ok := day(f.To); ok {
		cs = append(cs, audit.SignInCondition{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpLt, Time: t.AddDate(0, 0, 1)})
	}
	if f.User != "" {
		cs = append(cs, audit.SignInCondition{Field: audit.SignInFieldUserPrincipalName, Op: audit.OpStartsWith, Value: f.User})
	}
	if f.Activity != "" {
		cs = append(cs, audit.SignInCondition{Field: audit.SignInFieldAppDisplayName, Op: audit.OpStartsWith, Value: f.Activity})
	}
	switch f.Result {
	case "success":
		cs = append(cs, audit.SignInCondition{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 0})
	case "failure":
		cs = append(cs, audit.SignInCondition{Field: audit.SignInFieldErrorCode, Op: audit.OpGt, Number: 0})
	}
	csvOut := r.URL.Query().Get("format") == "csv"
	limit := logPageRows + 1
	if csvOut {
		limit = maxLogRows
	}
	ss, err := h.d.SignIns.QuerySignIns(r.Context(), a.Tenant.ID, audit.SignInQuery{Conditions: cs, Limit: limit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := make([]logRow, 0, len(ss))
	for _, s := range ss {
		res, detail := "success", ""
		if s.ErrorCode != 0 {
			res, detail = "failure", strconv.Itoa(s.ErrorCode)+": "+s.FailureReason
		}
		app := s.AppDisplayName
		if app == "" {
			app = "—"
		}
		rows = append(rows, logRow{When: formatTime(s.CreatedAt), User: s.UserPrincipalName, Activity: s.AuthenticationMethod, App: app, Result: res, Detail: detail, IP: s.IPAddress,
			Code: s.ErrorCode, Reason: s.FailureReason})
	}
	h.logPage(w, r, a, "signins", f, rows, csvOut)
}

// auditLog is the audit log, filtered by date, user (initiator),
// activity and result, with CSV export.
func (h *Handler) auditLog(w http.ResponseWriter, r *http.Request, a admin) {
	if !a.may(roles.AuditLogReadAll) {
		h.forbidden(w, r, a)
		return
	}
	f := readFilter(r)
	var cs []audit.Condition
	if t, ok := day(f.From); ok {
		cs = append(cs, audit.Condition{Field: audit.FieldActivityDateTime, Op: audit.OpGe, Time: t})
	}
	if t, ok := day(f.To); ok {
		cs = append(cs, audit.Condition{Field: audit.FieldActivityDateTime, Op: audit.OpLt, Time: t.AddDate(0, 0, 1)})
	}
	if f.User != "" {
		cs = append(cs, audit.Condition{Field: audit.FieldInitiatedByUserName, Op: audit.OpStartsWith, Value: f.User})
	}
	if f.Activity != "" {
		cs = append(cs, audit.Condition{Field: audit.FieldActivity, Op: audit.OpStartsWith, Value: f.Activity})
	}
	if f.Result == "success" || f.Result == "failure" {
		cs = append(cs, audit.Condition{Field: audit.FieldResult, Op: audit.OpEq, Value: f.Result})
	}
	csvOut := r.URL.Query().Get("format") == "csv"
	limit := logPageRows + 1
	if csvOut {
		limit = maxLogRows
	}
	recs, err := h.d.Audit.QueryAudits(r.Context(), a.Tenant.ID, audit.Query{Conditions: cs, Limit: limit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := make([]logRow, 0, len(recs))
	for _, rec := range recs {
		by := rec.InitiatedBy.UserPrincipalName
		if by == "" {
			by = rec.InitiatedBy.AppName
		}
		var targets []string
		for _, t := range rec.Targets {
			n := t.UserPrincipalName
			if n == "" {
				n = t.DisplayName
			}
			targets = append(targets, n)
		}
		rows = append(rows, logRow{When: formatTime(rec.ActivityAt), User: by, Activity: rec.Activity, App: rec.Category, Result: rec.Result, Detail: strings.Join(targets, ", ")})
	}
	h.logPage(w, r, a, "audit", f, rows, csvOut)
}

func (h *Handler) logPage(w http.ResponseWriter, r *http.Request, a admin, kind string, f logFilter, rows []logRow, csvOut bool) {
	if csvOut {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+kind+`-log.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"Date (UTC)", "User", "Activity", "Application or category", "Result", "Detail", "IP address"})
		for _, row := range rows {
			_ = cw.Write([]string{row.When, csvSafe(row.User), csvSafe(row.Activity), csvSafe(row.App), row.Result, csvSafe(row.Detail), row.IP})
		}
		cw.Flush()
		return
	}
	d := logsData{Kind: kind, Filter: f, CSVURL: base(a.Tenant) + "/logs/" + kind + "?" + f.query().Encode()}
	if len(rows) > logPageRows {
		rows, d.More = rows[:logPageRows], true
	}
	v := h.newView(w, r, a, "logs", "console.logs."+kind+"_title")
	d.Rows = localRows(v.Lang, kind, rows)
	v.Data = d
	h.render(w, r, http.StatusOK, "logs", v)
}

// localRows are the rows as the page shows them in lang: the result in
// words, a sign-in's method and a refused sign-in's reason translated.
func localRows(lang, kind string, rows []logRow) []logRow {
	out := make([]logRow, len(rows))
	for i, row := range rows {
		if kind == "signins" {
			row.Activity = methodName(lang, row.Activity)
		}
		if row.Result == "success" || row.Result == "failure" {
			row.Result = i18n.T(lang, "console.logs."+row.Result)
		}
		if row.Code != 0 {
			row.Detail = failureText(lang, row.Code, row.Reason)
		}
		out[i] = row
	}
	return out
}
