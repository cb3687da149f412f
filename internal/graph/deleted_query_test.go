package graph

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
)

// getDeleted sends GET path with the ConsistencyLevel header (if any) and
// decodes the answer.
func getDeleted(t *testing.T, a *API, path, consistency string, out any) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Authorization", "Bearer x")
	if consistency != "" {
		r.Header.Set("ConsistencyLevel", consistency)
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, w.Body.String())
	}
	return w.Code
}

// TestDeletedUsersOrderAndCount (issue 22, item 13): Graph's documented
// request "retrieve the count of deleted user objects and order the
// results by deletedDateTime" ($count=true, $orderBy=deletedDateTime
// asc|desc, $select, with ConsistencyLevel: eventual) answers
// @odata.count and asks the store for deletion-time order; the next page's
// $skiptoken continues after the last row; without the advanced-query
// header the order is Graph's 400, $count alone is ignored, and other
// orders are refused.
func TestDeletedUsersOrderAndCount(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	list := []directory.DeletedUser{
		{User: directory.User{ID: "u2", DisplayName: "Kim"}, DeletedAt: at},
		{User: directory.User{ID: "u1", DisplayName: "Teri"}, DeletedAt: at.Add(time.Hour)},
		{User: directory.User{ID: "u3", DisplayName: "Lee"}, DeletedAt: at.Add(2 * time.Hour)},
	}
	var last directory.DeletedQuery
	a := mustNew(Deps{
		Tokens:    fakeVerifier{Caller{TenantID: "tid", AppID: "app", Roles: []string{"User.Read.All"}}},
		Directory: fakeTenants{}, Lifecycle: fakeDeleted{list: list, last: &last}, BaseURL: "https://gg.example",
		Clock: clock.NewFake(at), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	const base = "/v1.0/directory/deletedItems/microsoft.graph.user"
	type pageT struct {
		Context  string           `json:"@odata.context"`
		Count    *int             `json:"@odata.count"`
		NextLink string           `json:"@odata.nextLink"`
		Value    []map[string]any `json:"value"`
	}
	var p pageT
	documented := base + "?$count=true&$orderBy=deletedDateTime%20asc&$select=id,DisplayName,deletedDateTime"
	if s := getDeleted(t, a, documented, "eventual", &p); s != http.StatusOK || p.Count == nil || *p.Count != 3 || len(p.Value) != 3 ||
		p.Context != "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.user(id,displayName,deletedDateTime)" {
		t.Fatalf("documented request = %d %+v", s, p)
	}
	if !last.ByDeletedAt || last.Desc || p.Value[0]["deletedDateTime"] != "2030-01-02T03:04:05Z" || len(p.Value[0]) != 4 {
		t.Errorf("query %+v, first row %v", last, p.Value[0])
	}
	p = pageT{}
	if s := getDeleted(t, a, base+"?$count=true&$orderby=deletedDateTime%20desc&$top=2", "eventual", &p); s != http.StatusOK || !last.Desc || len(p.Value) != 2 || p.NextLink == "" {
		t.Fatalf("desc with $top=2 = %d %+v (query %+v)", s, p, last)
	}
	next, err := url.Parse(p.NextLink)
	if err != nil {
		t.Fatal(err)
	}
	if s := getDeleted(t, a, next.RequestURI(), "eventual", &pageT{}); s != http.StatusOK ||
		last.AfterID != "u1" || !last.AfterDeletedAt.Equal(at.Add(time.Hour)) || !last.Desc || !last.ByDeletedAt {
		t.Errorf("next page %s = %d, query %+v", p.NextLink, s, last)
	}

	p = pageT{}
	if s := getDeleted(t, a, base+"?$count=true", "", &p); s != http.StatusOK || p.Count != nil || len(p.Value) != 3 || last.ByDeletedAt {
		t.Errorf("$count without ConsistencyLevel = %d %+v, want it ignored", s, p)
	}
	for name, c := range map[string]struct{ path, consistency string }{
		"orderby_without_header":   {base + "?$count=true&$orderby=deletedDateTime", ""},
		"orderby_without_count":    {base + "?$orderby=deletedDateTime%20desc", "eventual"},
		"orderby_unsupported_prop": {base + "?$count=true&$orderby=mail", "eventual"},
		"skiptoken_not_this_order": {base + "?$count=true&$orderby=deletedDateTime&$skiptoken=u1", "eventual"},
	} {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if s := getDeleted(t, a, c.path, c.consistency, &e); s != http.StatusBadRequest || e.Error.Message == "" {
			t.Errorf("%s = %d %+v, want 400", name, s, e)
		}
	}
}
