package ratelimit

import (
	"fmt"
	"time"
)

// Scope is one limited action, counted per client address and per tenant
// (or per app in a tenant).
type Scope struct {
	// Action names the counters ("send", "verify", "token", "graph-write").
	Action    string
	PerClient Rule
	PerTenant Rule
}

// Limits are the deployment's abuse limits. DefaultLimits holds the
// defaults; each is configurable per deployment, and a zero Limit turns a
// rule off.
type Limits struct {
	// Send counts passcodes sent (Send code), beyond R3's per-address limits.
	Send Scope
	// Verify counts refused passcodes (wrong, expired, used, void).
	Verify Scope
	// Token counts failed token requests (bad client, grant or code).
	Token Scope
	// GraphWrites counts the admin API's writes (POST, PATCH, DELETE) per
	// app per tenant, as Graph's documented limit; PerClient is unused.
	GraphWrites Scope
}

// DefaultWindow is the window of the sign-in and token limits.
const DefaultWindow = 15 * time.Minute

// DefaultLimits are sized for a partner company behind one NAT address,
// while one address still cannot mail-bomb or guess its way in:
//
//   - Sends: 3,000 per client address and 10,000 per tenant per 15
//     minutes. A 5,000-person partner signing in on a Monday morning
//     (5,000 sign-ins in an hour, half of them in the first 15 minutes,
//     one in 20 asking for a second code) sends 2,625 codes from its one
//     address in the busiest window; the former 60 per address (and
//     2,000 per tenant, which refuses counted addresses) let 240 of the
//     5,000 in (TestSimulateCrowd). Sends are loose per address because
//     what they cost is bounded elsewhere: mail goes only to the tenant's
//     own guests (an unknown address gets nothing), and R3's limits per
//     mailbox (otp.DefaultLimits: one a minute and ten an hour per
//     address and client, thirty an hour per address) are what stop a
//     mail bomb, whatever the client limits say.
//   - Refused codes: 150 per client address per 15 minutes (2,000 per
//     tenant). This is the brute-force bound, kept strict: it covers one
//     mistyped code in 20 in the crowd's busiest window (125) with room,
//     and bounds one address to 14,400 guesses a day, a chance of 1.4 in
//     10,000 a day of hitting any 8-digit code (one in about 19 years of
//     non-stop guessing), beside R3's five tries per code.
//   - Failed token requests: 150 per client address per 15 minutes
//     (2,000 per tenant): an app's server exchanges every code of its
//     users from one address, so a few double-submitted or expired codes
//     in a crowd must not lock the app out, while a wrong client secret
//     is still stopped within 150 tries.
//   - Graph's 3,000 writes per app per tenant per 2.5 minutes.
//
// A larger crowd behind one address (more than about 2,800 sign-ins in 15
// minutes) needs GUESTGATE_SEND_LIMIT_PER_CLIENT raised accordingly.
var DefaultLimits = Limits{
	Send:        Scope{Action: "send", PerClient: Rule{3000, DefaultWindow}, PerTenant: Rule{10000, DefaultWindow}},
	Verify:      Scope{Action: "verify", PerClient: Rule{150, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
	Token:       Scope{Action: "token", PerClient: Rule{150, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
	GraphWrites: Scope{Action: "graph-write", PerTenant: Rule{3000, 150 * time.Second}},
}

// Validate reports limits that make no sense.
func (l Limits) Validate() error {
	for _, s := range []Scope{l.Send, l.Verify, l.Token, l.GraphWrites} {
		for _, r := range []Rule{s.PerClient, s.PerTenant} {
			if r.Limit < 0 {
				return fmt.Errorf("%s limit must not be negative, got %d", s.Action, r.Limit)
			}
			if r.Limit > 0 && r.Window < time.Second {
				return fmt.Errorf("%s window must be at least 1s, got %s", s.Action, r.Window)
			}
		}
	}
	return nil
}
