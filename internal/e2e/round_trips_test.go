package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// serverTxBudget is what each step of a returning guest's passcode sign-in
// may cost in PostgreSQL transactions, read-only ones included: every
// autocommit read is a transaction (and a round trip) of its own, as
// pg_stat_database counts them. It is the steady state of a busy
// deployment: another browser's sign-in page warms the per-process caches
// (the tenant, its branding, its apps' origins, the app's name) just
// before, as other guests do under load. Only the record of the mail's
// send is counted whole here, where under load it is shared by every send
// of its moment. docs/performance.md explains the rest; a change that adds
// a read to the sign-in path must justify raising a step's budget.
var serverTxBudget = []stepWrites{
	{"authorize", 1},   // the app at authorize (the sign-in page names it from the per-process cache)
	{"address", 1},     // the user with the tenant's email policy
	{"send_code", 2},   // the user with the policy; the send (the limits read in it); the enter-code page shows the state the send left (sealed in its address)
	{"mail_record", 1}, // the batched record of the send (shared by every send of its moment under load)
	{"verify_code", 2}, // the sign-in (the user with the policy for the route, the limits, the code, the user with the policy again where the session starts, the user's access to the app, read in it); the callback: the request with its app
	{"token", 3},       // the limits, the app with its secrets; the redemption (the request, the access re-check: the user with the policy, the user's access to the app, read once for the check and the roles and groups claims, read in it)
}

// TestServerTransactionsPerSignIn pins PostgreSQL's transactions of the
// benchmark's journey step by step, counted on the client as the server
// counts them (sqlstore's pgx tracer: a statement sent outside a
// transaction block opens one), so that a read added to the sign-in path
// fails here rather than in a benchmark. On failure it lists the
// statements each step sent.
func TestServerTransactionsPerSignIn(t *testing.T) {
	fake := clock.NewFake(time.Now())
	in := e2etest.Start(t, e2etest.StartOptions{DSN: testenv.PostgresDSN(t), Clock: fake})
	tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
	if _, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "kim@partner.example", RedirectURL: "https://rp.fabrikam.example/"}); err != nil {
		t.Fatal(err)
	}
	rp := e2etest.NewRelyingParty(t, in, tn)
	first := rp.Begin()
	rp.Finish(first, rp.SignIn(e2etest.NewBrowser(t), first, "kim@partner.example"))
	in.WaitOutboxEmpty()
	fake.Advance(2 * time.Minute) // the address may have a new code
	// Another guest's sign-in page: the caches are warm, as under load.
	if warm := e2etest.NewBrowser(t); warm.Follow(in, warm.Get(rp.Begin().URL)).Status != http.StatusOK {
		t.Fatal("the warming sign-in page did not load")
	}

	steps, sent := countServerTxs(in, rp, e2etest.NewBrowser(t), "kim@partner.example")
	total, want, report := 0, 0, []string{}
	over := false
	for i, s := range steps {
		b := serverTxBudget[i]
		total, want = total+s.writes, want+b.writes
		report = append(report, fmt.Sprintf("%s=%d", s.name, s.writes))
		over = over || s.name != b.name || s.writes > b.writes
	}
	t.Logf("PostgreSQL transactions: %d (%s), statements: %d", total, strings.Join(report, ", "), strings.Count(sent, "\n")-len(steps))
	if over || total > want {
		t.Fatalf("a returning guest's sign-in opens %d PostgreSQL transactions (%s); the budget is %v. Statements (* opens a transaction):\n%s",
			total, strings.Join(report, ", "), serverTxBudget, sent)
	}
}

// countServerTxs runs the benchmark's journey and counts the transactions
// each step opens on PostgreSQL, with the statements it sent. The batched
// record of the mail's send is a step of its own, waited for without a
// query (the store's write count).
func countServerTxs(in *e2etest.Instance, rp *e2etest.RelyingParty, b *e2etest.Browser, addr string) ([]stepWrites, string) {
	t := in.T
	t.Helper()
	db := in.Srv.DB()
	var (
		mu     sync.Mutex
		opened int
		log    strings.Builder
		steps  []stepWrites
	)
	stop := db.ObserveStatements(func(sql string, opens bool) {
		mu.Lock()
		defer mu.Unlock()
		mark := "    "
		if opens {
			opened++
			mark = "  * "
		}
		log.WriteString(mark + strings.Join(strings.Fields(sql), " ") + "\n")
	})
	defer stop()
	mark := func(name string) {
		mu.Lock()
		defer mu.Unlock()
		steps = append(steps, stepWrites{name, opened})
		fmt.Fprintf(&log, "%s: %d\n", name, opened)
		opened = 0
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
	before, writes := len(in.Mail.Messages()), db.WriteTxCount()
	code := b.Submit(base, next, tid+"/login/send", nil)
	if !strings.Contains(code.Body, `id="code"`) {
		t.Fatalf("Send code = %d\n%s", code.Status, code.Body)
	}
	msgs := in.Mail.WaitCount(t, before+1, func(mailtest.Received) bool { return true })
	mark("send_code")
	// The send committed one write; its record is the second.
	deadline := time.Now().Add(mailtest.DefaultWait)
	for db.WriteTxCount() < writes+2 {
		if time.Now().After(deadline) {
			t.Fatal("the send of the passcode mail was never recorded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	mark("mail_record")
	done := b.Follow(in, b.Submit(base, code, tid+"/login/verify", map[string]string{"code": e2etest.Passcode(t, msgs[len(msgs)-1])}))
	mark("verify_code")
	rp.Finish(f, done)
	mark("token")
	mu.Lock()
	defer mu.Unlock()
	return steps, log.String()
}
