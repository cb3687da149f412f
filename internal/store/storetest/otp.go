package storetest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/store"
)

// browserA is the browser the OTP tests' codes belong to unless they say.
const browserA = "browser-a"

// sampleCode returns a fresh code of browserA for address issued at issuedAt.
func sampleCode(tenantID, address string, issuedAt time.Time) otp.Code {
	return otp.Code{
		TenantID: tenantID, Address: address, Browser: browserA,
		Hash:     []byte("hash of " + address + " at " + issuedAt.String()),
		IssuedAt: issuedAt,
	}
}

// key is browserA's code key for address.
func key(tenantID, address string) otp.CodeKey {
	return otp.CodeKey{TenantID: tenantID, Address: address, Browser: browserA}
}

// seedCode stores the address's first code, issued at issuedAt.
func seedCode(t *testing.T, s Store, tenantID, address string, issuedAt time.Time) otp.Code {
	t.Helper()
	c := sampleCode(tenantID, address, issuedAt)
	must(t, "put first code", s.PutCode(t.Context(), c, time.Time{}))
	return c
}

// getCode reads the address's code, failing the test on error.
func getCode(t *testing.T, s Store, tenantID, address string) otp.Code {
	t.Helper()
	c, err := s.GetCode(t.Context(), key(tenantID, address))
	must(t, "get code", err)
	return c
}

const maxAttempts = 5

