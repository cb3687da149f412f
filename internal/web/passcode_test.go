package web

import (
	"testing"
	"time"
)

// TestWaitText: a wait reads in the guest's terms, rounded up, never a
// clock time.
func TestWaitText(t *testing.T) {
	for _, c := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 45 * time.Second, "in 45 seconds"},
		{"en", 44*time.Second + time.Millisecond, "in 45 seconds"},
		{"en", time.Second, "in 1 second"},
		{"en", 59*time.Second + 500*time.Millisecond, "in 1 minute"},
		{"en", 60 * time.Second, "in 1 minute"},
		{"en", 2*time.Minute + time.Second, "in 3 minutes"},
		{"ja", 45 * time.Second, " 45 秒後に"},
		{"ja", 3 * time.Minute, " 3 分後に"},
	} {
		if got := waitText(c.lang, c.d); got != c.want {
			t.Errorf("waitText(%s, %s) = %q, want %q", c.lang, c.d, got, c.want)
		}
	}
}
