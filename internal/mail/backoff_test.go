package mail

import (
	"testing"
	"time"
)

func TestBackoff_doublesUpToMax(t *testing.T) {
	_, err := NewDispatcher(DispatcherConfig{Store: OutboxStore(nil), Sender: NewDevMailbox(nil, 0)})
	if err == nil {
		t.Fatal("a dispatcher without a store: want an error")
	}
	d, err := NewDispatcher(DispatcherConfig{Store: nopStore{}, Sender: NewDevMailbox(nil, 0)})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second,
		64 * time.Second, 128 * time.Second, 256 * time.Second, 512 * time.Second, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := d.backoff(i + 1); got != w {
			t.Errorf("backoff after attempt %d = %v, want %v", i+1, got, w)
		}
	}
	if d.cfg.MaxAttempts != 10 || d.cfg.PollInterval != 5*time.Second || d.cfg.Lease != DefaultLease || d.cfg.SendTimeout != DefaultLease/2 || d.cfg.Retention != DefaultRetention {
		t.Errorf("defaults: %+v", d.cfg)
	}
	if _, err := NewDispatcher(DispatcherConfig{Store: nopStore{}, Sender: NewDevMailbox(nil, 0), Lease: time.Second, SendTimeout: time.Second}); err == nil {
		t.Error("send timeout as long as the lease: want an error")
	}
}

func TestTruncate_keepsUTF8(t *testing.T) {
	if got := truncate("ab", 5); got != "ab" {
		t.Errorf("short = %q", got)
	}
	if got := truncate("aé", 2); got != "a" { // é is two bytes; do not cut it in half
		t.Errorf("cut inside a rune = %q", got)
	}
}

// nopStore is an empty outbox, for construction only.
type nopStore struct{ OutboxStore }
