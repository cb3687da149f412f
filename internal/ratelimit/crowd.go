package ratelimit

import (
	"math"
	"slices"
	"time"
)

// Crowd is many people signing in with passcodes from one client address
// (a partner company behind one NAT) to one tenant: SignIns sign-ins
// spread evenly over Span, BurstShare of them packed evenly into the first
// BurstSpan (a Monday morning). Every ResendEvery-th sign-in asks for a
// second code, and every MistypeEvery-th types one wrong code before the
// right one (0: never). Each code is entered CodeDelay after it is sent.
type Crowd struct {
	SignIns      int
	Span         time.Duration
	BurstShare   float64
	BurstSpan    time.Duration
	ResendEvery  int
	MistypeEvery int
	CodeDelay    time.Duration
}

// crowdStep is one request of a crowd's sign-in.
type crowdStep struct {
	at     time.Duration
	signIn int
	kind   stepKind
}

type stepKind int

const (
	stepSend  stepKind = iota // a passcode sent (Send, counted)
	stepWrong                 // a wrong code entered (Verify, counted)
	stepRight                 // the right code entered (Verify, checked only)
)

// CrowdOutcome is what a crowd met under some limits.
type CrowdOutcome struct {
	// Refused counts the sign-ins refused at any step (the person did not
	// get in within the window; they would have to wait for it to end).
	Refused int
	// Sends and WrongCodes count the attempts the limits let through.
	Sends, WrongCodes int
}

// steps lays the crowd's requests out in time order.
func (c Crowd) steps() []crowdStep {
	burst := int(math.Round(float64(c.SignIns) * c.BurstShare))
	var out []crowdStep
	for i := range c.SignIns {
		var at time.Duration
		if i < burst {
			at = time.Duration(int64(c.BurstSpan) * int64(i) / int64(burst))
		} else {
			rest := c.SignIns - burst
			at = c.BurstSpan + time.Duration(int64(c.Span-c.BurstSpan)*int64(i-burst)/int64(rest))
		}
		out = append(out, crowdStep{at, i, stepSend})
		if c.ResendEvery > 0 && i%c.ResendEvery == 0 {
			at += time.Minute // asked again after a minute (R3's one a minute)
			out = append(out, crowdStep{at, i, stepSend})
		}
		if c.MistypeEvery > 0 && i%c.MistypeEvery == 0 {
			out = append(out, crowdStep{at + c.CodeDelay, i, stepWrong})
			at += c.CodeDelay
		}
		out = append(out, crowdStep{at + c.CodeDelay, i, stepRight})
	}
	slices.SortStableFunc(out, func(a, b crowdStep) int { return int(a.at - b.at) })
	return out
}

// SimulateCrowd runs the crowd through Decide with limits' Send and
// Verify scopes from start, counting as the sign-in path does (every
// send; wrong codes only; a refused step counts nothing), as if no one
// else used the tenant. It does no I/O.
func SimulateCrowd(l Limits, c Crowd, start time.Time) CrowdOutcome {
	var (
		out     CrowdOutcome
		send    = newSimCounters(l.Send)
		verify  = newSimCounters(l.Verify)
		refused = map[int]bool{}
	)
	for _, s := range c.steps() {
		if refused[s.signIn] {
			continue
		}
		now := start.Add(s.at)
		sc := verify
		if s.kind == stepSend {
			sc = send
		}
		if sc.decide(now) != nil {
			refused[s.signIn] = true
			continue
		}
		switch s.kind {
		case stepSend:
			send.count(now)
			out.Sends++
		case stepWrong:
			verify.count(now)
			out.WrongCodes++
		}
	}
	out.Refused = len(refused)
	return out
}

// simCounters are one client's and its tenant's counters of one scope,
// kept as the store keeps them (AddRateCount).
type simCounters struct {
	sc             Scope
	client, tenant Counter
}

func newSimCounters(sc Scope) *simCounters { return &simCounters{sc: sc} }

func (s *simCounters) decide(now time.Time) error {
	return Decide(s.client, s.tenant, true, now, s.sc.PerClient, s.sc.PerTenant)
}

func (s *simCounters) count(now time.Time) {
	s.client = add(s.client, now, s.sc.PerClient)
	s.tenant = add(s.tenant, now, s.sc.PerTenant)
}

// add counts one at now, restarting a window that ended (AddRateCount).
func add(c Counter, now time.Time, r Rule) Counter {
	if c.live(now, r.Window).Count == 0 {
		return Counter{WindowStart: now, Count: 1}
	}
	c.Count++
	return c
}
