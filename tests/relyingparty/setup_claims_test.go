package relyingparty

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// askForGroupsClaim sets the app's groupMembershipClaims to SecurityGroup
// through the admin API, as an admin does in Entra: PATCH the application,
// reached by its appId alternate key, with an app-only token of the admin
// app (Application.ReadWrite.All).
func askForGroupsClaim(t *testing.T, ggURL string, s setup) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.adminID}, "client_secret": {s.adminSecret},
		"scope": {"https://graph.microsoft.com/.default"}}
	resp, err := http.PostForm(ggURL+"/"+s.tenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("admin app token: %d %v", resp.StatusCode, err)
	}
	body, _ := json.Marshal(map[string]any{"groupMembershipClaims": "SecurityGroup"})
	req, err := http.NewRequest(http.MethodPatch, ggURL+"/v1.0/applications(appId='"+s.appID+"')", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PATCH application groupMembershipClaims: %d, want 204", resp.StatusCode)
	}
}
