package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/mail"
)

var _ mail.OutboxStore = (*DB)(nil)

// outboxChannel is the PostgreSQL NOTIFY channel that announces new mail.
const outboxChannel = "guestgate_outbox"

// outboxBody is the outbox.message column: what the dispatcher sends.
type outboxBody struct {
	To       []string `json:"to"`
	Cc       []string `json:"cc,omitempty"`
	FromName string   `json:"fromName,omitempty"`
	ReplyTo  string   `json:"replyTo,omitempty"`
	Subject  string   `json:"subject"`
	Text     string   `json:"text"`
	HTML     string   `json:"html,omitempty"`
	Language string   `json:"language,omitempty"`
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
	body, err := json.Marshal(outboxBody{
		To: m.To, Cc: m.Cc, FromName: m.FromName, ReplyTo: m.ReplyTo,
		Subject: m.Subject, Text: m.Text, HTML: m.HTML, Language: m.Language,
	})
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
			(id, tenant_id, kind, message, created_at, attempts, next_attempt_at, claim_token, claimed_until, sent_at, last_error)
			VALUES ($1, $2, $3, $4, $5, 0, $5, $6, $7, 0, '')`,
			m.ID, m.TenantID, m.Kind, string(body), created, token, claimedUntil); err != nil {
			return uniqueOr(err, "enqueue mail "+m.ID)
		}
		if handoff {
			// Leased to this process's dispatcher: nobody else needs waking.
			db.AfterCommit(ctx, deliverLater(ch, mail.Delivery{Message: m, ClaimToken: token}))
			return nil
		}
		if db.d.engine == EnginePostgres {
			// Delivered by PostgreSQL at commit, and only then.
			if _, err := db.exec(ctx, `SELECT pg_notify('`+outboxChannel+`', '')`); err != nil {
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
	rows, err := db.query(ctx, `SELECT id, tenant_id, kind, message, created_at, attempts FROM outbox
		WHERE next_attempt_at > 0 AND next_attempt_at <= $1 AND claimed_until <= $1
		ORDER BY next_attempt_at, id LIMIT $2`+db.d.skipLocked, toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	defer rows.Close()
	var out []mail.Delivery
	for rows.Next() {
		var (
			d       mail.Delivery
			body    string
			created int64
		)
		if err := rows.Scan(&d.ID, &d.TenantID, &d.Kind, &body, &created, &d.Attempts); err != nil {
			return nil, fmt.Errorf("claim mail: scan: %w", err)
		}
		d.CreatedAt = fromDB(created)
		if err := decodeBody(body, &d.Message); err != nil {
			return nil, fmt.Errorf("claim mail %s: %w", d.ID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return out, nil
}

// MarkMailSent records the send and ends the claim. It fails with
// store.ErrConflict unless claimToken is the message's current claim.
func (db *DB) MarkMailSent(ctx context.Context, id, claimToken string, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE outbox
		SET sent_at = $1, next_attempt_at = 0, attempts = attempts + 1, claim_token = '', claimed_until = 0, last_error = ''
		WHERE id = $2 AND claim_token = $3 AND claim_token <> ''`,
		toDB(at), id, claimToken)
	if err != nil {
		return fmt.Errorf("mark mail %s sent: %w", id, err)
	}
	return oneRow(res, "mark mail "+id+" sent")
}

// MarkMailFailed records a failed attempt, releases the claim and schedules
// the next attempt (zero: give up). store.ErrConflict unless claimToken is
// the message's current claim.
func (db *DB) MarkMailFailed(ctx context.Context, id, claimToken string, attempts int, nextAttempt time.Time, lastError string) error {
	res, err := db.exec(ctx, `UPDATE outbox
		SET attempts = $1, next_attempt_at = $2, last_error = $3, claim_token = '', claimed_until = 0
		WHERE id = $4 AND claim_token = $5 AND claim_token <> ''`,
		attempts, toDB(nextAttempt), lastError, id, claimToken)
	if err != nil {
		return fmt.Errorf("mark mail %s failed: %w", id, err)
	}
	return oneRow(res, "mark mail "+id+" failed")
}

// ListMail returns the newest limit messages, newest first.
func (db *DB) ListMail(ctx context.Context, limit int) ([]mail.Status, error) {
	rows, err := db.query(ctx, `SELECT id, tenant_id, kind, message, created_at, attempts, sent_at, last_error
		FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list mail: %w", err)
	}
	defer rows.Close()
	var out []mail.Status
	for rows.Next() {
		var (
			s             mail.Status
			body          string
			created, sent int64
		)
		if err := rows.Scan(&s.ID, &s.TenantID, &s.Kind, &body, &created, &s.Attempts, &sent, &s.LastError); err != nil {
			return nil, fmt.Errorf("list mail: scan: %w", err)
		}
		s.CreatedAt, s.SentAt = fromDB(created), fromDB(sent)
		if err := decodeBody(body, &s.Message); err != nil {
			return nil, fmt.Errorf("list mail %s: %w", s.ID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list mail: %w", err)
	}
	return out, nil
}

// decodeBody fills m's content fields from the message column.
func decodeBody(body string, m *mail.Message) error {
	var b outboxBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return fmt.Errorf("decode message: %w", err)
	}
	m.To, m.Cc, m.FromName, m.ReplyTo = b.To, b.Cc, b.FromName, b.ReplyTo
	m.Subject, m.Text, m.HTML, m.Language = b.Subject, b.Text, b.HTML, b.Language
	return nil
}
