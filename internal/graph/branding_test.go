package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/branding/brandingtest"
	"github.com/guestgate/guestgate/internal/clock"
)

const brandingTenant = "d69179bf-f4a4-41a9-a9de-249c0f2efb1d"

func brandingAPI() *API {
	c := clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	return mustNew(Deps{
		Tokens:   fakeVerifier{Caller{TenantID: brandingTenant, AppID: "app", Roles: []string{"OrganizationalBranding.ReadWrite.All"}}},
		Branding: branding.NewService(&brandingtest.MemStore{}, c), Clock: c,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "https://gg.example",
	})
}

// sendJSON sends body (raw JSON) and decodes the answer into out (if any).
func sendJSON(t *testing.T, a *API, method, path, body string, out any) int {
	t.Helper()
	r := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
	r.Header.Set("Authorization", "Bearer x")
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if out != nil && w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, w.Body.String())
		}
	}
	return w.Code
}

// TestBrandingLocalizationsAsGraphDocuments (issue 22, item 13): Graph's
// documented requests on organizationalBrandingLocalization — create fr-FR
// (201, the localization's shape), the PATCH examples on fr-FR (with
// usernameHintText), get, and list (the default as id "0" first, Graph's
// collection context, $select) — answer as Graph does, and ids stay as sent.
func TestBrandingLocalizationsAsGraphDocuments(t *testing.T) {
	a := brandingAPI()
	base := "/v1.0/organization/" + brandingTenant + "/branding"
	ctx := "https://graph.microsoft.com/v1.0/$metadata#organization('" + brandingTenant + "')/branding/localizations"

	var created map[string]any
	if s := sendJSON(t, a, http.MethodPost, base+"/localizations", `{"backgroundColor":"#00000F","id": "fr-FR","signInPageText": " "}`, &created); s != http.StatusCreated {
		t.Fatalf("POST localizations = %d %v", s, created)
	}
	if created["@odata.context"] != ctx+"/$entity" || created["id"] != "fr-FR" || created["backgroundColor"] != "#00000F" ||
		created["signInPageText"] != " " || created["usernameHintText"] != nil {
		t.Errorf("created = %v", created)
	}
	if _, ok := created["usernameHintText"]; !ok {
		t.Errorf("created lacks usernameHintText: %v", created)
	}
	// Example 2 and example 3 of "Update organizationalBrandingLocalization".
	if s := sendJSON(t, a, http.MethodPatch, base+"/localizations/fr-FR", `{"backgroundColor":"#00000F","signInPageText": "Welcome to Contoso France"}`, nil); s != http.StatusNoContent {
		t.Fatalf("PATCH fr-FR (example 2) = %d", s)
	}
	if s := sendJSON(t, a, http.MethodPatch, base+"/localizations/fr-FR", `{"signInPageText": "Welcome to Contoso France.","usernameHintText":" "}`, nil); s != http.StatusNoContent {
		t.Fatalf("PATCH fr-FR (example 3) = %d", s)
	}
	var fr map[string]any
	if s := getJSON(t, a, base+"/localizations/fr-FR", &fr); s != http.StatusOK || fr["id"] != "fr-FR" ||
		fr["signInPageText"] != "Welcome to Contoso France." || fr["usernameHintText"] != " " || fr["@odata.context"] != ctx+"/$entity" {
		t.Errorf("GET fr-FR = %d %v", s, fr)
	}
	// ja-JP stays ja-JP, and is found in any case.
	if s := sendJSON(t, a, http.MethodPost, base+"/localizations", `{"id":"ja-JP","usernameHintText":"you@fabrikam.example"}`, nil); s != http.StatusCreated {
		t.Fatalf("POST ja-JP = %d", s)
	}
	var ja map[string]any
	if s := getJSON(t, a, base+"/localizations/ja-jp", &ja); s != http.StatusOK || ja["id"] != "ja-JP" || ja["usernameHintText"] != "you@fabrikam.example" {
		t.Errorf("GET ja-jp = %d %v", s, ja)
	}
	// The default branding was created with the first localization; usernameHintText is PATCHable on it.
	if s := sendJSON(t, a, http.MethodPatch, base, `{"usernameHintText":"someone@example.com"}`, nil); s != http.StatusNoContent {
		t.Fatalf("PATCH branding usernameHintText = %d", s)
	}
	var def map[string]any
	if s := getJSON(t, a, base, &def); s != http.StatusOK || def["id"] != "0" || def["usernameHintText"] != "someone@example.com" {
		t.Errorf("GET branding = %d %v", s, def)
	}

	for _, path := range []string{base + "/localizations", base + "/localizations/"} {
		var list struct {
			Context string           `json:"@odata.context"`
			Value   []map[string]any `json:"value"`
		}
		if s := getJSON(t, a, path, &list); s != http.StatusOK || list.Context != ctx || len(list.Value) != 3 {
			t.Fatalf("GET %s = %d %+v", path, s, list)
		}
		var ids []string
		for _, v := range list.Value {
			ids = append(ids, v["id"].(string))
			if _, ok := v["@odata.context"]; ok {
				t.Errorf("a listed localization carries @odata.context: %v", v)
			}
		}
		if strings.Join(ids, ",") != "0,fr-FR,ja-JP" {
			t.Errorf("listed ids = %v, want 0,fr-FR,ja-JP", ids)
		}
	}
	var sel struct {
		Context string           `json:"@odata.context"`
		Value   []map[string]any `json:"value"`
	}
	if s := getJSON(t, a, base+"/localizations?$select=id,usernameHintText", &sel); s != http.StatusOK || sel.Context != ctx+"(id,usernameHintText)" ||
		len(sel.Value) != 3 || len(sel.Value[2]) != 2 || sel.Value[2]["usernameHintText"] != "you@fabrikam.example" {
		t.Errorf("$select = %d %+v", s, sel)
	}

	refused := []struct{ name, method, path, body string }{
		{"same_id_again", http.MethodPost, base + "/localizations", `{"id":"FR-fr"}`},
		{"default_as_0", http.MethodPost, base + "/localizations", `{"id":"0"}`},
		{"default_by_name", http.MethodPost, base + "/localizations", `{"id":"default"}`},
		{"no_id", http.MethodPost, base + "/localizations", `{"signInPageText":"x"}`},
		{"not_a_culture_name", http.MethodPost, base + "/localizations", `{"id":"fr_FR"}`},
		{"hint_over_64", http.MethodPatch, base, `{"usernameHintText":"` + strings.Repeat("a", 65) + `"}`},
		{"hint_with_link", http.MethodPatch, base + "/localizations/fr-FR", `{"usernameHintText":"https://evil.example"}`},
		{"id_changed_by_patch", http.MethodPatch, base + "/localizations/fr-FR", `{"id":"de-DE"}`},
	}
	for _, c := range refused {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if s := sendJSON(t, a, c.method, c.path, c.body, &e); s != http.StatusBadRequest || e.Error.Message == "" {
			t.Errorf("%s: %d %+v, want 400", c.name, s, e)
		}
	}
}
