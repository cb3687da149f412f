package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/console"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/web"
)

// Options are what a process supplies beyond its configuration.
type Options struct {
	Logger *slog.Logger
	Clock  clock.Clock // default clock.Real
	// Listener, if set, is served instead of listening on Config.Listen (tests).
	Listener net.Listener
	// MetricsListener, if set, serves /metrics instead of listening on
	// Config.MetricsListen (tests); the public listener then does not.
	MetricsListener net.Listener
	// PublicURLGiven says Config.PublicURL was set explicitly (flag or
	// variable). Without it, admin commands use the public URL serve
	// stored, and refuse to build links when there is none.
	PublicURLGiven bool
	// BulkSweepInterval, if set, replaces bulkinvite.SweepInterval (tests
	// that move a fake clock past a waiting bulk invitation).
	BulkSweepInterval time.Duration
}

// Server is one guestgate process.
type Server struct {
	cfg     Config
	log     *slog.Logger
	clock   clock.Clock
	db      *sqlstore.DB
	tenants *tenantCache

	invitations *invitation.Service
	// publicURLUnknown: an admin process found no public URL; commands
	// that build links refuse (ErrPublicURLUnknown) rather than guess.
	publicURLUnknown bool
	// secretMissing: an admin process runs without the deployment secret
	// (nothing it seals could be opened by serve).
	secretMissing bool
	policies      *policy.Service
	members       *member.Service
	lifecycle     *lifecycle.Service
	bulk          *bulkinvite.Service
	bulkSweep     time.Duration // how often bulk invitations are swept
	roles         *roles.Service
	collab        *collab.Service
	federations   *federation.Service
	branding      *branding.Service
	limiter       *ratelimit.Limiter
	oidc          *oidc.Provider
	oidcSessions  *sessionEnder
	oidcAccess    *accessChecker
	web           *web.Handler
	tenantPages   http.Handler // s.web.Tenant(), built once by routes
	// smtpCheck is the outcome of serve's SMTP check at start ("passed",
	// "failed"; "" when not run), for the start line.
	smtpCheck      string
	console        *console.Handler
	api            *graph.API
	sender         mail.Sender
	devMailbox     *mail.DevMailbox // the sender and the mailbox page with --dev-mailbox
	metrics        *metrics.Metrics
	metricsHandler http.Handler // /metrics
	handler        http.Handler
	listener       net.Listener
	// metricsListener serves /metrics apart from the public listener
	// (Options.MetricsListener); nil with Config.MetricsListen means Run
	// listens there.
	metricsListener net.Listener
}

// Open opens the store (migrating it), builds every service and the HTTP
// handler; nothing listens or sends until Run.
func Open(ctx context.Context, cfg Config, opts Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s, err := open(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	if s.sender, err = s.newSender(); err != nil {
		s.db.Close()
		return nil, err
	}
	// The admin CLI builds links with the URL the deployment serves on.
	if err := s.db.SetDeploymentSetting(ctx, sqlstore.SettingPublicURL, cfg.PublicURL, s.clock.Now()); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("record the public URL: %w", err)
	}
	return s, nil
}

// OpenAdmin opens the store and the services one-shot admin commands use
// (tenant, app, invite); it needs no secret or mail server and serves
// nothing (mail it causes waits in the outbox for a serving process).
//
// Without the secret (most admin commands need none), the OpenID provider
// is opened for administration only: it creates no signing key and stores
// no subject salt, and RotateKeys refuses, as signing keys are sealed with
// the secret. A secret that is set must be valid.
func OpenAdmin(ctx context.Context, cfg Config, opts Options) (*Server, error) {
	if len(cfg.Secrets()) == 0 {
		// A placeholder keeps the shared wiring simple; passcodes, cookies,
		// codes and keys are never made with it.
		cfg.Secret = "admin-commands-use-no-secret-000000"
		cfg.adminOnly = true
	} else if err := checkSecrets(cfg.Secrets()); err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, opts, sqlstore.Options{})
	if err != nil {
		return nil, err
	}
	st.secretMissing = cfg.Secret == "admin-commands-use-no-secret-000000"
	if !opts.PublicURLGiven {
		stored, err := st.db.GetDeploymentSetting(ctx, sqlstore.SettingPublicURL)
		switch {
		case err == nil:
			st.cfg.PublicURL = stored
		case errors.Is(err, store.ErrNotFound):
			st.publicURLUnknown = true
		default:
			st.db.Close()
			return nil, fmt.Errorf("read the stored public URL: %w", err)
		}
	}
	if err := st.build(); err != nil {
		st.db.Close()
		return nil, err
	}
	return st, nil
}

