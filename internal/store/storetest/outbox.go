package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleMail returns a message to address created at createdAt.
func sampleMail(address string, createdAt time.Time) mail.Message {
	return mail.Message{
		ID: uuid.NewString(), TenantID: uuid.NewString(), Kind: mail.KindPasscode,
		To: []string{address}, Cc: []string{"cc@example.com"},
		FromName: "guestgate on behalf of Contoso", ReplyTo: "Ana <ana@contoso.example>",
		Subject: "Your verification code for Contoso", Text: "Code: 12345678\n",
		HTML: "<p>Code: <b>12345678</b></p>", Language: "ja", CreatedAt: createdAt,
	}
}

// enqueue commits m to s's outbox.
func enqueue(t *testing.T, s Store, m mail.Message) {
	t.Helper()
	must(t, "enqueue mail", s.InTx(t.Context(), func(ctx context.Context) error { return s.EnqueueMail(ctx, m) }))
}

// claim claims up to limit messages at now with a one-minute lease.
func claim(t *testing.T, s Store, now time.Time, limit int) []mail.Delivery {
	t.Helper()
	ds, err := s.ClaimMail(t.Context(), now, time.Minute, limit)
	must(t, "claim mail", err)
	return ds
}

func testOutbox(t *testing.T, open Open) {
	t.Run("rolled_back_enqueue_leaves_nothing", func(t *testing.T) {
		s := open(t)
		errRollback := errors.New("rollback")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "enqueue in tx", s.EnqueueMail(ctx, sampleMail("alice@example.com", at(0))))
			return errRollback
		})
		wantErr(t, "rolled back tx", err, errRollback)
		wantEqual(t, "claimable after rollback", len(claim(t, s, at(time.Hour), 10)), 0)
		list, err := s.ListMail(t.Context(), 10)
		must(t, "list mail", err)
		wantEqual(t, "listed after rollback", len(list), 0)
	})
	t.Run("committed_mail_is_claimed_once_per_lease", func(t *testing.T) {
		s := open(t)
		m := sampleMail("alice@example.com", at(0))
		enqueue(t, s, m)
		wantEqual(t, "claimable before it was created", len(claim(t, s, at(-time.Second), 10)), 0)

		ds := claim(t, s, at(0), 10)
		wantEqual(t, "claimed", len(ds), 1)
		if ds[0].ClaimToken == "" {
			t.Fatal("claim without a token")
		}
		wantEqual(t, "claimed delivery", ds[0], mail.Delivery{Message: m, Attempts: 0, ClaimToken: ds[0].ClaimToken})
		wantEqual(t, "claimable again during the lease", len(claim(t, s, at(59*time.Second), 10)), 0)

		// The lease expires: another claimer gets it, with a new token.
		again := claim(t, s, at(time.Minute), 10)
		wantEqual(t, "claimed after lease expiry", len(again), 1)
		wantEqual(t, "re-claimed id", again[0].ID, m.ID)
		if again[0].ClaimToken == ds[0].ClaimToken {
			t.Fatal("a new claim reuses the old token")
		}
		// The first claimer's token is stale: it cannot record the outcome.
		wantErr(t, "mark sent with a stale token", s.MarkMailSent(t.Context(), m.ID, ds[0].ClaimToken, at(time.Minute)), store.ErrConflict)
		wantErr(t, "mark failed with a stale token",
			s.MarkMailFailed(t.Context(), m.ID, ds[0].ClaimToken, at(0), 1, at(2*time.Minute), "x"), store.ErrConflict)
		must(t, "mark sent", s.MarkMailSent(t.Context(), m.ID, again[0].ClaimToken, at(61*time.Second)))
		wantErr(t, "mark sent twice", s.MarkMailSent(t.Context(), m.ID, again[0].ClaimToken, at(62*time.Second)), store.ErrConflict)
		wantEqual(t, "claimable after sent", len(claim(t, s, at(time.Hour), 10)), 0)
		wantErr(t, "mark unknown mail", s.MarkMailSent(t.Context(), uuid.NewString(), again[0].ClaimToken, at(0)), store.ErrConflict)
	})
	t.Run("failed_mail_waits_for_its_backoff", func(t *testing.T) {
		s := open(t)
		m := sampleMail("alice@example.com", at(0))
		enqueue(t, s, m)
		ds := claim(t, s, at(0), 10)
		wantEqual(t, "claimed", len(ds), 1)
		must(t, "mark failed", s.MarkMailFailed(t.Context(), m.ID, ds[0].ClaimToken, at(0), 1, at(2*time.Minute), "451 try later"))
		wantErr(t, "mark sent after failed", s.MarkMailSent(t.Context(), m.ID, ds[0].ClaimToken, at(0)), store.ErrConflict)
		// Failing releases the claim; the backoff, not the lease, decides.
		wantEqual(t, "claimable before the retry is due", len(claim(t, s, at(2*time.Minute-time.Microsecond), 10)), 0)
		retry := claim(t, s, at(2*time.Minute), 10)
		wantEqual(t, "claimable when due", len(retry), 1)
		wantEqual(t, "attempts so far", retry[0].Attempts, 1)

		// Giving up: a zero next attempt makes it never claimable again.
		must(t, "give up", s.MarkMailFailed(t.Context(), m.ID, retry[0].ClaimToken, at(0), 2, time.Time{}, "550 no such user"))
		wantEqual(t, "claimable after giving up", len(claim(t, s, at(1000*time.Hour), 10)), 0)
	})
	t.Run("claim_order_and_limit", func(t *testing.T) {
		s := open(t)
		var ids []string
		for i := range 5 {
			m := sampleMail(fmt.Sprintf("u%d@example.com", i), at(time.Duration(4-i)*time.Second)) // newest first
			enqueue(t, s, m)
			ids = append([]string{m.ID}, ids...)
		}
		first := claim(t, s, at(time.Minute), 3)
		second := claim(t, s, at(time.Minute), 3)
		wantEqual(t, "batch sizes", []int{len(first), len(second)}, []int{3, 2})
		var got []string
		for _, d := range append(first, second...) {
			got = append(got, d.ID)
		}
		wantEqual(t, "claims oldest due first", got, ids)
		wantEqual(t, "zero limit", len(claim(t, s, at(time.Hour), 0)), 0)
	})
	t.Run("duplicate_id", func(t *testing.T) {
		s := open(t)
		m := sampleMail("alice@example.com", at(0))
		enqueue(t, s, m)
		err := s.InTx(t.Context(), func(ctx context.Context) error { return s.EnqueueMail(ctx, m) })
		wantErr(t, "enqueue the same id twice", err, store.ErrAlreadyExists)
	})
	t.Run("enqueue_wakes_after_commit", func(t *testing.T) {
		s := open(t)
		woke := false
		must(t, "enqueue", s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "enqueue mail", s.EnqueueMail(ctx, sampleMail("alice@example.com", at(0))))
			s.AfterCommit(ctx, func() { woke = true })
			if woke {
				t.Error("after-commit work ran before commit")
			}
			return nil
		}))
		wantEqual(t, "after-commit work ran", woke, true)
	})
	t.Run("list_newest_first_with_status", func(t *testing.T) {
		s := open(t)
		sent, failed, waiting := sampleMail("a@example.com", at(0)), sampleMail("b@example.com", at(time.Second)), sampleMail("c@example.com", at(2*time.Second))
		for _, m := range []mail.Message{sent, failed, waiting} {
			enqueue(t, s, m)
		}
		ds := claim(t, s, at(time.Second), 2)
		wantEqual(t, "claimed", len(ds), 2)
		must(t, "mark sent", s.MarkMailSent(t.Context(), sent.ID, ds[0].ClaimToken, at(3*time.Second)))
		must(t, "mark failed", s.MarkMailFailed(t.Context(), failed.ID, ds[1].ClaimToken, at(0), 1, at(time.Hour), "451 try later"))

		list, err := s.ListMail(t.Context(), 10)
		must(t, "list mail", err)
		wantEqual(t, "listed", list, []mail.Status{
			{Message: waiting},
			{Message: failed, Attempts: 1, LastError: "451 try later"},
			{Message: envelope(sent), Attempts: 1, SentAt: at(3 * time.Second)},
		})
		list, err = s.ListMail(t.Context(), 1)
		must(t, "list mail with limit", err)
		wantEqual(t, "limited list", len(list), 1)
	})
}

