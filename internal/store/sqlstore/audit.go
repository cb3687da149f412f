package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
)

var _ audit.Store = (*DB)(nil)

// auditColumns lists the directory_audits columns in the order scanAudit reads them.
const auditColumns = `tenant_id, seq, id, category, correlation_id, result, result_reason, activity,
	activity_at, logged_by_service, operation_type, initiated_by, targets, additional_details`

// auditJSON is how the nested parts of a record are kept (JSON text columns).
type (
	auditActor struct {
		AppID, AppName, UserID, UserName, UserPrincipalName string `json:",omitempty"`
	}
	auditTarget struct {
		ID, DisplayName, Type, UserPrincipalName string `json:",omitempty"`
		Modified                                 []audit.Change
	}
)

// AppendAudit stores r with the tenant's next sequence number, in the
// transaction in ctx (or its own). The number comes from an upsert on the
// tenant's counter row, which holds that row until commit: a tenant's
// appends are numbered in commit order.
func (db *DB) AppendAudit(ctx context.Context, r audit.Record) (int64, error) {
	var seq int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		err := db.queryRowWrite(ctx, `INSERT INTO audit_sequences (tenant_id, last_seq) VALUES ($1, 1)
			ON CONFLICT (tenant_id) DO UPDATE SET last_seq = audit_sequences.last_seq + 1
			RETURNING last_seq`, r.TenantID).Scan(&seq)
		if err != nil {
			return fmt.Errorf("append audit: next sequence: %w", err)
		}
		actor, targets, details, err := encodeAudit(r)
		if err != nil {
			return fmt.Errorf("append audit: %w", err)
		}
		_, err = db.exec(ctx, `INSERT INTO directory_audits (`+auditColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			r.TenantID, seq, r.ID, r.Category, r.CorrelationID, r.Result, r.ResultReason, r.Activity,
			toDB(r.ActivityAt), r.LoggedByService, r.OperationType, actor, targets, details)
		if err != nil {
			return uniqueOr(err, "append audit")
		}
		return nil
	})
	return seq, err
}

// ListAudits returns the tenant's records newest first, those with seq
// below beforeSeq (0: from the newest), at most limit (<= 0: all).
func (db *DB) ListAudits(ctx context.Context, tenantID string, beforeSeq int64, limit int) ([]audit.Record, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1<<63 - 1
	}
	rows, err := db.query(ctx, `SELECT `+auditColumns+` FROM directory_audits
		WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, tenantID, beforeSeq, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list audits: %w", err)
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("list audits: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audits: %w", err)
	}
	return out, nil
}

func encodeAudit(r audit.Record) (actor, targets, details string, err error) {
	a := r.InitiatedBy
	b, err := json.Marshal(auditActor{a.AppID, a.AppName, a.UserID, a.UserName, a.UserPrincipalName})
	if err != nil {
		return "", "", "", fmt.Errorf("encode actor: %w", err)
	}
	actor = string(b)
	ts := make([]auditTarget, 0, len(r.Targets))
	for _, t := range r.Targets {
		ts = append(ts, auditTarget{t.ID, t.DisplayName, t.Type, t.UserPrincipalName, t.Modified})
	}
	if b, err = json.Marshal(ts); err != nil {
		return "", "", "", fmt.Errorf("encode targets: %w", err)
	}
	targets = string(b)
	kv := r.AdditionalDetails
	if kv == nil {
		kv = []audit.KeyValue{}
	}
	if b, err = json.Marshal(kv); err != nil {
		return "", "", "", fmt.Errorf("encode details: %w", err)
	}
	return actor, targets, string(b), nil
}

// scanAudit reads one row of auditColumns.
func scanAudit(row interface{ Scan(...any) error }) (audit.Record, error) {
	var (
		r                       audit.Record
		at                      int64
		actor, targets, details string
		a                       auditActor
		ts                      []auditTarget
	)
	err := row.Scan(&r.TenantID, &r.Seq, &r.ID, &r.Category, &r.CorrelationID, &r.Result, &r.ResultReason,
		&r.Activity, &at, &r.LoggedByService, &r.OperationType, &actor, &targets, &details)
	if err != nil {
		return r, err
	}
	r.ActivityAt = fromDB(at)
	if err := json.Unmarshal([]byte(actor), &a); err != nil {
		return r, fmt.Errorf("decode actor: %w", err)
	}
	r.InitiatedBy = audit.Actor{AppID: a.AppID, AppName: a.AppName, UserID: a.UserID, UserName: a.UserName, UserPrincipalName: a.UserPrincipalName}
	if err := json.Unmarshal([]byte(targets), &ts); err != nil {
		return r, fmt.Errorf("decode targets: %w", err)
	}
	for _, t := range ts {
		r.Targets = append(r.Targets, audit.Target{ID: t.ID, DisplayName: t.DisplayName, Type: t.Type, UserPrincipalName: t.UserPrincipalName, Modified: t.Modified})
	}
	if err := json.Unmarshal([]byte(details), &r.AdditionalDetails); err != nil {
		return r, fmt.Errorf("decode details: %w", err)
	}
	if len(r.AdditionalDetails) == 0 {
		r.AdditionalDetails = nil
	}
	return r, nil
}

// GetAudit returns the tenant's record with that id, or store.ErrNotFound.
func (db *DB) GetAudit(ctx context.Context, tenantID, id string) (audit.Record, error) {
	r, err := scanAudit(db.queryRow(ctx, `SELECT `+auditColumns+` FROM directory_audits
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return r, notFound(err, "get audit")
	}
	return r, nil
}
