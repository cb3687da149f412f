// Package browser holds guestgate's end-to-end tests that drive Debian's
// Chromium (chromedp), one file per journey: the guest pages and the
// console in English and Japanese, their layout at phone and desktop
// widths, axe-core's accessibility check on each page, and screenshots
// under screenshots/ (git-ignored). Without Chromium or axe-core they are
// unavailable: skipped locally, failed under CI=true. The shared harness
// is internal/e2e/e2etest.
package browser
