package egress

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// target is a test server that counts the requests it answered, so a
// test can show a refused fetch never reached it.
type target struct {
	*httptest.Server
	hits atomic.Int32
}

func newTarget(t *testing.T, tls bool, h http.HandlerFunc) *target {
	t.Helper()
	tg := &target{}
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.hits.Add(1)
		h(w, r)
	})
	if tls {
		tg.Server = httptest.NewTLSServer(wrapped)
	} else {
		tg.Server = httptest.NewServer(wrapped)
	}
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) hostPort() string { u, _ := url.Parse(tg.URL); return u.Host }

func secretAnswer(w http.ResponseWriter, _ *http.Request) {
	_, _ = w.Write([]byte("internal-only: root:x:0:0"))
}

func allowOnly(t *testing.T, entries ...string) AllowList {
	t.Helper()
	a, err := ParseAllowList(strings.Join(entries, ","))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func get(c *http.Client, u string) ([]byte, error) {
	return Get(context.Background(), c, u)
}

// TestClientProductionDefault: with no allow-list and no development
// switch, the client reaches no loopback service, whether the URL names
// the address or a name that resolves to it (the check is on the
// resolved address, at dial time), and fetches no plain http URL.
func TestClientProductionDefault(t *testing.T) {
	tg := newTarget(t, true, secretAnswer)
	c := NewClient(Options{RootCAs: tg.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	port := tg.hostPort()[strings.LastIndexByte(tg.hostPort(), ':'):]
	for _, u := range []string{tg.URL, "https://localhost" + port + "/", "https://[::ffff:127.0.0.1]" + port + "/"} {
		_, err := get(c, u)
		var re *RefusedError
		if !errors.Is(err, ErrRefused) || !errors.As(err, &re) || re.Class != "loopback" {
			t.Fatalf("F4_loopback_refused_at_dial: GET %s = %v, want ErrRefused (loopback)", u, err)
		}
	}
	plain := newTarget(t, false, secretAnswer)
	if _, err := get(NewClient(Options{Allow: allowOnly(t, "127.0.0.0/8")}), plain.URL); !errors.Is(err, ErrScheme) {
		t.Fatalf("F4_plain_http_refused: GET %s = %v, want ErrScheme", plain.URL, err)
	}
	if n := tg.hits.Load() + plain.hits.Load(); n != 0 {
		t.Fatalf("a refused fetch reached the server %d times", n)
	}
}

// TestClientAllowListAndDevSwitch: the operator's allow-list opens exactly
// what it names; plain http needs the development switch as well.
func TestClientAllowListAndDevSwitch(t *testing.T) {
	tg := newTarget(t, true, secretAnswer)
	roots := tg.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	c := NewClient(Options{RootCAs: roots, Allow: allowOnly(t, tg.hostPort())})
	if body, err := get(c, tg.URL); err != nil || !strings.HasPrefix(string(body), "internal-only") {
		t.Fatalf("F4_allow_listed_host_port: %q %v", body, err)
	}
	other := newTarget(t, true, secretAnswer)
	if _, err := get(NewClient(Options{RootCAs: roots, Allow: allowOnly(t, tg.hostPort())}), other.URL); !errors.Is(err, ErrRefused) {
		t.Fatalf("F4_allow_list_names_one_port: GET %s = %v, want ErrRefused", other.URL, err)
	}
	plain := newTarget(t, false, secretAnswer)
	if body, err := get(NewClient(Options{AllowHTTP: true, Allow: allowOnly(t, "127.0.0.0/8", "::1")}), plain.URL); err != nil || len(body) == 0 {
		t.Fatalf("F4_dev_switch_http: %q %v", body, err)
	}
	if _, err := get(NewClient(Options{AllowHTTP: true}), plain.URL); !errors.Is(err, ErrRefused) {
		t.Fatalf("F4_dev_switch_alone_keeps_loopback_refused: %v", err)
	}
	if other.hits.Load() != 0 {
		t.Fatal("a refused fetch reached the server")
	}
}

// TestClientRedirects: every redirect is checked again — an allowed
// server that redirects to an internal address, to plain http, in a loop,
// or a POST redirected elsewhere (with its body) is refused, and the
// internal server is never reached.
func TestClientRedirects(t *testing.T) {
	internal := newTarget(t, true, secretAnswer)
	roots := internal.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	var to string
	front := newTarget(t, true, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, to, http.StatusTemporaryRedirect)
	})
	c := NewClient(Options{RootCAs: roots, Allow: allowOnly(t, front.hostPort())})

	to = internal.URL + "/latest/meta-data"
	if _, err := get(c, front.URL); !errors.Is(err, ErrRefused) {
		t.Fatalf("F4_redirect_to_internal_refused: %v", err)
	}
	to = "https://169.254.169.254/latest/meta-data"
	if _, err := get(c, front.URL); !errors.Is(err, ErrRefused) {
		t.Fatalf("F4_redirect_to_cloud_metadata_refused: %v", err)
	}
	to = strings.Replace(front.URL, "https:", "http:", 1) + "/plain"
	if _, err := NewClient(Options{RootCAs: roots, AllowHTTP: true, Allow: allowOnly(t, front.hostPort())}).Get(front.URL); !errors.Is(err, ErrScheme) {
		t.Fatalf("F4_redirect_keeps_https: %v", err)
	}
	to = front.URL + "/again"
	if _, err := get(c, front.URL); !errors.Is(err, ErrRedirect) {
		t.Fatalf("F4_redirects_bounded: %v", err)
	}
	to = front.URL + "/elsewhere"
	if _, err := c.Post(front.URL, "application/x-www-form-urlencoded", strings.NewReader("client_secret=s")); !errors.Is(err, ErrRedirect) {
		t.Fatalf("F4_post_not_redirected: %v", err)
	}
	if internal.hits.Load() != 0 {
		t.Fatal("a redirect reached the internal server")
	}
}

// TestClientLimits: an answer over the size limit is refused, announced
// or not; one that does not come within the time limit is abandoned; an
// answer other than 200 is an error that carries none of its body.
func TestClientLimits(t *testing.T) {
	big := strings.Repeat("x", DefaultMaxBytes+1)
	announced := newTarget(t, false, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(big)) })
	streamed := newTarget(t, false, func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i < len(big); i += 4096 {
			_, _ = w.Write([]byte(big[i:min(i+4096, len(big))]))
			w.(http.Flusher).Flush()
		}
	})
	exact := newTarget(t, false, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(big[:DefaultMaxBytes])) })
	c := NewClient(Options{AllowHTTP: true, Allow: allowOnly(t, "127.0.0.0/8")})
	for _, u := range []string{announced.URL, streamed.URL} {
		if _, err := get(c, u); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("F4_oversized_document_refused: GET %s = %v", u, err)
		}
	}
	if body, err := get(c, exact.URL); err != nil || len(body) != DefaultMaxBytes {
		t.Fatalf("a document of exactly the limit: %d bytes, %v", len(body), err)
	}

	release := make(chan struct{})
	slow := newTarget(t, false, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	quick := NewClient(Options{AllowHTTP: true, Allow: allowOnly(t, "127.0.0.0/8"), Timeout: 200 * time.Millisecond})
	if _, err := get(quick, slow.URL); err == nil {
		t.Fatal("F4_time_limit: a server that never answers should fail the fetch")
	}

	status := newTarget(t, false, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "internal-only: secret page", http.StatusForbidden)
	})
	_, err := get(c, status.URL)
	if !errors.Is(err, ErrStatus) || strings.Contains(err.Error(), "internal-only") {
		t.Fatalf("F4_status_without_body: %v", err)
	}
}

// TestClientIgnoresProxyVariables: a proxy would connect on the client's
// behalf, past the address check; the client connects directly whatever
// HTTP_PROXY and HTTPS_PROXY say. (Go never proxies loopback requests, so
// a test server cannot show it: the transport's setting is checked.)
func TestClientIgnoresProxyVariables(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://proxy.example:3128")
	g, ok := NewClient(Options{}).Transport.(*guard)
	if !ok {
		t.Fatal("the client's transport is not the guard")
	}
	tr, ok := g.next.(*http.Transport)
	if !ok || tr.Proxy != nil {
		t.Fatal("F4_no_proxy: the transport would use a proxy from the environment")
	}
}
