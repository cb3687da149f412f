package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/store"
)

var (
	_ mail.OutboxStore  = (*DB)(nil)
	_ mail.Mailbox      = (*DB)(nil)
	_ mail.OutboxReader = (*DB)(nil)
)

// outboxChannel is the PostgreSQL NOTIFY channel that announces new mail.
const outboxChannel = "guestgate_outbox"

// outboxEnvelope is the outbox.message column: recipients, sender and
// subject, kept for the operator until the row is purged. Rows written
// before migration 0010 also hold the bodies here (Text, HTML).
type outboxEnvelope struct {
	To       []string `json:"to"`
	Cc       []string `json:"cc,omitempty"`
	FromName string   `json:"fromName,omitempty"`
	ReplyTo  string   `json:"replyTo,omitempty"`
	Subject  string   `json:"subject"`
	Language string   `json:"language,omitempty"`
	Text     string   `json:"text,omitempty"`
	HTML     string   `json:"html,omitempty"`
}

// outboxBody is the outbox.body column: what carries the passcode or the
// redeem link. It is emptied when the message is sent or given up.
type outboxBody struct {
	Text string `json:"text"`
	HTML string `json:"html,omitempty"`
}

// EnqueueMail writes m to the outbox in the transaction in ctx (or a
// transaction of its own), due at once. When that transaction commits, the
// process's OutboxWakeups subscribers are signalled and, on PostgreSQL, every
// process listening on guestgate_outbox is notified. A message without an
// ID gets one; one without CreatedAt is stamped with the current time.
// While this process's dispatcher takes hand-offs (MailHandoff), the row is
// written leased to it and handed over after commit instead.
func (db *DB) EnqueueMail(ctx context.Context, m mail.Message) error {
	if m.ID == "" {
		m.ID = uuid.NewString()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now()
	}
	if err := m.Check(); err != nil {
		return fmt.Errorf("enqueue mail %s: %w", m.ID, err)
	}
	env, err := json.Marshal(outboxEnvelope{
		To: m.To, Cc: m.Cc, FromName: m.FromName, ReplyTo: m.ReplyTo, Subject: m.Subject, Language: m.Language,
	})
	if err != nil {
		return fmt.Errorf("enqueue mail %s: encode: %w", m.ID, err)
	}
	body, err := json.Marshal(outboxBody{Text: m.Text, HTML: m.HTML})
	if err != nil {
		return fmt.Errorf("enqueue mail %s: encode: %w", m.ID, err)
	}
	created := toDB(m.CreatedAt)
	ch, token, handoff := db.handoff.take()
	claimedUntil := int64(0)
	if handoff {
		claimedUntil = toDB(m.CreatedAt.Add(handoffLease))
	}
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.exec(ctx, `INSERT INTO outbox
			(id, tenant_id, kind, message, body, created_at, attempts, next_attempt_at, claim_token, claimed_until, sent_at, last_error, completed_at)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $6, $7, $8, 0, '', 0)`,
			m.ID, m.TenantID, m.Kind, string(env), string(body), created, token, claimedUntil); err != nil {
			return uniqueOr(err, "enqueue mail "+m.ID)
		}
		if handoff {
			// Leased to this process's dispatcher: nobody else needs waking.
			db.AfterCommit(ctx, deliverLater(ch, mail.Delivery{Message: m, ClaimToken: token}))
			return nil
		}
		if db.d.notifyOutbox != "" {
			// Delivered by PostgreSQL at commit, and only then.
			if _, err := db.exec(ctx, db.d.notifyOutbox); err != nil {
				return fmt.Errorf("enqueue mail %s: notify: %w", m.ID, err)
			}
		}
		db.AfterCommit(ctx, db.wakeOutbox)
		return nil
	})
}