// envelope is m as a finished message keeps it: no bodies.
func envelope(m mail.Message) mail.Message {
	m.Text, m.HTML = "", ""
	return m
}

// testOutboxRetention: a passcode or redeem link does not outlive its
// mail's delivery in the outbox (security: secrets at rest), and finished
// mail is deleted after the retention.
func testOutboxRetention(t *testing.T, open Open) {
	t.Run("sent_and_given_up_mail_keeps_no_body", func(t *testing.T) {
		s := open(t)
		sent, dead, waiting := sampleMail("a@example.com", at(0)), sampleMail("b@example.com", at(time.Second)), sampleMail("c@example.com", at(2*time.Second))
		for _, m := range []mail.Message{sent, dead, waiting} {
			enqueue(t, s, m)
		}
		ds := claim(t, s, at(time.Second), 2)
		wantEqual(t, "claimed", len(ds), 2)
		wantEqual(t, "claimed with its body", ds[0].Text, sent.Text)
		must(t, "mark sent", s.MarkMailSent(t.Context(), sent.ID, ds[0].ClaimToken, at(3*time.Second)))
		must(t, "give up", s.MarkMailFailed(t.Context(), dead.ID, ds[1].ClaimToken, at(4*time.Second), 1, time.Time{}, "550 no such user"))
		list, err := s.ListMail(t.Context(), 10)
		must(t, "list mail", err)
		wantEqual(t, "listed", list, []mail.Status{
			{Message: waiting}, // waiting mail keeps its body: it has yet to be sent
			{Message: envelope(dead), Attempts: 1, LastError: "550 no such user"},
			{Message: envelope(sent), Attempts: 1, SentAt: at(3 * time.Second)},
		})
	})
	t.Run("purge_finished_mail_by_age", func(t *testing.T) {
		s := open(t)
		sent, dead, retried, waiting := sampleMail("a@example.com", at(0)), sampleMail("b@example.com", at(time.Second)),
			sampleMail("c@example.com", at(2*time.Second)), sampleMail("d@example.com", at(time.Hour))
		for _, m := range []mail.Message{sent, dead, retried, waiting} {
			enqueue(t, s, m)
		}
		ds := claim(t, s, at(time.Minute), 3)
		wantEqual(t, "claimed", len(ds), 3)
		must(t, "mark sent", s.MarkMailSent(t.Context(), sent.ID, ds[0].ClaimToken, at(time.Hour)))
		must(t, "give up", s.MarkMailFailed(t.Context(), dead.ID, ds[1].ClaimToken, at(2*time.Hour), 1, time.Time{}, "550"))
		must(t, "retry later", s.MarkMailFailed(t.Context(), retried.ID, ds[2].ClaimToken, at(time.Minute), 1, at(1000*time.Hour), "451"))

		n, err := s.PurgeMail(t.Context(), at(time.Hour))
		must(t, "purge before the send", err)
		wantEqual(t, "purged before anything finished", n, 0)
		n, err = s.PurgeMail(t.Context(), at(time.Hour+time.Microsecond))
		must(t, "purge after the send", err)
		wantEqual(t, "purged: the sent mail", n, 1)
		n, err = s.PurgeMail(t.Context(), at(500*time.Hour))
		must(t, "purge after both", err)
		wantEqual(t, "purged: the given-up mail", n, 1)
		list, err := s.ListMail(t.Context(), 10)
		must(t, "list mail", err)
		var left []string
		for _, m := range list {
			left = append(left, m.ID)
		}
		// Unfinished mail is never purged, however old.
		wantEqual(t, "left after purges", len(left), 2)
		for _, id := range left {
			if id != retried.ID && id != waiting.ID {
				t.Errorf("finished mail %s survived the purge", id)
			}
		}
	})
	t.Run("renewed_lease_holds_released_claim_is_free", func(t *testing.T) {
		s := open(t)
		a, b := sampleMail("a@example.com", at(0)), sampleMail("b@example.com", at(time.Second))
		enqueue(t, s, a)
		enqueue(t, s, b)
		ds := claim(t, s, at(time.Second), 2) // leased until 1m1s
		wantEqual(t, "claimed", len(ds), 2)
		must(t, "renew", s.RenewMailLeases(t.Context(), []string{ds[0].ClaimToken, "stale." + a.ID}, at(3*time.Minute)))
		got := claim(t, s, at(2*time.Minute), 10)
		wantEqual(t, "claimable once the unrenewed lease ended", len(got), 1)
		wantEqual(t, "the unrenewed message", got[0].ID, b.ID)
		wantEqual(t, "renewed lease still holds", len(claim(t, s, at(3*time.Minute-time.Microsecond), 10)), 0)

		wantErr(t, "release with a stale token", s.ReleaseMail(t.Context(), b.ID, ds[1].ClaimToken), store.ErrConflict)
		must(t, "release", s.ReleaseMail(t.Context(), a.ID, ds[0].ClaimToken))
		again := claim(t, s, at(2*time.Minute), 10)
		wantEqual(t, "claimable at once after release", len(again), 1)
		wantEqual(t, "released message", again[0].ID, a.ID)
		wantEqual(t, "a release is no attempt", again[0].Attempts, 0)
	})
	t.Run("queued_mail_and_depth_for_operators", func(t *testing.T) {
		s := open(t)
		n, oldest, err := s.OutboxDepth(t.Context())
		must(t, "depth of an empty outbox", err)
		wantEqual(t, "empty depth", []any{n, oldest.IsZero()}, []any{0, true})
		sent, dead, retried, waiting := sampleMail("a@example.com", at(0)), sampleMail("b@example.com", at(time.Second)),
			sampleMail("c@example.com", at(2*time.Second)), sampleMail("d@example.com", at(3*time.Second))
		for _, m := range []mail.Message{sent, dead, retried, waiting} {
			enqueue(t, s, m)
		}
		ds := claim(t, s, at(time.Minute), 3)
		must(t, "mark sent", s.MarkMailSent(t.Context(), sent.ID, ds[0].ClaimToken, at(time.Minute)))
		must(t, "give up", s.MarkMailFailed(t.Context(), dead.ID, ds[1].ClaimToken, at(time.Minute), 1, time.Time{}, "550 no such user"))
		must(t, "retry later", s.MarkMailFailed(t.Context(), retried.ID, ds[2].ClaimToken, at(time.Minute), 1, at(time.Hour), "451 try later"))

		n, oldest, err = s.OutboxDepth(t.Context())
		must(t, "depth", err)
		wantEqual(t, "depth: the retried and the waiting mail", n, 2)
		wantEqual(t, "oldest waiting", oldest, at(2*time.Second))

		q, err := s.ListQueuedMail(t.Context(), false, 10)
		must(t, "list queued", err)
		wantEqual(t, "queued", q, []mail.Queued{
			{ID: dead.ID, TenantID: dead.TenantID, Kind: dead.Kind, To: dead.To, Subject: dead.Subject, CreatedAt: dead.CreatedAt, Attempts: 1, LastError: "550 no such user"},
			{ID: retried.ID, TenantID: retried.TenantID, Kind: retried.Kind, To: retried.To, Subject: retried.Subject, CreatedAt: retried.CreatedAt, Attempts: 1, NextAttempt: at(time.Hour), LastError: "451 try later"},
			{ID: waiting.ID, TenantID: waiting.TenantID, Kind: waiting.Kind, To: waiting.To, Subject: waiting.Subject, CreatedAt: waiting.CreatedAt, NextAttempt: waiting.CreatedAt},
		})
		q, err = s.ListQueuedMail(t.Context(), true, 10)
		must(t, "list failed", err)
		wantEqual(t, "failed only", len(q), 2)
		wantEqual(t, "failed ids", []string{q[0].ID, q[1].ID}, []string{dead.ID, retried.ID})
	})
}

