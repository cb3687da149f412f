package csrf

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestValid: a token counts only from the posted body, for this browser's
// cookie, under this guard's label and the current or an earlier key
// (rotating the secret keeps open forms working).
func TestValid(t *testing.T) {
	cur, old, other := []byte("current-key-0123456789abcdef-0123456"), []byte("earlier-key-0123456789abcdef-0123456"), []byte("another-key-0123456789abcdef-0123456")
	g := New("gg_test_csrf", "test", true, cur, old)
	cookie := strings.Repeat("c", valueLen)
	cases := []struct {
		name   string
		cookie string
		body   url.Values
		query  url.Values
		want   bool
	}{
		{"current key in the body", cookie, url.Values{Field: {Sign(cur, "test", cookie)}}, nil, true},
		{"earlier key in the body (rotation)", cookie, url.Values{Field: {Sign(old, "test", cookie)}}, nil, true},
		{"unknown key", cookie, url.Values{Field: {Sign(other, "test", cookie)}}, nil, false},
		{"another surface's label", cookie, url.Values{Field: {Sign(cur, "other", cookie)}}, nil, false},
		{"another browser's cookie", strings.Repeat("d", valueLen), url.Values{Field: {Sign(cur, "test", cookie)}}, nil, false},
		{"no cookie", "", url.Values{Field: {Sign(cur, "test", "")}}, nil, false},
		{"token in the query string only", cookie, url.Values{}, url.Values{Field: {Sign(cur, "test", cookie)}}, false},
		{"no token", cookie, url.Values{}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := "/form"
			if c.query != nil {
				target += "?" + c.query.Encode()
			}
			r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(c.body.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "__Host-gg_test_csrf", Value: c.cookie})
			}
			if got := g.Valid(r); got != c.want {
				t.Fatalf("Valid = %v, want %v", got, c.want)
			}
		})
	}
}

// TestRequire: the wrapped handler runs only with a valid token; without
// one the refusal answers.
func TestRequire(t *testing.T) {
	key := []byte("current-key-0123456789abcdef-0123456")
	g := New("gg_test_csrf", "test", false, key)
	h := g.Require(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) },
		func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	cookie := strings.Repeat("c", valueLen)
	for _, c := range []struct {
		token string
		want  int
	}{{Sign(key, "test", cookie), http.StatusNoContent}, {"", http.StatusForbidden}} {
		r := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader(url.Values{Field: {c.token}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: "gg_test_csrf", Value: cookie})
		w := httptest.NewRecorder()
		h(w, r)
		if w.Code != c.want {
			t.Errorf("token %q: %d, want %d", c.token, w.Code, c.want)
		}
	}
}

// TestEnsure: a browser without a cookie gets one, and the token handed
// out in the same request validates on its next post.
func TestEnsure(t *testing.T) {
	g := New("gg_test_csrf", "test", true, []byte("current-key-0123456789abcdef-0123456"))
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/form", nil)
	tok := g.Token(w, r)
	set := w.Result().Cookies()
	if len(set) != 1 || set[0].Name != "__Host-gg_test_csrf" || len(set[0].Value) != valueLen || !set[0].HttpOnly || !set[0].Secure {
		t.Fatalf("cookies set: %+v", set)
	}
	if again := g.Token(httptest.NewRecorder(), r); again != tok {
		t.Fatalf("second token in the same request differs")
	}
	p := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader(url.Values{Field: {tok}}.Encode()))
	p.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p.AddCookie(set[0])
	if !g.Valid(p) {
		t.Fatal("the token handed out does not validate")
	}
}
