package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// TestWritersCountApart (finding 6 of security round 2): a member's console
// writes are counted under Graph's write rule, apart from every app's and
// every other member's, even when an app and a member share an id.
func TestWritersCountApart(t *testing.T) {
	ctx := context.Background()
	l := New(&memStore{m: map[string]Counter{}}, clock.NewFake(t0))
	sc := Scope{Action: "graph-write", PerTenant: Rule{Limit: 2, Window: 150 * time.Second}}
	member := MemberWrites("t1", "id-1")
	for range 2 {
		if err := l.Count(ctx, sc, member); err != nil {
			t.Fatal(err)
		}
	}
	var le *LimitedError
	if err := l.Check(ctx, sc, member); !errors.As(err, &le) || !le.Tenant || !le.RetryAt.Equal(t0.Add(150*time.Second)) {
		t.Fatalf("the member past the limit: %v, want refused until the window ends", err)
	}
	for _, other := range []Subject{AppWrites("t1", "id-1"), MemberWrites("t1", "id-2"), MemberWrites("t2", "id-1")} {
		if err := l.Check(ctx, sc, other); err != nil {
			t.Fatalf("%+v shares the member's counter: %v", other, err)
		}
	}
}
