package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"os"
	"strings"
	"testing"
	"time"
)

// The canned responses in testdata/kratos are Ory Kratos v26.2.0's answers
// to the API login flow with the code method, and its login code mail.
func canned(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/kratos/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseKratosFlow(t *testing.T) {
	for _, tc := range []struct {
		file, state string
		errorID     int // 0: none
	}{
		{"flow.json", "choose_method", 0},
		{"sent_email.json", "sent_email", 0}, // its message 1010014 is info, not an error
		{"wrong_code.json", "sent_email", 4010008},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := parseKratosFlow(canned(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if f.ID != "4b4b6ecb-fa04-4f11-b12c-d3cb16d51f80" || f.State != tc.state {
				t.Fatalf("flow = %q in state %q, want state %q", f.ID, f.State, tc.state)
			}
			m, ok := f.firstError()
			if got := map[bool]int{true: m.ID}[ok]; got != tc.errorID {
				t.Fatalf("first error = %d, want %d", got, tc.errorID)
			}
		})
	}
	for _, body := range []string{"", "{}", `{"error":{"code":400}}`, "not json", "[1]"} {
		if _, err := parseKratosFlow([]byte(body)); err == nil {
			t.Errorf("parseKratosFlow(%q): no error", body)
		}
	}
}

func TestParseKratosSession(t *testing.T) {
	token, err := parseKratosSession(canned(t, "session.json"))
	if err != nil || token != "ory_st_cannedCannedCannedCannedCanned0" {
		t.Fatalf("parseKratosSession = %q, %v", token, err)
	}
	for _, body := range []string{"", "{}", `{"session_token":"x","session":{"active":false}}`,
		`{"session":{"active":true}}`, string(canned(t, "sent_email.json"))} {
		if _, err := parseKratosSession([]byte(body)); err == nil {
			t.Errorf("parseKratosSession(%.40q): no error", body)
		}
	}
}

func TestKratosFailure(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   []byte
		want   string
	}{
		{400, canned(t, "wrong_code.json"), "HTTP 400: message 4010008"},
		{400, canned(t, "error.json"), "HTTP 400: Bad Request"},
		{200, canned(t, "flow.json"), `HTTP 200: flow state "choose_method"`},
		{502, []byte("<html>bad gateway</html>"), "HTTP 502"},
	} {
		if got := kratosFailure(tc.status, tc.body); got != tc.want {
			t.Errorf("kratosFailure(%d, …) = %q, want %q", tc.status, got, tc.want)
		}
	}
}

func TestKratosCodeInMail(t *testing.T) {
	text, err := textPart(bytes.NewReader(canned(t, "login_code.eml")))
	if err != nil {
		t.Fatal(err)
	}
	if code, invitation := kratosCodeIn(text); code != "015440" || invitation {
		t.Fatalf("kratosCodeIn = %q, %v; want 015440 from\n%s", code, invitation, text)
	}
	for _, text := range []string{
		"",
		"Login to your account with the following code:\n\nIt expires in 60 minutes.\n",
		"015440\n",                            // nothing introduces it
		"Your code:\n\n01544\n",               // five digits
		"Your code:\n\n015440 is yours\n",     // not alone on its line
		"Your code:\n\nIt expires.\n015440\n", // not the line after the intro
	} {
		if code, _ := kratosCodeIn(text); code != "" {
			t.Errorf("kratosCodeIn(%q) = %q, want none", text, code)
		}
	}
}

// fakeKratos answers the API login flow with the canned responses and mails
// mailed as the code to sinkAddr; it accepts only accepted.
func fakeKratos(t *testing.T, sinkAddr, mailed, accepted string) *httptest.Server {
	t.Helper()
	mail := strings.ReplaceAll(string(canned(t, "login_code.eml")), "015440", mailed)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet && r.URL.Path == "/self-service/login/api" {
			_, _ = w.Write(canned(t, "flow.json"))
			return
		}
		var body map[string]string
		if r.URL.Path != "/self-service/login" || r.URL.Query().Get("flow") != "4b4b6ecb-fa04-4f11-b12c-d3cb16d51f80" ||
			r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil || body["method"] != "code" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(canned(t, "error.json"))
			return
		}
		switch body["code"] {
		case "":
			if err := smtp.SendMail(sinkAddr, nil, "kratos@peer.bench.example", []string{body["identifier"]}, []byte(mail)); err != nil {
				t.Errorf("mail: %v", err)
			}
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(canned(t, "sent_email.json"))
		case accepted:
			_, _ = w.Write(canned(t, "session.json"))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(canned(t, "wrong_code.json"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestKratosJourney(t *testing.T) {
	mailSink, err := startSinkReading("127.0.0.1:0", kratosCodeIn)
	if err != nil {
		t.Fatal(err)
	}
	defer mailSink.Close()
	journey := func(srv *httptest.Server) *kratosJourney {
		return &kratosJourney{public: srv.URL, client: srv.Client(), sink: mailSink, mailTimeout: 10 * time.Second}
	}
	ctx := context.Background()

	t.Run("signs in", func(t *testing.T) {
		times, err := journey(fakeKratos(t, mailSink.ln.Addr().String(), "246810", "246810")).signIn(ctx, "Probe1@peer.example")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range kratosSteps {
			if _, ok := times[s]; !ok {
				t.Errorf("step %s not timed: %v", s, times)
			}
		}
	})
	t.Run("a refused code is the verify step's error", func(t *testing.T) {
		_, err := journey(fakeKratos(t, mailSink.ln.Addr().String(), "111111", "246810")).signIn(ctx, "probe2@peer.example")
		var se *stepError
		if !errors.As(err, &se) || se.step != "verify_code" || se.kind != "HTTP 400: message 4010008" {
			t.Fatalf("signIn = %v, want verify_code: HTTP 400: message 4010008", err)
		}
	})
}
