package directory

import (
	"errors"
	"testing"
	"time"
)

func TestNewTenant(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	tn, err := NewTenant(NewTenantRequest{Name: "Fabrikam, Inc.", Domains: []string{"Fabrikam.Example"}}, "guestgate.local", now)
	if err != nil {
		t.Fatal(err)
	}
	if tn.InitialDomain != "fabrikaminc.guestgate.local" || len(tn.Domains) != 2 || tn.Domains[1] != "fabrikam.example" || tn.Cloud != CloudPublic || !tn.Managed {
		t.Fatalf("unexpected tenant %+v", tn)
	}
	for _, bad := range []NewTenantRequest{{Name: ""}, {Name: "x", Cloud: "moon"}, {Name: "x", Domains: []string{"not a domain"}}} {
		if _, err := NewTenant(bad, "guestgate.local", now); !errors.Is(err, ErrInvalidTenant) {
			t.Errorf("NewTenant(%+v) = %v, want ErrInvalidTenant", bad, err)
		}
	}
}
