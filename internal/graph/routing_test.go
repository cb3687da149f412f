package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/httpx"
)

// noTokens refuses every token: routing is decided before authentication.
type noTokens struct{}

func (noTokens) VerifyAccessToken(context.Context, string) (Caller, error) {
	return Caller{}, errors.New("no token is valid here")
}

func TestRequestShapeRouting(t *testing.T) {
	a := mustNew(Deps{Tokens: noTokens{}, Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	h := httpx.WithRequestID(a)
	cases := []struct {
		name, method, path string
		status             int
		code, allow        string
	}{
		{"known_route_reaches_authentication", "GET", "/v1.0/users", 401, "InvalidAuthenticationToken", ""},
		{"segments_ignore_case", "GET", "/v1.0/Users", 401, "InvalidAuthenticationToken", ""},
		{"configuration_id_ignores_case", "GET", "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Email", 401, "InvalidAuthenticationToken", ""},
		{"whole_path_ignores_case", "GET", "/V1.0/POLICIES/AUTHENTICATIONMETHODSPOLICY", 401, "InvalidAuthenticationToken", ""},
		{"wrong_method_is_405", "PUT", "/v1.0/invitations", 405, "Request_BadRequest", "POST"},
		{"wrong_method_on_config_is_405", "POST", "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", 405, "Request_BadRequest", "DELETE, GET, HEAD, PATCH"},
		{"unknown_segment_is_400", "GET", "/v1.0/nosuchthing", 400, "BadRequest", ""},
		{"trailing_slash_ignored", "GET", "/v1.0/users/", 401, "InvalidAuthenticationToken", ""},
		{"beta_is_an_invalid_version", "GET", "/beta/users", 400, "BadRequest", ""},
		{"beta_any_method", "PATCH", "/beta/policies/authenticationMethodsPolicy", 400, "BadRequest", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(c.method, c.path, nil)
			r.Header.Set("client-request-id", "my-call-1")
			h.ServeHTTP(w, r)
			var env errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
				t.Fatalf("%d %q is not Graph's envelope: %v", w.Code, w.Body.String(), err)
			}
			if w.Code != c.status || env.Error.Code != c.code {
				t.Fatalf("%d %+v, want %d %s", w.Code, env.Error, c.status, c.code)
			}
			if got := w.Header().Get("Allow"); got != c.allow {
				t.Fatalf("Allow = %q, want %q", got, c.allow)
			}
			in := env.Error.InnerError
			if in.RequestID == "" || in.RequestID != w.Header().Get("request-id") || in.ClientRequestID != "my-call-1" || in.Date != "2030-01-02T03:04:05" {
				t.Fatalf("innerError = %+v (request-id header %q)", in, w.Header().Get("request-id"))
			}
		})
	}
}

