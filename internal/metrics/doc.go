// Package metrics defines guestgate's Prometheus metrics, served at
// /metrics. A Metrics is created once per process on a registry the
// server owns and handed to the domains that count something (sign-in,
// mail) as a dependency; no package uses a global registry. Every method
// of a nil *Metrics does nothing, so a domain built without metrics (a
// test, an admin command) needs no stub.
//
//	reg := prometheus.NewRegistry()
//	m := metrics.New(reg)
//	metrics.RegisterOutbox(reg, db.OutboxDepth, clock.Real{})
//	handler = m.Middleware(metrics.Route(mux))
//
// The series:
//
//	guestgate_http_requests_total{route,method,code}  by route pattern, never the raw path
//	guestgate_passcodes_total{outcome}                sent, verified, failed, throttled
//	guestgate_signins_total{idp}                      completed sign-ins by identity provider
//	guestgate_mail_sent_total{kind}                   mail accepted by the SMTP server
//	guestgate_mail_send_failures_total{kind,reason}   failed attempts: permanent, timeout, connection, temporary
//	guestgate_outbox_depth                            mail waiting to be sent (computed on scrape)
//	guestgate_outbox_oldest_age_seconds               age of the oldest waiting mail (computed on scrape)
//
// Labels take values from small fixed sets (patterns, outcomes, identity
// provider names, mail kinds), so no client can grow the series.
//
// metrics imports only Prometheus and the clock; domains import it.
package metrics