func testOTP(t *testing.T, open Open) {
	t.Run("R3_put_get_round_trip", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		_, err := s.GetCode(t.Context(), key(tn.ID, "alice@example.com"))
		wantErr(t, "get code before any", err, store.ErrNotFound)
		want := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		wantEqual(t, "code", getCode(t, s, tn.ID, "alice@example.com"), want)
		wantEqual(t, "code by address in another case", getCode(t, s, tn.ID, "Alice@Example.COM"), want)
	})
	t.Run("R3_first_put_conflicts_when_a_code_exists", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		first := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		err := s.PutCode(t.Context(), sampleCode(tn.ID, "alice@example.com", at(time.Minute)), time.Time{})
		wantErr(t, "put first code twice", err, store.ErrConflict)
		wantEqual(t, "code after the conflict", getCode(t, s, tn.ID, "alice@example.com"), first)
	})
	t.Run("R3_new_code_replaces_old", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		first := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		next := sampleCode(tn.ID, "alice@example.com", at(time.Minute))
		must(t, "put next code", s.PutCode(t.Context(), next, first.IssuedAt))
		wantEqual(t, "replacing code", getCode(t, s, tn.ID, "alice@example.com"), next)
		// The older code is void: neither wrong entries nor use apply to it.
		_, err := s.AddWrongAttempt(t.Context(), key(tn.ID, "alice@example.com"), first.IssuedAt)
		wantErr(t, "wrong entry against the old code", err, store.ErrConflict)
		err = s.UseCode(t.Context(), key(tn.ID, "alice@example.com"), first.IssuedAt, at(2*time.Minute), maxAttempts)
		wantErr(t, "use the old code", err, store.ErrConflict)
	})
	t.Run("R3_put_code_conflict_on_stale_read", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		first := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		winner := sampleCode(tn.ID, "alice@example.com", at(time.Minute))
		must(t, "put winner", s.PutCode(t.Context(), winner, first.IssuedAt))
		loser := sampleCode(tn.ID, "alice@example.com", at(2*time.Minute))
		wantErr(t, "put on a stale read", s.PutCode(t.Context(), loser, first.IssuedAt), store.ErrConflict)
		wantEqual(t, "code after the conflict", getCode(t, s, tn.ID, "alice@example.com"), winner)
	})
	t.Run("R3_wrong_attempts_counted", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		for want := 1; want <= 3; want++ {
			n, err := s.AddWrongAttempt(t.Context(), key(tn.ID, "alice@example.com"), c.IssuedAt)
			must(t, "add wrong attempt", err)
			wantEqual(t, "attempts returned", n, want)
		}
		wantEqual(t, "attempts stored", getCode(t, s, tn.ID, "alice@example.com").Attempts, 3)
		_, err := s.AddWrongAttempt(t.Context(), key(tn.ID, "nobody@example.com"), c.IssuedAt)
		wantErr(t, "wrong entry for an address without code", err, store.ErrConflict)
	})
	t.Run("R3_use_code_once", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		must(t, "use code", s.UseCode(t.Context(), key(tn.ID, "alice@example.com"), c.IssuedAt, at(time.Minute), maxAttempts))
		wantEqual(t, "used at", getCode(t, s, tn.ID, "alice@example.com").UsedAt, at(time.Minute))
		err := s.UseCode(t.Context(), key(tn.ID, "alice@example.com"), c.IssuedAt, at(2*time.Minute), maxAttempts)
		wantErr(t, "use code a second time", err, store.ErrConflict)
		wantEqual(t, "used at after the second use", getCode(t, s, tn.ID, "alice@example.com").UsedAt, at(time.Minute))
	})
	t.Run("R3_use_code_refused_at_max_attempts", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		for range maxAttempts - 1 {
			_, err := s.AddWrongAttempt(t.Context(), key(tn.ID, "alice@example.com"), c.IssuedAt)
			must(t, "add wrong attempt", err)
		}
		// One wrong entry left: the code still works (checked in a transaction that rolls back).
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "use code below the limit", s.UseCode(ctx, key(tn.ID, "alice@example.com"), c.IssuedAt, at(time.Minute), maxAttempts))
			return errRollback
		})
		wantErr(t, "tx", err, errRollback)
		_, err = s.AddWrongAttempt(t.Context(), key(tn.ID, "alice@example.com"), c.IssuedAt)
		must(t, "add last wrong attempt", err)
		err = s.UseCode(t.Context(), key(tn.ID, "alice@example.com"), c.IssuedAt, at(time.Minute), maxAttempts)
		wantErr(t, "use a code at max attempts", err, store.ErrConflict)
		wantEqual(t, "used at", getCode(t, s, tn.ID, "alice@example.com").UsedAt, time.Time{})
	})
	t.Run("R3_use_code_stale_issued_at", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		err := s.UseCode(t.Context(), key(tn.ID, "alice@example.com"), c.IssuedAt.Add(time.Microsecond), at(time.Minute), maxAttempts)
		wantErr(t, "use with another issuedAt", err, store.ErrConflict)
		err = s.UseCode(t.Context(), key(tn.ID, "nobody@example.com"), c.IssuedAt, at(time.Minute), maxAttempts)
		wantErr(t, "use for an address without code", err, store.ErrConflict)
	})
	t.Run("isolation_code_not_found_in_other_tenant", testOTPIsolation(open))
	t.Run("finding5_codes_per_browser", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		a := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		b := sampleCode(tn.ID, "alice@example.com", at(time.Minute))
		b.Browser = "browser-b"
		must(t, "put B's first code beside A's", s.PutCode(t.Context(), b, time.Time{}))
		got, err := s.GetCode(t.Context(), b.Key())
		must(t, "get B's code", err)
		wantEqual(t, "B's code", got, b)
		// Wrong entries, use and a newer code of browser B leave A's code as it was.
		for range 3 {
			_, err := s.AddWrongAttempt(t.Context(), b.Key(), b.IssuedAt)
			must(t, "wrong entry against B's code", err)
		}
		_, err = s.AddWrongAttempt(t.Context(), b.Key(), a.IssuedAt)
		wantErr(t, "A's code reached through B's key", err, store.ErrConflict)
		b2 := b
		b2.IssuedAt, b2.Hash = at(2*time.Minute), []byte("B's second")
		must(t, "replace B's code", s.PutCode(t.Context(), b2, b.IssuedAt))
		must(t, "use B's code", s.UseCode(t.Context(), b2.Key(), b2.IssuedAt, at(3*time.Minute), maxAttempts))
		wantEqual(t, "A's code", getCode(t, s, tn.ID, "alice@example.com"), a)
		_, err = s.GetCode(t.Context(), otp.CodeKey{TenantID: tn.ID, Address: "alice@example.com", Browser: "browser-c"})
		wantErr(t, "a browser that asked for none", err, store.ErrNotFound)
	})
	t.Run("finding5_client_sends_conditional_per_client", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c, a, err := s.GetSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7")
		must(t, "get sends before any", err)
		wantEqual(t, "sends before any", [2]otp.Sends{c, a}, [2]otp.Sends{})
		first := otp.Sends{WindowStart: at(0), Count: 1, LastAt: at(0)}
		must(t, "first send", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7", first, time.Time{}))
		wantErr(t, "first send twice", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7", first, time.Time{}), store.ErrConflict)
		second := otp.Sends{WindowStart: at(0), Count: 2, LastAt: at(time.Minute)}
		must(t, "second send", s.PutClientSends(t.Context(), tn.ID, "Alice@Example.com", "198.51.100.7", second, first.LastAt))
		stale := otp.Sends{WindowStart: at(0), Count: 2, LastAt: at(2 * time.Minute)}
		wantErr(t, "send on a stale read", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7", stale, first.LastAt), store.ErrConflict)
		other := otp.Sends{WindowStart: at(time.Minute), Count: 1, LastAt: at(time.Minute)}
		must(t, "another client's first send", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "203.0.113.5", other, time.Time{}))
		c, a, err = s.GetSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7")
		must(t, "get sends", err)
		wantEqual(t, "the client's sends", c, second)
		wantEqual(t, "the address's budget (never counted)", a, otp.Sends{})
		c, _, err = s.GetSends(t.Context(), tn.ID, "alice@example.com", "203.0.113.5")
		must(t, "get the other client's sends", err)
		wantEqual(t, "the other client's sends", c, other)
		b := seedTenant(t, s, "fabrikam")
		c, _, err = s.GetSends(t.Context(), b.ID, "alice@example.com", "198.51.100.7")
		must(t, "get sends in another tenant", err)
		wantEqual(t, "sends in another tenant", c, otp.Sends{})
	})
	t.Run("send_state_reads_code_and_sends_together", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		state := func(client string) (otp.Code, bool, otp.Sends, otp.Sends) {
			t.Helper()
			c, found, fromClient, toAddress, err := s.GetSendState(t.Context(), key(tn.ID, "Alice@Example.com"), client)
			must(t, "get send state", err)
			return c, found, fromClient, toAddress
		}
		if c, found, fc, ta := state("198.51.100.7"); found || c.Hash != nil || fc != (otp.Sends{}) || ta != (otp.Sends{}) {
			t.Fatalf("state before anything = %+v %v %+v %+v; want nothing", c, found, fc, ta)
		}
		code := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		c, found, fc, ta := state("198.51.100.7")
		wantEqual(t, "code alone", [2]any{c, found}, [2]any{code, true})
		wantEqual(t, "no sends yet", [2]otp.Sends{fc, ta}, [2]otp.Sends{})
		mine := otp.Sends{WindowStart: at(0), Count: 1, LastAt: at(0)}
		must(t, "client send", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7", mine, time.Time{}))
		must(t, "another client's send", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "203.0.113.5",
			otp.Sends{WindowStart: at(time.Minute), Count: 1, LastAt: at(time.Minute)}, time.Time{}))
		budget, err := s.AddAddressSend(t.Context(), tn.ID, "alice@example.com", at(time.Minute), at(-time.Hour))
		must(t, "count the address's send", err)
		c, found, fc, ta = state("198.51.100.7")
		wantEqual(t, "code with sends", [2]any{c, found}, [2]any{code, true})
		wantEqual(t, "the client's sends and the address's budget", [2]otp.Sends{fc, ta}, [2]otp.Sends{mine, budget})
		wantC, wantA, err := s.GetSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7")
		must(t, "get sends", err)
		wantEqual(t, "as GetSends reads them", [2]otp.Sends{fc, ta}, [2]otp.Sends{wantC, wantA})
		other := otp.CodeKey{TenantID: tn.ID, Address: "alice@example.com", Browser: "browser-b"}
		c2, found, fc, _, err := s.GetSendState(t.Context(), other, "198.51.100.7")
		must(t, "get another browser's state", err)
		if found || c2.Hash != nil || fc != mine {
			t.Fatalf("another browser: code %+v found %v sends %+v; want no code, the client's sends", c2, found, fc)
		}
		b := seedTenant(t, s, "fabrikam")
		c3, found, fc, ta, err := s.GetSendState(t.Context(), key(b.ID, "alice@example.com"), "198.51.100.7")
		must(t, "get state in another tenant", err)
		if found || c3.Hash != nil || fc != (otp.Sends{}) || ta != (otp.Sends{}) {
			t.Fatalf("another tenant sees %+v %v %+v %+v; want nothing", c3, found, fc, ta)
		}
	})
	t.Run("finding5_address_budget_counts_and_restarts", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		for want := 1; want <= 3; want++ {
			got, err := s.AddAddressSend(t.Context(), tn.ID, "alice@example.com", at(time.Duration(want)*time.Minute), at(-time.Hour))
			must(t, "count a send", err)
			wantEqual(t, "budget", got, otp.Sends{WindowStart: at(time.Minute), Count: want, LastAt: at(time.Duration(want) * time.Minute)})
		}
		_, a, err := s.GetSends(t.Context(), tn.ID, "Alice@example.com", "198.51.100.7")
		must(t, "get sends", err)
		wantEqual(t, "budget read back", a, otp.Sends{WindowStart: at(time.Minute), Count: 3, LastAt: at(3 * time.Minute)})
		got, err := s.AddAddressSend(t.Context(), tn.ID, "alice@example.com", at(61*time.Minute), at(time.Minute))
		must(t, "count a send after the window", err)
		wantEqual(t, "budget restarted", got, otp.Sends{WindowStart: at(61 * time.Minute), Count: 1, LastAt: at(61 * time.Minute)})
		got, err = s.AddAddressSend(t.Context(), tn.ID, "bob@example.com", at(62*time.Minute), at(2*time.Minute))
		must(t, "count another address", err)
		wantEqual(t, "another address's budget", got.Count, 1)
	})
	t.Run("finding5_purge_address_keeps_what_still_decides", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		old := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		fresh := sampleCode(tn.ID, "alice@example.com", at(2*time.Hour))
		fresh.Browser = "browser-b"
		must(t, "put fresh code", s.PutCode(t.Context(), fresh, time.Time{}))
		idle := otp.Sends{WindowStart: at(0), Count: 3, LastAt: at(10 * time.Minute)}
		busy := otp.Sends{WindowStart: at(0), Count: 3, LastAt: at(90 * time.Minute)}
		must(t, "idle client", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7", idle, time.Time{}))
		must(t, "busy client", s.PutClientSends(t.Context(), tn.ID, "alice@example.com", "203.0.113.5", busy, time.Time{}))
		_, err := s.AddAddressSend(t.Context(), tn.ID, "alice@example.com", at(0), at(-time.Hour))
		must(t, "count a send", err)
		must(t, "purge", s.PurgeAddress(t.Context(), tn.ID, "Alice@example.com", at(time.Hour), at(time.Hour)))
		_, err = s.GetCode(t.Context(), old.Key())
		wantErr(t, "the old code", err, store.ErrNotFound)
		got, err := s.GetCode(t.Context(), fresh.Key())
		must(t, "the fresh code", err)
		wantEqual(t, "the fresh code", got, fresh)
		c, a, err := s.GetSends(t.Context(), tn.ID, "alice@example.com", "198.51.100.7")
		must(t, "get sends", err)
		wantEqual(t, "the idle client's counter", c, otp.Sends{})
		wantEqual(t, "the address's budget", a.Count, 1)
		c, _, err = s.GetSends(t.Context(), tn.ID, "alice@example.com", "203.0.113.5")
		must(t, "get sends", err)
		wantEqual(t, "the busy client's counter", c, busy)
	})
}

