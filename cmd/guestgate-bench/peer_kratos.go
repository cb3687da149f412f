package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// kratosSteps are the steps of one sign-in to Ory Kratos with its one-time
// code method, in order.
var kratosSteps = []string{"flow", "send_code", "mail", "verify_code", "total"}

// kratosJourney signs guests in to Ory Kratos through its API login flow
// with the code method (passwordless): what a native app does. Its public
// API is at public; the codes arrive at sink.
type kratosJourney struct {
	public      string
	client      *http.Client
	sink        *sink
	mailTimeout time.Duration
}

// signIn runs one sign-in for addr: create a login flow, submit the
// identifier with method=code (Kratos mails a code), read the code from
// the mail, submit it; the session token is the end of the journey.
func (k *kratosJourney) signIn(ctx context.Context, addr string) (map[string]time.Duration, error) {
	t := map[string]time.Duration{}
	begin := time.Now()

	status, body, err := k.call(ctx, http.MethodGet, k.public+"/self-service/login/api", nil)
	if err != nil {
		return nil, failAt("flow", "%v", err)
	}
	f, err := parseKratosFlow(body)
	if status != http.StatusOK || err != nil || f.State != "choose_method" {
		return nil, failAt("flow", "%s", kratosFailure(status, body))
	}
	t["flow"] = time.Since(begin)

	mark := time.Now()
	codeCh := k.sink.expect(addr)
	defer k.sink.forget(addr)
	submit := k.public + "/self-service/login?flow=" + url.QueryEscape(f.ID)
	status, body, err = k.call(ctx, http.MethodPost, submit, map[string]string{"method": "code", "identifier": addr})
	if err != nil {
		return nil, failAt("send_code", "%v", err)
	}
	// A sent code answers 400 with the flow, now waiting for the code.
	if f, err := parseKratosFlow(body); status != http.StatusBadRequest || err != nil || f.State != "sent_email" || f.hasError() {
		return nil, failAt("send_code", "%s", kratosFailure(status, body))
	}
	sent := time.Now()
	t["send_code"] = sent.Sub(mark)

	var code string
	select {
	case code = <-codeCh:
	case <-time.After(k.mailTimeout):
		return nil, failAt("mail", "no code mail within %s", k.mailTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t["mail"] = time.Since(sent)

	mark = time.Now()
	status, body, err = k.call(ctx, http.MethodPost, submit, map[string]string{"method": "code", "code": code, "identifier": addr})
	if err != nil {
		return nil, failAt("verify_code", "%v", err)
	}
	if _, err := parseKratosSession(body); status != http.StatusOK || err != nil {
		return nil, failAt("verify_code", "%s", kratosFailure(status, body))
	}
	t["verify_code"] = time.Since(mark)
	t["total"] = time.Since(begin)
	return t, nil
}

// call sends a JSON request (a GET without body) and returns the status
// and the body.
func (k *kratosJourney) call(ctx context.Context, method, u string, body any) (int, []byte, error) {
	return callJSON(ctx, k.client, method, u, body)
}

func callJSON(ctx context.Context, c *http.Client, method, u string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, errors.New("transport error")
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, errors.New("transport error")
	}
	return resp.StatusCode, b, nil
}

// kratosFlow is the part of a Kratos login flow the journey reads.
type kratosFlow struct {
	ID    string `json:"id"`
	State string `json:"state"`
	UI    struct {
		Messages []kratosMessage `json:"messages"`
		Nodes    []struct {
			Messages []kratosMessage `json:"messages"`
		} `json:"nodes"`
	} `json:"ui"`
}

// kratosMessage is a UI message of a flow (an error has type "error").
type kratosMessage struct {
	ID   int    `json:"id"`
	Type string `json:"type"`
	Text string `json:"text"`
}

// parseKratosFlow reads a login flow; it must have an id.
func parseKratosFlow(body []byte) (kratosFlow, error) {
	var f kratosFlow
	if err := json.Unmarshal(body, &f); err != nil {
		return f, fmt.Errorf("login flow: %w", err)
	}
	if f.ID == "" {
		return f, errors.New("login flow: no id")
	}
	return f, nil
}

// firstError is the first error message of the flow, on the form or on a
// field.
func (f kratosFlow) firstError() (kratosMessage, bool) {
	all := f.UI.Messages
	for _, n := range f.UI.Nodes {
		all = append(all, n.Messages...)
	}
	for _, m := range all {
		if m.Type == "error" {
			return m, true
		}
	}
	return kratosMessage{}, false
}

func (f kratosFlow) hasError() bool { _, ok := f.firstError(); return ok }

// parseKratosSession reads a successful API login: the session token of an
// active session.
func parseKratosSession(body []byte) (string, error) {
	var s struct {
		Token   string `json:"session_token"`
		Session struct {
			Active bool `json:"active"`
		} `json:"session"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	if s.Token == "" || !s.Session.Active {
		return "", errors.New("login: no active session")
	}
	return s.Token, nil
}

// kratosFailure names a refused step for "errors by kind": the status and
// Kratos's message id (a flow's UI error, or a generic error's reason),
// never the body itself.
func kratosFailure(status int, body []byte) string {
	if f, err := parseKratosFlow(body); err == nil {
		if m, ok := f.firstError(); ok {
			return fmt.Sprintf("HTTP %d: message %d", status, m.ID)
		}
		return fmt.Sprintf("HTTP %d: flow state %q", status, f.State)
	}
	var e struct {
		Error struct {
			Status string `json:"status"`
			Reason string `json:"reason"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Status != "" {
		return fmt.Sprintf("HTTP %d: %s", status, e.Error.Status)
	}
	return fmt.Sprintf("HTTP %d", status)
}

// kratosCodeIn reads the code from Kratos's login code mail: the first
// non-blank line after the line that introduces it ("Login to your account
// with the following code:"), six digits alone on their line.
func kratosCodeIn(text string) (code string, invitation bool) {
	afterIntro := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			continue
		case afterIntro && len(trimmed) == 6 && allDigits(trimmed):
			return trimmed, false
		default:
			afterIntro = strings.HasSuffix(trimmed, ":")
		}
	}
	return "", false
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
