package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAppIDTokenAlgCommands: app create --id-token-alg ES256 registers an
// ES256 app, app list shows each app's id_token_signed_response_alg, app
// update --id-token-alg changes it, and other algorithms are refused
// before anything is created.
func TestAppIDTokenAlgCommands(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "cli.db")
	var tn struct{ ID string }
	runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
	var ec, rs struct{ AppID string }
	runJSON(t, &ec, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Wiki", "--public",
		"--redirect-uri", "https://wiki.fabrikam.example/cb", "--id-token-alg", "ES256", "--output", "json")
	runJSON(t, &rs, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Bot", "--output", "json")

	algs := func() map[string]string {
		t.Helper()
		var list struct {
			Value []struct {
				AppID string
				Alg   string `json:"id_token_signed_response_alg"`
			}
		}
		runJSON(t, &list, "app", "list", db, "--tenant", tn.ID, "--output", "json")
		out := map[string]string{}
		for _, a := range list.Value {
			out[a.AppID] = a.Alg
		}
		return out
	}
	if got := algs(); got[ec.AppID] != "ES256" || got[rs.AppID] != "RS256" || len(got) != 2 {
		t.Fatalf("algs after create = %v, want Wiki ES256 and Bot RS256", got)
	}
	var upd struct {
		Alg string `json:"idTokenSignedResponseAlg"`
	}
	runJSON(t, &upd, "app", "update", db, "--tenant", tn.ID, "--app", ec.AppID, "--id-token-alg", "RS256", "--output", "json")
	if got := algs(); upd.Alg != "RS256" || got[ec.AppID] != "RS256" {
		t.Fatalf("after app update --id-token-alg RS256: printed %q, stored %v", upd.Alg, got)
	}
	if out, err := run(t, "app", "update", db, "--tenant", tn.ID, "--app", rs.AppID, "--id-token-alg", "ES256"); err != nil || !strings.Contains(out, "signed ES256") {
		t.Fatalf("app update --id-token-alg ES256 = %q, %v", out, err)
	}
	if out, err := run(t, "app", "update", db, "--tenant", tn.ID, "--app", rs.AppID, "--id-token-alg", "HS256"); err == nil || !strings.Contains(err.Error(), "ES256") {
		t.Fatalf("app update --id-token-alg HS256 = %q, %v; want a refusal naming the allowed values", out, err)
	}
	if out, err := run(t, "app", "create", db, "--tenant", tn.ID, "--name", "Other", "--id-token-alg", "none"); err == nil {
		t.Fatalf("app create --id-token-alg none = %q", out)
	}
	if got := algs(); len(got) != 2 || got[rs.AppID] != "ES256" {
		t.Fatalf("algs at the end = %v: a refused create made an app, or the update was lost", got)
	}
}