func testOutboxConcurrent(t *testing.T, open Open) {
	t.Run("every_message_claimed_exactly_once", func(t *testing.T) {
		s := open(t)
		const messages, claimers = 200, 8
		want := make(map[string]bool, messages)
		for i := range messages {
			m := sampleMail(fmt.Sprintf("u%d@example.com", i), at(time.Duration(i)*time.Millisecond))
			enqueue(t, s, m)
			want[m.ID] = true
		}
		var (
			mu     sync.Mutex
			counts = make(map[string]int)
			wg     sync.WaitGroup
			start  = make(chan struct{})
		)
		now := at(time.Hour)
		for range claimers {
			wg.Go(func() {
				<-start
				for {
					ds, err := s.ClaimMail(t.Context(), now, time.Minute, 5)
					if err != nil {
						t.Errorf("claim: %v", err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						counts[d.ID]++
					}
					mu.Unlock()
					for _, d := range ds {
						if err := s.MarkMailSent(t.Context(), d.ID, d.ClaimToken, now); err != nil {
							t.Errorf("mark %s sent: %v", d.ID, err)
						}
					}
				}
			})
		}
		close(start)
		wg.Wait()
		for id := range want {
			if counts[id] != 1 {
				t.Errorf("message %s claimed %d times, want 1", id, counts[id])
			}
		}
		wantEqual(t, "distinct messages claimed", len(counts), messages)
		wantEqual(t, "claimable afterwards", len(claim(t, s, at(1000*time.Hour), 10)), 0)
	})
}
