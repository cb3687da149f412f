package main

import "testing"

func TestParseStat(t *testing.T) {
	const postmaster = "2205 (postgres) S 1 2205 2205 0 -1 4194304 7674 225814 0 14 3 13 727 310 20 0 1 0 3804 222543872 7651"
	ticks, ppid, ok := parseStat(postmaster)
	if !ok || ticks != 16 || ppid != 1 { // utime 3 + stime 13; the reaped children's 727 + 310 are not its own
		t.Fatalf("parseStat(postmaster) = %d, %d, %v", ticks, ppid, ok)
	}
	for _, stat := range []string{
		"2206 (postgres: x) S 2205 2206 2206 0 -1 4194304 1 0 0 0 5 6 0 0",
		"77 (guestgate-bench) S 1 77 77 0 -1 4194304 1 0 0 0 5 6 0 0",
		"2207 (postgres) S 2205",
		"",
	} {
		if _, _, ok := parseStat(stat); ok {
			t.Errorf("parseStat(%q) ok, want not a postgres process", stat)
		}
	}
}

func TestSecondsSince(t *testing.T) {
	before := processTicks{10: 100, 11: 50, 12: 7}
	after := processTicks{10: 150, 11: 50, 13: 20} // 12 ended, 13 started
	if got := after.secondsSince(before); got != 0.7 {
		t.Fatalf("secondsSince = %v, want 0.7 (50 + 0 + 20 ticks)", got)
	}
}
