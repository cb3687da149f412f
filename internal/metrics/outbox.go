package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/guestgate/guestgate/internal/clock"
)

// OutboxDepthFunc counts the mail waiting to be sent and returns the
// creation time of the oldest (zero when none waits): one cheap query.
type OutboxDepthFunc func(ctx context.Context) (int, time.Time, error)

// RegisterOutbox registers the outbox gauges on reg. They are computed
// on each scrape by one call of depth, bounded to two seconds; a failure
// makes the scrape report an error for them rather than stale values.
func RegisterOutbox(reg prometheus.Registerer, depth OutboxDepthFunc, clk clock.Clock) {
	reg.MustRegister(&outboxCollector{depth: depth, clock: clk})
}

var (
	outboxDepthDesc = prometheus.NewDesc("guestgate_outbox_depth",
		"Mail waiting in the outbox to be sent (due, being sent, or waiting for a retry; not given up).", nil, nil)
	outboxAgeDesc = prometheus.NewDesc("guestgate_outbox_oldest_age_seconds",
		"Age of the oldest mail waiting in the outbox; 0 when none waits.", nil, nil)
)

type outboxCollector struct {
	depth OutboxDepthFunc
	clock clock.Clock
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDepthDesc
	ch <- outboxAgeDesc
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, oldest, err := c.depth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxDepthDesc, err)
		ch <- prometheus.NewInvalidMetric(outboxAgeDesc, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(c.clock.Now().Sub(oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(outboxDepthDesc, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
}
