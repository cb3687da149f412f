package e2etest

import (
	"encoding/json"
	"net/http"
	"testing"
)

// ResetBody is a Graph reset-redemption request for user id.
func ResetBody(id, addr string, send bool) map[string]any {
	return map[string]any{
		"invitedUserEmailAddress": addr, "inviteRedirectUrl": "https://apps.fabrikam.example/welcome",
		"sendInvitationMessage": send, "resetRedemption": true, "invitedUser": map[string]any{"id": id},
	}
}

// LatestAudit returns the tenant's newest directoryAudit.
func LatestAudit(t *testing.T, in *Instance, c *http.Client) map[string]any {
	t.Helper()
	var page struct{ Value []map[string]any }
	if s := API(t, c, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?$top=1", nil, &page); s != http.StatusOK || len(page.Value) != 1 {
		t.Fatalf("GET directoryAudits = %d, %d records", s, len(page.Value))
	}
	return page.Value[0]
}

// JSONText encodes v for a substring check.
func JSONText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
