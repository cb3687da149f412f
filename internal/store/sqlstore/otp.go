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

// GetCode returns the address's code row in the tenant (address compared
// in lower case), or store.ErrNotFound.
func (db *DB) GetCode(ctx context.Context, tenantID, address string) (otp.Code, error) {
	c := otp.Code{TenantID: tenantID}
	var issuedAt, usedAt, windowStart int64
	err := db.queryRow(ctx, `SELECT address, code_hash, issued_at, attempts, used_at, window_start, window_count
		FROM otp_codes WHERE tenant_id = $1 AND address = $2`, tenantID, strings.ToLower(address)).
		Scan(&c.Address, &c.Hash, &issuedAt, &c.Attempts, &usedAt, &windowStart, &c.WindowCount)
	if err != nil {
		return otp.Code{}, notFound(err, "get passcode")
	}
	c.IssuedAt, c.UsedAt, c.WindowStart = fromDB(issuedAt), fromDB(usedAt), fromDB(windowStart)
	return c, nil
}

// PutCode writes c as the address's code. With a zero prevIssuedAt it
// inserts the first row, else it replaces the row issued at prevIssuedAt.
// Either way a row that is not the one the caller read is store.ErrConflict.
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
	res, err := db.exec(ctx, `UPDATE otp_codes SET code_hash = $4, issued_at = $5, attempts = $6, used_at = $7,
		window_start = $8, window_count = $9
		WHERE tenant_id = $1 AND address = $2 AND issued_at = $3`,
		c.TenantID, strings.ToLower(c.Address), toDB(prevIssuedAt), c.Hash, toDB(c.IssuedAt), c.Attempts,
		toDB(c.UsedAt), toDB(c.WindowStart), c.WindowCount)
	if err != nil {
		return fmt.Errorf("put passcode: %w", err)
	}
	return oneRow(res, "put passcode")
}

// insertCode adds the address's first code. ON CONFLICT DO NOTHING (rather
// than a unique violation) keeps a PostgreSQL transaction usable when a
// concurrent request inserted first; the caller sees store.ErrConflict.
func (db *DB) insertCode(ctx context.Context, c otp.Code) error {
	res, err := db.exec(ctx, `INSERT INTO otp_codes
		(tenant_id, address, code_hash, issued_at, attempts, used_at, window_start, window_count)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id, address) DO NOTHING`,
		c.TenantID, strings.ToLower(c.Address), c.Hash, toDB(c.IssuedAt), c.Attempts, toDB(c.UsedAt),
		toDB(c.WindowStart), c.WindowCount)
	if err != nil {
		return fmt.Errorf("put passcode: %w", err)
	}
	return oneRow(res, "put passcode")
}

// AddWrongAttempt counts one wrong entry against the code issued at
// issuedAt and returns the new count; store.ErrConflict if that code is no
// longer the address's current one.
func (db *DB) AddWrongAttempt(ctx context.Context, tenantID, address string, issuedAt time.Time) (int, error) {
	var n int
	err := db.queryRowWrite(ctx, `UPDATE otp_codes SET attempts = attempts + 1
		WHERE tenant_id = $1 AND address = $2 AND issued_at = $3
		RETURNING attempts`, tenantID, strings.ToLower(address), toDB(issuedAt)).Scan(&n)
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
func (db *DB) UseCode(ctx context.Context, tenantID, address string, issuedAt, usedAt time.Time, maxAttempts int) error {
	if usedAt.IsZero() {
		return fmt.Errorf("use passcode: usedAt: %w", errZeroTime)
	}
	res, err := db.exec(ctx, `UPDATE otp_codes SET used_at = $4
		WHERE tenant_id = $1 AND address = $2 AND issued_at = $3 AND used_at = 0 AND attempts < $5`,
		tenantID, strings.ToLower(address), toDB(issuedAt), toDB(usedAt), maxAttempts)
	if err != nil {
		return fmt.Errorf("use passcode: %w", err)
	}
	return oneRow(res, "use passcode")
}
