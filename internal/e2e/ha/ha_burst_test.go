package ha

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// A burst of invitations with mail through several guestgate processes,
// as the high-availability tests (failover, PgBouncer, rolling restart)
// drive it. A client behaves as a load balancer in front of the processes
// does: it checks each process's /readyz every readyEvery and sends new
// requests only to processes that answer 200 (to any, when none does); a
// connection refused (a process not listening) is retried on the
// next process at once, a 503 is retried after a short wait, and so is a
// request cut before any answer on a kept-alive connection that had been
// idle (idleCut); anything else that is not a 201 — a 500, another status,
// a new connection cut after the request was sent, a timeout — is a
// failed request.
//
// The idle-connection retry covers the one race the drain cannot close: a
// server closing a connection idle through the whole drain races a client
// that picks it at that moment, and never reads that request. Were it read
// and answered after all, the retry would invite the address twice, and
// the duplicate mail would fail the test. The readiness checks make the
// race rare: the load balancer stops sending to a draining process, whose
// drain then ends quietly.
type burst struct {
	targets []string      // base URLs of the processes
	ready   []atomic.Bool // whether each target's /readyz answered 200 last
	client  *http.Client  // carries an admin token
	prefix  string        // of the recipients' local parts

	next      atomic.Int64
	mu        sync.Mutex
	acked     map[string]time.Time // recipient → acknowledgement (201)
	statuses  map[int]int          // answers, by status
	refused   int                  // connections refused (retried elsewhere)
	idleCuts  int                  // requests cut on an idle kept-alive connection (retried elsewhere)
	failures  []string             // what failed, as it failed
	firstBad  time.Time            // first answer that was not 201
	lastBad   time.Time            // last answer that was not 201
	ackedN    atomic.Int64
	noRetryAf int // 503 answers without Retry-After
}

// adminClient returns an HTTP client with a token of a new app allowed to
// invite, created by the CLI in env's database; the token is fetched once,
// so the burst does not depend on the token endpoint.
func adminClient(t *testing.T, env []string, base string) *http.Client {
	t.Helper()
	var tenant struct{ ID string }
	if err := json.Unmarshal([]byte(e2etest.RunCLI(t, env, "tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")), &tenant); err != nil || tenant.ID == "" {
		t.Fatalf("tenant create: %v", err)
	}
	var app struct{ AppID, ClientSecret string }
	if err := json.Unmarshal([]byte(e2etest.RunCLI(t, env, "app", "create", "--tenant", tenant.ID, "--name", "Invite bot",
		"--permission", "User.Invite.All", "--output", "json")), &app); err != nil || app.ClientSecret == "" {
		t.Fatalf("app create: %v", err)
	}
	cc := clientcredentials.Config{ClientID: app.AppID, ClientSecret: app.ClientSecret,
		TokenURL: base + "/" + tenant.ID + "/oauth2/v2.0/token", Scopes: []string{"https://graph.microsoft.com/.default"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(tok))
	c.Timeout = 15 * time.Second
	return c
}

func newBurst(c *http.Client, prefix string, targets ...string) *burst {
	b := &burst{targets: targets, ready: make([]atomic.Bool, len(targets)), client: c, prefix: prefix, acked: map[string]time.Time{}, statuses: map[int]int{}}
	for i := range b.ready {
		b.ready[i].Store(true)
	}
	return b
}

// readyEvery is how often the burst's load balancer checks /readyz: well
// within a stopping process's drain, which lasts until no request has come
// for 100 ms.
const readyEvery = 20 * time.Millisecond

// checkReady keeps b.ready up to date until ctx ends.
func (b *burst) checkReady(ctx context.Context) {
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	tick := time.NewTicker(readyEvery)
	defer tick.Stop()
	for {
		for i, target := range b.targets {
			resp, err := probe.Get(target + "/readyz")
			ok := err == nil && resp.StatusCode == http.StatusOK
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			b.ready[i].Store(ok)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// pick returns the first ready target from *at on, or *at when none is.
func (b *burst) pick(at *int) string {
	for range b.targets {
		if b.ready[*at].Load() {
			return b.targets[*at]
		}
		*at = (*at + 1) % len(b.targets)
	}
	return b.targets[*at]
}

// run sends n invitations with workers concurrent clients and returns
// when each is acknowledged or has failed.
func (b *burst) run(n, workers int) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go b.checkReady(ctx)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			at := w % len(b.targets)
			for {
				i := b.next.Add(1)
				if i > int64(n) {
					return
				}
				b.one(fmt.Sprintf("%s%03d@gmail.example", b.prefix, i), &at)
			}
		})
	}
	wg.Wait()
}

