package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestForwardedForNamesTheGuestsClient(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("X-Forwarded-For"))
	}))
	defer srv.Close()
	for _, addr := range []string{poolAddress(0), poolAddress(1), poolAddress(0)} {
		c := &http.Client{Transport: forwardedFor{http.DefaultTransport, clientAddress(addr)}}
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(got) != 3 || !strings.HasPrefix(got[0], "10.") || got[0] == got[1] || got[0] != got[2] {
		t.Fatalf("X-Forwarded-For: %q; want one 10.x.y.z per guest address, stable", got)
	}
}
