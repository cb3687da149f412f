package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Passcode outcomes.
const (
	PasscodeSent      = "sent"
	PasscodeVerified  = "verified"
	PasscodeFailed    = "failed"    // a wrong, expired, used or void code
	PasscodeThrottled = "throttled" // a send refused by the send limits
)

// Metrics holds the process's counters. Its methods are safe for
// concurrent use and do nothing on a nil *Metrics.
type Metrics struct {
	httpRequests *prometheus.CounterVec
	passcodes    *prometheus.CounterVec
	signIns      *prometheus.CounterVec
	mailSent     *prometheus.CounterVec
	mailFailures *prometheus.CounterVec
}

// New creates the counters and registers them on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guestgate_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		passcodes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guestgate_passcodes_total",
			Help: "Email one-time passcodes by outcome: sent, verified, failed (wrong, expired, used or void), throttled (send refused by the limits).",
		}, []string{"outcome"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guestgate_signins_total",
			Help: "Completed interactive sign-ins (sessions started) by identity provider.",
		}, []string{"idp"}),
		mailSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guestgate_mail_sent_total",
			Help: "Mail accepted by the SMTP server, by kind.",
		}, []string{"kind"}),
		mailFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guestgate_mail_send_failures_total",
			Help: "Failed mail delivery attempts by kind and reason: permanent (5xx, given up), timeout, connection (server unreachable), temporary (4xx and other errors, retried).",
		}, []string{"kind", "reason"}),
	}
	for _, o := range []string{PasscodeSent, PasscodeVerified, PasscodeFailed, PasscodeThrottled} {
		m.passcodes.WithLabelValues(o) // every outcome shows, at 0, from the start
	}
	reg.MustRegister(m.httpRequests, m.passcodes, m.signIns, m.mailSent, m.mailFailures)
	return m
}

// Passcode counts a passcode outcome (PasscodeSent, …).
func (m *Metrics) Passcode(outcome string) {
	if m != nil {
		m.passcodes.WithLabelValues(outcome).Inc()
	}
}

// SignedIn counts a completed sign-in with the identity provider idp;
// "" (a member signing in to their own tenant) is counted as "local".
func (m *Metrics) SignedIn(idp string) {
	if m == nil {
		return
	}
	if idp == "" {
		idp = "local"
	}
	m.signIns.WithLabelValues(idp).Inc()
}

// MailSent counts a message of kind accepted by the SMTP server.
func (m *Metrics) MailSent(kind string) {
	if m != nil {
		m.mailSent.WithLabelValues(kind).Inc()
	}
}

// MailFailed counts a failed delivery attempt of a message of kind.
func (m *Metrics) MailFailed(kind, reason string) {
	if m != nil {
		m.mailFailures.WithLabelValues(kind, reason).Inc()
	}
}
