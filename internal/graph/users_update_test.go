package graph

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/validation"
)

func ptr[T any](v T) *T { return &v }

// TestDecodeUserPatch: PATCH /v1.0/users/{id} bodies as Graph clients send
// them, and Graph's 400s for what guestgate refuses.
func TestDecodeUserPatch(t *testing.T) {
	cases := []struct {
		name string
		body string
		want lifecycle.Patch
		err  string // a fragment of the 400's message; "" for success
	}{
		{name: "empty_object", body: `{}`},
		{name: "sdk_odata_type_accepted", body: `{"@odata.type": "#microsoft.graph.user", "displayName": "Teri Ng"}`,
			want: lifecycle.Patch{DisplayName: ptr("Teri Ng")}},
		{name: "mail_and_account_enabled", body: `{"mail": "teri@outlook.example", "accountEnabled": false}`,
			want: lifecycle.Patch{Mail: ptr("teri@outlook.example"), AccountEnabled: ptr(false)}},
		{name: "other_mails", body: `{"otherMails": ["a@x.example"]}`, want: lifecycle.Patch{OtherMails: ptr([]string{"a@x.example"})}},
		{name: "other_mails_null_clears", body: `{"otherMails": null}`, want: lifecycle.Patch{OtherMails: ptr([]string{})}},
		{name: "names_job_language", body: `{"givenName": "Teri", "surname": "Ng", "jobTitle": "Auditor", "preferredLanguage": "ja-JP"}`,
			want: lifecycle.Patch{GivenName: ptr("Teri"), Surname: ptr("Ng"), JobTitle: ptr("Auditor"), PreferredLanguage: ptr("ja-JP")}},
		{name: "nullable_string_null_clears", body: `{"jobTitle": null, "preferredLanguage": null}`,
			want: lifecycle.Patch{JobTitle: ptr(""), PreferredLanguage: ptr("")}},
		{name: "display_name_null_refused", body: `{"displayName": null}`, err: "Invalid value specified for property 'displayName' of resource 'User'."},
		{name: "account_enabled_wrong_type", body: `{"accountEnabled": "no"}`, err: "Invalid value specified for property 'accountEnabled' of resource 'User'."},
		{name: "mail_null_refused", body: `{"mail": null}`, err: "Invalid value specified for property 'mail' of resource 'User'."},
		{name: "read_only_id", body: `{"id": "x"}`, err: "Property 'id' is read-only and cannot be set."},
		{name: "read_only_created", body: `{"createdDateTime": "2020-01-01T00:00:00Z"}`, err: "Property 'createdDateTime' is read-only and cannot be set."},
		{name: "read_only_external_state", body: `{"externalUserState": "Accepted"}`, err: "Property 'externalUserState' is read-only and cannot be set."},
		{name: "upn_not_changed_here", body: `{"userPrincipalName": "x@fabrikam.example"}`, err: "Property 'userPrincipalName' cannot be updated here"},
		{name: "unknown_property", body: `{"favouriteColour": "blue"}`, err: "Property 'favouriteColour' does not exist as a declared property or extension property."},
		{name: "not_an_object", body: `[]`, err: "Property"},
		{name: "not_json", body: `{"displayName": }`, err: "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPatch, "/v1.0/users/x", strings.NewReader(c.body))
			r.Header.Set("Content-Type", "application/json")
			got, err := decodeUserPatch(httptest.NewRecorder(), r)
			if c.err != "" {
				var ge *Error
				if !errors.As(err, &ge) || ge.Status != http.StatusBadRequest || !strings.Contains(ge.Message, c.err) {
					t.Fatalf("decode = %v, want 400 with %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("decode = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

// TestWriteErrorLifecycleMessages: lifecycle refusals answer Graph's messages.
func TestWriteErrorLifecycleMessages(t *testing.T) {
	a := mustNew(Deps{Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"mail_taken", &lifecycle.ValidationError{Resource: validation.ResourceUser, Property: "mail", Err: lifecycle.ErrAddressTaken},
			"Another object with the same value for property mail already exists."},
		{"bad_value", &lifecycle.ValidationError{Resource: validation.ResourceUser, Property: "preferredLanguage", Message: "an ISO 639-1 language is required"},
			"Invalid value specified for property 'preferredLanguage' of resource 'User'. an ISO 639-1 language is required"},
		{"restore_conflict", lifecycle.ErrRestoreConflict,
			"A conflicting object with one or more of the specified property values is present in the directory."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			a.writeError(w, httptest.NewRequest(http.MethodPatch, "/v1.0/users/x", nil), c.err)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"code":"Request_BadRequest"`) || !strings.Contains(w.Body.String(), c.want) {
				t.Fatalf("%d %s, want 400 Request_BadRequest %q", w.Code, w.Body.String(), c.want)
			}
		})
	}
}
