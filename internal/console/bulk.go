package console

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
)

// Bulk invitation takes the reproduced product's CSV template: a first
// line "version:v1.0", a header line whose columns carry their keys in
// brackets, and one guest per line:
//
//	version:v1.0
//	Email address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required,Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]
//	kim@partner.example,https://myapps.example/,true,Welcome
//
// The rows are invited one after the other in the background; the status
// page shows a progress bar until the last row (it reloads itself where
// scripts run, with a Refresh link otherwise: a timed meta refresh is an
// accessibility failure), then each row's result and a result CSV. Jobs
// live in the process that took the upload for bulkJobTTL.

// maxBulkRows bounds one upload.
const maxBulkRows = 5000

// bulkJobTTL is how long a finished job's results stay available.
const bulkJobTTL = time.Hour

var bulkColumns = []string{"inviteeEmail", "inviteRedirectURL", "sendEmail", "customizedMessageBody"}

const bulkHeader = "Email address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required,Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]"

type bulkRow struct {
	Line                                   int
	Email, RedirectURL, SendEmail, Message string
	OK                                     bool
	Error                                  string
	UserID                                 string
}

type bulkJob struct {
	ID, TenantID string
	Created      time.Time
	// mu guards the fields below, written by the worker.
	rows     []bulkRow
	done     int
	finished bool
}

type bulkView struct {
	ID           string
	Total, Done  int
	Finished     bool
	Succeeded    int
	Failed       int
	Rows         []bulkRow
	ResultCSVURL string
	Percent      int
}

// errBulkFormat is an upload that is not the template.
var errBulkFormat = errors.New("not the bulk invitation template")

// parseBulk reads the template. Columns are found by their bracketed key.
func parseBulk(r io.Reader) ([]bulkRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var (
		rows []bulkRow
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
		rows = append(rows, bulkRow{Line: line, Email: get("inviteeEmail"), RedirectURL: get("inviteRedirectURL"), SendEmail: get("sendEmail"), Message: get("customizedMessageBody")})
		if len(rows) > maxBulkRows {
			return nil, fmt.Errorf("%w: more than %d rows", errBulkFormat, maxBulkRows)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no rows", errBulkFormat)
	}
	return rows, nil
}

// bulkUpload starts a bulk invitation from the uploaded CSV.
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
	job := &bulkJob{ID: uuid.NewString(), TenantID: a.Tenant.ID, Created: h.now(), rows: rows}
	h.bulk.add(job, h.now())
	go h.runBulk(context.WithoutCancel(r.Context()), a, job)
	http.Redirect(w, r, base(a.Tenant)+"/invite/bulk/"+job.ID, http.StatusSeeOther)
}

func (b *bulkJobs) add(j *bulkJob, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, old := range b.jobs {
		if now.Sub(old.Created) > bulkJobTTL {
			delete(b.jobs, id)
		}
	}
	b.jobs[j.ID] = j
}

// view returns a copy of the job's state for a page, if t has the job.
func (b *bulkJobs) view(id, tenantID string) (bulkView, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	j, ok := b.jobs[id]
	if !ok || j.TenantID != tenantID {
		return bulkView{}, false
	}
	v := bulkView{ID: j.ID, Total: len(j.rows), Done: j.done, Finished: j.finished, Rows: append([]bulkRow(nil), j.rows...)}
	for _, r := range j.rows[:j.done] {
		if r.OK {
			v.Succeeded++
		} else {
			v.Failed++
		}
	}
	v.Percent = 100 * v.Done / max(1, v.Total)
	return v, true
}

// runBulk invites the rows one by one, recording each result.
func (h *Handler) runBulk(ctx context.Context, a admin, j *bulkJob) {
	for i := range j.rows {
		h.bulk.mu.Lock()
		row := j.rows[i]
		h.bulk.mu.Unlock()
		send := !strings.EqualFold(row.SendEmail, "false")
		res, err := h.d.Invitations.Invite(ctx, a.Tenant, invitation.Request{Email: row.Email, RedirectURL: row.RedirectURL,
			SendMessage: send, CustomMessage: row.Message, InvitedBy: a.User.DisplayName, UserType: directory.UserTypeGuest})
		if err == nil {
			row.OK, row.UserID = true, res.User.ID
		} else if msg, ok := invitationMessage(i18n.Default, err); ok {
			row.Error = msg
		} else {
			h.d.Log.ErrorContext(ctx, "console: bulk invitation row failed", "line", row.Line, "err", err)
			row.Error = "internal error"
		}
		h.bulk.mu.Lock()
		j.rows[i], j.done = row, i+1
		h.bulk.mu.Unlock()
	}
	h.bulk.mu.Lock()
	j.finished = true
	h.bulk.mu.Unlock()
}

func (h *Handler) bulkStatus(w http.ResponseWriter, r *http.Request, a admin) {
	bv, ok := h.bulk.view(r.PathValue("id"), a.Tenant.ID)
	if !ok {
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
		return
	}
	bv.ResultCSVURL = base(a.Tenant) + "/invite/bulk/" + bv.ID + "/results.csv"
	v := h.newView(w, r, a, "invite", "console.bulk.title")
	if !bv.Finished {
		bv.Rows = nil
	}
	v.Data = bv
	h.render(w, r, http.StatusOK, "bulk", v)
}

// bulkResultCSV is the rows with their results.
func (h *Handler) bulkResultCSV(w http.ResponseWriter, r *http.Request, a admin) {
	bv, ok := h.bulk.view(r.PathValue("id"), a.Tenant.ID)
	if !ok || !bv.Finished {
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="bulk-invite-results.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write(append(strings.Split(bulkHeader, ","), "Status", "Error", "Object id"))
	for _, row := range bv.Rows {
		status := "Failure"
		if row.OK {
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
