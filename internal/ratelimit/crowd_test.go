package ratelimit

import (
	"testing"
	"time"
)

// formerLimits are the defaults before they were sized for a crowd behind
// one address: 60 sends, 60 refused codes and 60 failed token requests
// per address, 2,000 of each per tenant, per 15 minutes.
var formerLimits = Limits{
	Send:   Scope{Action: "send", PerClient: Rule{60, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
	Verify: Scope{Action: "verify", PerClient: Rule{60, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
	Token:  Scope{Action: "token", PerClient: Rule{60, DefaultWindow}, PerTenant: Rule{2000, DefaultWindow}},
}

// monday is a 5,000-person partner behind one NAT address on a Monday
// morning: 5,000 sign-ins in an hour, half in the first 15 minutes, one in
// 20 asking for a second code and one in 20 mistyping a code once.
var monday = Crowd{SignIns: 5000, Span: time.Hour, BurstShare: 0.5, BurstSpan: 15 * time.Minute,
	ResendEvery: 20, MistypeEvery: 20, CodeDelay: 30 * time.Second}

// TestSimulateCrowd measures what one address meets under the limits:
// the Monday-morning crowd is refused under the former defaults and not
// under DefaultLimits, while an attacker from one address gets no more
// than the per-address bounds the defaults document.
func TestSimulateCrowd(t *testing.T) {
	spray := Crowd{SignIns: 36000, Span: time.Hour, BurstSpan: 0, CodeDelay: 30 * time.Second} // 10 codes a second for an hour
	guess := spray
	guess.MistypeEvery = 1 // and a wrong code for every one
	everyoneAtOnce := monday
	everyoneAtOnce.BurstShare = 1
	for _, tc := range []struct {
		rule        string
		limits      Limits
		crowd       Crowd
		wantRefused int // -1: some, not pinned
		maxSends    int
		maxWrong    int
	}{
		{"former_defaults_refuse_the_crowd", formerLimits, monday, 4772, 240, 240},
		{"defaults_let_the_whole_crowd_in", DefaultLimits, monday, 0, 5250, 250},
		{"crowd_without_mistakes_in_too", DefaultLimits, Crowd{SignIns: 5000, Span: time.Hour, BurstShare: 0.5, BurstSpan: 15 * time.Minute, CodeDelay: 30 * time.Second}, 0, 5000, 0},
		{"beyond_the_sizing_all_5000_in_15_minutes_are_refused_in_part", DefaultLimits, everyoneAtOnce, -1, 3000 + 250, 250},
		{"attacker_sends_bounded_per_window", DefaultLimits, spray, -1, 4 * 3000, 0},
		{"attacker_guesses_bounded_per_window", DefaultLimits, guess, -1, 4 * 3000, 4 * 150},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got := SimulateCrowd(tc.limits, tc.crowd, t0)
			t.Logf("%s: %d of %d sign-ins refused, %d codes sent, %d wrong codes let through", tc.rule, got.Refused, tc.crowd.SignIns, got.Sends, got.WrongCodes)
			if tc.wantRefused >= 0 && got.Refused != tc.wantRefused {
				t.Errorf("refused %d, want %d", got.Refused, tc.wantRefused)
			}
			if tc.wantRefused < 0 && got.Refused == 0 {
				t.Errorf("nothing refused, want the limits to bite")
			}
			if got.Sends > tc.maxSends {
				t.Errorf("%d codes sent, want at most %d", got.Sends, tc.maxSends)
			}
			if got.WrongCodes > tc.maxWrong {
				t.Errorf("%d wrong codes let through, want at most %d", got.WrongCodes, tc.maxWrong)
			}
		})
	}
}

// TestCrowdBusiestWindow: the crowd's busiest 15 minutes, which the
// per-address limits are sized against, fit within DefaultLimits with
// room for a different split of the hour.
func TestCrowdBusiestWindow(t *testing.T) {
	sends, wrong := 0, 0
	for _, s := range monday.steps() {
		if s.at >= DefaultWindow {
			continue
		}
		switch s.kind {
		case stepSend:
			sends++
		case stepWrong:
			wrong++
		}
	}
	if sends > DefaultLimits.Send.PerClient.Limit*9/10 || sends < 2500 {
		t.Errorf("busiest window sends %d; the per-address limit %d leaves under 10%% room", sends, DefaultLimits.Send.PerClient.Limit)
	}
	if wrong > DefaultLimits.Verify.PerClient.Limit*9/10 || wrong < 100 {
		t.Errorf("busiest window wrong codes %d; the per-address limit %d leaves under 10%% room", wrong, DefaultLimits.Verify.PerClient.Limit)
	}
	t.Logf("busiest 15 minutes from one address: %d codes sent, %d wrong codes", sends, wrong)
}
