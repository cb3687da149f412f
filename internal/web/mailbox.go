package web

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/i18n"
)

// mailbox is the dev mailbox: the outbox, newest first. It exists only when
// no SMTP server is configured (Config.DevMailbox).
func (h *Handler) mailbox(w http.ResponseWriter, r *http.Request) {
	msgs, err := h.deps.Mailbox.ListMail(r.Context(), 50)
	if err != nil {
		h.fail(w, r, "", err)
		return
	}
	rows := make([]mailRow, 0, len(msgs))
	for _, m := range msgs {
		rows = append(rows, mailRow{To: m.To, Subject: m.Subject, Text: m.Text})
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "mailbox", page{Lang: l, Title: i18n.T(l, "mailbox.title"), Mail: rows})
}
