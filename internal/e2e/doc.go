// Package e2e holds guestgate's end-to-end tests, one file per journey. Each
// starts a whole guestgate (server.Open + Run) on SQLite and on PostgreSQL,
// with a real SMTP server (mailtest) as its mail peer, and drives it over
// HTTP the way a browser, an admin script or an app would.
//
// The journeys are split over three packages, so that go test ./... runs
// them at the same time: this one (the admin API, sign-in, federation,
// policies, the console over plain HTTP, the README's walk), ha (several
// guestgate processes, killed, restarted, behind a Patroni cluster, with
// their database or mail server down) and browser (Chromium driving the
// guest pages and the console). Their shared harness is e2etest.
package e2e