// TestRouteOptions: every registered route answers each OData option it
// does not take with 400 in Graph's envelope (Request_UnsupportedQuery on
// directory objects, BadRequest on other resources) before the token is
// read, and lets those it takes, in any case, and non-OData parameters
// through to authentication. Routes that take no options refuse them
// all: none is silently ignored.
func TestRouteOptions(t *testing.T) {
	a := mustNew(Deps{Tokens: noTokens{}, Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	const (
		dir   = "Request_UnsupportedQuery"
		other = "BadRequest"
	)
	userList := []string{"$filter", "$search", "$select", "$orderby", "$count", "$top", "$skiptoken"}
	logList := []string{"$filter", "$orderby", "$top", "$skiptoken"}
	// Every route, with the code of its query errors and the options it takes.
	want := map[string]struct {
		code    string
		options []string
	}{
		"POST /v1.0/invitations":                                   {other, nil},
		"GET /v1.0/users":                                          {dir, userList},
		"GET /v1.0/users/$count":                                   {dir, []string{"$filter", "$search"}},
		"GET /v1.0/users/{id}":                                     {dir, []string{"$select"}},
		"POST /v1.0/users":                                         {dir, nil},
		"PATCH /v1.0/users/{id}":                                   {dir, nil},
		"DELETE /v1.0/users/{id}":                                  {dir, nil},
		"POST /v1.0/users/{id}/revokeSignInSessions":               {dir, nil},
		"GET /v1.0/directory/deletedItems/microsoft.graph.user":    {dir, []string{"$select", "$orderby", "$count", "$top", "$skiptoken"}},
		"GET /v1.0/directory/deletedItems/{id}":                    {dir, nil},
		"GET /v1.0/directory/deletedItems/microsoft.graph.group":   {dir, []string{"$select", "$top", "$skiptoken"}},
		"GET /v1.0/directory/deletedItems/graph.group":             {dir, []string{"$select", "$top", "$skiptoken"}},
		"GET /v1.0/groups":                                         {dir, userList},
		"POST /v1.0/groups":                                        {dir, nil},
		"GET /v1.0/groups/{id}":                                    {dir, []string{"$select"}},
		"PATCH /v1.0/groups/{id}":                                  {dir, nil},
		"DELETE /v1.0/groups/{id}":                                 {dir, nil},
		"GET /v1.0/groups/{id}/members":                            {dir, []string{"$top", "$skiptoken"}},
		"POST /v1.0/groups/{id}/members/$ref":                      {dir, nil},
		"DELETE /v1.0/groups/{id}/members/{member}/$ref":           {dir, nil},
		"GET /v1.0/users/{id}/memberOf":                            {dir, []string{"$top", "$skiptoken"}},
		"GET /v1.0/users/{id}/transitiveMemberOf":                  {dir, nil},
		"POST /v1.0/users/{id}/checkMemberGroups":                  {dir, nil},
		"POST /v1.0/users/{id}/getMemberObjects":                   {dir, nil},
		"POST /v1.0/me/getMemberObjects":                           {dir, nil},
		"POST /v1.0/directory/deletedItems/{id}/restore":           {dir, nil},
		"DELETE /v1.0/directory/deletedItems/{id}":                 {dir, nil},
		"GET /v1.0/policies/authenticationMethodsPolicy":           {other, nil},
		"GET " + authMethodConfigsPath:                             {other, nil},
		"GET " + emailConfigPath:                                   {other, nil},
		"PATCH " + emailConfigPath:                                 {other, nil},
		"DELETE " + emailConfigPath:                                {other, nil},
		"GET /v1.0/auditLogs/directoryAudits":                      {other, logList},
		"GET /v1.0/auditLogs/directoryAudits/{id}":                 {other, nil},
		"GET /v1.0/auditLogs/signIns":                              {other, append([]string{"$select"}, logList...)},
		"GET /v1.0/auditLogs/signIns/{id}":                         {other, []string{"$select"}},
		"GET /v1.0/policies/crossTenantAccessPolicy/default":       {other, nil},
		"PATCH /v1.0/policies/crossTenantAccessPolicy/default":     {other, nil},
		"GET " + identityProvidersPath:                             {other, nil},
		"POST " + identityProvidersPath:                            {other, nil},
		"GET " + identityProvidersPath + "/{id}":                   {other, nil},
		"PATCH " + identityProvidersPath + "/{id}":                 {other, nil},
		"DELETE " + identityProvidersPath + "/{id}":                {other, nil},
		"GET /v1.0/organization":                                   {dir, nil},
		"GET /v1.0/organization/{id}":                              {dir, nil},
		"GET /v1.0/me":                                             {dir, []string{"$select"}},
		"GET " + brandingPath:                                      {other, nil},
		"PATCH " + brandingPath:                                    {other, nil},
		"GET " + brandingPath + "/bannerLogo":                      {other, nil},
		"PUT " + brandingPath + "/bannerLogo":                      {other, nil},
		"GET " + brandingPath + "/localizations":                   {other, []string{"$select"}},
		"POST " + brandingPath + "/localizations":                  {other, nil},
		"GET " + brandingPath + "/localizations/{lang}":            {other, nil},
		"PATCH " + brandingPath + "/localizations/{lang}":          {other, nil},
		"GET " + brandingPath + "/localizations/{lang}/bannerLogo": {other, nil},
		"PUT " + brandingPath + "/localizations/{lang}/bannerLogo": {other, nil},
		"GET " + federationConfigsPath + "/{x}":                    {dir, nil},
		"POST " + federationConfigsPath + "/{x}":                   {dir, nil},
		"PATCH " + federationConfigsPath + "/{x}":                  {dir, nil},
		"DELETE " + federationConfigsPath + "/{x}":                 {dir, nil},
		"GET " + federationConfigsPath + "/{a}/{b}":                {dir, nil},
		"PATCH " + federationConfigsPath + "/{a}/{b}":              {dir, nil},
		"DELETE " + federationConfigsPath + "/{a}/{b}":             {dir, nil},
		"GET " + federationConfigsPath + "/{a}/{b}/domains":        {dir, nil},
		"POST " + federationConfigsPath + "/{a}/{b}/domains":       {dir, nil},
		"GET " + roleAssignmentsPath:                               {other, []string{"$filter", "$expand"}},
		"GET " + roleAssignmentsPath + "/{id}":                     {other, []string{"$expand"}},
		"DELETE " + roleAssignmentsPath + "/{id}":                  {other, nil},
		"GET " + roleDefinitionsPath:                               {other, nil},
		"GET " + roleDefinitionsPath + "/{id}":                     {other, nil},
		"POST " + roleAssignmentsPath:                              {other, nil},
		"GET " + authorizationPolicyPath:                           {other, nil},
		"PATCH " + authorizationPolicyPath:                         {other, nil},
		"GET " + b2bPolicyPath:                                     {other, nil},
		"PATCH " + b2bPolicyPath:                                   {other, nil},

		// Applications, service principals and app role assignments.
		"GET /v1.0/servicePrincipals":                                        {dir, []string{"$filter", "$select", "$top", "$skiptoken"}},
		"GET /v1.0/servicePrincipals/{id}":                                   {dir, []string{"$select"}},
		"PATCH /v1.0/servicePrincipals/{id}":                                 {dir, nil},
		"GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo":                 {dir, []string{"$top", "$skiptoken"}},
		"POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo":                {dir, nil},
		"DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignment}": {dir, nil},
		"GET /v1.0/applications/{id}":                                        {dir, []string{"$select"}},
		"PATCH /v1.0/applications/{id}":                                      {dir, nil},
		"GET /v1.0/users/{id}/appRoleAssignments":                            {dir, []string{"$top", "$skiptoken"}},
		"POST /v1.0/users/{id}/appRoleAssignments":                           {dir, nil},
		"DELETE /v1.0/users/{id}/appRoleAssignments/{assignment}":            {dir, nil},
		"GET /v1.0/groups/{id}/appRoleAssignments":                           {dir, []string{"$top", "$skiptoken"}},
		"POST /v1.0/groups/{id}/appRoleAssignments":                          {dir, nil},
		"DELETE /v1.0/groups/{id}/appRoleAssignments/{assignment}":           {dir, nil},
	}
	// A value each option parses.
	values := map[string]string{
		"$filter": "id eq 'x'", "$search": `"displayName:a"`, "$select": "id", "$orderby": "id", "$count": "true",
		"$top": "1", "$skiptoken": "x", "$expand": "manager", "$skip": "1", "$format": "json", "$apply": "x", "$levels": "1",
	}
	if len(a.routes) != len(want) {
		t.Errorf("%d routes registered, %d in this table: add the new route's row", len(a.routes), len(want))
	}
	for _, rt := range a.routes {
		w, ok := want[rt.pattern]
		if !ok {
			t.Errorf("route %q has no row in this table", rt.pattern)
			continue
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.ReplaceAll(path, "{id}", "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b")
		send := func(query string) (int, errorDetail) {
			rec := httptest.NewRecorder()
			a.ServeHTTP(rec, httptest.NewRequest(method, path+"?"+query, nil))
			var env errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("%s ?%s: %d %q is not Graph's envelope", rt.pattern, query, rec.Code, rec.Body.String())
			}
			return rec.Code, env.Error
		}
		for opt, v := range values {
			takes := slices.Contains(w.options, opt)
			for _, name := range []string{opt, strings.ToUpper(opt)} {
				query := url.Values{name: {v}}.Encode()
				status, e := send(query)
				switch {
				case takes && (status != 401 || e.Code != "InvalidAuthenticationToken"):
					t.Errorf("%s ?%s: %d %+v, want the option taken (401 without a token)", rt.pattern, query, status, e)
				case !takes && (status != 400 || e.Code != w.code || !strings.Contains(e.Message, "Query option '"+name+"' is not allowed")):
					t.Errorf("%s ?%s: %d %+v, want 400 %s", rt.pattern, query, status, e, w.code)
				}
			}
		}
		if status, e := send("$top=1&$top=2"); status != 400 || e.Code != w.code {
			t.Errorf("%s: $top twice: %d %+v, want 400 %s", rt.pattern, status, e, w.code)
		}
		if status, _ := send("api-version=1&foo=%24bar"); status != 401 {
			t.Errorf("%s: parameters without '$' are not OData's: %d, want 401", rt.pattern, status)
		}
	}
}
