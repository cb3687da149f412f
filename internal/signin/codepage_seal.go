package signin

import (
	"context"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/otp"
)

// The enter-code page that follows Send code (post/redirect/get) would
// read again what the send's transaction just read and wrote: the user
// with the tenant's policy, the code and the sends. The send seals the
// state its new code leaves into the page's address with the address
// itself, for the requesting browser and for a few seconds
// (sentStateFor): the page that follows at once shows it without a read.
// A reload later, another browser, or a page reached any other way reads
// the state as before. The page only shows what to type; Sign in decides
// the route and checks the code again.

// sentStateFor is how long a send's sealed state stands in for a read.
const sentStateFor = 15 * time.Second

// codePageSeal is what the enter-code page's address carries, sealed.
type codePageSeal struct {
	Addr string `json:"a"`
	// Sent is the state a send left, for Browser until Until.
	Sent *sentState `json:"s,omitempty"`
}

// sentState is a live otp.State (a code just sent) for one browser.
type sentState struct {
	Browser      string    `json:"b"`
	Until        time.Time `json:"u"`
	Attempts     int       `json:"n"`
	AttemptsLeft int       `json:"l"`
	ResendAt     time.Time `json:"r"`
}

// SealSentCodePage seals addr for the tenant's enter-code page with st,
// the state that the send of the requester in ctx left (SendCodeState).
// Only a live state travels; any other is read by the page.
func (s *Service) SealSentCodePage(ctx context.Context, t directory.Tenant, addr string, st otp.State) (string, error) {
	now := s.d.Clock.Now()
	v := codePageSeal{Addr: addr}
	if st.Live {
		v.Sent = &sentState{
			Browser: otp.RequesterOf(ctx).Browser, Until: now.Add(sentStateFor),
			Attempts: st.Attempts, AttemptsLeft: st.AttemptsLeft, ResendAt: st.ResendAt,
		}
	}
	return seal(s.seals, purposeCodePage+t.ID, v, now.Add(s.PasscodeValidity()))
}

// OpenCodePageState opens an enter-code page's token: the address, and
// the state its send left when the token carries one for the requester
// in ctx that is still fresh (ok). ErrExpiredState when it is not valid.
func (s *Service) OpenCodePageState(ctx context.Context, t directory.Tenant, token string) (addr string, st otp.State, ok bool, err error) {
	now := s.d.Clock.Now()
	v, err := open[codePageSeal](s.seals, purposeCodePage+t.ID, token, now)
	if err != nil {
		// A token of SealCodePage carries the address alone.
		addr, err = s.OpenCodePage(t, token)
		return addr, otp.State{}, false, err
	}
	sent := v.Sent
	if sent == nil || sent.Browser != otp.RequesterOf(ctx).Browser || !now.Before(sent.Until) {
		return v.Addr, otp.State{}, false, nil
	}
	return v.Addr, otp.State{Live: true, Attempts: sent.Attempts, AttemptsLeft: sent.AttemptsLeft, ResendAt: sent.ResendAt}, true, nil
}
