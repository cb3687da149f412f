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
			s.MarkMailFailed(t.Context(), m.ID, ds[0].ClaimToken, 1, at(2*time.Minute), "x"), store.ErrConflict)
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
		must(t, "mark failed", s.MarkMailFailed(t.Context(), m.ID, ds[0].ClaimToken, 1, at(2*time.Minute), "451 try later"))
		wantErr(t, "mark sent after failed", s.MarkMailSent(t.Context(), m.ID, ds[0].ClaimToken, at(0)), store.ErrConflict)
		// Failing releases the claim; the backoff, not the lease, decides.
		wantEqual(t, "claimable before the retry is due", len(claim(t, s, at(2*time.Minute-time.Microsecond), 10)), 0)
		retry := claim(t, s, at(2*time.Minute), 10)
		wantEqual(t, "claimable when due", len(retry), 1)
		wantEqual(t, "attempts so far", retry[0].Attempts, 1)

		// Giving up: a zero next attempt makes it never claimable again.
		must(t, "give up", s.MarkMailFailed(t.Context(), m.ID, retry[0].ClaimToken, 2, time.Time{}, "550 no such user"))
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
		must(t, "mark failed", s.MarkMailFailed(t.Context(), failed.ID, ds[1].ClaimToken, 1, at(time.Hour), "451 try later"))

		list, err := s.ListMail(t.Context(), 10)
		must(t, "list mail", err)
		wantEqual(t, "listed", list, []mail.Status{
			{Message: waiting},
			{Message: failed, Attempts: 1, LastError: "451 try later"},
			{Message: sent, Attempts: 1, SentAt: at(3 * time.Second)},
		})
		list, err = s.ListMail(t.Context(), 1)
		must(t, "list mail with limit", err)
		wantEqual(t, "limited list", len(list), 1)
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
