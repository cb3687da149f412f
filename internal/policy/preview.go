package policy

import (
	"context"

	"github.com/guestgate/guestgate/internal/directory"
)

// Preview is what Update would make of the tenant's policy, without
// storing or recording anything: the console's confirmation shows it
// before the admin saves (R8, R9). It applies the patch as Update does,
// the preview opt-in it clears included, and the same auto-enable date
// and clock give the effective state.
func (s *Service) Preview(ctx context.Context, t directory.Tenant, p Patch) (View, error) {
	if err := p.Validate(); err != nil {
		return View{}, err
	}
	v, err := s.Get(ctx, t)
	if err != nil {
		return View{}, err
	}
	st := v.Stored
	st.Config = p.Apply(st.Config)
	if p.ClearsPreview() {
		st.PreviewOptIn = false
	}
	return s.view(st, t), nil
}
