package browser

import (
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/testenv"
)

// chromiumPath is Debian's Chromium, the browser the browser tests drive.
const chromiumPath = "/usr/bin/chromium"

// browserTimeout bounds one test's use of the browser, so that a page that
// never shows the awaited element fails the test instead of hanging it.
const browserTimeout = 2 * time.Minute

// newChromium starts a headless Chromium with a fresh profile for the test
// and returns the context of its tab, for chromedp.Run and chromedp.Do. Pages
// are asked for in English. The browser stops when the test ends. Without
// Chromium the test is unavailable (skipped locally, failed under CI=true).
func newChromium(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath
	if _, err := os.Stat(path); err != nil {
		if path, err = exec.LookPath("chromium"); err != nil {
			testenv.Unavailable(t, "Chromium")
		}
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit, before TempDir is removed
	})
	// The first Do starts the browser; it must not carry the timeout, which
	// would stop the browser itself (see chromedp.Run).
	if err := chromedp.Do(tabCtx, acceptLanguage("en")); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, browserTimeout)
	t.Cleanup(cancel)
	return ctx
}

// acceptLanguage makes the tab send Accept-Language: lang.
func acceptLanguage(lang string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": lang},
		})
		return chromedp.Void{}, err
	}
}

// screenshotDir is where browser tests save screenshots:
// $GUESTGATE_SCREENSHOT_DIR, else internal/e2e/browser/screenshots (git-ignored).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GUESTGATE_SCREENSHOT_DIR")
	if dir == "" {
		dir = "screenshots" // go test runs in the package directory
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot directory: %v", err)
	}
	return dir
}

// saveScreenshot captures the tab's whole page as a PNG, saves it as name in
// screenshotDir, checks the file is a non-empty PNG and returns its path.
func saveScreenshot(ctx context.Context, t *testing.T, name string) string {
	t.Helper()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(screenshotDir(t), name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		t.Fatalf("screenshot %s is not a non-empty PNG: %+v, %v", path, cfg, err)
	}
	t.Logf("screenshot: %s (%dx%d)", path, cfg.Width, cfg.Height)
	return path
}

// browserDo runs the browser steps of one journey step, failing the test with
// the page's text if they fail (e.g. an awaited element never shows).
func browserDo(b context.Context, t *testing.T, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b, actions...); err != nil {
		// The steps' context may have timed out; look at the page with a fresh one.
		look, cancel := context.WithTimeout(context.WithoutCancel(b), 5*time.Second)
		defer cancel()
		body, _ := chromedp.Run(look, chromedp.Text(chromedp.CSS("body")))
		loc, _ := chromedp.Run(look, chromedp.Location())
		t.Fatalf("%s: %v\nat %s:\n%s", step, err, loc, body)
	}
}

// browserValue runs one browser action and returns its value.
func browserValue[T any](b context.Context, t *testing.T, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pageHas checks the visible text of the page contains each of want.
func pageHas(b context.Context, t *testing.T, what string, want ...string) {
	t.Helper()
	text := browserValue(b, t, chromedp.Text(chromedp.CSS("body")))
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Fatalf("%s: want %q in the page text:\n%s", what, w, text)
		}
	}
}
