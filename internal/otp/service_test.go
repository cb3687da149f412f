package otp_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

type fixture struct {
	svc    *otp.Service
	clock  *clock.Fake
	tenant string
	codes  []string // every code delivered, in order
	mu     sync.Mutex
}

func newFixture(t *testing.T, e testenv.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	tn, err := directory.NewTenant(directory.NewTenantRequest{Name: "Fabrikam"}, "guestgate.local", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	h, _ := otp.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	svc, err := otp.NewService(db, db, h, c, otp.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, clock: c, tenant: tn.ID}
}

func (f *fixture) issue(t *testing.T, addr string) (string, error) {
	t.Helper()
	return f.issueAs(t, context.Background(), addr)
}

// from is a request's context from a client address and a browser.
func from(addr, browser string) context.Context {
	return httpx.WithClient(context.Background(), httpx.Client{Addr: addr, Browser: browser})
}

// issueAs sends a code at the request in ctx (its client and browser).
func (f *fixture) issueAs(t *testing.T, ctx context.Context, addr string) (string, error) {
	t.Helper()
	var got string
	err := f.svc.Issue(ctx, f.tenant, addr, func(_ context.Context, code string) error {
		got = code
		f.mu.Lock()
		f.codes = append(f.codes, code)
		f.mu.Unlock()
		return nil
	})
	return got, err
}

func (f *fixture) verify(addr, code string) error {
	return f.verifyAs(context.Background(), addr, code)
}

// verifyAs enters a code at the request in ctx.
func (f *fixture) verifyAs(ctx context.Context, addr, code string) error {
	return f.svc.Verify(ctx, f.tenant, addr, code, func(context.Context) error { return nil })
}

// wrongCode is a code that is not code.
func wrongCode(code string) string {
	if code == "00000000" {
		return "11111111"
	}
	return "00000000"
}

func TestService(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("R3_accepted_at_29m59s", func(t *testing.T) {
				f := newFixture(t, e)
				code, err := f.issue(t, "teri@gmail.example")
				if err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(29*time.Minute + 59*time.Second)
				if err := f.verify("Teri@Gmail.example", code); err != nil {
					t.Fatalf("verify at 29:59 = %v, want accepted", err)
				}
			})
			t.Run("R3_refused_at_30m01s", func(t *testing.T) {
				f := newFixture(t, e)
				code, _ := f.issue(t, "teri@gmail.example")
				f.clock.Advance(30*time.Minute + time.Second)
				if err := f.verify("teri@gmail.example", code); !errors.Is(err, otp.ErrExpired) {
					t.Fatalf("verify at 30:01 = %v, want ErrExpired", err)
				}
			})
			t.Run("R3_refused_on_second_use", func(t *testing.T) {
				f := newFixture(t, e)
				code, _ := f.issue(t, "teri@gmail.example")
				if err := f.verify("teri@gmail.example", code); err != nil {
					t.Fatal(err)
				}
				if err := f.verify("teri@gmail.example", code); !errors.Is(err, otp.ErrUsed) {
					t.Fatalf("second use = %v, want ErrUsed", err)
				}
			})
			t.Run("R3_older_code_refused_after_new_one_sent", func(t *testing.T) {
				f := newFixture(t, e)
				old, _ := f.issue(t, "teri@gmail.example")
				newer := old
				for newer == old { // two random codes may (rarely) be equal; the old one must differ to be tested
					f.clock.Advance(61 * time.Second)
					var err error
					if newer, err = f.issue(t, "teri@gmail.example"); err != nil {
						t.Fatal(err)
					}
				}
				if err := f.verify("teri@gmail.example", old); !errors.Is(err, otp.ErrWrongCode) {
					t.Fatalf("old code = %v, want ErrWrongCode", err)
				}
				if err := f.verify("teri@gmail.example", newer); err != nil {
					t.Fatalf("new code = %v, want accepted", err)
				}
			})
			t.Run("R3_sixth_entry_after_five_wrong_is_refused", func(t *testing.T) {
				f := newFixture(t, e)
				code, _ := f.issue(t, "teri@gmail.example")
				wrong := "00000000"
				if wrong == code {
					wrong = "11111111"
				}
				for i := 1; i <= 5; i++ {
					if err := f.verify("teri@gmail.example", wrong); !errors.Is(err, otp.ErrWrongCode) {
						t.Fatalf("wrong entry %d = %v, want ErrWrongCode", i, err)
					}
				}
				if err := f.verify("teri@gmail.example", wrong); !errors.Is(err, otp.ErrTooManyAttempts) {
					t.Fatalf("sixth wrong entry = %v, want ErrTooManyAttempts", err)
				}
				if err := f.verify("teri@gmail.example", code); !errors.Is(err, otp.ErrTooManyAttempts) {
					t.Fatalf("right code after five wrong = %v, want ErrTooManyAttempts (void)", err)
				}
			})
			t.Run("R3_second_send_within_60s_throttled", func(t *testing.T) {
				f := newFixture(t, e)
				if _, err := f.issue(t, "teri@gmail.example"); err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(59 * time.Second)
				var te *otp.ThrottledError
				if _, err := f.issue(t, "teri@gmail.example"); !errors.As(err, &te) || te.Hourly {
					t.Fatalf("second send at 59 s = %v, want resend throttle", err)
				}
				if _, err := f.issue(t, "kim@gmail.example"); err != nil {
					t.Fatalf("another address is not throttled: %v", err)
				}
			})
			t.Run("R3_eleventh_send_within_hour_throttled", func(t *testing.T) {
				f := newFixture(t, e)
				for i := 1; i <= 10; i++ {
					if _, err := f.issue(t, "teri@gmail.example"); err != nil {
						t.Fatalf("send %d: %v", i, err)
					}
					f.clock.Advance(61 * time.Second)
				}
				var te *otp.ThrottledError
				_, err := f.issue(t, "teri@gmail.example")
				if !errors.As(err, &te) || !te.Hourly {
					t.Fatalf("eleventh send = %v, want hourly throttle", err)
				}
				if msg := te.Error(); msg == "" {
					t.Fatal("throttle error must say when to retry")
				}
			})
			t.Run("finding5_code_bound_to_the_browser_that_asked", func(t *testing.T) {
				f := newFixture(t, e)
				kim, attacker := from("203.0.113.5", "kims-browser"), from("198.51.100.7", "attackers-browser")
				code, err := f.issueAs(t, kim, "kim@gmail.example")
				if err != nil {
					t.Fatal(err)
				}
				if err := f.verifyAs(attacker, "kim@gmail.example", code); !errors.Is(err, otp.ErrNoCode) {
					t.Fatalf("the code in a browser that asked for none = %v, want ErrNoCode", err)
				}
				theirs, err := f.issueAs(t, attacker, "kim@gmail.example")
				if err != nil {
					t.Fatalf("another client's send = %v, want sent (no resend interval across clients)", err)
				}
				for range 6 {
					_ = f.verifyAs(attacker, "kim@gmail.example", wrongCode(theirs))
				}
				if err := f.verifyAs(attacker, "kim@gmail.example", theirs); !errors.Is(err, otp.ErrTooManyAttempts) {
					t.Fatalf("the attacker's own code after its wrong entries = %v, want void (R3)", err)
				}
				st, err := f.svc.State(kim, f.tenant, "kim@gmail.example")
				if err != nil || !st.Live || st.Attempts != 0 {
					t.Fatalf("the guest's state = %+v, %v; want a live code with no wrong entry", st, err)
				}
				if err := f.verifyAs(kim, "kim@gmail.example", code); err != nil {
					t.Fatalf("the guest's code in the guest's browser = %v, want accepted", err)
				}
			})
			t.Run("finding5_R3_per_client_network_and_the_address_budget", func(t *testing.T) {
				f := newFixture(t, e)
				addr := "kim@gmail.example"
				clients := []context.Context{from("198.51.100.1", "b1"), from("198.51.100.2", "b2"), from("2001:db8:7:7::1", "b3")}
				for i := range otp.DefaultLimits.PerHour {
					for j, c := range clients {
						if _, err := f.issueAs(t, c, addr); err != nil {
							t.Fatalf("send %d of client %d = %v", i+1, j, err)
						}
					}
					f.clock.Advance(61 * time.Second)
				}
				var te *otp.ThrottledError
				// R3 for one client: its eleventh send this hour waits, from
				// any address of its own IPv6 /64 too.
				if _, err := f.issueAs(t, from("2001:db8:7:7::2", "b4"), addr); !errors.As(err, &te) || !te.Hourly || te.Address {
					t.Fatalf("eleventh send from one network = %v, want its own hourly limit", err)
				}
				// The budget (30) is spent, yet a clean client still gets a code ...
				kim := from("203.0.113.5", "kims-browser")
				code, err := f.issueAs(t, kim, addr)
				if err != nil {
					t.Fatalf("a clean client past the budget = %v, want a code", err)
				}
				// ... and only one: its next send waits for the budget's window.
				f.clock.Advance(61 * time.Second)
				if _, err := f.issueAs(t, kim, addr); !errors.As(err, &te) || !te.Address || te.RetryAt.Sub(f.clock.Now()) > time.Hour {
					t.Fatalf("a second send past the budget = %v, want the address's budget, under an hour", err)
				}
				if n := len(f.codes); n != 31 {
					t.Fatalf("%d codes mailed, want the budget of 30 and the clean client's one", n)
				}
				if err := f.verifyAs(kim, addr, code); err != nil {
					t.Fatalf("the clean client's code = %v, want accepted", err)
				}
			})
			t.Run("R3_twenty_concurrent_submissions_exactly_one_wins", func(t *testing.T) {
				f := newFixture(t, e)
				code, _ := f.issue(t, "teri@gmail.example")
				var (
					wg       sync.WaitGroup
					accepted atomic.Int32
					used     atomic.Int32
					start    = make(chan struct{})
				)
				for i := 0; i < 20; i++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						err := f.svc.Verify(context.Background(), f.tenant, "teri@gmail.example", code, func(context.Context) error {
							accepted.Add(1)
							return nil
						})
						switch {
						case err == nil:
						case errors.Is(err, otp.ErrUsed):
							used.Add(1)
						default:
							t.Errorf("concurrent verify: %v", err)
						}
					}()
				}
				close(start)
				wg.Wait()
				if accepted.Load() != 1 || used.Load() != 19 {
					t.Fatalf("accepted %d, refused as used %d; want exactly 1 and 19", accepted.Load(), used.Load())
				}
			})
			t.Run("R3_concurrent_sends_one_code", func(t *testing.T) {
				f := newFixture(t, e)
				var wg sync.WaitGroup
				var sent atomic.Int32
				for i := 0; i < 10; i++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := f.issue(t, "teri@gmail.example"); err == nil {
							sent.Add(1)
						}
					}()
				}
				wg.Wait()
				if sent.Load() != 1 {
					t.Fatalf("%d concurrent sends succeeded, want 1 (the others throttled)", sent.Load())
				}
			})
		})
	}
}
