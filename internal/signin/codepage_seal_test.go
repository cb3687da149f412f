package signin_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestSentCodePageState: the state a send returns is CodeState's answer
// right after it, and the enter-code page's token carries it for the
// browser that sent, for a few seconds only; another browser, a later
// page and a token with the address alone read the state instead.
func TestSentCodePageState(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e)
			const addr = "ann@adatum.example"
			f.invite(t, f.fabrikam, addr)
			ctx := httpx.WithClient(context.Background(), httpx.Client{Addr: "192.0.2.1", Browser: "b1"})
			r, err := f.svc.Begin(ctx, f.fabrikam, addr)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.svc.SendCodeState(ctx, r, "en")
			if err != nil {
				t.Fatal(err)
			}
			read, err := f.svc.CodeState(ctx, r)
			if err != nil || !reflect.DeepEqual(st, read) || !st.Live {
				t.Fatalf("SendCodeState = %+v; CodeState = %+v, %v", st, read, err)
			}
			tok, err := f.svc.SealSentCodePage(ctx, f.fabrikam, r.User.Mail, st)
			if err != nil {
				t.Fatal(err)
			}
			got, gotSt, ok, err := f.svc.OpenCodePageState(ctx, f.fabrikam, tok)
			if err != nil || !ok || got != r.User.Mail || !reflect.DeepEqual(gotSt, st) {
				t.Fatalf("the sending browser: %q %+v %v %v", got, gotSt, ok, err)
			}
			other := httpx.WithClient(context.Background(), httpx.Client{Addr: "192.0.2.1", Browser: "b2"})
			if got, _, ok, err := f.svc.OpenCodePageState(other, f.fabrikam, tok); err != nil || ok || got != r.User.Mail {
				t.Fatalf("another browser: %q %v %v; want the address and no state", got, ok, err)
			}
			if _, _, _, err := f.svc.OpenCodePageState(ctx, f.contoso, tok); err == nil {
				t.Fatal("the token opened at another tenant")
			}
			legacy, err := f.svc.SealCodePage(f.fabrikam, r.User.Mail)
			if err != nil {
				t.Fatal(err)
			}
			if got, _, ok, err := f.svc.OpenCodePageState(ctx, f.fabrikam, legacy); err != nil || ok || got != r.User.Mail {
				t.Fatalf("an address-only token: %q %v %v", got, ok, err)
			}
			f.clock.Advance(16 * time.Second)
			if got, _, ok, err := f.svc.OpenCodePageState(ctx, f.fabrikam, tok); err != nil || ok || got != r.User.Mail {
				t.Fatalf("16 s later: %q %v %v; want the address and no state", got, ok, err)
			}
		})
	}
}