// ErrPublicURLUnknown: an admin command would build a link (a redeem URL)
// but no public URL was given and serve never stored one.
var ErrPublicURLUnknown = errors.New("guestgate does not know its public URL, so it cannot build links: start `guestgate serve` once with GUESTGATE_PUBLIC_URL set, run `guestgate migrate --public-url https://…`, or pass --public-url")

func open(ctx context.Context, cfg Config, opts Options) (*Server, error) {
	// A serving process bounds its statements; admin commands do not.
	s, err := openStore(ctx, cfg, opts, sqlstore.Options{StatementTimeout: cfg.Queries.Timeout, JobStatementTimeout: jobQueryTimeout})
	if err != nil {
		return nil, err
	}
	if err := s.build(); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := signin.EnsureConsumers(ctx, s.db, directory.ConsumersTenant(cfg.DomainSuffix, s.clock.Now())); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func openStore(ctx context.Context, cfg Config, opts Options, so sqlstore.Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	so.Logger = opts.Logger
	so.Pooler, so.ListenURL = cfg.DatabasePooler, cfg.DatabaseListenURL
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL, so)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return &Server{
		cfg: cfg, log: opts.Logger, clock: opts.Clock, db: db, listener: opts.Listener, metricsListener: opts.MetricsListener,
		tenants:   newTenantCache(db, opts.Clock, 10*time.Second, 10000),
		bulkSweep: cmp.Or(opts.BulkSweepInterval, bulkinvite.SweepInterval),
	}, nil
}

