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

// DefaultLimits: per client address 60 sends, 60 wrong codes and 60 failed
// token requests per 15 minutes; per tenant 2,000 of each (refusing then
// only clients already counted); Graph's 3,000 writes per app per tenant
// per 2.5 minutes.
var DefaultLimits = Limits{
	Send:        Scope{Action: "send", PerClient: Rule{60, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
	Verify:      Scope{Action: "verify", PerClient: Rule{60, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
	Token:       Scope{Action: "token", PerClient: Rule{60, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
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