// ClaimMail leases up to limit due messages, oldest due first. One
// transaction selects due, unleased rows (on PostgreSQL FOR UPDATE SKIP
// LOCKED, so concurrent claimers take different rows; SQLite's write
// transactions are exclusive) and stamps them with a fresh claim token and
// the lease's end. A claimer that meets a row another transaction just
// claimed re-checks it after that commit and finds it leased, so a live
// lease is never handed out twice.
func (db *DB) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]mail.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	var buf [16]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return nil, fmt.Errorf("claim mail: token: %w", err)
	}
	// One random value per claim; the id makes each row's token distinct.
	token := hex.EncodeToString(buf[:]) + "."
	var out []mail.Delivery
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = db.dueMail(ctx, now, limit); err != nil || len(out) == 0 {
			return err
		}
		args := []any{token, toDB(now.Add(lease))}
		marks := make([]string, len(out))
		for i, d := range out {
			args = append(args, d.ID)
			marks[i] = "$" + strconv.Itoa(len(args))
		}
		res, err := db.exec(ctx, `UPDATE outbox SET claim_token = CAST($1 AS TEXT) || id, claimed_until = $2
			WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return fmt.Errorf("claim mail: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(out)) {
			return fmt.Errorf("claim mail: leased %d of %d rows (%v)", n, len(out), err)
		}
		for i := range out {
			out[i].ClaimToken = token + out[i].ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dueMail reads (and on PostgreSQL locks) up to limit due, unleased messages.
func (db *DB) dueMail(ctx context.Context, now time.Time, limit int) ([]mail.Delivery, error) {
	rows, err := db.query(ctx, `SELECT id, tenant_id, kind, message, body, created_at, attempts FROM outbox
		WHERE next_attempt_at > 0 AND next_attempt_at <= $1 AND claimed_until <= $1
		ORDER BY next_attempt_at, id LIMIT $2`+db.d.skipLocked, toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	defer rows.Close()
	var out []mail.Delivery
	for rows.Next() {
		var (
			d         mail.Delivery
			env, body string
			created   int64
		)
		if err := rows.Scan(&d.ID, &d.TenantID, &d.Kind, &env, &body, &created, &d.Attempts); err != nil {
			return nil, fmt.Errorf("claim mail: scan: %w", err)
		}
		d.CreatedAt = fromDB(created)
		if err := decodeMessage(env, body, &d.Message); err != nil {
			return nil, fmt.Errorf("claim mail %s: %w", d.ID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return out, nil
}

// MarkMailSent records the send, ends the claim and empties the message's
// bodies (the envelope stays until PurgeMail). It fails with
// store.ErrConflict unless claimToken is the message's current claim.
func (db *DB) MarkMailSent(ctx context.Context, id, claimToken string, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE outbox
		SET sent_at = $1, completed_at = $1, next_attempt_at = 0, attempts = attempts + 1, claim_token = '', claimed_until = 0, last_error = '', body = ''
		WHERE id = $2 AND claim_token = $3 AND claim_token <> ''`,
		toDB(at), id, claimToken)
	if err != nil {
		return fmt.Errorf("mark mail %s sent: %w", id, err)
	}
	return oneRow(res, "mark mail "+id+" sent")
}