// build creates the services and routes.
func (s *Server) build() error {
	cfg := s.cfg
	otpKeys := cfg.subkeys("otp")
	hasher, err := otp.NewHasher(otpKeys[0], otpKeys[1:]...)
	if err != nil {
		return err
	}
	otps, err := otp.NewService(s.db, s.db, hasher, s.clock, cfg.OTP)
	if err != nil {
		return err
	}
	sessions := session.NewService(s.db, s.clock, cfg.SessionLifetime)
	// Resetting a redemption and disabling an account end every sign-in of
	// the user, tokens included, not only its sessions.
	endAccess := directory.AccessEnder{Store: s.db}
	s.collab = collab.NewService(collab.Deps{Store: s.db, Tx: s.db, Audit: s.db, Clock: s.clock})
	s.invitations = invitation.NewService(
		invitation.Config{PublicURL: cfg.PublicURL, AllowHTTP: cfg.insecure()},
		invitation.Deps{Directory: s.db, Store: s.db, Outbox: s.db, Tx: s.db, Clock: s.clock, Compose: s.composeInvitation, Audit: s.db, Sessions: endAccess,
			Domains: s.collab, Roles: s.db},
	)
	s.policies = policy.NewService(policy.Deps{Store: s.db, Audit: s.db, Tx: s.db, Clock: s.clock, AutoEnable: cfg.AutoEnableDate})
	s.members, err = member.NewService(member.Deps{Directory: s.db, Store: s.db, Tx: s.db, Clock: s.clock, Audit: s.db, Sessions: endAccess, Roles: s.db, Limits: cfg.Members, Log: s.log})
	if err != nil {
		return err
	}
	s.limiter = ratelimit.New(s.db, s.clock)
	s.branding = branding.NewService(s.db, s.clock)
	s.lifecycle = lifecycle.NewService(lifecycle.Deps{Directory: s.db, Lifecycle: s.db, Access: s.db, Audit: s.db, Roles: s.db, Tx: s.db, Clock: s.clock, Log: s.log})
	s.roles = roles.NewService(roles.Deps{Store: s.db, Directory: s.db, Tx: s.db, Audit: s.db, Clock: s.clock, Guard: s.db})
	s.bulk = s.buildBulk()
	bindOIDC, err := s.buildOIDC()
	if err != nil {
		return err
	}
	fedEgress, err := cfg.federationEgress()
	if err != nil {
		return err
	}
	if fedEgress.AllowHTTP {
		s.log.Info("partners' identity providers may be reached over plain http (--federation-allow-http): for development only")
	}
	s.federations, err = federation.NewService(
		federation.Config{PublicURL: cfg.PublicURL, Key: cfg.subkey("federation"), GoogleIssuer: cfg.GoogleIssuer, Egress: fedEgress},
		federation.Deps{Store: s.db, Directory: s.db, Audit: s.db, Tx: s.db, Clock: s.clock, Log: s.log})
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics = metrics.New(reg)
	metrics.RegisterOutbox(reg, s.db.OutboxDepth, s.clock)
	publicDomains, err := cfg.publicMailDomains()
	if err != nil {
		return err
	}
	signins, err := signin.New(
		signin.Config{PublicURL: cfg.PublicURL, Key: cfg.subkey("signin"), OldKeys: cfg.subkeys("signin")[1:],
			UnmanagedRetired: cfg.UnmanagedRetired(), PublicMailDomains: publicDomains, DomainSuffix: cfg.DomainSuffix},
		signin.Deps{
			Directory: s.db, Invitations: s.invitations, OTP: otps, Sessions: sessions,
			Policies: s.policies, Members: s.members, Accounts: s.members, SignUps: s.db, Federations: s.federations,
			ComposePasscode: s.composePasscode, Outbox: s.db,
			Login: loginBridge{s.oidc}, SignInLog: s.db, Limiter: s.limiter, Limits: cfg.Abuse,
			Tx: s.db, Clock: s.clock, Log: s.log, Metrics: s.metrics,
		})
	if err != nil {
		return err
	}
	var mailbox mail.Mailbox = s.db // read only with --dev-mailbox, which replaces it
	if cfg.DevMailbox {
		s.devMailbox = mail.NewDevMailbox(s.log, 0)
		mailbox = s.devMailbox
	}
	s.web, err = web.New(
		web.Config{PublicURL: cfg.PublicURL, SecureCookies: !cfg.insecure(), CSRFKey: cfg.subkey("csrf"), OldCSRFKeys: cfg.subkeys("csrf")[1:], DevMailbox: cfg.DevMailbox, DeploymentName: cfg.DeploymentName},
		web.Deps{
			Directory: s.db, SignIn: signins, Sessions: sessions,
			Mailbox: mailbox, Apps: s.db, SAMLMetadata: s.federations.SAMLMetadata, Branding: s.branding, Clock: s.clock, Log: s.log,
		})
	if err != nil {
		return err
	}
	if err := s.buildConsole(signins, sessions); err != nil {
		return err
	}
	bindOIDC(s.web, signins)
	s.api = graph.New(graph.Deps{
		Tokens: tokenVerifier{p: s.oidc, dir: s.db, roles: s.roles}, Directory: s.db, Invitations: s.invitations,
		Policies: s.policies, Members: s.members, Lifecycle: s.lifecycle, Federations: s.federations, Branding: s.branding, Audit: s.db, SignIns: s.db, Apps: s.db,
		Roles: s.roles, Collab: s.collab,
		Limiter: s.limiter, WriteLimit: cfg.Abuse.GraphWrites,
		Clock: s.clock, Log: s.log, BaseURL: cfg.PublicURL,
		ReadLimiter: ratelimit.NewLocal(s.clock), ReadLimit: cfg.Queries.ReadLimit, ReadGate: s.readGate(),
	})
	s.metricsHandler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	s.handler = s.routes()
	return s.oidcWired()
}

// mailConcurrency is how many mails are in flight at once (SMTP connections kept open).
const mailConcurrency = 16

// Handler is the process's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// DB is the process's store (the benchmark reads its counters).
func (s *Server) DB() *sqlstore.DB { return s.db }

