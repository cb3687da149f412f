package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// graphGet sends GET u with the headers (such as ConsistencyLevel) and
// returns the status and the raw answer.
func graphGet(t *testing.T, c *http.Client, u string, headers map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// usersURL is GET /v1.0/users with the query options encoded as Graph
// SDKs encode them.
func usersURL(in *e2etest.Instance, opts ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(opts); i += 2 {
		v.Set(opts[i], opts[i+1])
	}
	if len(v) == 0 {
		return in.URL + "/v1.0/users"
	}
	return in.URL + "/v1.0/users?" + v.Encode()
}

type usersAnswer struct {
	Context string           `json:"@odata.context"`
	Count   *int             `json:"@odata.count"`
	Next    string           `json:"@odata.nextLink"`
	Value   []map[string]any `json:"value"`
}

func listUsers(t *testing.T, c *http.Client, u string, headers map[string]string) usersAnswer {
	t.Helper()
	s, raw := graphGet(t, c, u, headers)
	if s != http.StatusOK {
		t.Fatalf("GET %s = %d %s", u, s, raw)
	}
	var a usersAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return a
}

func mailsOf(a usersAnswer) []string {
	var out []string
	for _, u := range a.Value {
		m, _ := u["mail"].(string)
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// TestUsersQueryAsGraphClientsSendIt: the query shapes Graph SDKs and
// scripts send to GET /v1.0/users, on both engines: $filter per property,
// otherMails/any, advanced queries ($count, $search with ConsistencyLevel:
// eventual), $select and the default property set, $orderby, paging that
// keeps the query, 400 Request_UnsupportedQuery for what is not
// supported, and the look-up by an encoded #EXT# userPrincipalName.
func TestUsersQueryAsGraphClientsSendIt(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.ReadWrite.All", "AuditLog.Read.All")
		_, other := in.TenantWithAdmin("Contoso", "contoso.example", "User.Invite.All", "User.Read.All")
		ids := map[string]string{}
		for _, g := range []struct{ mail, name string }{
			{"teri@gmail.example", "Teri Doe"}, {"terrence@partner.example", "Terrence Hill"},
			{"alice@contoso.example", "Alice Smith"}, {"bob@x.example", "Bob Jones"},
		} {
			var inv struct{ InvitedUser struct{ ID string } }
			if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
				"invitedUserEmailAddress": g.mail, "invitedUserDisplayName": g.name, "inviteRedirectUrl": "https://apps.fabrikam.example",
			}, &inv); s != http.StatusCreated {
				t.Fatalf("invite %s = %d", g.mail, s)
			}
			ids[g.mail] = inv.InvitedUser.ID
		}
		e2etest.API(t, other, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://x.example"}, nil)
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/users", map[string]any{
			"accountEnabled": true, "displayName": "Ana Member", "mailNickname": "ana", "userPrincipalName": "ana@fabrikam.example",
			"mail": "ana@fabrikam.example", "passwordProfile": map[string]any{"password": "tulip-Quarry-2026"},
		}, nil); s != http.StatusCreated {
			t.Fatalf("create member = %d", s)
		}
		eventual := map[string]string{"ConsistencyLevel": "eventual"}

		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "mail eq 'Teri@gmail.example'"), nil)); !reflect.DeepEqual(got, []string{"teri@gmail.example"}) {
			t.Errorf("mail eq = %v", got)
		}
		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "otherMails/any(x:x eq 'teri@gmail.example')"), nil)); !reflect.DeepEqual(got, []string{"teri@gmail.example"}) {
			t.Errorf("otherMails/any = %v", got)
		}
		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "startsWith(mail,'t')"), nil)); !reflect.DeepEqual(got, []string{"teri@gmail.example", "terrence@partner.example"}) {
			t.Errorf("startsWith(mail,'t') = %v", got)
		}
		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "userType eq 'Member'"), nil)); !reflect.DeepEqual(got, []string{"ana@fabrikam.example"}) {
			t.Errorf("userType eq 'Member' = %v", got)
		}
		// Issue 22 item 3: id eq, id in, and the look-up by sign-in name
		// through identities/any (the userPrincipalName identity, issued by
		// the tenant's initial domain), without ConsistencyLevel.
		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "id eq '"+ids["bob@x.example"]+"'"), nil)); !reflect.DeepEqual(got, []string{"bob@x.example"}) {
			t.Errorf("id eq = %v", got)
		}
		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "id in ('"+ids["bob@x.example"]+"','"+ids["alice@contoso.example"]+"')"), nil)); !reflect.DeepEqual(got, []string{"alice@contoso.example", "bob@x.example"}) {
			t.Errorf("id in = %v", got)
		}
		if got := mailsOf(listUsers(t, other, usersURL(in, "$filter", "id eq '"+ids["bob@x.example"]+"'"), nil)); len(got) != 0 {
			t.Errorf("id eq of another tenant's user = %v", got)
		}
		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "identities/any(c:c/issuerAssignedId eq 'ana@fabrikam.example' and c/issuer eq '"+tn.InitialDomain+"')"), nil)); !reflect.DeepEqual(got, []string{"ana@fabrikam.example"}) {
			t.Errorf("identities/any = %v", got)
		}
		if got := mailsOf(listUsers(t, admin, usersURL(in, "$filter", "identities/any(c:c/issuerAssignedId eq 'ana@fabrikam.example' and c/issuer eq 'other.example')"), nil)); len(got) != 0 {
			t.Errorf("identities/any with another issuer = %v", got)
		}

		s := listUsers(t, admin, usersURL(in, "$search", `"displayName:ter"`, "$count", "true"), eventual)
		if got := mailsOf(s); s.Count == nil || *s.Count != 2 || !reflect.DeepEqual(got, []string{"teri@gmail.example", "terrence@partner.example"}) {
			t.Errorf("$search displayName:ter with $count = %v count %v", got, s.Count)
		}
		adv := listUsers(t, admin, usersURL(in, "$filter", "userType ne 'Member'", "$count", "true", "$orderby", "displayName"), eventual)
		if adv.Count == nil || *adv.Count != 4 || len(adv.Value) != 4 || adv.Value[0]["displayName"] != "Alice Smith" {
			t.Errorf("advanced ne with $orderby = %+v", adv)
		}

		sel := listUsers(t, admin, usersURL(in, "$select", "id,userType,externalUserState", "$filter", "mail eq 'bob@x.example'"), nil)
		if len(sel.Value) != 1 || len(sel.Value[0]) != 3 || sel.Value[0]["userType"] != "Guest" || sel.Value[0]["externalUserState"] != "PendingAcceptance" ||
			sel.Value[0]["id"] != ids["bob@x.example"] || !strings.HasSuffix(sel.Context, "#users(id,userType,externalUserState)") {
			t.Errorf("$select = %s %+v", sel.Context, sel.Value)
		}
		def := listUsers(t, admin, usersURL(in, "$filter", "mail eq 'bob@x.example'"), nil)
		for _, k := range []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"} {
			if _, ok := def.Value[0][k]; !ok {
				t.Errorf("default properties lack %s: %v", k, def.Value[0])
			}
		}
		for _, k := range []string{"userType", "externalUserState", "identities", "creationType", "accountEnabled", "otherMails", "createdDateTime"} {
			if _, ok := def.Value[0][k]; ok {
				t.Errorf("%s is not a default property, yet answered without $select", k)
			}
		}

		ordered := listUsers(t, admin, usersURL(in, "$orderby", "displayName"), nil)
		var names []string
		for _, u := range ordered.Value {
			names = append(names, u["displayName"].(string))
		}
		if want := []string{"Alice Smith", "Ana Member", "Bob Jones", "Teri Doe", "Terrence Hill"}; !reflect.DeepEqual(names, want) {
			t.Errorf("$orderby=displayName = %v, want %v", names, want)
		}

		var paged []string
		next := usersURL(in, "$filter", "userType eq 'Guest'", "$top", "3", "$select", "id,mail,userType")
		for pages := 0; next != ""; pages++ {
			if pages > 3 {
				t.Fatal("paging does not end")
			}
			p := listUsers(t, admin, next, nil)
			for _, u := range p.Value {
				if u["userType"] != "Guest" {
					t.Errorf("page of userType eq 'Guest' has %v", u)
				}
				paged = append(paged, u["mail"].(string))
			}
			if p.Next != "" && (!strings.Contains(p.Next, "userType") || !strings.Contains(p.Next, "%24select")) {
				t.Errorf("nextLink %s does not keep the query", p.Next)
			}
			next = p.Next
		}
		if len(paged) != 4 {
			t.Errorf("paged guests = %v, want 4", paged)
		}

		for _, c := range []struct {
			u       string
			headers map[string]string
			code    string
		}{
			{usersURL(in, "$expand", "manager"), nil, "Request_UnsupportedQuery"},
			{usersURL(in, "$filter", "contains(mail,'t')"), nil, "Request_UnsupportedQuery"},
			{usersURL(in, "$filter", "department eq 'x'"), nil, "Request_UnsupportedQuery"},
			{usersURL(in, "$filter", "mail ne 'a@b.example'"), nil, "Request_UnsupportedQuery"},
			{usersURL(in, "$search", `"displayName:ter"`), nil, "Request_UnsupportedQuery"},
			{usersURL(in, "$orderby", "mail"), nil, "Request_UnsupportedQuery"},
			{usersURL(in, "$select", "id,favouriteColour"), nil, "Request_BadRequest"},
			{usersURL(in, "$filter", "mail eq"), nil, "Request_BadRequest"},
			{usersURL(in, "$skiptoken", "forged"), nil, "Request_BadRequest"},
		} {
			s, raw := graphGet(t, admin, c.u, c.headers)
			var e struct {
				Error struct{ Code, Message string }
			}
			_ = json.Unmarshal(raw, &e)
			if s != http.StatusBadRequest || e.Error.Code != c.code || e.Error.Message == "" {
				t.Errorf("GET %s = %d %s, want 400 %s", c.u, s, raw, c.code)
			}
		}

		upn := "TERI_gmail.example#EXT#@" + tn.InitialDomain
		for _, u := range []string{
			in.URL + "/v1.0/users/" + url.PathEscape(upn),
			in.URL + "/v1.0/users/" + strings.ReplaceAll(upn, "#", "%23"),
		} {
			s, raw := graphGet(t, admin, u+"?$select=id,userPrincipalName,userType", nil)
			var got map[string]any
			_ = json.Unmarshal(raw, &got)
			if s != http.StatusOK || got["id"] != ids["teri@gmail.example"] || got["userType"] != "Guest" {
				t.Errorf("GET %s = %d %s", u, s, raw)
			}
		}
		if s, raw := graphGet(t, other, in.URL+"/v1.0/users/"+url.PathEscape(upn), nil); s != http.StatusNotFound {
			t.Errorf("another tenant's UPN look-up = %d %s, want 404", s, raw)
		}
		var one map[string]any
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+ids["bob@x.example"], nil, &one)
		if _, ok := one["userType"]; ok || one["mail"] != "bob@x.example" || !strings.HasSuffix(one["@odata.context"].(string), "#users/$entity") {
			t.Errorf("GET /users/{id} without $select = %v, want the default properties", one)
		}

		if s, raw := graphGet(t, admin, in.URL+"/v1.0/users/$count?"+url.Values{"$filter": {"userType eq 'Guest'"}}.Encode(), eventual); s != http.StatusOK || string(raw) != "4" {
			t.Errorf("/users/$count = %d %q, want 4", s, raw)
		}
		// Issue 22 item 4: Graph's answer to /users/$count without the
		// header, and $count=true without it ignored.
		if s, raw := graphGet(t, admin, in.URL+"/v1.0/users/$count", nil); s != http.StatusBadRequest ||
			!strings.Contains(string(raw), `"code":"Request_BadRequest","message":"$count is not currently supported."`) {
			t.Errorf("/users/$count without ConsistencyLevel = %d %s, want 400 Request_BadRequest", s, raw)
		}
		if ign := listUsers(t, admin, usersURL(in, "$count", "true", "$filter", "userType eq 'Guest'"), nil); ign.Count != nil || len(ign.Value) != 4 {
			t.Errorf("$count=true without ConsistencyLevel = count %v, %d users; want it ignored", ign.Count, len(ign.Value))
		}

		var audits struct {
			Value []struct{ ActivityDisplayName, Category string }
		}
		au := in.URL + "/v1.0/auditLogs/directoryAudits?" + url.Values{"$filter": {"activityDisplayName eq 'Add user' and category eq 'UserManagement'"}, "$orderby": {"activityDateTime asc"}}.Encode()
		if s := e2etest.API(t, admin, http.MethodGet, au, nil, &audits); s != http.StatusOK || len(audits.Value) == 0 {
			t.Fatalf("directoryAudits $filter = %d %+v", s, audits)
		}
		for _, a := range audits.Value {
			if a.ActivityDisplayName != "Add user" || a.Category != "UserManagement" {
				t.Errorf("filtered audit record %+v", a)
			}
		}
		var e struct{ Error struct{ Code string } }
		bad := in.URL + "/v1.0/auditLogs/directoryAudits?" + url.Values{"$filter": {"category eq 'a' or category eq 'b'"}}.Encode()
		if s := e2etest.API(t, admin, http.MethodGet, bad, nil, &e); s != http.StatusBadRequest || e.Error.Code != "BadRequest" {
			t.Errorf("directoryAudits with or = %d %v, want 400 BadRequest", s, e)
		}
	})
}
