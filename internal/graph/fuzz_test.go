package graph

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// fuzzAPI maps errors to statuses as the API does.
func fuzzAPI() *API {
	return mustNew(Deps{Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// statusOf is the status writeError gives err (200 for nil).
func statusOf(a *API, r *http.Request, err error) int {
	if err == nil {
		return http.StatusOK
	}
	rec := httptest.NewRecorder()
	a.writeError(rec, r, err)
	return rec.Code
}

func bodyRequest(method, path string, body []byte) *http.Request {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// FuzzInvitationBody: any body of POST /v1.0/invitations is decoded and
// checked without a panic, and refused, if at all, with a 4xx; an
// accepted body holds no NUL.
func FuzzInvitationBody(f *testing.F) {
	for _, s := range []string{
		`{"invitedUserEmailAddress":"kim@partner.example","inviteRedirectUrl":"https://apps.fabrikam.example"}`,
		`{"invitedUserEmailAddress":"kim@partner.example","inviteRedirectUrl":"https://x.example","sendInvitationMessage":true,"invitedUserMessageInfo":{"ccRecipients":[{"emailAddress":{"address":"a@b.example","name":"A"}}],"customizedMessageBody":"hi","messageLanguage":"ja-JP"}}`,
		`{"invitedUserEmailAddress":"kim@partner.example","inviteRedirectUrl":"https://x.example","resetRedemption":true,"invitedUser":{"@odata.type":"#microsoft.graph.user","id":"6f1c"}}`,
		`{"invitedUserEmailAddress":"k\u0000m@partner.example","inviteRedirectUrl":"https://x.example"}`,
		`{"invitedUserType":"Member"`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	a := fuzzAPI()
	f.Fuzz(func(t *testing.T, body []byte) {
		r := bodyRequest(http.MethodPost, "/v1.0/invitations", body)
		var in invitationIn
		err := decode(httptest.NewRecorder(), r, &in)
		if err == nil {
			err = in.check()
		}
		if st := statusOf(a, r, err); st >= 500 {
			t.Fatalf("body %q: status %d (%v)", body, st, err)
		}
		if err == nil {
			req := in.request()
			for _, s := range []string{req.Email, req.RedirectURL, req.DisplayName, req.CustomMessage, req.MessageLanguage, strings.Join(req.CCRecipients, ","), strings.Join(req.CCNames, ","), strings.Join(req.Sponsors, ",")} {
				if strings.ContainsRune(s, 0) {
					t.Fatalf("body %q: accepted a NUL in %q", body, s)
				}
			}
		}
	})
}

// FuzzUserBodies: any body of PATCH /v1.0/users/{id} and POST /v1.0/users
// is decoded without a panic and refused, if at all, with a 4xx.
func FuzzUserBodies(f *testing.F) {
	for _, s := range []string{
		`{"displayName":"Kim","accountEnabled":false,"otherMails":["k@x.example"],"preferredLanguage":null}`,
		`{"@odata.type":"#microsoft.graph.user","mail":"kim@partner.example","givenName":"K","surname":"M","jobTitle":"x"}`,
		`{"userPrincipalName":"lee@fabrikam.example","displayName":"Lee","passwordProfile":{"password":"tulip-Quarry-2026"},"accountEnabled":true}`,
		`{"id":"x"}`, `{"displayName":"a\u0000b"}`, `{"otherMails":[1]}`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	a := fuzzAPI()
	f.Fuzz(func(t *testing.T, body []byte) {
		r := bodyRequest(http.MethodPatch, "/v1.0/users/x", body)
		_, err := decodeUserPatch(httptest.NewRecorder(), r)
		if st := statusOf(a, r, err); st >= 500 {
			t.Fatalf("PATCH body %q: status %d (%v)", body, st, err)
		}
		r = bodyRequest(http.MethodPost, "/v1.0/users", body)
		var in newUserBody
		err = decode(httptest.NewRecorder(), r, &in)
		if st := statusOf(a, r, err); st >= 500 {
			t.Fatalf("POST body %q: status %d (%v)", body, st, err)
		}
		if err == nil && (strings.ContainsRune(in.UserPrincipalName, 0) || strings.ContainsRune(in.DisplayName, 0) || strings.ContainsRune(in.Mail, 0)) {
			t.Fatalf("POST body %q: accepted a NUL", body)
		}
	})
}
