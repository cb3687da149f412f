package console

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

// TestPrivilegedRefusal: R14's refusals get their own page in both
// languages, 403 for an admin the signed-in admin does not manage, 400 for
// the last Global Administrator; other errors are left to the caller.
func TestPrivilegedRefusal(t *testing.T) {
	u := directory.User{DisplayName: "Root Admin"}
	cases := []struct {
		name, lang string
		err        error
		status     int
		title      string
		want       string
	}{
		{"privileged_en", "en", fmt.Errorf("x: %w", roles.ErrPrivilegedTarget), http.StatusForbidden, "console.privileged.title", "Root Admin holds an administrator role"},
		{"privileged_ja", "ja", roles.ErrPrivilegedTarget, http.StatusForbidden, "console.privileged.title", "Root Admin には"},
		{"last_admin_en", "en", fmt.Errorf("x: %w", roles.ErrLastGlobalAdmin), http.StatusBadRequest, "console.lastadmin.title", "Root Admin is the organization's only enabled Global Administrator"},
		{"last_admin_ja", "ja", roles.ErrLastGlobalAdmin, http.StatusBadRequest, "console.lastadmin.title", "Root Admin は、この組織で唯一の"},
	}
	for _, c := range cases {
		t.Run("R14_"+c.name, func(t *testing.T) {
			status, title, msg, ok := privilegedRefusal(c.lang, u, c.err)
			if !ok || status != c.status || title != c.title || !strings.Contains(msg, c.want) {
				t.Fatalf("privilegedRefusal = %d %q %q %t", status, title, msg, ok)
			}
		})
	}
	if _, _, _, ok := privilegedRefusal("en", u, roles.ErrUnknownRole); ok {
		t.Fatal("another error was taken for an R14 refusal")
	}
}
