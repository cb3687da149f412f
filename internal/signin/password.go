package signin

import (
	"context"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
)

// passwordMethod is a member of the route's tenant signing in with a
// password (member.Service): a PasswordMethod.
type passwordMethod struct{ s *Service }

var _ PasswordMethod = passwordMethod{}

// Name is MethodPassword.
func (passwordMethod) Name() string { return MethodPassword }

// CheckPassword signs a member of the route's tenant in with a password.
// Refusals are member.ErrWrongPassword, member.ErrDisabled and
// *member.ThrottledError.
func (m passwordMethod) CheckPassword(ctx context.Context, r Route, password, clientAddr string, next Continuation) (Result, error) {
	s := m.s
	u, err := s.d.Members.Authenticate(ctx, r.Tenant, r.User.Mail, password, clientAddr)
	if err == nil && r.unknown {
		err = member.ErrWrongPassword // not reached: an unknown address has no password
	}
	if err != nil {
		a := attempt{user: &r.User, address: r.User.Mail, method: methodPassword, app: s.appOf(ctx, r.Tenant, next)}
		if r.unknown {
			a.user, a.unknown = nil, true
		}
		return Result{}, s.refused(ctx, r.Tenant, a, err)
	}
	id := Identity{TenantID: r.Tenant.ID, UserID: u.ID, IdP: directory.IdPNone, AMR: []string{"pwd"}, AuthTime: s.d.Clock.Now()}
	res, err := s.finish(ctx, r.Tenant, id, false, next)
	if err != nil {
		return res, s.refused(ctx, r.Tenant, attempt{user: &r.User, address: r.User.Mail, method: methodPassword, app: s.appOf(ctx, r.Tenant, next)}, err)
	}
	s.d.Log.InfoContext(ctx, "member signed in with a password", "tenant_id", r.Tenant.ID, "user_id", u.ID)
	return res, nil
}
