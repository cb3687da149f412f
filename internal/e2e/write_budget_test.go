package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
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
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		if _, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "kim@partner.example", RedirectURL: "https://rp.fabrikam.example/"}); err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, tn)
		first := rp.Begin()
		rp.Finish(first, rp.SignIn(e2etest.NewBrowser(t), first, "kim@partner.example"))
		in.WaitOutboxEmpty()

		// The returning guest, in a new browser, as the benchmark does, once
		// the address may have a new code.
		fake.Advance(2 * time.Minute)
		steps := countWrites(in, rp, e2etest.NewBrowser(t), "kim@partner.example")
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
func countWrites(in *e2etest.Instance, rp *e2etest.RelyingParty, b *e2etest.Browser, addr string) []stepWrites {
	t := in.T
	t.Helper()
	db := in.Srv.DB()
	var steps []stepWrites
	last := db.WriteTxCount()
	mark := func(name string) {
		now := db.WriteTxCount()
		steps = append(steps, stepWrites{name, int(now - last)})
		last = now
	}
	f := rp.Begin()
	base, tid := in.URL, "/"+rp.Tenant.ID
	login := b.Follow(in, b.Get(f.URL))
	if login.Status != http.StatusOK || !strings.Contains(login.Body, `id="email"`) {
		t.Fatalf("authorize did not reach the sign-in page: %d\n%s", login.Status, login.Body)
	}
	mark("authorize")
	next := b.Submit(base, login, tid+"/login/next", map[string]string{"email": addr})
	mark("address")
	before := len(in.Mail.Messages())
	code := b.Submit(base, next, tid+"/login/send", nil)
	if !strings.Contains(code.Body, `id="code"`) {
		t.Fatalf("Send code = %d\n%s", code.Status, code.Body)
	}
	msgs := in.Mail.WaitCount(t, before+1, func(mailtest.Received) bool { return true })
	in.WaitOutboxEmpty()
	mark("send_code")
	done := b.Follow(in, b.Submit(base, code, tid+"/login/verify", map[string]string{"code": e2etest.Passcode(t, msgs[len(msgs)-1])}))
	mark("verify_code")
	rp.Finish(f, done)
	mark("token")
	return steps
}
