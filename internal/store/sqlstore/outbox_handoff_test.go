package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestMailHandoff: mail committed while a local dispatcher takes hand-offs
// reaches it at once, leased, and no claimer can take it while the lease
// holds; if the process dies before sending, the row is claimable once the
// lease runs out, exactly once.
func TestMailHandoff(t *testing.T) {
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
			hctx, stop := context.WithCancel(ctx)
			handoff := db.MailHandoff(hctx)
			now := time.Now().UTC()
			msg := mail.Message{ID: "m-1", Kind: mail.KindPasscode, To: []string{"teri@gmail.example"}, Subject: "s", Text: "t", CreatedAt: now}

			rolledBack := db.InTx(ctx, func(ctx context.Context) error {
				if err := db.EnqueueMail(ctx, mail.Message{ID: "m-0", To: []string{"x@y.example"}, CreatedAt: now}); err != nil {
					return err
				}
				return context.Canceled
			})
			if rolledBack == nil {
				t.Fatal("the rolled-back transaction reported success")
			}
			if err := db.EnqueueMail(ctx, msg); err != nil {
				t.Fatal(err)
			}
			var got mail.Delivery
			select {
			case got = <-handoff:
			case <-time.After(10 * time.Second):
				t.Fatal("committed mail was not handed to the local dispatcher")
			}
			if got.ID != "m-1" || got.ClaimToken == "" {
				t.Fatalf("hand-off = %+v; want m-1 with a claim token (the rolled-back m-0 must never arrive)", got)
			}
			if ds, err := db.ClaimMail(ctx, now.Add(sqlstore.HandoffLease-time.Second), time.Minute, 10); err != nil || len(ds) != 0 {
				t.Fatalf("claim while the hand-off lease holds = %d rows, %v; want none", len(ds), err)
			}

			stop() // the process "dies" holding the hand-off, never sending
			later := now.Add(sqlstore.HandoffLease + time.Second)
			ds, err := db.ClaimMail(ctx, later, time.Minute, 10)
			if err != nil || len(ds) != 1 || ds[0].ID != "m-1" {
				t.Fatalf("claim after the lease = %+v, %v; want m-1 once", ds, err)
			}
			if err := db.MarkMailSent(ctx, "m-1", got.ClaimToken, later); err == nil {
				t.Fatal("the dead hand-off's token must not mark the re-claimed mail sent")
			}
			if err := db.MarkMailSent(ctx, "m-1", ds[0].ClaimToken, later); err != nil {
				t.Fatal(err)
			}
			if ds, _ := db.ClaimMail(ctx, later.Add(time.Hour), time.Minute, 10); len(ds) != 0 {
				t.Fatalf("sent mail claimed again: %+v", ds)
			}
		})
	}
}