// one sends one invitation until it is acknowledged or fails.
func (b *burst) one(to string, at *int) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		target := b.pick(at)
		status, retryAfter, err := b.post(target, to)
		switch {
		case err != nil && errors.Is(err, syscall.ECONNREFUSED):
			b.mu.Lock()
			b.refused++
			b.mu.Unlock()
			*at = (*at + 1) % len(b.targets)
			time.Sleep(5 * time.Millisecond)
			continue
		case err != nil && errors.Is(err, errIdleCut):
			b.mu.Lock()
			b.idleCuts++
			b.mu.Unlock()
			*at = (*at + 1) % len(b.targets)
			continue
		case err != nil:
			b.fail(fmt.Sprintf("%s to %s: %v", to, target, err))
			return
		}
		b.mu.Lock()
		b.statuses[status]++
		b.mu.Unlock()
		switch status {
		case http.StatusCreated:
			b.mu.Lock()
			b.acked[to] = time.Now()
			b.mu.Unlock()
			b.ackedN.Add(1)
			*at = (*at + 1) % len(b.targets)
			return
		case http.StatusServiceUnavailable:
			b.mu.Lock()
			b.markBad()
			if retryAfter == "" {
				b.noRetryAf++
			}
			b.mu.Unlock()
			time.Sleep(50 * time.Millisecond)
			continue
		default:
			b.fail(fmt.Sprintf("%s to %s: status %d", to, target, status))
			return
		}
	}
	b.fail(to + ": not acknowledged within 60 s")
}

// errIdleCut marks a request cut before any answer on a kept-alive
// connection that had been idle: the server closed the connection as the
// request went out, and never read it.
var errIdleCut = errors.New("cut on an idle kept-alive connection before any answer")

func (b *burst) post(base, to string) (int, string, error) {
	body := fmt.Sprintf(`{"invitedUserEmailAddress":%q,"inviteRedirectUrl":"https://apps.fabrikam.example/","sendInvitationMessage":true}`, to)
	var wasIdle, answered bool
	trace := &httptrace.ClientTrace{
		GotConn:              func(c httptrace.GotConnInfo) { wasIdle = c.Reused && c.WasIdle },
		GotFirstResponseByte: func() { answered = true },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		http.MethodPost, base+"/v1.0/invitations", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		if wasIdle && !answered && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
			return 0, "", fmt.Errorf("%w: %w", errIdleCut, err)
		}
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), nil
}

func (b *burst) fail(what string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.markBad()
	b.failures = append(b.failures, what)
}

func (b *burst) markBad() {
	now := time.Now()
	if b.firstBad.IsZero() {
		b.firstBad = now
	}
	b.lastBad = now
}

// window is the time from the first answer that was not a 201 to the
// last one (0 if there was none).
func (b *burst) window() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastBad.Sub(b.firstBad)
}

// mailFigures waits until every acknowledged invitation's mail has
// arrived at smtp (failing the test with the ones lost after timeout),
// then reports duplicates and the wait from acknowledgement to arrival.
type mailFigures struct {
	received, duplicates int
	p50, max             time.Duration
}

func (b *burst) waitMail(t *testing.T, smtp *mailtest.Server, timeout time.Duration) mailFigures {
	t.Helper()
	b.mu.Lock()
	want := make(map[string]time.Time, len(b.acked))
	for k, v := range b.acked {
		want[k] = v
	}
	b.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for {
		first := map[string]time.Time{}
		for _, m := range smtp.Messages() {
			for _, to := range m.To {
				if at, seen := first[to]; !seen || m.At.Before(at) {
					first[to] = m.At
				}
			}
		}
		var missing []string
		for to := range want {
			if _, ok := first[to]; !ok {
				missing = append(missing, to)
			}
		}
		if len(missing) == 0 {
			return figures(smtp, want, first, b.prefix)
		}
		if time.Now().After(deadline) {
			sort.Strings(missing)
			t.Fatalf("%d acknowledged invitations' mail lost (never arrived within %v): %v", len(missing), timeout, missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func figures(smtp *mailtest.Server, want, first map[string]time.Time, prefix string) mailFigures {
	var f mailFigures
	byID := map[string]int{}
	for _, m := range smtp.Messages() {
		if len(m.To) > 0 && strings.HasPrefix(m.To[0], prefix) {
			f.received++
			byID[m.MessageID()]++
		}
	}
	for _, n := range byID {
		f.duplicates += n - 1
	}
	var waits []time.Duration
	for to, ack := range want {
		waits = append(waits, max(first[to].Sub(ack), 0))
	}
	slices.Sort(waits)
	if len(waits) > 0 {
		f.p50, f.max = waits[len(waits)/2], waits[len(waits)-1]
	}
	return f
}

// summary is one line of the burst's figures for the test log.
func (b *burst) summary() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprintf("%d acknowledged, answers %v, %d connections refused and %d requests cut on idle kept-alive connections (each retried on the other process), %d failed",
		len(b.acked), b.statuses, b.refused, b.idleCuts, len(b.failures))
}

// check fails the test on failed requests and on answers other than 201
// and 503 (with Retry-After).
func (b *burst) check(t *testing.T, n int) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.failures) > 0 {
		t.Errorf("%d requests failed: %v", len(b.failures), b.failures[:min(len(b.failures), 10)])
	}
	for s := range b.statuses {
		if s != http.StatusCreated && s != http.StatusServiceUnavailable {
			t.Errorf("answered %d: %v", s, b.statuses)
		}
	}
	if b.noRetryAf > 0 {
		t.Errorf("%d answers 503 without Retry-After", b.noRetryAf)
	}
	if len(b.acked) != n {
		t.Errorf("%d of %d invitations acknowledged", len(b.acked), n)
	}
}

// waitAcked waits until the burst has n acknowledgements or has ended.
func waitAcked(b *burst, n int64, done <-chan struct{}) {
	for b.ackedN.Load() < n {
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
		}
	}
}