// MarkMailsSent records several sends in one transaction (the dispatcher's
// batch): one conditional UPDATE each, the ids whose claim was lost
// returned rather than failing the others.
func (db *DB) MarkMailsSent(ctx context.Context, sent []mail.Sent) ([]string, error) {
	var lost []string
	err := db.InTx(ctx, func(ctx context.Context) error {
		lost = lost[:0]
		for _, s := range sent {
			err := db.MarkMailSent(ctx, s.ID, s.ClaimToken, s.At)
			switch {
			case errors.Is(err, store.ErrConflict):
				lost = append(lost, s.ID)
			case err != nil:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark %d mails sent: %w", len(sent), err)
	}
	return lost, nil
}

// MarkMailFailed records a failed attempt at at, releases the claim and
// schedules the next attempt. A zero nextAttempt gives up: the bodies are
// emptied and the row waits for PurgeMail. store.ErrConflict unless
// claimToken is the message's current claim.
func (db *DB) MarkMailFailed(ctx context.Context, id, claimToken string, at time.Time, attempts int, nextAttempt time.Time, lastError string) error {
	q := `UPDATE outbox
		SET attempts = $1, next_attempt_at = $2, last_error = $3, claim_token = '', claimed_until = 0
		WHERE id = $4 AND claim_token = $5 AND claim_token <> ''`
	args := []any{attempts, toDB(nextAttempt), lastError, id, claimToken}
	if nextAttempt.IsZero() {
		q = `UPDATE outbox
		SET attempts = $1, next_attempt_at = 0, last_error = $2, claim_token = '', claimed_until = 0, body = '', completed_at = $5
		WHERE id = $3 AND claim_token = $4 AND claim_token <> ''`
		args = []any{attempts, lastError, id, claimToken, toDB(at)}
	}
	res, err := db.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("mark mail %s failed: %w", id, err)
	}
	return oneRow(res, "mark mail "+id+" failed")
}

// ListMail returns the newest limit messages, newest first.
func (db *DB) ListMail(ctx context.Context, limit int) ([]mail.Status, error) {
	rows, err := db.query(ctx, `SELECT id, tenant_id, kind, message, body, created_at, attempts, sent_at, last_error
		FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list mail: %w", err)
	}
	defer rows.Close()
	var out []mail.Status
	for rows.Next() {
		var (
			s             mail.Status
			env, body     string
			created, sent int64
		)
		if err := rows.Scan(&s.ID, &s.TenantID, &s.Kind, &env, &body, &created, &s.Attempts, &sent, &s.LastError); err != nil {
			return nil, fmt.Errorf("list mail: scan: %w", err)
		}
		s.CreatedAt, s.SentAt = fromDB(created), fromDB(sent)
		if err := decodeMessage(env, body, &s.Message); err != nil {
			return nil, fmt.Errorf("list mail %s: %w", s.ID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list mail: %w", err)
	}
	return out, nil
}

// decodeMessage fills m's content fields from the message and body
// columns. An empty body is a finished message's (or, for a row written
// before migration 0010, the bodies are in the envelope).
func decodeMessage(env, body string, m *mail.Message) error {
	var e outboxEnvelope
	if err := json.Unmarshal([]byte(env), &e); err != nil {
		return fmt.Errorf("decode message: %w", err)
	}
	m.To, m.Cc, m.FromName, m.ReplyTo = e.To, e.Cc, e.FromName, e.ReplyTo
	m.Subject, m.Language, m.Text, m.HTML = e.Subject, e.Language, e.Text, e.HTML
	if body == "" {
		return nil
	}
	var b outboxBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return fmt.Errorf("decode message body: %w", err)
	}
	m.Text, m.HTML = b.Text, b.HTML
	return nil
}

// RenewMailLeases extends to until the leases whose claim tokens are
// given: a dispatcher's heartbeat over the mail it holds, so a short
// lease outlives a slow send but not a dead process. Tokens no longer
// current (sent, failed, re-claimed) are skipped.
func (db *DB) RenewMailLeases(ctx context.Context, claimTokens []string, until time.Time) error {
	const chunk = 500
	for len(claimTokens) > 0 {
		n := min(len(claimTokens), chunk)
		args := []any{toDB(until)}
		marks := make([]string, n)
		for i, tok := range claimTokens[:n] {
			args = append(args, tok)
			marks[i] = "$" + strconv.Itoa(len(args))
		}
		if _, err := db.exec(ctx, `UPDATE outbox SET claimed_until = $1
			WHERE claim_token <> '' AND claim_token IN (`+strings.Join(marks, ", ")+`)`, args...); err != nil {
			return fmt.Errorf("renew mail leases: %w", err)
		}
		claimTokens = claimTokens[n:]
	}
	return nil
}

// ReleaseMail ends a claim without an attempt (a dispatcher stopping with
// mail it will not send): the message is claimable at once. It fails with
// store.ErrConflict unless claimToken is the message's current claim.
func (db *DB) ReleaseMail(ctx context.Context, id, claimToken string) error {
	res, err := db.exec(ctx, `UPDATE outbox SET claim_token = '', claimed_until = 0
		WHERE id = $1 AND claim_token = $2 AND claim_token <> ''`, id, claimToken)
	if err != nil {
		return fmt.Errorf("release mail %s: %w", id, err)
	}
	return oneRow(res, "release mail "+id)
}

// PurgeMail deletes messages sent or given up before before, and returns
// how many. It also empties the bodies of finished rows written before
// migration 0010, which kept them inside the envelope.
func (db *DB) PurgeMail(ctx context.Context, before time.Time) (int, error) {
	ctx = asJob(ctx)
	res, err := db.exec(ctx, `DELETE FROM outbox WHERE completed_at > 0 AND completed_at < $1`, toDB(before))
	if err != nil {
		return 0, fmt.Errorf("purge mail: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge mail: %w", err)
	}
	if err := db.scrubLegacyBodies(ctx); err != nil {
		return int(n), err
	}
	return int(n), nil
}

// scrubLegacyBodies rewrites finished rows whose envelope still carries
// the bodies (written before migration 0010) without them.
func (db *DB) scrubLegacyBodies(ctx context.Context) error {
	rows, err := db.query(ctx, `SELECT id, message FROM outbox
		WHERE completed_at > 0 AND message LIKE '%"text":%' LIMIT 1000`)
	if err != nil {
		return fmt.Errorf("scrub mail bodies: %w", err)
	}
	type row struct{ id, env string }
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.env); err != nil {
			rows.Close()
			return fmt.Errorf("scrub mail bodies: scan: %w", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scrub mail bodies: %w", err)
	}
	for _, r := range todo {
		var e outboxEnvelope
		if err := json.Unmarshal([]byte(r.env), &e); err != nil {
			return fmt.Errorf("scrub mail body %s: %w", r.id, err)
		}
		e.Text, e.HTML = "", ""
		env, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("scrub mail body %s: %w", r.id, err)
		}
		if _, err := db.exec(ctx, `UPDATE outbox SET message = $1 WHERE id = $2 AND completed_at > 0`, string(env), r.id); err != nil {
			return fmt.Errorf("scrub mail body %s: %w", r.id, err)
		}
	}
	return nil
}

// ListQueuedMail returns the messages not sent, oldest first, at most
// limit: waiting, being retried, or given up. failedOnly keeps those with
// at least one failed attempt. No bodies.
func (db *DB) ListQueuedMail(ctx context.Context, failedOnly bool, limit int) ([]mail.Queued, error) {
	q := `SELECT id, tenant_id, kind, message, created_at, attempts, next_attempt_at, claimed_until, last_error
		FROM outbox WHERE sent_at = 0`
	if failedOnly {
		q += ` AND attempts > 0`
	}
	rows, err := db.query(ctx, q+` ORDER BY created_at, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list queued mail: %w", err)
	}
	defer rows.Close()
	var out []mail.Queued
	for rows.Next() {
		var (
			m                      mail.Queued
			env                    string
			created, next, claimed int64
		)
		if err := rows.Scan(&m.ID, &m.TenantID, &m.Kind, &env, &created, &m.Attempts, &next, &claimed, &m.LastError); err != nil {
			return nil, fmt.Errorf("list queued mail: scan: %w", err)
		}
		var e outboxEnvelope
		if err := json.Unmarshal([]byte(env), &e); err != nil {
			return nil, fmt.Errorf("list queued mail %s: %w", m.ID, err)
		}
		m.To, m.Subject = e.To, e.Subject
		m.CreatedAt, m.NextAttempt, m.LeasedUntil = fromDB(created), fromDB(next), fromDB(claimed)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list queued mail: %w", err)
	}
	return out, nil
}

// OutboxDepth counts the messages waiting to be sent (due, leased or
// waiting for a retry; not given up) and the creation time of the oldest,
// zero when none waits. One query over the outbox_due index, cheap enough
// for every metrics scrape.
func (db *DB) OutboxDepth(ctx context.Context) (int, time.Time, error) {
	var (
		n      int
		oldest sql.NullInt64
	)
	if err := db.queryRow(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox WHERE next_attempt_at > 0`).Scan(&n, &oldest); err != nil {
		return 0, time.Time{}, fmt.Errorf("outbox depth: %w", err)
	}
	return n, fromDB(oldest.Int64), nil
}
