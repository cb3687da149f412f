package e2e

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// scrape returns /metrics as series → value, a series written as
// Prometheus prints it: name{label="value",…}.
func scrape(t *testing.T, in *e2etest.Instance) map[string]float64 {
	t.Helper()
	resp, err := http.Get(in.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics = %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// waitMetric scrapes until series has value want (counters the
// dispatcher bumps just after the SMTP server has the mail).
func waitMetric(t *testing.T, in *e2etest.Instance, series string, want float64) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(mailtest.DefaultWait)
	for {
		m := scrape(t, in)
		if m[series] == want {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", series, m[series], want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetricsAfterSignIn: after an invitation redeemed with a passcode
// (one wrong code first), /metrics counts the passcodes by outcome, the
// sign-in by identity provider, the mail sent, and the requests by route
// pattern, never by raw path; with the SMTP server down, the outbox depth
// and age and the failures by reason show the waiting mail.
func TestMetricsAfterSignIn(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://apps.fabrikam.example/", "sendInvitationMessage": true,
		}, nil); s != http.StatusCreated {
			t.Fatalf("invite = %d", s)
		}
		invMail := in.Mail.WaitFor(t, mailtest.To("teri@gmail.example"))
		b := e2etest.NewBrowser(t)
		start := b.Get(e2etest.RedeemLink(t, invMail))
		sent := b.Submit(in.URL, start, "/redeem/send", nil)
		codePage := b.Get(in.URL + sent.Location)
		code := e2etest.Passcode(t, in.Mail.WaitFor(t, func(m mailtest.Received) bool {
			return mailtest.To("teri@gmail.example")(m) && m.MessageID() != invMail.MessageID()
		}))
		wrong := "00000000"
		if code == wrong {
			wrong = "11111111"
		}
		if p := b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"code": wrong}); !strings.HasPrefix(p.Location, "/redeem/code?") {
			t.Fatalf("a wrong code was accepted: %d → %q", p.Status, p.Location)
		}
		done := in.ConsentStep(b, b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"code": code}), tn)
		if done.Status != http.StatusSeeOther {
			t.Fatalf("sign-in = %d", done.Status)
		}

		waitMetric(t, in, `guestgate_mail_sent_total{kind="passcode"}`, 1)
		// A send leaves the outbox when it is recorded, with the others of its moment.
		m := waitMetric(t, in, `guestgate_outbox_depth`, 0)
		for series, want := range map[string]float64{
			`guestgate_passcodes_total{outcome="sent"}`:                                                1,
			`guestgate_passcodes_total{outcome="verified"}`:                                            1,
			`guestgate_passcodes_total{outcome="failed"}`:                                              1,
			`guestgate_passcodes_total{outcome="throttled"}`:                                           0,
			`guestgate_signins_total{idp="mail"}`:                                                      1,
			`guestgate_mail_sent_total{kind="invitation"}`:                                             1,
			`guestgate_http_requests_total{code="201",method="POST",route="/v1.0/invitations"}`:        1,
			`guestgate_http_requests_total{code="303",method="POST",route="/redeem/send"}`:             1,
			`guestgate_http_requests_total{code="303",method="POST",route="/redeem/verify"}`:           2, // the wrong code (post/redirect/get) and the right one
			`guestgate_http_requests_total{code="200",method="GET",route="/{tenant}/consent"}`:         1,
			`guestgate_http_requests_total{code="303",method="POST",route="/{tenant}/consent/accept"}`: 1,
			`guestgate_outbox_depth`:                                                                   0,
			`guestgate_outbox_oldest_age_seconds`:                                                      0,
		} {
			if got, ok := m[series]; !ok || got != want {
				t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
			}
		}
		for series := range m {
			if strings.Contains(series, "ticket") || strings.Contains(series, tn.ID) {
				t.Errorf("a raw path became a label: %s", series)
			}
		}

		// The SMTP server goes away: the next mail waits, and says why.
		in.Mail.Stop()
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "kim@gmail.example", "inviteRedirectUrl": "https://apps.fabrikam.example/", "sendInvitationMessage": true,
		}, nil); s != http.StatusCreated {
			t.Fatalf("invite = %d", s)
		}
		m = waitMetric(t, in, `guestgate_mail_send_failures_total{kind="invitation",reason="connection"}`, 1)
		if m[`guestgate_outbox_depth`] != 1 || m[`guestgate_outbox_oldest_age_seconds`] < 0 {
			t.Errorf("outbox depth %v, oldest age %v; want 1 waiting", m[`guestgate_outbox_depth`], m[`guestgate_outbox_oldest_age_seconds`])
		}
	})
}
