package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/oidc"
)

// mustNew is New for the tests, which wire valid Deps.
func mustNew(d Deps) *API {
	a, err := New(d)
	if err != nil {
		panic(err)
	}
	return a
}

type someApps struct{}

func (someApps) GetApp(context.Context, string, string) (oidc.App, error) { return oidc.App{}, nil }

// TestNewRefusesAssignmentsWithoutApps: the service principal and
// application routes answer with each app's registration (redirect URIs,
// public client), so New refuses the assignments without the apps,
// naming them, instead of building routes that would answer without
// them; with both, or with neither (an API without the apps' routes'
// services, as the other tests build), it builds.
func TestNewRefusesAssignmentsWithoutApps(t *testing.T) {
	if _, err := New(Deps{Assignments: &assignment.Service{}}); err == nil || !strings.Contains(err.Error(), "Apps is missing") {
		t.Fatalf("New with the assignments without the apps: %v, want an error naming Apps", err)
	}
	for _, d := range []Deps{{Assignments: &assignment.Service{}, Apps: someApps{}}, {}} {
		if _, err := New(d); err != nil {
			t.Fatalf("New(%+v): %v", d, err)
		}
	}
}
