package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/store"
)

var _ otp.Store = (*DB)(nil)

// errZeroTime refuses a write whose time would read back as "unset".
var errZeroTime = errors.New("zero time")

// addressBudget is the client column of an address's budget row in
// otp_sends; client networks are IP addresses and prefixes, never "*".
const addressBudget = "*"

// GetCode returns the browser's code for the address in the tenant
// (address compared in lower case), or store.ErrNotFound.
func (db *DB) GetCode(ctx context.Context, k otp.CodeKey) (otp.Code, error) {
	c := otp.Code{TenantID: k.TenantID, Browser: k.Browser}
	var issuedAt, usedAt int64
	err := db.queryRow(ctx, `SELECT address, code_hash, issued_at, attempts, used_at
		FROM otp_browser_codes WHERE tenant_id = $1 AND address = $2 AND browser = $3`, k.TenantID, strings.ToLower(k.Address), k.Browser).
		Scan(&c.Address, &c.Hash, &issuedAt, &c.Attempts, &usedAt)
	if err != nil {
		return otp.Code{}, notFound(err, "get passcode")
	}
	c.IssuedAt, c.UsedAt = fromDB(issuedAt), fromDB(usedAt)
	return c, nil
}

// PutCode writes c as the browser's code for the address. With a zero
// prevIssuedAt it inserts the first row, else it replaces the row issued
// at prevIssuedAt. Either way a row that is not the one the caller read is
// store.ErrConflict.
func (db *DB) PutCode(ctx context.Context, c otp.Code, prevIssuedAt time.Time) error {
	if c.IssuedAt.IsZero() {
		return fmt.Errorf("put passcode: issuedAt: %w", errZeroTime)
	}
	if len(c.Hash) == 0 {
		return fmt.Errorf("put passcode: %w", errEmptyHash)
	}
	if prevIssuedAt.IsZero() {
		return db.insertCode(ctx, c)
	}
	res, err := db.exec(ctx, `UPDATE otp_browser_codes SET code_hash = $5, issued_at = $6, attempts = $7, used_at = $8
		WHERE tenant_id = $1 AND address = $2 AND browser = $3 AND issued_at = $4`,
		c.TenantID, strings.ToLower(c.Address), c.Browser, toDB(prevIssuedAt), c.Hash, toDB(c.IssuedAt), c.Attempts,
		toDB(c.UsedAt))
	if err != nil {
		return fmt.Errorf("put passcode: %w", err)
	}
	return oneRow(res, "put passcode")
}

// insertCode adds the browser's first code for the address. ON CONFLICT
// DO NOTHING (rather than a unique violation) keeps a PostgreSQL
// transaction usable when a concurrent request inserted first; the caller
// sees store.ErrConflict.
func (db *DB) insertCode(ctx context.Context, c otp.Code) error {
	res, err := db.exec(ctx, `INSERT INTO otp_browser_codes
		(tenant_id, address, browser, code_hash, issued_at, attempts, used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (tenant_id, address, browser) DO NOTHING`,
		c.TenantID, strings.ToLower(c.Address), c.Browser, c.Hash, toDB(c.IssuedAt), c.Attempts, toDB(c.UsedAt))
	if err != nil {
		return fmt.Errorf("put passcode: %w", err)
	}
	return oneRow(res, "put passcode")
}

