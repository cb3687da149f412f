package e2etest

import (
	"golang.org/x/oauth2"
)

// MemberToken signs a member in to the tool with a password and returns
// the access token.
func (rp *RelyingParty) MemberToken(addr, password string) *oauth2.Token {
	rp.T.Helper()
	f := rp.Begin()
	b := NewBrowser(rp.T)
	login := b.Follow(rp.In, b.Get(f.URL))
	tid := "/" + rp.Tenant.ID
	next := b.Submit(rp.In.URL, login, tid+"/login/next", map[string]string{"email": addr})
	_, tok := rp.Finish(f, b.Follow(rp.In, b.Submit(rp.In.URL, next, tid+"/login/password", map[string]string{"password": password})))
	return tok
}
