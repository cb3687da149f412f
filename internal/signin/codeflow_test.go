package signin_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestCodeFlowCounts: the passcode flow is written once, so it counts
// alike wherever it runs. A send, a second send inside the resend window,
// a wrong code and the right code count sent, throttled, failed and
// verified once each, for a guest's sign-in passcode, a personal
// account's sign-up at the consumers directory and an app sign-up (the
// sign-ups' copies of the flow counted only what was sent).
func TestCodeFlowCounts(t *testing.T) {
	const browser = "csrf-cookie-of-browser-1"
	ctx := context.Background()
	// A use of the flow: send mails a code; verify checks one.
	type use struct {
		send   func() error
		verify func(code string) error
	}
	uses := []struct {
		rule  string
		start func(t *testing.T, f *fixture, svc *signin.Service) use
	}{
		{"R2_guest_sign_in_passcode", func(t *testing.T, f *fixture, svc *signin.Service) use {
			const addr = "ann@adatum.example"
			f.invite(t, f.fabrikam, addr)
			r, err := svc.Begin(ctx, f.fabrikam, addr)
			if err != nil {
				t.Fatal(err)
			}
			return use{
				send: func() error { return svc.SendCode(ctx, r, "en") },
				verify: func(code string) error {
					_, err := svc.VerifyCode(ctx, r, code, signin.Continuation{})
					return err
				},
			}
		}},
		{"personal_account_sign_up", func(t *testing.T, f *fixture, svc *signin.Service) use {
			const addr = "pia@outlook.example"
			consumers := directory.ConsumersTenant("guestgate.local", f.clock.Now())
			if err := signin.EnsureConsumers(ctx, f.db, consumers); err != nil {
				t.Fatal(err)
			}
			raw, err := svc.StartPersonalSignUp(addr, browser)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			su, err := svc.OpenSignUp(ctx, u.Query().Get("state"), browser)
			if err != nil {
				t.Fatal(err)
			}
			return use{
				send: func() error { return svc.SendSignUpCode(ctx, su, "en") },
				verify: func(code string) error {
					_, err := svc.CompleteSignUp(ctx, su, code, "Pia", "Lantern-orchid-7-river")
					return err
				},
			}
		}},
		{"R13_app_sign_up_passcode", func(t *testing.T, f *fixture, svc *signin.Service) use {
			const addr = "ben@adatum.example"
			f.signUps.enable()
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)
			r, err := svc.Begin(ctx, f.fabrikam, addr)
			if err != nil {
				t.Fatal(err)
			}
			o, err := svc.OfferAppSignUp(ctx, r, "ar-1", browser)
			if err != nil || o == nil || !o.Passcode {
				t.Fatalf("OfferAppSignUp = %+v, %v; want a passcode offer", o, err)
			}
			return use{
				send: func() error { return svc.SendAppSignUpCode(ctx, *o, "en") },
				verify: func(code string) error {
					_, err := svc.CompleteAppSignUpPasscode(ctx, *o, code)
					return err
				},
			}
		}},
	}
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		for _, c := range uses {
			t.Run(c.rule, func(t *testing.T) {
				f := newFixture(t, e)
				reg := prometheus.NewRegistry()
				svc := withDeps(t, f, func(d *signin.Deps) { d.Metrics = metrics.New(reg) })
				u := c.start(t, f, svc)
				if err := u.send(); err != nil {
					t.Fatalf("send = %v", err)
				}
				var throttled *otp.ThrottledError
				if err := u.send(); !errors.As(err, &throttled) {
					t.Fatalf("second send inside the resend window = %v, want *otp.ThrottledError", err)
				}
				f.mu.Lock()
				code := f.codes[lastCodeKey(f)]
				f.mu.Unlock()
				if err := u.verify(wrong(code)); !errors.Is(err, otp.ErrWrongCode) {
					t.Fatalf("wrong code = %v, want otp.ErrWrongCode", err)
				}
				if err := u.verify(code); err != nil {
					t.Fatalf("right code = %v", err)
				}
				want := map[string]float64{metrics.PasscodeSent: 1, metrics.PasscodeThrottled: 1, metrics.PasscodeFailed: 1, metrics.PasscodeVerified: 1}
				if got := passcodeCounts(t, reg); !equalCounts(got, want) {
					t.Fatalf("guestgate_passcodes_total = %v, want %v", got, want)
				}
			})
		}
	})
}

// lastCodeKey is the key of the only code the fixture mailed.
func lastCodeKey(f *fixture) string {
	for k := range f.codes {
		return k
	}
	return ""
}

// wrong is a code of the same length that is not code.
func wrong(code string) string {
	b := []byte(code)
	if len(b) == 0 {
		return "0"
	}
	if b[0] == '0' {
		b[0] = '1'
	} else {
		b[0] = '0'
	}
	return string(b)
}

// passcodeCounts reads guestgate_passcodes_total by outcome.
func passcodeCounts(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "guestgate_passcodes_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" {
					got[l.GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
	}
	return got
}

func equalCounts(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
