package web

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/signin"
)

// TestNotAssignedPage (R16): an app's refusal of an unassigned user is a
// 403 page in the guest's language that names the app, says the tenant
// admits only the people it assigned and whom to ask, with Entra's code.
// Without the app's name it says "this app".
func TestNotAssignedPage(t *testing.T) {
	h := newTestHandler(t)
	tn := directory.Tenant{ID: "6f9619ff-8b86-4d01-b42d-00cf4fc964ff", DisplayName: "Fabrikam"}
	for _, l := range i18n.Languages {
		for _, app := range []string{"Woodgrove Wiki", ""} {
			t.Run(l+"/"+app, func(t *testing.T) {
				r := httptest.NewRequest(http.MethodGet, "/"+tn.ID+"/login", nil)
				r.Header.Set("Accept-Language", l)
				r = r.WithContext(WithTenant(r.Context(), tn))
				w := httptest.NewRecorder()
				h.fail(w, r, tn.DisplayName, &signin.NotAssignedError{AppID: "0b6e2a4c-3f7d-4f4e-9a51-3c2b1e0d9f87", AppName: app})
				body := w.Body.String()
				heading, texts := notAssignedPage(l, tn.DisplayName, app)
				if !strings.Contains(body, `lang="`+l+`"`) {
					t.Errorf("page is not in %s", l)
				}
				want := append([]string{heading, "AADSTS50105"}, texts...)
				if app != "" {
					want = append(want, app)
				} else {
					want = append(want, i18n.T(l, "assignment.refused.title_app"))
				}
				if w.Code != http.StatusForbidden {
					t.Fatalf("status %d, want 403", w.Code)
				}
				for _, s := range want {
					if !strings.Contains(body, template.HTMLEscapeString(s)) {
						t.Errorf("page lacks %q\n%s", s, body)
					}
				}
				if !strings.Contains(texts[1], tn.DisplayName) {
					t.Errorf("the page does not say whom to ask: %q", texts[1])
				}
			})
		}
	}
}
