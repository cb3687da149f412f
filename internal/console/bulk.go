package console

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/store"
)

// Bulk invitation takes the reproduced product's CSV template: a first
// line "version:v1.0", a header line whose columns carry their keys in
// brackets, and one guest per line:
//
//	version:v1.0
//	Email address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required,Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]
//	kim@partner.example,https://myapps.example/,true,Welcome
//
// The upload stores the job and its rows in one transaction and the rows
// are invited one after the other in the background (internal/bulkinvite:
// the process that took the upload starts at once; if it stops or dies,
// another process, or the same one restarted, resumes the job without
// inviting a row twice). The status page shows a progress bar until the
// last row (it reloads itself where scripts run, with a Refresh link
// otherwise: a timed meta refresh is an accessibility failure), then each
// row's result and a result CSV. The rows count against their uploader's
// write limit; a job past it waits, and its status page says until when. Every process reads a job from the store,
// so the pages work behind a load balancer without sticky sessions; a
// finished job is kept for bulkinvite.Retention (7 days).

// maxBulkRows bounds one upload.
const maxBulkRows = 5000

var bulkColumns = []string{"inviteeEmail", "inviteRedirectURL", "sendEmail", "customizedMessageBody"}

const bulkHeader = "Email address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required,Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]"

type bulkView struct {
	ID           string
	Total, Done  int
	Finished     bool
	Succeeded    int
	Failed       int
	Rows         []bulkRow
	ResultCSVURL string
	Percent      int
	// RetentionDays is how long the results stay available.
	RetentionDays int
	// Waiting says why and until when the job waits (its creator's write
	// limit); "" when it does not.
	Waiting string
}

// errBulkFormat is an upload that is not the template.
var errBulkFormat = errors.New("not the bulk invitation template")

// parseBulk reads the template. Columns are found by their bracketed key.
func parseBulk(r io.Reader) ([]bulkinvite.Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var (
		rows []bulkinvite.Row
		idx  map[string]int
		line int
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", errBulkFormat, line, err)
		}
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		if idx == nil {
			if strings.HasPrefix(strings.ToLower(strings.TrimPrefix(rec[0], "\ufeff")), "version:") {
				continue
			}
			idx = map[string]int{}
			for i, col := range rec {
				for _, key := range bulkColumns {
					if strings.Contains(strings.ToLower(col), "["+strings.ToLower(key)+"]") {
						idx[key] = i
					}
				}
			}
			if _, ok := idx["inviteeEmail"]; !ok {
				return nil, fmt.Errorf("%w: the header has no [inviteeEmail] column", errBulkFormat)
			}
			continue
		}
		get := func(key string) string {
			if i, ok := idx[key]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		rows = append(rows, bulkinvite.Row{Line: line, Email: get("inviteeEmail"), RedirectURL: get("inviteRedirectURL"), SendEmail: get("sendEmail"), Message: get("customizedMessageBody")})
		if len(rows) > maxBulkRows {
			return nil, fmt.Errorf("%w: more than %d rows", errBulkFormat, maxBulkRows)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no rows", errBulkFormat)
	}
	return rows, nil
}

// bulkUpload starts a bulk invitation from the uploaded CSV, unless the
// tenant has as many unfinished ones as it may (429).
func (h *Handler) bulkUpload(w http.ResponseWriter, r *http.Request, a admin) {
	if !h.mayInvite(r, a) {
		h.forbidden(w, r, a)
		return
	}
	l := lang(r)
	f, _, err := r.FormFile("file")
	if err != nil {
		h.inviteForm(w, r, a, http.StatusBadRequest, inviteData{RedirectURL: h.redirectURL(a)}, i18n.T(l, "console.bulk.no_file"))
		return
	}
	defer f.Close()
	rows, err := parseBulk(f)
	if err != nil {
		h.inviteForm(w, r, a, http.StatusBadRequest, inviteData{RedirectURL: h.redirectURL(a)}, i18n.T(l, "console.bulk.bad_file", err.Error()))
		return
	}
	job, err := h.d.Bulk.Start(r.Context(), a.Tenant, a.User, rows)
	var full *bulkinvite.QueueFullError
	if errors.As(err, &full) {
		h.inviteForm(w, r, a, http.StatusTooManyRequests, inviteData{RedirectURL: h.redirectURL(a)}, i18n.T(l, "console.bulk.queue_full", full.Max))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base(a.Tenant)+"/invite/bulk/"+job.ID, http.StatusSeeOther)
}

// bulkJob reads the tenant's job for a page; false (after the 404 page)
// when the tenant has no such job, or results are wanted before the end.
func (h *Handler) bulkJob(w http.ResponseWriter, r *http.Request, a admin, needFinished bool) (bulkView, bool) {
	j, p, err := h.d.Bulk.Status(r.Context(), a.Tenant.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && needFinished && !j.Finished()) {
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
		return bulkView{}, false
	}
	if err != nil {
		h.fail(w, r, err)
		return bulkView{}, false
	}
	until, err := h.d.Bulk.WaitingUntil(r.Context(), j)
	if err == nil && !until.IsZero() {
		// Read again: the progress shown then has every row the limit
		// counted, not one fewer committed between the two reads.
		j, p, err = h.d.Bulk.Status(r.Context(), a.Tenant.ID, j.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return bulkView{}, false
	}
	v := bulkView{ID: j.ID, Total: j.Total, Done: p.Done(), Finished: j.Finished(), Succeeded: p.Succeeded, Failed: p.Failed,
		ResultCSVURL: base(a.Tenant) + "/invite/bulk/" + j.ID + "/results.csv", RetentionDays: int(bulkinvite.Retention / (24 * time.Hour))}
	v.Percent = 100 * v.Done / max(1, v.Total)
	if !until.IsZero() && !v.Finished {
		l := lang(r)
		v.Waiting = i18n.T(l, "console.bulk.waiting", j.InvitedBy, waitText(l, until.Sub(h.now())))
	}
	if v.Finished {
		rows, err := h.d.Bulk.Results(r.Context(), a.Tenant.ID, j.ID)
		if err != nil {
			h.fail(w, r, err)
			return bulkView{}, false
		}
		v.Rows = bulkRows(lang(r), rows)
	}
	return v, true
}

// bulkStatus is the job's progress, then its results.
func (h *Handler) bulkStatus(w http.ResponseWriter, r *http.Request, a admin) {
	bv, ok := h.bulkJob(w, r, a, false)
	if !ok {
		return
	}
	v := h.newView(w, r, a, "invite", "console.bulk.title")
	v.Data = bv
	h.render(w, r, http.StatusOK, "bulk", v)
}

// bulkResultCSV is the rows with their results.
func (h *Handler) bulkResultCSV(w http.ResponseWriter, r *http.Request, a admin) {
	bv, ok := h.bulkJob(w, r, a, true)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="bulk-invite-results.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write(append(strings.Split(bulkHeader, ","), "Status", "Error", "Object id"))
	for _, row := range bv.Rows {
		status := "Failure"
		if row.OK() {
			status = "Success"
		}
		_ = cw.Write([]string{csvSafe(row.Email), csvSafe(row.RedirectURL), csvSafe(row.SendEmail), csvSafe(row.Message), status, csvSafe(row.Error), row.UserID})
	}
	cw.Flush()
}

// bulkTemplate is the empty template to fill in.
func (h *Handler) bulkTemplate(w http.ResponseWriter, r *http.Request, _ admin) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="bulk-invite-template.csv"`)
	_, _ = io.WriteString(w, "version:v1.0\n"+bulkHeader+"\n")
}

// csvSafe keeps a value from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
