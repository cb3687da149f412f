package oidc

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPendingHandles(t *testing.T) {
	current, old := [32]byte{1}, [32]byte{2}
	s, err := newPendingSealer([][32]byte{current, old})
	if err != nil {
		t.Fatal(err)
	}
	beforeRotation, _ := newPendingSealer([][32]byte{old})
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rec := AuthRequestRecord{
		TenantID: "tenant-a", ID: "0b4f5c3e-9a53-4bd6-8b8e-4f3f1c1b2a10", ClientID: "app", RedirectURI: "https://app.example/cb",
		Scopes: []string{"openid", "email"}, State: "s", Nonce: "n", ResponseType: "code", Prompt: []string{"login"},
		MaxAge: -1, LoginHint: "kim@partner.example", UILocales: []string{"ja"}, CodeChallenge: "c", CodeChallengeMethod: "S256",
		CreatedAt: now, ExpiresAt: now.Add(time.Hour),
	}
	h, err := s.seal(rec)
	if err != nil {
		t.Fatal(err)
	}
	oldHandle, _ := beforeRotation.seal(rec)
	if !isPendingHandle(h) || strings.Contains(h, "kim") {
		t.Fatalf("handle %q: want a sealed value", h)
	}
	got, err := s.open("tenant-a", h, now)
	if err != nil || got.ID != rec.ID || got.LoginHint != rec.LoginHint || got.MaxAge != -1 || !got.CreatedAt.Equal(now) || got.Done() {
		t.Fatalf("open = %+v, %v", got, err)
	}
	tampered := []byte(h)
	tampered[len(tampered)-5] ^= 1
	for name, c := range map[string]struct {
		tenant, handle string
		at             time.Time
	}{
		"another tenant":   {"tenant-b", h, now},
		"expired":          {"tenant-a", h, now.Add(time.Hour)},
		"tampered":         {"tenant-a", string(tampered), now},
		"not a handle":     {"tenant-a", strings.TrimPrefix(h, pendingPrefix), now},
		"truncated":        {"tenant-a", h[:20], now},
		"empty":            {"tenant-a", pendingPrefix, now},
		"too long to open": {"tenant-a", h + strings.Repeat("A", maxPendingHandle), now},
	} {
		if _, err := s.open(c.tenant, c.handle, c.at); !errors.Is(err, ErrAuthRequestNotFound) {
			t.Errorf("%s: open = %v, want ErrAuthRequestNotFound", name, err)
		}
	}
	if _, err := s.open("tenant-a", oldHandle, now); err != nil {
		t.Errorf("a handle sealed before a secret rotation: %v", err)
	}
	rec.State = strings.Repeat("x", maxPendingHandle)
	if _, err := s.seal(rec); !errors.Is(err, errRequestTooLarge) {
		t.Errorf("seal of a 3000-byte state = %v, want errRequestTooLarge", err)
	}
}

// FuzzPendingOpen: whatever a browser sends as a handle opens to a request
// sealed for the tenant or to ErrAuthRequestNotFound, never a panic.
func FuzzPendingOpen(f *testing.F) {
	s, err := newPendingSealer([][32]byte{{1}})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	h, err := s.seal(AuthRequestRecord{TenantID: "t", ID: "id", ClientID: "app", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{h, pendingPrefix, pendingPrefix + "AAAA", "p1.\x00", h[:len(h)/2]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, handle string) {
		rec, err := s.open("t", handle, now)
		// Only something sealed here opens (the seeds include real handles).
		if err == nil && (rec.ID != "id" || rec.ClientID != "app" || rec.TenantID != "t") {
			t.Fatalf("a handle nobody sealed opened: %q → %+v", handle, rec)
		}
		if err != nil && !errors.Is(err, ErrAuthRequestNotFound) {
			t.Fatalf("open(%q) = %v, want ErrAuthRequestNotFound", handle, err)
		}
	})
}
