package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// TestOutboxList: `outbox list` shows the mail no process has sent yet,
// with its state, and never a body; --failed keeps the mail that failed.
func TestOutboxList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cli.db")
	db := "--database-url=" + path
	out, err := run(t, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
	if err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	if out, err := run(t, "migrate", db, "--public-url", "https://login.fabrikam.example"); err != nil {
		t.Fatalf("migrate --public-url: %v\n%s", err, out)
	}
	for _, addr := range []string{"teri@gmail.example", "gone@gmail.example"} {
		if out, err := run(t, "invite", db, "--tenant", "fabrikam.example", "--email", addr, "--redirect-url", "https://apps.fabrikam.example", "--send-message"); err != nil {
			t.Fatalf("invite %s: %v\n%s", addr, err, out)
		}
	}
	// A dispatcher tried the mail to gone@ and gave up on a 550.
	store, err := sqlstore.Open(context.Background(), path, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := store.ClaimMail(context.Background(), time.Now(), time.Minute, 10)
	if err != nil || len(ds) != 2 {
		t.Fatalf("claim = %d, %v", len(ds), err)
	}
	for _, d := range ds {
		if d.To[0] == "gone@gmail.example" {
			err = store.MarkMailFailed(context.Background(), d.ID, d.ClaimToken, time.Now(), 1, time.Time{}, "550 5.1.1 no such user")
		} else {
			err = store.ReleaseMail(context.Background(), d.ID, d.ClaimToken)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	text, err := run(t, "outbox", "list", db)
	if err != nil {
		t.Fatalf("outbox list: %v\n%s", err, text)
	}
	for _, want := range []string{"STATE", "teri@gmail.example", "waiting", "gone@gmail.example", "failed", "550 5.1.1 no such user"} {
		if !strings.Contains(text, want) {
			t.Errorf("outbox list lacks %q:\n%s", want, text)
		}
	}
	raw, err := run(t, "outbox", "list", db, "--failed", "--output", "json")
	if err != nil {
		t.Fatalf("outbox list --failed: %v\n%s", err, raw)
	}
	var list struct {
		Value []struct {
			Kind, State, LastError string
			To                     []string
			Attempts               int
		}
	}
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		t.Fatalf("outbox list JSON %q: %v", raw, err)
	}
	if len(list.Value) != 1 || list.Value[0].To[0] != "gone@gmail.example" || list.Value[0].State != "failed" ||
		list.Value[0].Kind != "invitation" || list.Value[0].Attempts != 1 {
		t.Fatalf("outbox list --failed = %+v; want the given-up invitation only", list.Value)
	}
	for _, o := range []string{text, raw} {
		if strings.Contains(o, "ticket=") || strings.Contains(o, "redeem") {
			t.Errorf("outbox list shows a body:\n%s", o)
		}
	}
}
