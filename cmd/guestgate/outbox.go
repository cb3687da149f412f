package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

func newOutboxCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "outbox", Short: "Inspect the mail waiting to be sent"}
	cmd.AddCommand(newOutboxListCommand(f))
	return cmd
}

// queuedJSON is one message of `outbox list --output json`: the envelope
// and the delivery state, never the body.
type queuedJSON struct {
	ID            string   `json:"id"`
	TenantID      string   `json:"tenantId,omitempty"`
	Kind          string   `json:"kind"`
	To            []string `json:"to"`
	Subject       string   `json:"subject"`
	State         string   `json:"state"`
	CreatedAt     string   `json:"createdAt"`
	Attempts      int      `json:"attempts"`
	NextAttemptAt string   `json:"nextAttemptAt,omitempty"`
	LeasedUntil   string   `json:"leasedUntil,omitempty"`
	LastError     string   `json:"lastError,omitempty"`
}

// Delivery states of `outbox list`.
const (
	stateWaiting  = "waiting"  // due, no dispatcher holds it
	stateSending  = "sending"  // a dispatcher holds its lease
	stateRetrying = "retrying" // failed, waiting for its next attempt
	stateFailed   = "failed"   // given up
)

func queuedState(q mail.Queued, now time.Time) string {
	switch {
	case q.NextAttempt.IsZero():
		return stateFailed
	case q.LeasedUntil.After(now):
		return stateSending
	case q.Attempts > 0:
		return stateRetrying
	}
	return stateWaiting
}

func newOutboxListCommand(f *configFlags) *cobra.Command {
	var (
		failed bool
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "list [--failed]",
		Short: "List the mail not yet sent: waiting, being sent, retrying or given up",
		Long: `List the messages of the outbox that have not been sent, oldest first: waiting (due, no
process holds it), sending (a process holds its lease), retrying (an attempt failed; the next
is scheduled) and failed (given up after a permanent refusal or the last attempt). With
--failed, only messages with a failed attempt. Bodies (passcodes, redeem links) are never
shown. --output json prints {"value": [...]}.`,
		Example: "  guestgate outbox list --failed --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.loadWithDatabase(cmd)
			if err != nil {
				return err
			}
			log, err := f.logger(cmd, true)
			if err != nil {
				return err
			}
			so := cfg.DatabaseOptions()
			so.Logger = log
			db, err := sqlstore.Open(cmd.Context(), cfg.DatabaseURL, so)
			if err != nil {
				return err
			}
			defer db.Close()
			if _, err := db.Migrate(cmd.Context()); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			list, err := db.ListQueuedMail(cmd.Context(), failed, limit)
			if err != nil {
				return err
			}
			now := time.Now()
			out := struct {
				Value []queuedJSON `json:"value"`
			}{Value: make([]queuedJSON, 0, len(list))}
			for _, q := range list {
				j := queuedJSON{ID: q.ID, TenantID: q.TenantID, Kind: q.Kind, To: q.To, Subject: q.Subject,
					State: queuedState(q, now), CreatedAt: stamp(q.CreatedAt), Attempts: q.Attempts,
					NextAttemptAt: stamp(q.NextAttempt), LastError: q.LastError}
				if q.LeasedUntil.After(now) {
					j.LeasedUntil = stamp(q.LeasedUntil)
				}
				out.Value = append(out.Value, j)
			}
			format, _ := cmd.Flags().GetString("output")
			return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
				fmt.Fprintf(w, "%-36s  %-20s  %-10s  %-8s  %-8s  %-20s  %-30s  %s\n", "ID", "CREATED", "KIND", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "TO", "LAST ERROR")
				for _, j := range out.Value {
					next := j.NextAttemptAt
					if next == "" {
						next = "-"
					}
					fmt.Fprintf(w, "%-36s  %-20s  %-10s  %-8s  %-8d  %-20s  %-30s  %s\n", j.ID, j.CreatedAt, j.Kind, j.State, j.Attempts,
						next, strings.Join(j.To, ","), oneLine(j.LastError, 80))
				}
			})
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "only messages with a failed attempt (retrying or given up)")
	cmd.Flags().IntVar(&limit, "limit", 1000, "at most this many messages")
	addOutputFlag(cmd)
	return cmd
}

// stamp formats t for output; "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// oneLine shortens s to n characters on one line.
func oneLine(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}