// AddWrongAttempt counts one wrong entry against the code issued at
// issuedAt and returns the new count; store.ErrConflict if that code is no
// longer the browser's current one.
func (db *DB) AddWrongAttempt(ctx context.Context, k otp.CodeKey, issuedAt time.Time) (int, error) {
	var n int
	err := db.queryRowWrite(ctx, `UPDATE otp_browser_codes SET attempts = attempts + 1
		WHERE tenant_id = $1 AND address = $2 AND browser = $3 AND issued_at = $4
		RETURNING attempts`, k.TenantID, strings.ToLower(k.Address), k.Browser, toDB(issuedAt)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("record wrong passcode: %w", store.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("record wrong passcode: %w", err)
	}
	return n, nil
}

// UseCode marks the code issued at issuedAt used at usedAt, if it is still
// current, unused and has fewer than maxAttempts wrong entries; otherwise
// store.ErrConflict. The condition sits in the UPDATE itself, so of
// concurrent callers exactly one succeeds.
func (db *DB) UseCode(ctx context.Context, k otp.CodeKey, issuedAt, usedAt time.Time, maxAttempts int) error {
	if usedAt.IsZero() {
		return fmt.Errorf("use passcode: usedAt: %w", errZeroTime)
	}
	res, err := db.exec(ctx, `UPDATE otp_browser_codes SET used_at = $5
		WHERE tenant_id = $1 AND address = $2 AND browser = $3 AND issued_at = $4 AND used_at = 0 AND attempts < $6`,
		k.TenantID, strings.ToLower(k.Address), k.Browser, toDB(issuedAt), toDB(usedAt), maxAttempts)
	if err != nil {
		return fmt.Errorf("use passcode: %w", err)
	}
	return oneRow(res, "use passcode")
}

// GetSends reads the client network's and the address's send counters in
// one query; a counter never written reads as zero.
func (db *DB) GetSends(ctx context.Context, tenantID, address, client string) (otp.Sends, otp.Sends, error) {
	if client == addressBudget {
		return otp.Sends{}, otp.Sends{}, fmt.Errorf("get passcode sends: %q is no client network", client)
	}
	rows, err := db.query(ctx, `SELECT client, window_start, window_count, last_at FROM otp_sends
		WHERE tenant_id = $1 AND address = $2 AND client IN ($3, $4)`,
		tenantID, strings.ToLower(address), client, addressBudget)
	if err != nil {
		return otp.Sends{}, otp.Sends{}, fmt.Errorf("get passcode sends: %w", err)
	}
	defer rows.Close()
	var fromClient, toAddress otp.Sends
	for rows.Next() {
		var (
			who           string
			start, lastAt int64
			s             otp.Sends
		)
		if err := rows.Scan(&who, &start, &s.Count, &lastAt); err != nil {
			return otp.Sends{}, otp.Sends{}, fmt.Errorf("get passcode sends: %w", err)
		}
		s.WindowStart, s.LastAt = fromDB(start), fromDB(lastAt)
		if who == addressBudget {
			toAddress = s
		} else {
			fromClient = s
		}
	}
	if err := rows.Err(); err != nil {
		return otp.Sends{}, otp.Sends{}, fmt.Errorf("get passcode sends: %w", err)
	}
	return fromClient, toAddress, nil
}

// GetSendState reads the browser's code and the address's send counters
// in one statement: one row per counter found (at most two), the code's
// columns on each, or one row of nulls where there are neither.
func (db *DB) GetSendState(ctx context.Context, k otp.CodeKey, client string) (otp.Code, bool, otp.Sends, otp.Sends, error) {
	var none otp.Sends
	if client == addressBudget {
		return otp.Code{}, false, none, none, fmt.Errorf("get passcode state: %q is no client network", client)
	}
	rows, err := db.query(ctx, `SELECT c.address, c.code_hash, c.issued_at, c.attempts, c.used_at,
			s.client, s.window_start, s.window_count, s.last_at
		FROM (SELECT 1 AS one) x
		LEFT JOIN otp_browser_codes c ON c.tenant_id = $1 AND c.address = $2 AND c.browser = $3
		LEFT JOIN otp_sends s ON s.tenant_id = $1 AND s.address = $2 AND s.client IN ($4, $5)`,
		k.TenantID, strings.ToLower(k.Address), k.Browser, client, addressBudget)
	if err != nil {
		return otp.Code{}, false, none, none, fmt.Errorf("get passcode state: %w", err)
	}
	defer rows.Close()
	var (
		c                     otp.Code
		found                 bool
		fromClient, toAddress otp.Sends
	)
	for rows.Next() {
		var (
			addr, who              sql.NullString
			hash                   []byte
			issued, attempts, used sql.NullInt64
			start, count, lastAt   sql.NullInt64
		)
		if err := rows.Scan(&addr, &hash, &issued, &attempts, &used, &who, &start, &count, &lastAt); err != nil {
			return otp.Code{}, false, none, none, fmt.Errorf("get passcode state: %w", err)
		}
		if addr.Valid {
			found = true
			c = otp.Code{TenantID: k.TenantID, Browser: k.Browser, Address: addr.String, Hash: hash,
				IssuedAt: fromDB(issued.Int64), Attempts: int(attempts.Int64), UsedAt: fromDB(used.Int64)}
		}
		if !who.Valid {
			continue
		}
		s := otp.Sends{WindowStart: fromDB(start.Int64), Count: int(count.Int64), LastAt: fromDB(lastAt.Int64)}
		if who.String == addressBudget {
			toAddress = s
		} else {
			fromClient = s
		}
	}
	if err := rows.Err(); err != nil {
		return otp.Code{}, false, none, none, fmt.Errorf("get passcode state: %w", err)
	}
	return c, found, fromClient, toAddress, nil
}

// PutClientSends writes the client network's counter: an insert when the
// caller read none (zero prevLastAt), else an update of the row whose
// last send the caller read. Either way a row that is not the one the
// caller read is store.ErrConflict, so of concurrent sends from one client
// network exactly one is counted.
func (db *DB) PutClientSends(ctx context.Context, tenantID, address, client string, s otp.Sends, prevLastAt time.Time) error {
	if client == addressBudget {
		return fmt.Errorf("put passcode sends: %q is no client network", client)
	}
	if s.WindowStart.IsZero() || s.LastAt.IsZero() {
		return fmt.Errorf("put passcode sends: %w", errZeroTime)
	}
	var (
		res sql.Result
		err error
	)
	if prevLastAt.IsZero() {
		res, err = db.exec(ctx, `INSERT INTO otp_sends (tenant_id, address, client, window_start, window_count, last_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (tenant_id, address, client) DO NOTHING`,
			tenantID, strings.ToLower(address), client, toDB(s.WindowStart), s.Count, toDB(s.LastAt))
	} else {
		res, err = db.exec(ctx, `UPDATE otp_sends SET window_start = $5, window_count = $6, last_at = $7
			WHERE tenant_id = $1 AND address = $2 AND client = $3 AND last_at = $4`,
			tenantID, strings.ToLower(address), client, toDB(prevLastAt), toDB(s.WindowStart), s.Count, toDB(s.LastAt))
	}
	if err != nil {
		return fmt.Errorf("put passcode sends: %w", err)
	}
	return oneRow(res, "put passcode sends")
}

// AddAddressSend counts one send in the address's budget row in a single
// upsert: the first inserts {now, 1}; later ones add one, unless the
// window opened at or before staleBefore, which restarts it at {now, 1}.
// The row lock of the upsert serializes concurrent senders, in any
// process, so none is lost.
func (db *DB) AddAddressSend(ctx context.Context, tenantID, address string, now, staleBefore time.Time) (otp.Sends, error) {
	if now.IsZero() {
		return otp.Sends{}, fmt.Errorf("count passcode send: now: %w", errZeroTime)
	}
	var (
		s             otp.Sends
		start, lastAt int64
	)
	err := db.queryRowWrite(ctx, `INSERT INTO otp_sends (tenant_id, address, client, window_start, window_count, last_at)
		VALUES ($1, $2, $3, $4, 1, $4)
		ON CONFLICT (tenant_id, address, client) DO UPDATE SET
			window_start = CASE WHEN otp_sends.window_start <= $5 THEN excluded.window_start ELSE otp_sends.window_start END,
			window_count = CASE WHEN otp_sends.window_start <= $5 THEN 1 ELSE otp_sends.window_count + 1 END,
			last_at = excluded.last_at
		RETURNING window_start, window_count, last_at`,
		tenantID, strings.ToLower(address), addressBudget, toDB(now), toDB(staleBefore)).Scan(&start, &s.Count, &lastAt)
	if err != nil {
		return otp.Sends{}, fmt.Errorf("count passcode send: %w", err)
	}
	s.WindowStart, s.LastAt = fromDB(start), fromDB(lastAt)
	return s, nil
}

// PurgeAddress deletes the address's codes issued before codesBefore and
// the counters of client networks idle since before sendsBefore (window
// and last send); the address's budget row is kept.
func (db *DB) PurgeAddress(ctx context.Context, tenantID, address string, codesBefore, sendsBefore time.Time) error {
	address = strings.ToLower(address)
	if _, err := db.exec(ctx, `DELETE FROM otp_browser_codes WHERE tenant_id = $1 AND address = $2 AND issued_at < $3`,
		tenantID, address, toDB(codesBefore)); err != nil {
		return fmt.Errorf("purge passcodes: %w", err)
	}
	if _, err := db.exec(ctx, `DELETE FROM otp_sends
		WHERE tenant_id = $1 AND address = $2 AND client <> $3 AND window_start < $4 AND last_at < $4`,
		tenantID, address, addressBudget, toDB(sendsBefore)); err != nil {
		return fmt.Errorf("purge passcode sends: %w", err)
	}
	return nil
}
