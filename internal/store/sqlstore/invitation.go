package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/store"
)

var _ invitation.Store = (*DB)(nil)

// invitationColumns lists the invitations columns in the order scanInvitation reads them.
const invitationColumns = `tenant_id, id, user_id, email, display_name, redirect_url, send_message,
	message_language, custom_message, cc_recipients, invited_by, ticket_hash, status, created_at,
	cc_names, sponsors`

// CreateInvitation inserts inv; an id or ticket hash already used in the
// tenant is store.ErrAlreadyExists.
func (db *DB) CreateInvitation(ctx context.Context, inv invitation.Invitation) error {
	if len(inv.TicketHash) == 0 {
		return fmt.Errorf("create invitation: %w", errEmptyHash)
	}
	cc, err := jsonStrings(inv.CCRecipients)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	ccNames, err := jsonStrings(inv.CCNames)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	sponsors, err := jsonStrings(inv.Sponsors)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO invitations (`+invitationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		inv.TenantID, inv.ID, inv.UserID, inv.Email, inv.DisplayName, inv.RedirectURL, inv.SendMessage,
		inv.MessageLanguage, inv.CustomMessage, cc, inv.InvitedBy, inv.TicketHash,
		string(inv.Status), toDB(inv.CreatedAt), ccNames, sponsors)
	if err != nil {
		return uniqueOr(err, "create invitation")
	}
	return nil
}

// GetInvitation returns the tenant's invitation with that id, or store.ErrNotFound.
func (db *DB) GetInvitation(ctx context.Context, tenantID, id string) (invitation.Invitation, error) {
	row := db.queryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE tenant_id = $1 AND id = $2`,
		tenantID, id)
	inv, err := scanInvitation(row)
	if err != nil {
		return inv, notFound(err, "get invitation")
	}
	return inv, nil
}

// GetInvitationByTicket returns the tenant's invitation whose ticket hash
// is hash, or store.ErrNotFound (always for an empty hash, and for an
// invitation a newer one superseded).
func (db *DB) GetInvitationByTicket(ctx context.Context, tenantID string, hash []byte) (invitation.Invitation, error) {
	if len(hash) == 0 {
		return invitation.Invitation{}, fmt.Errorf("get invitation by ticket: %w", store.ErrNotFound)
	}
	row := db.queryRow(ctx, `SELECT `+invitationColumns+` FROM invitations
		WHERE tenant_id = $1 AND ticket_hash = $2 AND superseded_at = 0`, tenantID, hash)
	inv, err := scanInvitation(row)
	if err != nil {
		return inv, notFound(err, "get invitation by ticket")
	}
	return inv, nil
}

// SetInvitationStatus sets the status of one invitation; store.ErrNotFound
// if the tenant has no invitation with that id.
func (db *DB) SetInvitationStatus(ctx context.Context, tenantID, id string, status invitation.Status) error {
	res, err := db.exec(ctx, `UPDATE invitations SET status = $3 WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, string(status))
	if err != nil {
		return fmt.Errorf("set invitation status: %w", err)
	}
	return affectedOrNotFound(res, "set invitation status")
}

// CompleteUserInvitations marks every pending invitation of the user
// Completed. A user without pending invitations is not an error.
func (db *DB) CompleteUserInvitations(ctx context.Context, tenantID, userID string) error {
	_, err := db.exec(ctx, `UPDATE invitations SET status = $4
		WHERE tenant_id = $1 AND user_id = $2 AND status = $3`,
		tenantID, userID, string(invitation.StatusPendingAcceptance), string(invitation.StatusCompleted))
	if err != nil {
		return fmt.Errorf("complete user invitations: %w", err)
	}
	return nil
}

// SupersedeUserInvitations marks every invitation of the user not yet
// superseded as superseded at at: their redeem links no longer resolve. A
// user without invitations is not an error.
func (db *DB) SupersedeUserInvitations(ctx context.Context, tenantID, userID string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("supersede user invitations: %w", errZeroTime)
	}
	_, err := db.exec(ctx, `UPDATE invitations SET superseded_at = $3
		WHERE tenant_id = $1 AND user_id = $2 AND superseded_at = 0`, tenantID, userID, toDB(at))
	if err != nil {
		return fmt.Errorf("supersede user invitations: %w", err)
	}
	return nil
}

// scanInvitation reads one row of invitationColumns.
func scanInvitation(row interface{ Scan(...any) error }) (invitation.Invitation, error) {
	var (
		inv       invitation.Invitation
		cc        string
		ccNames   string
		sponsors  string
		status    string
		createdAt int64
	)
	err := row.Scan(&inv.TenantID, &inv.ID, &inv.UserID, &inv.Email, &inv.DisplayName, &inv.RedirectURL,
		&inv.SendMessage, &inv.MessageLanguage, &inv.CustomMessage, &cc, &inv.InvitedBy, &inv.TicketHash,
		&status, &createdAt, &ccNames, &sponsors)
	if err != nil {
		return invitation.Invitation{}, err
	}
	if inv.CCRecipients, err = stringsFromJSON(cc); err != nil {
		return invitation.Invitation{}, fmt.Errorf("cc_recipients: %w", err)
	}
	if inv.CCNames, err = stringsFromJSON(ccNames); err != nil {
		return invitation.Invitation{}, fmt.Errorf("cc_names: %w", err)
	}
	if inv.Sponsors, err = stringsFromJSON(sponsors); err != nil {
		return invitation.Invitation{}, fmt.Errorf("sponsors: %w", err)
	}
	inv.Status = invitation.Status(status)
	inv.CreatedAt = fromDB(createdAt)
	return inv, nil
}

// jsonStrings encodes a list for a JSON text column; nil is "[]".
func jsonStrings(list []string) (string, error) {
	if list == nil {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

// stringsFromJSON decodes a JSON text column written by jsonStrings; an
// empty list is nil.
func stringsFromJSON(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// errEmptyHash refuses a record whose secret hash is missing: an empty
// hash would match any lookup that also lost its secret.
var errEmptyHash = errors.New("empty secret hash")

// affectedOrNotFound checks that an update by key touched a row, else store.ErrNotFound.
func affectedOrNotFound(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
