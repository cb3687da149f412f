package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// rawOutbox returns every column of every outbox row as text.
func rawOutbox(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	rows, err := db.ReadPool().QueryContext(t.Context(), `SELECT * FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "%s|", v)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestOutboxKeepsNoSecretsOnceDone: once a mail is sent or given up, no
// column of its outbox row holds the passcode or the redeem link; rows
// written before migration 0010 (bodies inside the envelope) are scrubbed
// by the purge.
func TestOutboxKeepsNoSecretsOnceDone(t *testing.T) {
	const code, link = "48151623", "https://gg.example/redeem?ticket=secret-ticket"
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			msg := func(id string) mail.Message {
				return mail.Message{ID: id, Kind: mail.KindPasscode, To: []string{"teri@gmail.example"}, Subject: "Your code",
					Text: "Code: " + code + "\n" + link, HTML: "<b>" + code + "</b>", CreatedAt: now}
			}
			for _, id := range []string{"sent", "dead"} {
				if err := db.EnqueueMail(ctx, msg(id)); err != nil {
					t.Fatal(err)
				}
			}
			if raw := rawOutbox(t, db); !strings.Contains(raw, code) {
				t.Fatalf("waiting mail lost its body:\n%s", raw)
			}
			ds, err := db.ClaimMail(ctx, now, time.Minute, 10)
			if err != nil || len(ds) != 2 {
				t.Fatalf("claim = %d, %v", len(ds), err)
			}
			for _, d := range ds {
				if d.ID == "sent" {
					err = db.MarkMailSent(ctx, d.ID, d.ClaimToken, now)
				} else {
					err = db.MarkMailFailed(ctx, d.ID, d.ClaimToken, now, 1, time.Time{}, "550 no such user")
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			raw := rawOutbox(t, db)
			if strings.Contains(raw, code) || strings.Contains(raw, "secret-ticket") {
				t.Fatalf("a finished row still holds the code or the link:\n%s", raw)
			}
			if !strings.Contains(raw, "teri@gmail.example") || !strings.Contains(raw, "Your code") {
				t.Fatalf("the envelope must stay for the operator:\n%s", raw)
			}

			// A sent row as written before migration 0010.
			legacy := `{"to":["old@gmail.example"],"subject":"Old code","text":"Code: ` + code + `","html":"<b>` + code + `</b>"}`
			if _, err := db.ExecRaw(ctx, `INSERT INTO outbox (id, tenant_id, kind, message, created_at, attempts, next_attempt_at,
				claim_token, claimed_until, sent_at, last_error, completed_at) VALUES ('legacy', '', 'passcode', $1, $2, 1, 0, '', 0, $2, '', $2)`,
				legacy, sqlstore.ToDB(now)); err != nil {
				t.Fatal(err)
			}
			if n, err := db.PurgeMail(ctx, now.Add(-time.Hour)); err != nil || n != 0 {
				t.Fatalf("purge of nothing old = %d, %v", n, err)
			}
			raw = rawOutbox(t, db)
			if strings.Contains(raw, code) || !strings.Contains(raw, "old@gmail.example") {
				t.Fatalf("the legacy row was not scrubbed (or lost its envelope):\n%s", raw)
			}
		})
	}
}
