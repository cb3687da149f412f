package audit

import "context"

// Store keeps audit records, scoped by tenant.
type Store interface {
	// AppendAudit stores r with the tenant's next sequence number and
	// returns it. It joins the transaction in ctx, so the record commits
	// with the change it describes; concurrent appends in one tenant are
	// numbered in commit order.
	AppendAudit(ctx context.Context, r Record) (int64, error)
	// ListAudits returns the tenant's records newest first: those with Seq
	// below beforeSeq (0: from the newest), at most limit (<= 0: all).
	ListAudits(ctx context.Context, tenantID string, beforeSeq int64, limit int) ([]Record, error)
	// GetAudit returns the tenant's record with that id, or store.ErrNotFound.
	GetAudit(ctx context.Context, tenantID, id string) (Record, error)
	// QueryAudits returns one page of the tenant's records that q selects.
	QueryAudits(ctx context.Context, tenantID string, q Query) ([]Record, error)
}
