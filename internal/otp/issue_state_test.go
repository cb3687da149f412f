package otp_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/testenv"
)

// TestIssueStateIsState: the State a send returns is what State reads
// right after it, for a first send, a second one from another client
// (the address's window counts both) and after a wrong entry was undone
// by the new code; the enter-code page that follows a send relies on it.
func TestIssueStateIsState(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e)
			const addr = "teri@gmail.example"
			for i, ctx := range []context.Context{from("192.0.2.1", "b1"), from("198.51.100.7", "b2"), from("192.0.2.1", "b1")} {
				if i == 2 {
					if err := f.svc.Verify(ctx, f.tenant, addr, "000000x", nil); err == nil {
						t.Fatal("a wrong code was accepted")
					}
					f.clock.Advance(2 * time.Minute)
				}
				got, err := f.svc.IssueState(ctx, f.tenant, addr, func(context.Context, string) error { return nil })
				if err != nil {
					t.Fatalf("send %d: %v", i, err)
				}
				want, err := f.svc.State(ctx, f.tenant, addr)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) || !got.Live || got.ResendAt.IsZero() {
					t.Fatalf("send %d: IssueState = %+v, State = %+v", i, got, want)
				}
			}
		})
	}
}
