package graph

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

// refJSON is what encoding/json writes for v, objects in member order:
// the reference the fast encoder (appendJSON) must match byte for byte.
func refJSON(t *testing.T, v any) []byte {
	t.Helper()
	if o, ok := v.(jsonObject); ok && o != nil {
		var b bytes.Buffer
		b.WriteByte('{')
		for i, m := range o {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(m.name)
			b.Write(k)
			b.WriteByte(':')
			b.Write(refJSON(t, m.value))
		}
		b.WriteByte('}')
		return b.Bytes()
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// awkward strings: HTML characters, quotes, controls, non-ASCII, the two
// line separators JavaScript refuses, invalid UTF-8.
var awkward = []string{"", "plain", `Ana "Q" <a&b>`, "tab\there\nline", "Åsa Ørn 山田", "x\u2028y\u2029", "bad\xffutf8", `back\slash`, "\x00\x1f"}

func awkwardUsers() []directory.User {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	var out []directory.User
	for i, s := range awkward {
		u := directory.User{
			TenantID: "t", ID: "2f1c56c1-6a43-4f4c-9b0a-3f2d8c1e5a7" + string(rune('0'+i)), UserType: directory.UserTypeGuest,
			DisplayName: s, Mail: "ana" + s + "@partner.example", UserPrincipalName: "ana_partner.example#EXT#@fabrikam.example",
			CreationType: "Invitation", ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: now,
			IdP: directory.IdPMail, IdPIssuer: "mail", CreatedAt: now, AccountEnabled: i%2 == 0, GivenName: s, JobTitle: s,
			OtherMails: []string{"other" + s + "@x.example"},
			Properties: map[string]any{"department": s, "companyName": "Partner & Co", "businessPhones": []string{s},
				"showInAddressList": i%2 == 1, "employeeOrgData": map[string]string{"division": s},
				"onPremisesExtensionAttributes": map[string]string{"extensionAttribute3": s}, "ageGroup": "Minor"},
		}
		if i%3 == 0 {
			u.SignInActivity = directory.SignInActivity{LastSignIn: now, LastSignInRequestID: s, LastSuccessfulSignIn: now}
		}
		if i%4 == 3 {
			u.UserType, u.CreationType, u.ExternalUserState, u.IdPIssuer, u.Properties = directory.UserTypeMember, "", "", "", nil
		}
		out = append(out, u)
	}
	return out
}

// TestAppendUserMatchesEncodingJSON: the user objects of a list page,
// written by appending, are byte for byte what encoding/json wrote for
// userObject, for every property and the default set.
func TestAppendUserMatchesEncodingJSON(t *testing.T) {
	for _, sel := range [][]string{nil, UserPropertyNames()} {
		for _, u := range awkwardUsers() {
			want := refJSON(t, userObject(u, "fabrikam.example", sel, ""))
			got := appendUser(nil, u, "fabrikam.example", userFieldsOf(sel))
			if !bytes.Equal(got, want) {
				t.Fatalf("appendUser(%q)\n got %s\nwant %s", u.DisplayName, got, want)
			}
			if !json.Valid(got) {
				t.Fatalf("appendUser(%q) is not JSON: %s", u.DisplayName, got)
			}
		}
	}
	for _, s := range awkward {
		if got, want := appendJSONString(nil, s), refJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestUserPageMatchesEncodingJSON: a whole page (context, count, next
// link with &, users beyond one flush) is the document json.Encoder wrote
// for the same page.
func TestUserPageMatchesEncodingJSON(t *testing.T) {
	var users []directory.User
	for len(users) < 400 { // > flushAt with every property
		users = append(users, awkwardUsers()...)
	}
	sel := UserPropertyNames()
	n := 12345
	p := userPage{context: usersContext(sel, false), count: &n, nextLink: "https://graph.example/v1.0/users?$top=2&$skiptoken=a<b",
		users: users, initialDomain: "fabrikam.example", fields: userFieldsOf(sel)}
	rec := httptest.NewRecorder()
	p.write(rec)
	var want bytes.Buffer
	ref := struct {
		ODataContext  string            `json:"@odata.context"`
		ODataCount    *int              `json:"@odata.count,omitempty"`
		ODataNextLink string            `json:"@odata.nextLink,omitempty"`
		Value         []json.RawMessage `json:"value"`
	}{p.context, p.count, p.nextLink, []json.RawMessage{}}
	for _, u := range users {
		ref.Value = append(ref.Value, refJSON(t, userObject(u, "fabrikam.example", sel, "")))
	}
	if err := json.NewEncoder(&want).Encode(ref); err != nil {
		t.Fatal(err)
	}
	if got := rec.Body.Bytes(); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("page differs from encoding/json's (%d vs %d bytes)", len(got), want.Len())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; odata.metadata=minimal; charset=utf-8" || rec.Code != 200 {
		t.Fatalf("page = %d %q", rec.Code, ct)
	}
	empty := httptest.NewRecorder()
	userPage{context: usersContext(nil, false), fields: userFieldsOf(nil)}.write(empty)
	if got := empty.Body.String(); got != `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[]}`+"\n" {
		t.Fatalf("empty page = %s", got)
	}
}

// BenchmarkUserPageEveryProperty times the JSON of a first page (100
// users, $select of every property), the part of GET /v1.0/users that is
// guestgate's own CPU (docs/performance.md).
func BenchmarkUserPageEveryProperty(b *testing.B) {
	var users []directory.User
	for len(users) < 100 {
		users = append(users, awkwardUsers()...)
	}
	users = users[:100]
	sel := UserPropertyNames()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		userPage{context: usersContext(sel, false), users: users, initialDomain: "fabrikam.example", fields: userFieldsOf(sel)}.write(rec)
	}
}
