package console

import (
	"reflect"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// TestNewRefusesAMissingDependency: New builds the console with every
// service, and refuses, naming it, each one left out (the app assignments
// and the inactive guest policy among them), so a wiring slip fails at
// start instead of dropping a page's check or form. Every field of Deps
// but the defaults (Clock, Log) and WriteLimit is required: a new service
// added to Deps without a check fails here.
func TestNewRefusesAMissingDependency(t *testing.T) {
	cfg := Config{PublicURL: "https://id.guestgate.example", CSRFKey: []byte("console-test-key-0123456789abcdef-0123")}
	var db *sqlstore.DB // never called: New only checks what it is given
	full := Deps{
		Directory: db, SignIn: &signin.Service{}, Sessions: &session.Service{}, Roles: &roles.Service{},
		Collab: &collab.Service{}, Policies: &policy.Service{}, Invitations: &invitation.Service{},
		Lifecycle: &lifecycle.Service{}, Bulk: &bulkinvite.Service{}, Federations: &federation.Service{},
		Groups: &groups.Service{}, Assignments: &assignment.Service{}, Audit: db, SignIns: db, Inactive: db,
		InactivePolicy: inactivepolicy.Settings{}, Stats: db, Limiter: &ratelimit.Limiter{},
	}
	if _, err := New(cfg, full); err != nil {
		t.Fatalf("New with every service: %v", err)
	}
	optional := map[string]bool{"Clock": true, "Log": true, "WriteLimit": true}
	typ := reflect.TypeFor[Deps]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if optional[name] {
			continue
		}
		t.Run(name, func(t *testing.T) {
			d := full
			reflect.ValueOf(&d).Elem().Field(i).SetZero()
			_, err := New(cfg, d)
			if err == nil || !strings.Contains(err.Error(), name+" is missing") {
				t.Fatalf("New without %s: %v, want an error naming it", name, err)
			}
		})
	}
}
