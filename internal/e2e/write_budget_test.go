package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// writeBudget is the number of write transactions a returning guest's
// complete passcode sign-in may cost: the code and its mail; the code's
// use, the session and the app's authorization code; the code exchange.
// The pending authorization request is sealed in the browser (nothing
// stored), and the record of the mail's send is batched with every other
// send of its moment (one commit for all of them, at most one here).
// docs/performance.md explains each; a change that adds a commit to the
// hot path must justify raising it.
const writeBudget = 3

// batchedMailRecord is the commit that records the passcode mail's send:
// shared by every send of its moment under load (internal/mail's
// sent_batch.go, whose test pins the sharing), a commit of its own for
// a lone sign-in like this test's.
const batchedMailRecord = 1

// TestWriteTransactionsPerSignIn pins the commits of the benchmark's
// journey (a returning passcode guest signing in to an app) on both
// engines, step by step, so that a later change that adds one fails here
// rather than in a benchmark nobody runs.
func TestWriteTransactionsPerSignIn(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := start(t, startOptions{dsn: dsn, clock: fake})
		tn, _ := in.tenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		if _, err := in.srv.Invite(context.Background(), tn, invitation.Request{Email: "kim@partner.example", RedirectURL: "https://rp.fabrikam.example/"}); err != nil {
			t.Fatal(err)
		}
		rp := newRelyingParty(t, in, tn)
		first := rp.begin()
		rp.finish(first, rp.signIn(newBrowser(t), first, "kim@partner.example"))
		in.waitOutboxEmpty()

		// The returning guest, in a new browser, as the benchmark does, once
		// the address may have a new code.
		fake.Advance(2 * time.Minute)
		steps := in.countWrites(rp, newBrowser(t), "kim@partner.example")
		total, report := 0, []string{}
		for _, s := range steps {
			total += s.writes
			report = append(report, fmt.Sprintf("%s=%d", s.name, s.writes))
		}
		t.Logf("write transactions: %d, one of them the batched record of the send (%s)", total, strings.Join(report, ", "))
		if total > writeBudget+batchedMailRecord {
			t.Fatalf("a returning guest's sign-in commits %d write transactions (%s); the budget is %d and the batched record of its mail",
				total, strings.Join(report, ", "), writeBudget)
		}
	})
}

type stepWrites struct {
	name   string
	writes int
}

// countWrites runs the benchmark's journey and counts the store's write
// transactions of each step; send_code ends when the mail is received and
// its send recorded (the outbox empty).
func (in *instance) countWrites(rp *relyingParty, b *browser, addr string) []stepWrites {
	t := in.t
	t.Helper()
	db := in.srv.DB()
	var steps []stepWrites
	last := db.WriteTxCount()
	mark := func(name string) {
		now := db.WriteTxCount()
		steps = append(steps, stepWrites{name, int(now - last)})
		last = now
	}
	f := rp.begin()
	base, tid := in.URL, "/"+rp.tenant.ID
	login := b.follow(in, b.get(f.url))
	if login.Status != http.StatusOK || !strings.Contains(login.Body, `id="email"`) {
		t.Fatalf("authorize did not reach the sign-in page: %d\n%s", login.Status, login.Body)
	}
	mark("authorize")
	next := b.submit(base, login, tid+"/login/next", map[string]string{"email": addr})
	mark("address")
	before := len(in.Mail.Messages())
	code := b.submit(base, next, tid+"/login/send", nil)
	if !strings.Contains(code.Body, `id="code"`) {
		t.Fatalf("Send code = %d\n%s", code.Status, code.Body)
	}
	msgs := in.Mail.WaitCount(t, before+1, func(mailtest.Received) bool { return true })
	in.waitOutboxEmpty()
	mark("send_code")
	done := b.follow(in, b.submit(base, code, tid+"/login/verify", map[string]string{"code": passcode(t, msgs[len(msgs)-1])}))
	mark("verify_code")
	rp.finish(f, done)
	mark("token")
	return steps
}

// waitOutboxEmpty waits until every queued mail is marked sent.
func (in *instance) waitOutboxEmpty() {
	in.t.Helper()
	deadline := time.Now().Add(mailtest.DefaultWait)
	for {
		n, _, err := in.srv.DB().OutboxDepth(context.Background())
		if err != nil {
			in.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("%d mails still waiting in the outbox", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
