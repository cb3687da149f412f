package main

import (
	"strings"
	"testing"
)

func run(t *testing.T, input string) (string, bool) {
	t.Helper()
	var b strings.Builder
	s := newSummary(&b)
	if err := s.read(strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	ok := s.finish()
	return b.String(), ok
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestCountsAndGroupsSkips(t *testing.T) {
	in := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"    axe_test.go:32: axe-core (GUESTGATE_AXE_JS names axe.min.js; npm install axe-core@4) unavailable; skipping (in CI this fails)\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestC","Output":"    axe_test.go:32: axe-core (GUESTGATE_AXE_JS names axe.min.js; npm install axe-core@4) unavailable; skipping (in CI this fails)\n"}
{"Action":"skip","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}
{"Action":"pass","Package":"p"}
`
	out, ok := run(t, in)
	if !ok {
		t.Fatalf("a run with no failure reported failure:\n%s", out)
	}
	if got := lastLine(out); got != "1 passed, 0 failed, 2 skipped" {
		t.Errorf("last line %q", got)
	}
	for _, want := range []string{"ok  \tp\t0.1s", "2 skipped: axe-core (GUESTGATE_AXE_JS", "to install: npm install", "p TestB", "p TestC"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "=== RUN") {
		t.Errorf("progress lines printed:\n%s", out)
	}
}

func TestFailedTestPrintsItsOutputAndFails(t *testing.T) {
	in := `{"Action":"output","Package":"p","Test":"TestX","Output":"    x_test.go:9: wanted 1, got 2\n"}
{"Action":"output","Package":"p","Test":"TestX","Output":"--- FAIL: TestX (0.00s)\n"}
{"Action":"fail","Package":"p","Test":"TestX"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.1s\n"}
{"Action":"fail","Package":"p"}
`
	out, ok := run(t, in)
	if ok {
		t.Fatal("a failed test reported success")
	}
	if got := lastLine(out); got != "0 passed, 1 failed, 0 skipped" {
		t.Errorf("last line %q (a failed test counts once, not again for its package)", got)
	}
	if !strings.Contains(out, "wanted 1, got 2") || !strings.Contains(out, "FAIL\tp") {
		t.Errorf("failure output missing:\n%s", out)
	}
}

func TestBuildFailureCountsAsFailure(t *testing.T) {
	in := `{"ImportPath":"p [p.test]","Action":"build-output","Output":"# p\n./x.go:3:1: syntax error\n"}
{"ImportPath":"p [p.test]","Action":"build-fail"}
{"Action":"start","Package":"p"}
{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}
{"Action":"fail","Package":"p"}
`
	out, ok := run(t, in)
	if ok {
		t.Fatal("a build failure reported success")
	}
	if got := lastLine(out); got != "0 passed, 1 failed, 0 skipped" {
		t.Errorf("last line %q", got)
	}
	if !strings.Contains(out, "syntax error") || !strings.Contains(out, "[build failed]") {
		t.Errorf("build output missing:\n%s", out)
	}
}

func TestTimeoutPrintsRunningTestsOutput(t *testing.T) {
	in := `{"Action":"run","Package":"p","Test":"TestSlow"}
{"Action":"output","Package":"p","Test":"TestSlow","Output":"    slow_test.go:5: waiting\n"}
{"Action":"output","Package":"p","Output":"panic: test timed out after 1s\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t1.0s\n"}
{"Action":"fail","Package":"p"}
`
	out, ok := run(t, in)
	if ok {
		t.Fatal("a timeout reported success")
	}
	if got := lastLine(out); got != "0 passed, 1 failed, 0 skipped" {
		t.Errorf("last line %q", got)
	}
	for _, want := range []string{"test timed out", "waiting", "Packages that failed outside any test"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNonJSONLinesPassThrough(t *testing.T) {
	out, ok := run(t, "go: downloading example.com/x v1.0.0\n")
	if !ok || !strings.Contains(out, "go: downloading example.com/x") {
		t.Errorf("ok=%v out:\n%s", ok, out)
	}
}

// TestFiguresOfPassingTests: a line a passing test logs with the figures
// prefix is printed at the end, before the count line; its other lines are
// not.
func TestFiguresOfPassingTests(t *testing.T) {
	in := `{"Action":"output","Package":"p","Test":"TestHA/Failover","Output":"    ha_test.go:155: figures: standby promoted in 2.1s; 0 lost\n"}
{"Action":"output","Package":"p","Test":"TestHA/Failover","Output":"    ha_test.go:160: cluster stopped\n"}
{"Action":"pass","Package":"p","Test":"TestHA/Failover"}
{"Action":"pass","Package":"p","Test":"TestHA"}
{"Action":"pass","Package":"p"}
`
	out, ok := run(t, in)
	if !ok || lastLine(out) != "2 passed, 0 failed, 0 skipped" {
		t.Fatalf("run = %v:\n%s", ok, out)
	}
	if !strings.Contains(out, "Figures measured by the tests:\n  TestHA/Failover: standby promoted in 2.1s; 0 lost\n") {
		t.Errorf("the figures line is missing:\n%s", out)
	}
	if strings.Contains(out, "cluster stopped") {
		t.Errorf("a passing test's other log lines were printed:\n%s", out)
	}
}
