package bulkinvite_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

type fixture struct {
	db      *sqlstore.DB
	clock   *clock.Fake
	tenant  directory.Tenant
	admin   directory.User
	invites *invitation.Service
}

func forEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, newFixture(t, e)) })
	}
}

func newFixture(t *testing.T, e testenv.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	db := e.Open(t)
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	tn, err := directory.CreateTenant(ctx, db, directory.NewTenantRequest{Name: "Fabrikam"}, "guestgate.local", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	admin := directory.User{TenantID: tn.ID, ID: "admin-id", UserType: directory.UserTypeMember, DisplayName: "Avery Admin",
		Mail: "avery@" + tn.InitialDomain, UserPrincipalName: "avery@" + tn.InitialDomain, AccountEnabled: true, CreatedAt: c.Now()}
	if err := db.CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	return &fixture{
		db: db, clock: c, tenant: tn, admin: admin,
		invites: invitation.NewService(invitation.Config{PublicURL: "https://login.guestgate.test"},
			invitation.Deps{Directory: db, Store: db, Outbox: db, Tx: db, Clock: c, Audit: db}),
	}
}

// service is one process's Service over the fixture's database, closed
// when the test ends.
func (f *fixture) service(t *testing.T, st bulkinvite.Store, inv bulkinvite.Inviter) *bulkinvite.Service {
	return f.serviceWith(t, st, inv, nil)
}

// serviceWith is service with deps adjusted by adjust (when not nil).
func (f *fixture) serviceWith(t *testing.T, st bulkinvite.Store, inv bulkinvite.Inviter, adjust func(*bulkinvite.Deps)) *bulkinvite.Service {
	t.Helper()
	d := bulkinvite.Deps{Store: st, Tenants: f.db, Members: f.db, Invitations: inv, Tx: f.db,
		Clock: f.clock, Log: slog.New(slog.DiscardHandler)}
	if adjust != nil {
		adjust(&d)
	}
	s := bulkinvite.NewService(d)
	t.Cleanup(s.Close)
	return s
}

// rows are n guests, without invitation mail.
func rows(n int) []bulkinvite.Row {
	out := make([]bulkinvite.Row, n)
	for i := range out {
		out[i] = bulkinvite.Row{Line: i + 3, Email: fmt.Sprintf("guest%02d@partner.example", i), RedirectURL: "https://app.example/", SendEmail: "false"}
	}
	return out
}

// waitFinished polls the job until its last row has its result.
func waitFinished(t *testing.T, s *bulkinvite.Service, j bulkinvite.Job) bulkinvite.Progress {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, p, err := s.Status(context.Background(), j.TenantID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Finished() {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job is not finished: %d of %d rows done", p.Done(), got.Total)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// invitedOnce checks that each address was invited exactly once (one
// "Invite external user" audit record each) and nothing else was.
func (f *fixture) invitedOnce(t *testing.T, addrs []string) {
	t.Helper()
	recs, err := f.db.ListAudits(context.Background(), f.tenant.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range recs {
		if r.Activity != invitation.ActivityInvite {
			continue
		}
		for _, kv := range r.AdditionalDetails {
			if kv.Key == "invitedUserEmailAddress" {
				got[kv.Value]++
			}
		}
	}
	for _, a := range addrs {
		if got[a] != 1 {
			t.Errorf("%s invited %d times, want once", a, got[a])
		}
	}
	if len(got) != len(addrs) {
		t.Errorf("invited %d addresses, want %d: %v", len(got), len(addrs), got)
	}
}

// initiatedByAdmin checks that every invitation's audit record names the
// admin who uploaded the job as its initiator, as Graph's directoryAudit
// names a user (security round 2, finding 9).
func (f *fixture) initiatedByAdmin(t *testing.T) {
	t.Helper()
	recs, err := f.db.ListAudits(context.Background(), f.tenant.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := audit.Actor{UserID: f.admin.ID, UserName: f.admin.DisplayName, UserPrincipalName: f.admin.UserPrincipalName}
	n := 0
	for _, r := range recs {
		if r.Activity != invitation.ActivityInvite {
			continue
		}
		n++
		if r.InitiatedBy != want {
			t.Errorf("invitation record %s initiated by %+v, want the admin %+v", r.ID, r.InitiatedBy, want)
		}
	}
	if n == 0 {
		t.Error("no invitation records")
	}
}

func emails(rs []bulkinvite.Row) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Email
	}
	return out
}

// TestStartRecordsEveryRow: every row gets its result in line order; rows
// an admin must correct fail with their message, an unexpected failure is
// tried once more, then recorded as an internal error.
func TestStartRecordsEveryRow(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		in := rows(2)
		in = append(in,
			bulkinvite.Row{Line: 5, Email: "not-an-address", RedirectURL: "https://app.example/", SendEmail: "false"},
			bulkinvite.Row{Line: 6, Email: "kim@" + f.tenant.InitialDomain, RedirectURL: "https://app.example/", SendEmail: "false"},
			bulkinvite.Row{Line: 7, Email: "flaky@partner.example", RedirectURL: "https://app.example/", SendEmail: "false"},
			bulkinvite.Row{Line: 8, Email: "broken@partner.example", RedirectURL: "https://app.example/", SendEmail: "false"})
		inv := &faultyInviter{next: f.invites, failures: map[string]int{"flaky@partner.example": 1, "broken@partner.example": 2}}
		s := f.service(t, f.db, inv)
		j, err := s.Start(context.Background(), f.tenant, f.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if j.Total != len(in) || j.CreatedBy != f.admin.ID || j.InvitedBy != f.admin.DisplayName {
			t.Fatalf("job %+v", j)
		}
		if p := waitFinished(t, s, j); p != (bulkinvite.Progress{Succeeded: 3, Failed: 3}) {
			t.Fatalf("progress %+v, want 3 invited and 3 failed", p)
		}
		got, err := s.Results(context.Background(), f.tenant.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			state bulkinvite.RowState
			err   string
		}{{bulkinvite.RowOK, ""}, {bulkinvite.RowOK, ""}, {bulkinvite.RowFailed, "invalid:invitedUserEmailAddress: "}, {bulkinvite.RowFailed, "own_domain"},
			{bulkinvite.RowOK, ""}, {bulkinvite.RowFailed, "internal_error"}}
		for i, r := range got {
			if r.Line != in[i].Line || r.State != want[i].state || (r.State == bulkinvite.RowOK) != (r.UserID != "") ||
				len(r.Error) < len(want[i].err) || r.Error[:len(want[i].err)] != want[i].err {
				t.Errorf("row %d: %+v, want %s %q…", i, r, want[i].state, want[i].err)
			}
		}
		f.invitedOnce(t, []string{in[0].Email, in[1].Email, "flaky@partner.example"})
		f.initiatedByAdmin(t)
		if _, _, err := s.Status(context.Background(), "another-tenant", j.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant's status of the job: %v, want store.ErrNotFound", err)
		}
	})
}

// TestDeadWorkerResumedAfterItsLease: the worker's process dies in the
// middle of a row, after the row's invitation was written and before it
// committed, so that not even the lease is given up. Another process
// resumes the job once the lease ran out, and every row is invited exactly
// once.
func TestDeadWorkerResumedAfterItsLease(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		in := rows(6)
		ctx, kill := context.WithCancel(context.Background())
		dying := &dyingStore{DB: f.db}
		first := f.service(t, dying, &dyingInviter{next: f.invites, at: 3, die: func() { dying.dead.Store(true); kill() }})
		stopped := make(chan error, 1)
		go func() { stopped <- first.Run(ctx, time.Hour) }()
		j, err := first.Start(context.Background(), f.tenant, f.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		second := f.service(t, f.db, f.invites)
		got, p, err := second.Status(context.Background(), f.tenant.ID, j.ID)
		if err != nil || got.Finished() || p.Done() != 2 || got.LeaseOwner != j.LeaseOwner {
			t.Fatalf("after the death: %+v %+v %v, want 2 rows done and the lease still the dead worker's", got, p, err)
		}
		if _, err := f.db.GetUserByMail(context.Background(), f.tenant.ID, in[2].Email); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the guest of the row the worker died in: %v, want none", err)
		}
		if n, err := second.Sweep(context.Background()); n != 0 || err != nil {
			t.Fatalf("sweep while the lease runs: %d resumed, %v", n, err)
		}
		f.clock.Advance(bulkinvite.Lease)
		if n, err := second.Sweep(context.Background()); n != 1 || err != nil {
			t.Fatalf("sweep after the lease ran out: %d resumed, %v", n, err)
		}
		if p := waitFinished(t, second, j); p.Succeeded != len(in) {
			t.Fatalf("progress %+v, want every row invited", p)
		}
		f.invitedOnce(t, emails(in))
	})
}

// TestStoppedWorkerGivesTheJobUp: a process that stops gracefully gives
// its job up, and the next sweep of another process resumes it at once.
func TestStoppedWorkerGivesTheJobUp(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		in := rows(5)
		ctx, stop := context.WithCancel(context.Background())
		first := f.service(t, f.db, &dyingInviter{next: f.invites, at: 2, die: stop})
		stopped := make(chan error, 1)
		go func() { stopped <- first.Run(ctx, time.Hour) }()
		j, err := first.Start(context.Background(), f.tenant, f.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		second := f.service(t, f.db, f.invites)
		if n, err := second.Sweep(context.Background()); n != 1 || err != nil {
			t.Fatalf("sweep after a graceful stop: %d resumed, %v", n, err)
		}
		if p := waitFinished(t, second, j); p.Succeeded != len(in) {
			t.Fatalf("progress %+v, want every row invited", p)
		}
		f.invitedOnce(t, emails(in))
	})
}

