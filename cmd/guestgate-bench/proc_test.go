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

func TestParseProcStat(t *testing.T) {
	name, ticks, ppid, ok := parseProcStat("4242 (kratos) S 1 4242 4242 0 -1 4194560 9 0 0 0 120 30 0 0 20 0 12 0 5 0 0")
	if !ok || name != "kratos" || ticks != 150 || ppid != 1 {
		t.Fatalf("parseProcStat = %q, %d, %d, %v", name, ticks, ppid, ok)
	}
	if _, _, ok := parseStat("4242 (kratos) S 1 4242 4242 0 -1 4194560 9 0 0 0 120 30 0 0"); ok {
		t.Error("parseStat took kratos for a postgres process")
	}
	if _, _, _, ok := parseProcStat("4242 (a) b) S 1 2 3 0 -1 0 0 0 0 0 x 30 0 0"); ok {
		t.Error("parseProcStat: a non-number utime was taken")
	}
}

func TestParseLoadavg(t *testing.T) {
	if v, ok := parseLoadavg("3.90 1.64 0.65 2/301 4242\n"); !ok || v != 3.9 {
		t.Fatalf("parseLoadavg = %v, %v", v, ok)
	}
	for _, s := range []string{"", "x 1 2"} {
		if _, ok := parseLoadavg(s); ok {
			t.Errorf("parseLoadavg(%q) ok", s)
		}
	}
}