// Run serves HTTP and runs the mail dispatcher and housekeeping until ctx
// ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	if s.sender == nil {
		return errors.New("run: this server was opened for admin commands (OpenAdmin); open it with Open to serve")
	}
	if err := s.checkSMTP(ctx); err != nil {
		return err
	}
	ln := s.listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
		}
	}
	lim := s.cfg.HTTP
	ln = httpx.LimitListener(ln, lim.MaxConnections)
	newHTTPServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler: h, ReadHeaderTimeout: lim.ReadHeaderTimeout, ReadTimeout: lim.ReadTimeout,
			WriteTimeout: lim.WriteTimeout, IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: 64 << 10,
		}
	}
	srv := newHTTPServer(s.handler)
	servers := []*http.Server{srv}
	mln := s.metricsListener
	if mln == nil && s.cfg.MetricsListen != "" {
		var err error
		if mln, err = net.Listen("tcp", s.cfg.MetricsListen); err != nil {
			ln.Close()
			return fmt.Errorf("listen for /metrics on %s: %w", s.cfg.MetricsListen, err)
		}
	}
	dispatcher, err := mail.NewDispatcher(mail.DispatcherConfig{
		Store: s.db, Sender: s.sender, Clock: s.clock, Logger: s.log,
		Wake: s.db.OutboxWakeups(ctx), Handoff: s.db.MailHandoff(ctx),
		// Each send waits for its mark-sent commit; enough slots keep a
		// burst of passcodes from queueing behind those commits.
		Concurrency: mailConcurrency,
		Retention:   s.cfg.MailRetention,
		Metrics:     s.metrics,
	})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	// The dispatcher stops only after the HTTP servers have drained: a
	// request that finishes during the drain hands its mail to a running
	// dispatcher (or has it released to the others), never to a stopped
	// one whose hand-off lease would hold it from every process.
	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(gctx))
	defer stopDispatch()
	var stopping time.Time
	// One line at start says what serves where; one at stop (below) says it ended.
	started := []any{"listen", ln.Addr().String(), "public_url", s.cfg.PublicURL, "store", s.db.Engine(), "mail", s.mailMode()}
	if s.smtpCheck != "" {
		started = append(started, "smtp_check", s.smtpCheck)
	}
	if mln != nil {
		started = append(started, "metrics_listen", mln.Addr().String())
	}
	s.log.Info("guestgate serving", started...)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	})
	if mln != nil {
		msrv := newHTTPServer(s.metricsOnly())
		servers = append(servers, msrv)
		g.Go(func() error {
			if err := msrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serve /metrics: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		stopping = time.Now()
		defer stopDispatch()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		var errs []error
		for _, hs := range servers {
			errs = append(errs, hs.Shutdown(shutdownCtx))
		}
		return errors.Join(errs...)
	})
	g.Go(func() error { return dispatcher.Run(dispatchCtx) })
	g.Go(func() error { return s.oidc.Run(gctx, time.Hour) })
	g.Go(func() error { return s.lifecycle.Run(gctx, time.Hour) })
	g.Go(func() error { return s.bulk.Run(gctx, s.bulkSweep) })
	g.Go(func() error { return s.limiter.Run(gctx, s.cfg.Abuse, time.Hour, s.log) })
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	s.log.Info("guestgate stopped: requests in flight answered, mail in hand sent or released", "took", time.Since(stopping).Round(time.Millisecond), "err", err)
	return err
}

// shutdownGrace bounds how long serve waits, once told to stop, for the
// requests in flight; the mail they queued is then sent or released to
// the other processes (the dispatcher's own SendTimeout bounds a send).
const shutdownGrace = 10 * time.Second

func (s *Server) mailMode() string {
	if s.cfg.DevMailbox {
		return "dev mailbox at " + s.cfg.PublicURL + "/dev/mailbox"
	}
	return "smtp"
}

// Close releases the store and the SMTP connections.
func (s *Server) Close() error {
	if c, ok := s.sender.(interface{ Close() error }); ok {
		_ = c.Close()
	}
	return s.db.Close()
}
