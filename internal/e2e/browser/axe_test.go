package browser

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/testenv"
)

// AxeEnv names the variable holding the path of axe-core's axe.min.js
// (npm's axe-core@4, which .ci/run installs). Without it the accessibility
// check is unavailable: skipped locally, failed under CI=true.
const AxeEnv = "GUESTGATE_AXE_JS"

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript returns axe-core's source, or makes the test unavailable.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv(AxeEnv)
	if path == "" {
		testenv.Unavailable(t, "axe-core ("+AxeEnv+" names axe.min.js; npm install axe-core@4)")
	}
	axeOnce.Do(func() {
		b, err := os.ReadFile(path)
		axeSource, axeErr = string(b), err
	})
	if axeErr != nil {
		t.Fatalf("read axe-core: %v", axeErr)
	}
	return axeSource
}

// axeViolation is one rule axe-core found broken, with the elements.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core (WCAG 2.x A and AA rules and best
// practices) on the tab's page and fails the test on any violation. The
// script is injected through the DevTools protocol, so the page's own
// Content-Security-Policy does not stop it. what names the page.
func checkAccessibility(b context.Context, t *testing.T, what string) {
	t.Helper()
	vs := axeViolations(b, t, what)
	if len(vs) == 0 {
		return
	}
	var sb strings.Builder
	for _, v := range vs {
		sb.WriteString("\n- " + v.ID + ": " + v.Help)
		for _, n := range v.Nodes {
			sb.WriteString("\n    " + n.HTML)
		}
	}
	t.Errorf("%s: accessibility violations (axe-core):%s", what, sb.String())
}

// axeViolations runs axe-core on the tab's page and returns what it found.
func axeViolations(b context.Context, t *testing.T, what string) []axeViolation {
	t.Helper()
	src := axeScript(t)
	if _, err := chromedp.Run(b, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		t.Fatalf("%s: inject axe-core: %v", what, err)
	}
	run := `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`
	raw, err := chromedp.Run(b, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", what, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: axe-core result: %v\n%s", what, err, raw)
	}
	return vs
}

// TestAxeHarnessFindsViolations: the check is real — a page with an
// image without alternative text and a field without a label fails it.
func TestAxeHarnessFindsViolations(t *testing.T) {
	axeScript(t)
	b := newChromium(t)
	browserDo(b, t, "open a bad page", chromedp.Navigate(`data:text/html,<!doctype html><html lang="en"><title>x</title><main><h1>x</h1><img src="x.png"><input type="text"></main></html>`))
	found := map[string]bool{}
	for _, v := range axeViolations(b, t, "bad page") {
		found[v.ID] = true
	}
	if !found["image-alt"] || !found["label"] {
		t.Fatalf("axe-core found %v, want image-alt and label", found)
	}
}
