package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// groupsShape is what -groups and -guest-groups ask for: the bench tenant
// holds the padding users itself (not tenants of 1 000) and n security
// groups, each with membersPerGroup padding users; each pool guest is in
// perGuest of them. With perGuest > 0 the bench app requires assignment,
// admits group 0 (every pool guest is in it) with an app role, and asks
// for the groups claim: the sign-in reads the assignment and the claims
// through the guest's groups. With perGuest 0 the app is as without groups.
type groupsShape struct {
	n, perGuest int
}

const membersPerGroup = 100

// benchRole is the app role the bench app defines and group 0 holds.
const benchRole = "Bench.Reader"

// seedGroups stores the groups, their padding members and the pool
// guests' memberships in tn (users are those already seeded), then sets
// the app up as groupsShape says.
func seedGroups(ctx context.Context, srv *server.Server, tn directory.Tenant, appID string, pool int, gs groupsShape) error {
	if gs.n == 0 {
		return nil
	}
	if gs.perGuest > gs.n {
		return fmt.Errorf("seed groups: -guest-groups %d exceeds -groups %d", gs.perGuest, gs.n)
	}
	db := srv.DB()
	now := time.Now().UTC()
	ids := make([]string, gs.n)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	padding, err := userIDs(ctx, db, tn.ID, pool, gs.n*membersPerGroup)
	if err != nil {
		return err
	}
	for from := 0; from < gs.n; from += 100 {
		err := db.InTx(ctx, func(ctx context.Context) error {
			for g := from; g < min(from+100, gs.n); g++ {
				if err := db.CreateGroup(ctx, groups.Group{TenantID: tn.ID, ID: ids[g], DisplayName: fmt.Sprintf("Bench group %05d", g),
					MailNickname: fmt.Sprintf("bench%05d", g), CreatedAt: now}); err != nil {
					return err
				}
				for k := 0; k < membersPerGroup && len(padding) > 0; k++ {
					m := groups.Member{TenantID: tn.ID, GroupID: ids[g], MemberID: padding[(g*membersPerGroup+k)%len(padding)], MemberType: groups.MemberUser, CreatedAt: now}
					if err := db.AddGroupMember(ctx, m); err != nil && !isExists(err) {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed groups: %w", err)
		}
	}
	if gs.perGuest == 0 {
		return nil
	}
	if err := seedGuestMemberships(ctx, srv, tn, ids, pool, gs.perGuest, now); err != nil {
		return err
	}
	return assignGroupZero(ctx, srv, tn, appID, ids[0])
}

// seedGuestMemberships puts pool guest i in group 0 and perGuest-1 others
// spread over the rest, so every guest is in perGuest groups.
func seedGuestMemberships(ctx context.Context, srv *server.Server, tn directory.Tenant, ids []string, pool, perGuest int, now time.Time) error {
	db := srv.DB()
	for from := 0; from < pool; from += 200 {
		err := db.InTx(ctx, func(ctx context.Context) error {
			for i := from; i < min(from+200, pool); i++ {
				u, err := db.GetUserByMail(ctx, tn.ID, poolAddress(i))
				if err != nil {
					return fmt.Errorf("pool guest %d: %w", i, err)
				}
				for j := 0; j < perGuest; j++ {
					g := 0
					if j > 0 {
						g = 1 + (i*(perGuest-1)+j-1)%(len(ids)-1)
					}
					m := groups.Member{TenantID: tn.ID, GroupID: ids[g], MemberID: u.ID, MemberType: groups.MemberUser, CreatedAt: now}
					if err := db.AddGroupMember(ctx, m); err != nil && !isExists(err) {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed memberships: %w", err)
		}
	}
	return nil
}

// assignGroupZero makes the app require assignment, gives it one app role
// held by group 0 and asks for the groups claim.
func assignGroupZero(ctx context.Context, srv *server.Server, tn directory.Tenant, appID, groupID string) error {
	ops, err := srv.Base().Assignments()
	if err != nil {
		return err
	}
	role := assignment.AppRole{ID: uuid.NewString(), Value: benchRole, DisplayName: "Bench reader", Description: "Reads the bench app",
		AllowedMemberTypes: []string{"User"}, IsEnabled: true}
	if _, err := ops.SetAppRoles(ctx, tn, appID, []assignment.AppRole{role}); err != nil {
		return fmt.Errorf("seed: app roles: %w", err)
	}
	if _, err := ops.SetGroupClaims(ctx, tn, appID, "SecurityGroup"); err != nil {
		return fmt.Errorf("seed: groups claim: %w", err)
	}
	if _, err := ops.Assign(ctx, tn, appID, groupID, benchRole); err != nil {
		return fmt.Errorf("seed: assign group: %w", err)
	}
	if _, err := ops.SetAssignmentRequired(ctx, tn, appID, true); err != nil {
		return fmt.Errorf("seed: assignment required: %w", err)
	}
	return nil
}

func isExists(err error) bool { return errors.Is(err, store.ErrAlreadyExists) }

// userIDs returns up to want ids of tn's users that are not pool guests
// (the padding users), paging through the directory by id.
func userIDs(ctx context.Context, db *sqlstore.DB, tenantID string, pool, want int) ([]string, error) {
	var ids []string
	after := ""
	for len(ids) < want {
		page, err := db.ListUsers(ctx, tenantID, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("seed groups: users: %w", err)
		}
		for _, u := range page {
			if !strings.HasPrefix(u.Mail, "guest") && len(ids) < want {
				ids = append(ids, u.ID)
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	return ids, nil
}

// seedGroupsSQL stores what seedGroups does, in PostgreSQL by
// INSERT … SELECT: the server builds the rows, so 10 000 groups with a
// million members and 50 groups for each of tens of thousands of pool
// guests take seconds. Groups are numbered by mailNickname (bench00000 is
// group 0), padding users by id, pool guests by address.
func seedGroupsSQL(ctx context.Context, srv *server.Server, dsn string, tn directory.Tenant, appID string, gs groupsShape) error {
	if gs.perGuest > gs.n {
		return fmt.Errorf("seed groups: -guest-groups %d exceeds -groups %d", gs.perGuest, gs.n)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("seed groups: %w", err)
	}
	defer db.Close()
	now := time.Now().UnixMicro()
	steps := []struct {
		what string
		q    string
		args []any
	}{
		{"groups", seedGroupsQuery, []any{tn.ID, now, gs.n}},
		{"members", seedGroupMembersQuery, []any{tn.ID, now, membersPerGroup}},
	}
	if gs.perGuest > 0 {
		steps = append(steps, struct {
			what string
			q    string
			args []any
		}{"pool guests' memberships", seedGuestGroupsQuery, []any{tn.ID, now, gs.perGuest, gs.n}})
	}
	for _, s := range steps {
		if _, err := db.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("seed groups: %s: %w", s.what, err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE directory_groups; ANALYZE group_members"); err != nil {
		return fmt.Errorf("seed groups: analyze: %w", err)
	}
	if gs.perGuest == 0 {
		return nil
	}
	var first string
	if err := db.QueryRowContext(ctx, `SELECT id FROM directory_groups WHERE tenant_id = $1 AND mail_nickname = 'bench00000'`, tn.ID).Scan(&first); err != nil {
		return fmt.Errorf("seed groups: group 0: %w", err)
	}
	return assignGroupZero(ctx, srv, tn, appID, first)
}

const seedGroupsQuery = `
INSERT INTO directory_groups (tenant_id, id, display_name, description, mail_nickname, created_at, deleted_at)
SELECT $1, gen_random_uuid()::text, 'Bench group ' || lpad(g::text, 5, '0'), '', 'bench' || lpad(g::text, 5, '0'), $2::bigint, 0
FROM generate_series(0, $3::int - 1) AS g`

// seedGroupMembersQuery gives group k the padding users k·$3 … k·$3+$3-1.
const seedGroupMembersQuery = `
INSERT INTO group_members (tenant_id, group_id, member_id, member_type, created_at)
SELECT $1, g.id, u.id, 'user', $2::bigint
FROM (SELECT id, row_number() OVER (ORDER BY mail_nickname) - 1 AS k FROM directory_groups WHERE tenant_id = $1) AS g
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE tenant_id = $1 AND mail NOT LIKE 'guest%') AS u
	ON u.n / $3::int = g.k`

// seedGuestGroupsQuery puts pool guest i in group 0 and in $3-1 others
// spread over the rest, as seedGuestMemberships does.
const seedGuestGroupsQuery = `
INSERT INTO group_members (tenant_id, group_id, member_id, member_type, created_at)
SELECT $1, g.id, u.id, 'user', $2::bigint
FROM (SELECT id, row_number() OVER (ORDER BY mail) - 1 AS i FROM users WHERE tenant_id = $1 AND mail LIKE 'guest%') AS u
CROSS JOIN generate_series(0, $3::int - 1) AS j
JOIN (SELECT id, row_number() OVER (ORDER BY mail_nickname) - 1 AS k FROM directory_groups WHERE tenant_id = $1) AS g
	ON g.k = CASE WHEN j = 0 THEN 0 ELSE 1 + (u.i * ($3::int - 1) + j - 1) % ($4::int - 1) END`
