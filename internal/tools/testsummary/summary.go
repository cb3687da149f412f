package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json), with the build
// events of go1.24+ (ImportPath, Action build-output / build-fail).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string
}

// testKey names one test of one package.
type testKey struct{ pkg, test string }

// skipped is one skipped test and the message it skipped with.
type skipped struct {
	key     testKey
	message string
}

// summary accumulates a run's results as its events arrive.
type summary struct {
	out                     io.Writer
	passed, failed, skipped int
	output                  map[testKey][]string // a running test's output, until it ends
	failedTests             map[string]int       // failed tests per package
	failedPackages          []string             // packages that failed with no failed test
	skips                   []skipped
	figures                 []string // lines tests logged with FiguresPrefix, in order
}

// FiguresPrefix starts a line a test logs (t.Logf("figures: …")) to have
// it printed at the end of the run even when the test passes: what the
// failover, PgBouncer and rolling-restart tests measured.
const FiguresPrefix = "figures: "

func newSummary(out io.Writer) *summary {
	return &summary{out: out, output: map[testKey][]string{}, failedTests: map[string]int{}}
}

// line handles one line of input: a JSON event, or anything else (go's own
// messages on stderr), which is passed through as it is.
func (s *summary) line(text string) {
	var e event
	if !strings.HasPrefix(text, "{") || json.Unmarshal([]byte(text), &e) != nil {
		fmt.Fprintln(s.out, text)
		return
	}
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.out, e.Output)
	case e.Action == "build-fail":
		// The package's own fail event follows and counts it.
	case e.Test != "":
		s.testEvent(e)
	default:
		s.packageEvent(e)
	}
}

// testEvent records one event of a test.
func (s *summary) testEvent(e event) {
	k := testKey{e.Package, e.Test}
	switch e.Action {
	case "output":
		s.output[k] = append(s.output[k], e.Output)
		if f, ok := figure(e.Output); ok {
			s.figures = append(s.figures, e.Test+": "+f)
		}
	case "pass":
		s.passed++
		delete(s.output, k)
	case "skip":
		s.skipped++
		s.skips = append(s.skips, skipped{key: k, message: skipMessage(s.output[k])})
		delete(s.output, k)
	case "fail":
		s.failed++
		s.failedTests[e.Package]++
		for _, o := range s.output[k] {
			if !isProgressLine(o) {
				fmt.Fprint(s.out, o)
			}
		}
		delete(s.output, k)
	}
}

// packageEvent prints a package's own lines (ok, FAIL, "no test files",
// a panic or timeout outside any test) and counts a package that failed
// without a failed test.
func (s *summary) packageEvent(e event) {
	switch e.Action {
	case "output":
		if o := strings.TrimSpace(e.Output); o != "PASS" && o != "" && o != "testing: warning: no tests to run" {
			fmt.Fprint(s.out, e.Output)
		}
	case "fail":
		if s.failedTests[e.Package] == 0 {
			s.failed++
			s.failedPackages = append(s.failedPackages, e.Package)
		}
		// Output of tests still running when the package died (a panic or
		// a timeout) explains the failure.
		for k, lines := range s.output {
			if k.pkg != e.Package {
				continue
			}
			for _, o := range lines {
				if !isProgressLine(o) {
					fmt.Fprint(s.out, o)
				}
			}
			delete(s.output, k)
		}
	}
}

// isProgressLine reports whether a line is test2json's progress chatter
// (=== RUN and the like), which adds nothing to a failure's output.
func isProgressLine(o string) bool {
	t := strings.TrimSpace(o)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// logPrefix is the file:line a t.Log or t.Skip line starts with.
var logPrefix = regexp.MustCompile(`^[\w.\-]+\.go:\d+: `)

// figure returns the text of a line logged with FiguresPrefix.
func figure(o string) (string, bool) {
	return strings.CutPrefix(logPrefix.ReplaceAllString(strings.TrimSpace(o), ""), FiguresPrefix)
}

// skipMessage is the message a test skipped with, without its file:line.
func skipMessage(lines []string) string {
	var msg []string
	for _, o := range lines {
		t := strings.TrimSpace(o)
		if t == "" || isProgressLine(o) || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		msg = append(msg, logPrefix.ReplaceAllString(t, ""))
	}
	if len(msg) == 0 {
		return "(no message)"
	}
	// The skip message is the last thing a skipped test says.
	return msg[len(msg)-1]
}

// installHints says how to install what a skip message names as missing.
var installHints = []struct{ word, hint string }{
	{"axe-core", "npm install --prefix ~/.cache/guestgate-axe axe-core@4, then GUESTGATE_AXE_JS=~/.cache/guestgate-axe/node_modules/axe-core/axe.min.js (scripts/test does both when npm is on PATH)"},
	{"Chromium", "install Debian's chromium (apt-get install chromium)"},
	{"PostgreSQL", "start PostgreSQL on 127.0.0.1:5432, or set GUESTGATE_TEST_POSTGRES to a server's URL"},
	{"high-availability cluster", "apt-get install etcd-server patroni python3-etcd pgbouncer (.ci/run does; their services need not run)"},
}

// hint returns how to install what message names, or "".
func hint(message string) string {
	for _, h := range installHints {
		if strings.Contains(message, h.word) {
			return h.hint
		}
	}
	return ""
}

// finish writes the skips grouped by message, the failed packages and the
// count line, and reports whether the run passed.
func (s *summary) finish() bool {
	if len(s.skips) > 0 {
		groups := map[string][]testKey{}
		for _, sk := range s.skips {
			groups[sk.message] = append(groups[sk.message], sk.key)
		}
		messages := make([]string, 0, len(groups))
		for m := range groups {
			messages = append(messages, m)
		}
		sort.Slice(messages, func(i, j int) bool {
			if len(groups[messages[i]]) != len(groups[messages[j]]) {
				return len(groups[messages[i]]) > len(groups[messages[j]])
			}
			return messages[i] < messages[j]
		})
		fmt.Fprintf(s.out, "\nSkipped tests, by reason:\n")
		for _, m := range messages {
			keys := groups[m]
			fmt.Fprintf(s.out, "  %d skipped: %s\n", len(keys), m)
			if h := hint(m); h != "" {
				fmt.Fprintf(s.out, "    to install: %s\n", h)
			}
			for _, k := range keys {
				fmt.Fprintf(s.out, "    %s %s\n", k.pkg, k.test)
			}
		}
	}
	if len(s.figures) > 0 {
		fmt.Fprintf(s.out, "\nFigures measured by the tests:\n")
		for _, f := range s.figures {
			fmt.Fprintf(s.out, "  %s\n", f)
		}
	}
	if len(s.failedPackages) > 0 {
		fmt.Fprintf(s.out, "\nPackages that failed outside any test (build failure, panic or timeout):\n")
		for _, p := range s.failedPackages {
			fmt.Fprintf(s.out, "  %s\n", p)
		}
	}
	fmt.Fprintf(s.out, "\n%d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
	return s.failed == 0
}