// TestPurgeAfterRetention: a finished job is kept for Retention.
func TestPurgeAfterRetention(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		s := f.service(t, f.db, f.invites)
		j, err := s.Start(context.Background(), f.tenant, f.admin, rows(1))
		if err != nil {
			t.Fatal(err)
		}
		waitFinished(t, s, j)
		f.clock.Advance(bulkinvite.Retention)
		if n, err := s.Purge(context.Background()); n != 0 || err != nil {
			t.Fatalf("purge at the end of the retention: %d, %v", n, err)
		}
		f.clock.Advance(time.Second)
		if n, err := s.Purge(context.Background()); n != 1 || err != nil {
			t.Fatalf("purge after the retention: %d, %v", n, err)
		}
		if _, _, err := s.Status(context.Background(), f.tenant.ID, j.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a purged job: %v", err)
		}
	})
}

// faultyInviter fails an address's first invitations with an unexpected
// error, failures[address] times.
type faultyInviter struct {
	next     bulkinvite.Inviter
	mu       sync.Mutex
	failures map[string]int
}

func (i *faultyInviter) Invite(ctx context.Context, t directory.Tenant, req invitation.Request) (invitation.Result, error) {
	i.mu.Lock()
	fail := i.failures[req.Email] > 0
	i.failures[req.Email]--
	i.mu.Unlock()
	if fail {
		return invitation.Result{}, errors.New("the connection was reset")
	}
	return i.next.Invite(ctx, t, req)
}

// dyingInviter invites, and at its at-th invitation calls die once the
// invitation is written, then waits for the worker's context to end
// before it returns, so the row's transaction cannot commit.
type dyingInviter struct {
	next  bulkinvite.Inviter
	at    int
	die   func()
	calls atomic.Int32
}

func (i *dyingInviter) Invite(ctx context.Context, t directory.Tenant, req invitation.Request) (invitation.Result, error) {
	res, err := i.next.Invite(ctx, t, req)
	if int(i.calls.Add(1)) == i.at && err == nil {
		i.die()
		<-ctx.Done()
	}
	return res, err
}

// dyingStore is the store as seen from a process that died: once dead,
// its leases change no more (the worker does not even give its job up).
type dyingStore struct {
	*sqlstore.DB
	dead atomic.Bool
}

var errDead = errors.New("the process is dead")

func (d *dyingStore) LeaseBulkJob(ctx context.Context, tenantID, jobID, owner string, now, until time.Time) error {
	if d.dead.Load() {
		return errDead
	}
	return d.DB.LeaseBulkJob(ctx, tenantID, jobID, owner, now, until)
}
