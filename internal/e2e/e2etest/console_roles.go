package e2etest

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
)

// ConsolePassword is the password of every member ConsoleTenant creates.
const ConsolePassword = "tulip-Quarry-2026"

// ConsoleTenant is a tenant whose first member is a Global Administrator,
// with one member per role given (by name; "" for no role).
func ConsoleTenant(t *testing.T, in *Instance, people map[string]string) (directory.Tenant, map[string]directory.User) {
	t.Helper()
	ctx := context.Background()
	tn, ga, err := in.Srv.CreateTenantWithAdmin(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}},
		member.NewMember{UserPrincipalName: "admin@fabrikam.example", DisplayName: "Avery Admin", Password: ConsolePassword})
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]directory.User{"admin": ga}
	for name, role := range people {
		u, err := in.Srv.CreateMember(ctx, tn, member.NewMember{UserPrincipalName: name + "@fabrikam.example", DisplayName: name, Password: ConsolePassword, AccountEnabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if role != "" {
			if _, err := in.Srv.AssignRole(ctx, tn, u.ID, role); err != nil {
				t.Fatal(err)
			}
		}
		users[name] = u
	}
	return tn, users
}

// ConsoleSignIn signs a member in to the console with a password.
func ConsoleSignIn(t *testing.T, in *Instance, tn directory.Tenant, who string) *Browser {
	t.Helper()
	b := NewBrowser(t)
	base := "/" + tn.ID + "/admin"
	p := b.Get(in.URL + base + "/signin")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="password"`) || !strings.Contains(p.Body, `lang="en"`) {
		t.Fatalf("console sign-in page = %d\n%s", p.Status, p.Body)
	}
	done := b.Submit(in.URL, p, base+"/signin", map[string]string{"email": who + "@fabrikam.example", "password": ConsolePassword})
	if done.Status != http.StatusSeeOther || done.Location != base+"/" {
		t.Fatalf("console sign-in as %s = %d → %q\n%s", who, done.Status, done.Location, done.Body)
	}
	return b
}

// ConsolePost fetches the page at path and posts its form to action.
func ConsolePost(t *testing.T, in *Instance, b *Browser, tn directory.Tenant, path, action string, fields map[string]string) Page {
	t.Helper()
	base := "/" + tn.ID + "/admin"
	p := b.Get(in.URL + base + path)
	if p.Status != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", path, p.Status, p.Body)
	}
	return b.Submit(in.URL, p, base+action, fields)
}
