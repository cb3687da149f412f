package signin_test

import (
	"context"
	"errors"
	"github.com/google/uuid"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

const (
	publicURL    = "https://id.guestgate.example"
	goodPassword = "tulip-Quarry-2026"
	clientAddr   = "192.0.2.1"
)

// cheap are fast argon2id parameters, as member's own tests use.
var cheap = member.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// fixture is the real sign-in service over a fresh store, with two
// managed tenants: Fabrikam invites guests (it verified fabrikam.example)
// and Contoso is a possible home tenant (it verified contoso.example).
type fixture struct {
	db          *sqlstore.DB
	clock       *clock.Fake
	svc         *signin.Service
	otp         *otp.Service
	sessions    *session.Service
	invitations *invitation.Service
	policies    *policy.Service
	members     *member.Service
	feds        *federation.Service
	assignments *assignment.Service
	bridge      *fakeBridge
	signUps     *fakeSignUps

	fabrikam, contoso directory.Tenant

	mu    sync.Mutex
	codes map[string]string // the last passcode mailed, by tenant id and address
	// calls lists the directory and policy reads the service made, in order.
	calls []string
	// movedDomains makes the service's directory name another tenant as
	// the one that verified a domain (moveDomain).
	movedDomains map[string]directory.Tenant
}

// traced records the service's directory and policy reads in f.calls, so
// a test can compare the work two paths do.
type traced struct {
	directory.Store
	signin.Policies
	f *fixture
}

func (t traced) note(name, arg string) {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	t.f.calls = append(t.f.calls, name+" "+arg)
}

func (t traced) GetTenant(ctx context.Context, id string) (directory.Tenant, error) {
	t.note("GetTenant", id)
	return t.Store.GetTenant(ctx, id)
}

func (t traced) GetTenantByDomain(ctx context.Context, domain string) (directory.Tenant, error) {
	t.note("GetTenantByDomain", domain)
	t.f.mu.Lock()
	moved, ok := t.f.movedDomains[domain]
	t.f.mu.Unlock()
	if ok {
		return moved, nil
	}
	return t.Store.GetTenantByDomain(ctx, domain)
}

// moveDomain makes tn the tenant that verified domain, as the service's
// directory sees it from now on.
func (f *fixture) moveDomain(domain string, tn directory.Tenant) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.movedDomains == nil {
		f.movedDomains = map[string]directory.Tenant{}
	}
	f.movedDomains[domain] = tn
}

func (t traced) GetUser(ctx context.Context, tenantID, id string) (directory.User, error) {
	t.note("GetUser", tenantID)
	return t.Store.GetUser(ctx, tenantID, id)
}

func (t traced) GetUserByMail(ctx context.Context, tenantID, mail string) (directory.User, error) {
	t.note("GetUserByMail", tenantID)
	return t.Store.GetUserByMail(ctx, tenantID, mail)
}

func (t traced) Effective(ctx context.Context, tn directory.Tenant) (policy.Effective, error) {
	t.note("Effective", tn.ID)
	return t.Policies.Effective(ctx, tn)
}

func (t traced) Redemption(ctx context.Context, tenantID string) (policy.RedemptionConfig, error) {
	t.note("Redemption", tenantID)
	return t.Policies.Redemption(ctx, tenantID)
}