func testOTPIsolation(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		c := seedCode(t, s, a.ID, "alice@example.com", at(0))
		_, err := s.GetCode(t.Context(), key(b.ID, c.Address))
		wantErr(t, "get A's code with B's id", err, store.ErrNotFound)
		_, err = s.AddWrongAttempt(t.Context(), key(b.ID, c.Address), c.IssuedAt)
		wantErr(t, "wrong entry against A's code with B's id", err, store.ErrConflict)
		err = s.UseCode(t.Context(), key(b.ID, c.Address), c.IssuedAt, at(time.Minute), maxAttempts)
		wantErr(t, "use A's code with B's id", err, store.ErrConflict)
		err = s.PutCode(t.Context(), sampleCode(b.ID, c.Address, at(time.Minute)), c.IssuedAt)
		wantErr(t, "replace A's code with B's id", err, store.ErrConflict)
		// The same address has its own code in B.
		cb := seedCode(t, s, b.ID, c.Address, at(time.Minute))
		wantEqual(t, "A's code", getCode(t, s, a.ID, c.Address), c)
		wantEqual(t, "B's code", getCode(t, s, b.ID, c.Address), cb)
	}
}

// racers is how many goroutines each race test runs.
const racers = 20

// race runs fn in racers goroutines started together and returns how many
// succeeded; every failure must match want.
func race(t *testing.T, want error, fn func(i int) error) int {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, racers)
	)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, want):
			t.Errorf("racer %d: %v, want nil or %v", i, err, want)
		}
	}
	return ok
}

