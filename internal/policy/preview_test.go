package policy

import (
	"context"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
)

// previewStore holds one tenant's stored policy; Preview must not write.
type previewStore struct {
	Store
	st     Stored
	writes int
}

func (s *previewStore) GetEmailPolicy(context.Context, string) (Stored, error) { return s.st, nil }

func (s *previewStore) UpdateEmailPolicy(context.Context, string, func(*Stored) error) error {
	s.writes++
	return nil
}

// TestPreview: the console's confirmation asks the service what saving
// would make effective, with the service's own auto-enable date, clock and
// patch rules, and nothing is stored.
func TestPreview(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	cfg := func(a AllowExternal) EmailConfig { c := DefaultEmailConfig(); c.AllowExternal = a; return c }
	for _, c := range []struct {
		rule       string
		stored     Stored
		cloud      directory.Cloud
		autoEnable time.Time
		value      AllowExternal
		want       bool
		reason     Reason
	}{
		{rule: "R9_disabling_turns_passcodes_off", stored: Stored{Config: cfg(AllowEnabled)}, value: AllowDisabled, want: false, reason: ReasonExplicitDisabled},
		{rule: "R8_enabling_turns_passcodes_on", stored: Stored{Config: cfg(AllowDisabled)}, value: AllowEnabled, want: true, reason: ReasonExplicitEnabled},
		{rule: "R11_default_clears_the_preview_opt_in", stored: Stored{Config: cfg(AllowDisabled), PreviewOptIn: true}, value: AllowDefault, want: true, reason: ReasonAutoEnabled},
		{rule: "R11_default_before_the_service_auto_enable_date", stored: Stored{Config: cfg(AllowEnabled)}, autoEnable: now.Add(time.Hour), value: AllowDefault, want: false, reason: ReasonBeforeAutoEnable},
		{rule: "R11_default_in_the_US_government_cloud", stored: Stored{Config: cfg(AllowEnabled)}, cloud: directory.CloudUSGov, value: AllowDefault, want: false, reason: ReasonUSGovDefault},
	} {
		t.Run(c.rule, func(t *testing.T) {
			st := &previewStore{st: c.stored}
			s := NewService(Deps{Store: st, Clock: clock.NewFake(now), AutoEnable: c.autoEnable})
			// A cached tenant may still carry an old preview flag.
			tn := directory.Tenant{ID: "t", Cloud: c.cloud, PreviewOptIn: c.stored.PreviewOptIn}
			v, err := s.Preview(context.Background(), tn, Patch{AllowExternal: &c.value})
			if err != nil {
				t.Fatal(err)
			}
			if v.Effective.Enabled != c.want || v.Effective.Reason != c.reason {
				t.Fatalf("Preview(%s) = %+v, want enabled=%v (%s)", c.value, v.Effective, c.want, c.reason)
			}
			if st.writes != 0 {
				t.Fatalf("Preview wrote the policy %d times", st.writes)
			}
		})
	}
	t.Run("invalid_value_is_refused", func(t *testing.T) {
		s := NewService(Deps{Store: &previewStore{}, Clock: clock.NewFake(now)})
		bad := AllowExternal("sometimes")
		if _, err := s.Preview(context.Background(), directory.Tenant{ID: "t"}, Patch{AllowExternal: &bad}); err == nil {
			t.Fatal("Preview of an invalid value succeeded")
		}
	})
}
