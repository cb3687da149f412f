package web

import (
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
)

func newTestHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := New(Config{PublicURL: "https://id.guestgate.example", SecureCookies: true, CSRFKey: []byte("web-pages-test-key-0123456789abcdef-0123")},
		Deps{Clock: clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestUnknownAddressesArePages: an address under a tenant that serves
// nothing is a page in the guest's language with the way back (never Go's
// plain "404 page not found"); /myapps leads to My Apps; an unknown tenant
// is named in quotes.
func TestUnknownAddressesArePages(t *testing.T) {
	h := newTestHandler(t)
	tn := directory.Tenant{ID: "6f9619ff-8b86-4d01-b42d-00cf4fc964ff", DisplayName: "Fabrikam"}
	for _, l := range i18n.Languages {
		t.Run(l, func(t *testing.T) {
			serve := func(hd http.Handler, target string, withTenant bool) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodGet, target, nil)
				r.Header.Set("Accept-Language", l)
				r.Header.Set("Accept", "text/html")
				if withTenant {
					r = r.WithContext(WithTenant(r.Context(), tn))
				}
				w := httptest.NewRecorder()
				hd.ServeHTTP(w, r)
				return w
			}
			for _, p := range []string{"/nothing", "/login/next/extra", "/admin-typo"} {
				w := serve(h.Tenant(), p, true)
				body := w.Body.String()
				if w.Code != http.StatusNotFound || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
					!strings.Contains(body, i18n.T(l, "notfound.title")) || !strings.Contains(body, i18n.T(l, "notfound.todo")) ||
					!strings.Contains(body, `lang="`+l+`"`) {
					t.Errorf("GET %s = %d %s\n%s", p, w.Code, w.Header().Get("Content-Type"), body)
				}
			}
			if w := serve(h.Tenant(), "/myapps", true); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/"+tn.ID+"/" {
				t.Errorf("GET /myapps = %d → %q, want My Apps", w.Code, w.Header().Get("Location"))
			}
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/no/such/page", nil)
			r.Header.Set("Accept-Language", l)
			h.UnknownTenant(w, r, "no")
			quoted := map[string]string{"en": "“no”", "ja": "「no」"}[l]
			if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), quoted) {
				t.Errorf("unknown tenant %q: %d, want the name quoted (%s)\n%s", "no", w.Code, quoted, w.Body.String())
			}
		})
	}
}

// TestJapaneseTypography: Japanese guest and mail strings use full-width
// question marks and set no ASCII space after a sentence's end; pages join
// sentences without one.
func TestJapaneseTypography(t *testing.T) {
	catalogue := os.DirFS(filepath.Join("..", "i18n"))
	files, err := fs.Glob(catalogue, "locales/ja/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Japanese catalogue: %v", err)
	}
	for _, f := range files {
		if strings.Contains(f, "console") {
			continue // the console's strings have their own checks
		}
		raw, err := fs.ReadFile(catalogue, f)
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(raw, &msgs); err != nil {
			t.Fatal(err)
		}
		for k, v := range msgs {
			if strings.Contains(v, "?") && !strings.Contains(v, "http") {
				t.Errorf("%s %s: ASCII ? in %q; Japanese uses ？", f, k, v)
			}
			if strings.Contains(v, "。 ") || strings.Contains(v, "？ ") {
				t.Errorf("%s %s: an ASCII space after a sentence in %q", f, k, v)
			}
		}
	}
	if got := sentences("ja", "あ。", "い。"); got != "あ。い。" {
		t.Errorf("ja sentences = %q", got)
	}
	if got := sentences("en", "A.", "B."); got != "A. B." {
		t.Errorf("en sentences = %q", got)
	}
	if !strings.Contains(i18n.T("ja", "authorize.explain", "x"), "あなたをここに送ったアプリ") {
		t.Errorf("authorize.explain (ja) = %q", i18n.T("ja", "authorize.explain", "x"))
	}
}
