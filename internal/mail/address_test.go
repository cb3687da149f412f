package mail

import (
	netmail "net/mail"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHeaderAddress: whatever a tenant or an inviter is called, the From
// or Reply-To header built from it parses back to that name (control
// characters folded to spaces) and the address, and never carries a line
// break.
func FuzzHeaderAddress(f *testing.F) {
	for _, seed := range []string{`12" Pizza Co`, `O'Brien, Ltd.`, `株式会社"テスト"`, "two\r\nlines", `=?utf-8?q?x?=`, `\`, `<a@b>`, ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) {
			return
		}
		h := headerAddress(name, "noreply@gg.example")
		if strings.ContainsAny(h, "\r\n") {
			t.Fatalf("header address %q has a line break", h)
		}
		got, err := netmail.ParseAddress(h)
		if err != nil {
			t.Fatalf("headerAddress(%q) = %q does not parse: %v", name, h, err)
		}
		// Control characters (line breaks above all) fold to spaces.
		want := strings.TrimSpace(strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }), " "))
		if got.Address != "noreply@gg.example" || got.Name != want {
			t.Fatalf("headerAddress(%q) = %q parses to %q <%s>, want %q", name, h, got.Name, got.Address, want)
		}
	})
}

func TestMessageCheck(t *testing.T) {
	ok := Message{To: []string{"teri@gmail.example"}, Cc: []string{"ana@fabrikam.example"}, ReplyTo: `"Ana" <ana@fabrikam.example>`, Subject: `12" Pizza Co invited you`}
	if err := ok.Check(); err != nil {
		t.Fatalf("Check(%+v) = %v", ok, err)
	}
	for name, m := range map[string]Message{
		"no_recipient":      {Subject: "x"},
		"bad_to":            {To: []string{"not an address"}, Subject: "x"},
		"bad_cc":            {To: []string{"a@b.example"}, Cc: []string{"@"}, Subject: "x"},
		"bad_reply_to":      {To: []string{"a@b.example"}, ReplyTo: "<<", Subject: "x"},
		"subject_injection": {To: []string{"a@b.example"}, Subject: "x\r\nBcc: evil@x.example"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := m.Check(); err == nil {
				t.Fatalf("Check(%+v) = nil, want an error", m)
			}
		})
	}
}