// takeCalls returns the reads made since the last call and forgets them.
func (f *fixture) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func newFixture(t *testing.T, e testenv.Engine, limits ...ratelimit.Limits) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: c, codes: map[string]string{}}
	f.fabrikam = f.tenant(t, "Fabrikam", "fabrikam.example")
	f.contoso = f.tenant(t, "Contoso", "contoso.example")

	hasher, err := otp.NewHasher([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	if f.otp, err = otp.NewService(db, db, hasher, c, otp.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	f.sessions = session.NewService(db, c, 0)
	f.invitations = invitation.NewService(
		invitation.Config{PublicURL: publicURL},
		invitation.Deps{Directory: db, Store: db, Outbox: db, Tx: db, Clock: c, Audit: db, Sessions: db, Roles: db},
	)
	f.policies = policy.NewService(policy.Deps{Store: db, Audit: db, Tx: db, Clock: c})
	if f.members, err = member.NewService(member.Deps{
		Directory: db, Store: db, Tx: db, Clock: c, Audit: db, Sessions: db, Roles: db, Params: cheap, Log: log,
	}); err != nil {
		t.Fatal(err)
	}
	if f.feds, err = federation.NewService(
		federation.Config{PublicURL: publicURL, Key: []byte("federation-key-0123456789abcdef-0123")},
		federation.Deps{Store: db, Directory: db, Audit: db, Tx: db, Clock: c, Log: log}); err != nil {
		t.Fatal(err)
	}
	f.assignments = assignment.NewService(assignment.Deps{Store: db, Directory: db, Groups: db, Tx: db, Audit: db, Clock: c})
	f.bridge = &fakeBridge{db: db}
	f.signUps = &fakeSignUps{}
	tr := traced{Store: db, Policies: f.policies, f: f}
	deps := signin.Deps{
		Directory: tr, Invitations: f.invitations, OTP: f.otp, Sessions: f.sessions,
		Policies: tr, Members: f.members, Accounts: f.members, SignUps: f.signUps, Federations: f.feds,
		ComposePasscode: f.composePasscode, Outbox: db, SignInLog: db,
		Login: f.bridge, Assignments: f.assignments, Tx: db, Clock: c, Log: log,
	}
	if len(limits) > 0 {
		deps.Limiter, deps.Limits = ratelimit.New(db, c), limits[0]
	}
	if f.svc, err = signin.New(
		signin.Config{PublicURL: publicURL + "/", Key: []byte("signin-key-0123456789abcdef-0123456789")},
		deps); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) tenant(t *testing.T, name string, domains ...string) directory.Tenant {
	t.Helper()
	tn, err := directory.NewTenant(directory.NewTenantRequest{Name: name, Domains: domains}, "guestgate.local", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateTenant(context.Background(), tn); err != nil {
		t.Fatal(err)
	}
	return tn
}

// composePasscode keeps the code for the test and renders the real mail.
func (f *fixture) composePasscode(_ context.Context, t directory.Tenant, addr, code string, validity time.Duration, lang string) (mail.Message, error) {
	f.mu.Lock()
	f.codes[t.ID+"/"+addr] = code
	f.mu.Unlock()
	return mail.RenderPasscode(mail.PasscodeMail{
		CreatedAt: f.clock.Now(), Language: lang, TenantID: t.ID, TenantName: t.DisplayName,
		To: addr, Code: code, Validity: validity,
	})
}

func (f *fixture) code(t *testing.T, tn directory.Tenant, addr string) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.codes[tn.ID+"/"+addr]
	if !ok {
		t.Fatalf("no passcode was mailed to %s at %s", addr, tn.DisplayName)
	}
	return c
}

// invite makes addr a pending guest of tn (no mail).
func (f *fixture) invite(t *testing.T, tn directory.Tenant, addr string) invitation.Result {
	t.Helper()
	res, err := f.invitations.Invite(context.Background(), tn, invitation.Request{Email: addr, RedirectURL: "https://apps.fabrikam.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if res.User.ExternalUserState != directory.StatePendingAcceptance {
		t.Fatalf("invited guest = %+v, want PendingAcceptance", res.User)
	}
	return res
}

// member makes addr a member of tn with goodPassword.
// legacyGuest inserts a pending guest of tn straight into the directory,
// as an invitation made before inviting one's own verified domains was
// refused would have left it.
func (f *fixture) legacyGuest(t *testing.T, tn directory.Tenant, addr string) directory.User {
	t.Helper()
	now := f.clock.Now()
	u := directory.User{
		TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: addr,
		Mail: addr, UserPrincipalName: directory.GuestUserPrincipalName(addr, tn.InitialDomain),
		CreationType: "Invitation", AccountEnabled: true,
		ExternalUserState: directory.StatePendingAcceptance, ExternalUserStateChangedAt: now, CreatedAt: now,
	}
	if err := f.db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) member(t *testing.T, tn directory.Tenant, addr string) directory.User {
	t.Helper()
	u, err := f.members.CreateMember(context.Background(), tn, member.NewMember{
		UserPrincipalName: addr, DisplayName: "Kim Akers", Password: goodPassword, AccountEnabled: true,
	}, audit.CLI)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) user(t *testing.T, tn directory.Tenant, id string) directory.User {
	t.Helper()
	u, err := f.db.GetUser(context.Background(), tn.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// userSessions lists every session the store holds for the user.
func (f *fixture) userSessions(t *testing.T, tn directory.Tenant, userID string) []session.Session {
	t.Helper()
	ss, err := f.db.ListSessions(context.Background(), tn.ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func (f *fixture) begin(t *testing.T, tn directory.Tenant, addr string) signin.Route {
	t.Helper()
	r, err := f.svc.Begin(context.Background(), tn, addr)
	if err != nil {
		t.Fatalf("Begin(%s) = %v", addr, err)
	}
	return r
}

// send asks for a passcode on route r and returns the code mailed.
func (f *fixture) send(t *testing.T, r signin.Route) string {
	t.Helper()
	if err := f.svc.SendCode(context.Background(), r, "en"); err != nil {
		t.Fatalf("SendCode = %v", err)
	}
	return f.code(t, r.Tenant, r.User.Mail)
}

// consent runs Begin, Send code and the code for a pending guest and
// returns the consent proof.
func (f *fixture) consent(t *testing.T, tn directory.Tenant, addr string, next signin.Continuation) *signin.Consent {
	t.Helper()
	r := f.begin(t, tn, addr)
	res, err := f.svc.VerifyCode(context.Background(), r, f.send(t, r), next)
	if err != nil {
		t.Fatalf("VerifyCode = %v", err)
	}
	if res.Consent == nil {
		t.Fatalf("first redemption = %+v, want a consent proof", res)
	}
	return res.Consent
}

// redeem makes addr an Accepted passcode guest of tn and returns it.
func (f *fixture) redeem(t *testing.T, tn directory.Tenant, addr string) (directory.User, signin.Result) {
	t.Helper()
	inv := f.invite(t, tn, addr)
	c := f.consent(t, tn, addr, signin.Continuation{})
	res, err := f.svc.Accept(context.Background(), tn, c.Proof)
	if err != nil {
		t.Fatalf("Accept = %v", err)
	}
	// The next Send code must not be throttled (one send a minute, R3).
	f.clock.Advance(61 * time.Second)
	return f.user(t, tn, inv.User.ID), res
}

func (f *fixture) setPasscodes(t *testing.T, tn directory.Tenant, allow policy.AllowExternal) {
	t.Helper()
	if _, err := f.policies.Update(context.Background(), tn, policy.Patch{AllowExternal: &allow}, audit.CLI); err != nil {
		t.Fatal(err)
	}
}

// codeUsable reports whether a passcode would still be accepted (it is
// then used up by the check).
func (f *fixture) codeUsable(tn directory.Tenant, addr, code string) error {
	return f.otp.Verify(context.Background(), tn.ID, addr, code, func(context.Context) error { return nil })
}

// handoffToken is the sealed hand-off in a StartHomeTenant URL.
func handoffToken(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	tok := u.Query().Get("handoff")
	if tok == "" {
		t.Fatalf("hand-off URL %q carries no hand-off", raw)
	}
	return tok
}

// fakeBridge stands in for the OpenID Connect provider: it records the
// requests completed and failed, and fails Complete when told to.
type fakeBridge struct {
	db *sqlstore.DB

	mu           sync.Mutex
	failComplete error
	completed    []bridgeCall
	failed       []bridgeCall
	// apps names the app (client id) of a request id; others have none.
	apps map[string]string
}

// forApp makes request id a request of the app appID.
func (b *fakeBridge) forApp(id, appID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.apps == nil {
		b.apps = map[string]string{}
	}
	b.apps[id] = appID
}

type bridgeCall struct {
	TenantID, ID, UserID, Code string
	// InTx: the session was visible through Complete's context, so
	// Complete ran in the transaction that wrote it (or after its commit).
	InTx bool
}

var errBridge = errors.New("bridge: the authorization request is gone")

// failCompletes makes every Complete fail with err (nil: succeed again).
func (b *fakeBridge) failCompletes(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failComplete = err
}

func (b *fakeBridge) AuthRequest(_ context.Context, _, id string) (signin.AuthRequest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return signin.AuthRequest{AppID: b.apps[id], AppName: "Woodgrove " + id}, nil
}

func (b *fakeBridge) Complete(ctx context.Context, tenantID, id string, s session.Session) (string, error) {
	_, err := b.db.GetSession(ctx, tenantID, s.IDHash)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failComplete != nil {
		return "", b.failComplete
	}
	b.completed = append(b.completed, bridgeCall{TenantID: tenantID, ID: id, UserID: s.UserID, InTx: err == nil})
	return "https://app.example/callback?code=for-" + id, nil
}

func (b *fakeBridge) Fail(_ context.Context, tenantID, id, code string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failed = append(b.failed, bridgeCall{TenantID: tenantID, ID: id, Code: code})
	return "https://app.example/callback?error=" + code, nil
}

func (b *fakeBridge) calls() (completed, failed []bridgeCall) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bridgeCall(nil), b.completed...), append([]bridgeCall(nil), b.failed...)
}

// fakeSignUps says every app offers sign-up once on is set (R13), to any domain.
type fakeSignUps struct {
	mu sync.Mutex
	on bool
}

func (s *fakeSignUps) enable() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = true
}

func (s *fakeSignUps) AppSignUp(context.Context, string, string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.on, nil
}

func (s *fakeSignUps) SignUpDomains(context.Context, string) ([]string, error) { return nil, nil }
