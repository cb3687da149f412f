package server

import (
	"strings"
	"testing"
	"time"
)

// TestValidateDrain: the drain before a graceful stop must be positive and
// at most maxDrain, so a stopping process always stops listening.
func TestValidateDrain(t *testing.T) {
	for _, tc := range []struct {
		drain time.Duration
		ok    bool
	}{
		{time.Second, true},
		{30 * time.Second, true},
		{maxDrain, true},
		{0, false},
		{-time.Second, false},
		{maxDrain + time.Second, false},
	} {
		c := Defaults()
		c.SMTPURL = "smtp://127.0.0.1:2525?tls=none"
		c.HTTP.Drain = tc.drain
		err := c.Validate()
		if got := err == nil || !strings.Contains(err.Error(), "GUESTGATE_DRAIN_TIMEOUT"); got != tc.ok {
			t.Errorf("drain %v: Validate() = %v, want ok %v", tc.drain, err, tc.ok)
		}
	}
}
