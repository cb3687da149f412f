package e2etest

import (
	"context"
	"time"

	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// WaitOutboxEmpty waits until every queued mail is marked sent.
func (in *Instance) WaitOutboxEmpty() {
	in.T.Helper()
	deadline := time.Now().Add(mailtest.DefaultWait)
	for {
		n, _, err := in.Srv.DB().OutboxDepth(context.Background())
		if err != nil {
			in.T.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			in.T.Fatalf("%d mails still waiting in the outbox", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