func testOTPConcurrent(t *testing.T, open Open) {
	t.Run("R3_use_code_exactly_once", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		ok := race(t, store.ErrConflict, func(i int) error {
			return s.InTx(t.Context(), func(ctx context.Context) error {
				return s.UseCode(ctx, key(tn.ID, c.Address), c.IssuedAt, at(time.Duration(i+1)*time.Second), maxAttempts)
			})
		})
		wantEqual(t, "successful uses", ok, 1)
	})
	t.Run("R3_put_code_exactly_once", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		ok := race(t, store.ErrConflict, func(i int) error {
			next := sampleCode(tn.ID, c.Address, at(time.Duration(i+1)*time.Minute))
			return s.PutCode(t.Context(), next, c.IssuedAt)
		})
		wantEqual(t, "successful puts", ok, 1)
	})
	t.Run("R3_first_put_code_exactly_once", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		ok := race(t, store.ErrConflict, func(i int) error {
			return s.InTx(t.Context(), func(ctx context.Context) error {
				first := sampleCode(tn.ID, "alice@example.com", at(time.Duration(i+1)*time.Second))
				return s.PutCode(ctx, first, time.Time{})
			})
		})
		wantEqual(t, "successful first puts", ok, 1)
	})
	t.Run("R3_client_sends_put_exactly_once", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		ok := race(t, store.ErrConflict, func(i int) error {
			return s.InTx(t.Context(), func(ctx context.Context) error {
				first := otp.Sends{WindowStart: at(time.Duration(i+1) * time.Second), Count: 1, LastAt: at(time.Duration(i+1) * time.Second)}
				return s.PutClientSends(ctx, tn.ID, "alice@example.com", "198.51.100.7", first, time.Time{})
			})
		})
		wantEqual(t, "successful first sends", ok, 1)
	})
	t.Run("finding5_address_sends_all_counted", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		counts := make([]int, racers)
		ok := race(t, nil, func(i int) error {
			return s.InTx(t.Context(), func(ctx context.Context) error {
				got, err := s.AddAddressSend(ctx, tn.ID, "alice@example.com", at(time.Minute), at(-time.Hour))
				counts[i] = got.Count
				return err
			})
		})
		wantEqual(t, "successful counts", ok, racers)
		sort.Ints(counts)
		for i, n := range counts {
			if n != i+1 {
				t.Fatalf("budget counts returned %v, want 1…%d each once", counts, racers)
			}
		}
	})
	t.Run("R3_wrong_attempts_all_counted", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		c := seedCode(t, s, tn.ID, "alice@example.com", at(0))
		counts := make([]int, racers)
		ok := race(t, nil, func(i int) error {
			n, err := s.AddWrongAttempt(t.Context(), key(tn.ID, c.Address), c.IssuedAt)
			counts[i] = n
			return err
		})
		wantEqual(t, "successful wrong entries", ok, racers)
		sort.Ints(counts)
		for i, n := range counts {
			if n != i+1 {
				t.Fatalf("attempt counts returned %v, want 1…%d each once", counts, racers)
			}
		}
		wantEqual(t, "attempts stored", getCode(t, s, tn.ID, c.Address).Attempts, racers)
	})
}
