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

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/console"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
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
	// InactivePolicyInterval, if set, replaces the hourly run of each
	// tenant's inactive-guest policy (inactivepolicy.DefaultInterval), and
	// the policies are checked for due runs as often (tests).
	InactivePolicyInterval time.Duration
}

// Server is one guestgate process: its services, HTTP handler and
// background jobs. Open builds it whole; nothing is set on it afterwards.
type Server struct {
	cfg     Config
	log     *slog.Logger
	clock   clock.Clock
	db      *sqlstore.DB
	tenants *tenantCache
	base    *Base // what the services were built from (Base)

	lifecycle      *lifecycle.Service
	bulk           *bulkinvite.Service
	bulkSweep      time.Duration // how often bulk invitations are swept
	inactivePolicy *inactivepolicy.Runner
	policyCheck    time.Duration // how often due inactive-guest policies are looked for
	limiter        *ratelimit.Limiter
	oidc           *oidc.Provider
	web            *web.Handler
	tenantPages    http.Handler // web.Tenant(), built once
	console        *console.Handler
	api            *graph.API
	sender         mail.Sender
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
	// A serving process bounds its statements; admin commands do not.
	b, err := openBase(ctx, cfg, opts, sqlstore.Options{StatementTimeout: cfg.Queries.Timeout, JobStatementTimeout: jobQueryTimeout})
	if err != nil {
		return nil, err
	}
	s, err := assemble(b, opts)
	if err == nil {
		err = start(ctx, b)
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

// start prepares the store for serving: the consumers directory exists,
// and the admin CLI builds links with the URL the deployment serves on.
func start(ctx context.Context, b *Base) error {
	if err := signin.EnsureConsumers(ctx, b.db, directory.ConsumersTenant(b.cfg.DomainSuffix, b.clock.Now())); err != nil {
		return err
	}
	if err := b.db.SetDeploymentSetting(ctx, sqlstore.SettingPublicURL, b.cfg.PublicURL, b.clock.Now()); err != nil {
		return fmt.Errorf("record the public URL: %w", err)
	}
	return nil
}

// assemble builds the services, in an order where each gets what it uses
// at construction, then the HTTP handler.
func assemble(b *Base, opts Options) (*Server, error) {
	cfg := b.cfg
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics.RegisterOutbox(reg, b.db.OutboxDepth, b.clock)
	s, err := newServices(b, metrics.New(reg))
	if err != nil {
		return nil, err
	}
	otpKeys := cfg.subkeys("otp")
	hasher, err := otp.NewHasher(otpKeys[0], otpKeys[1:]...)
	if err != nil {
		return nil, err
	}
	otps, err := otp.NewService(b.db, b.db, hasher, b.clock, cfg.OTP)
	if err != nil {
		return nil, err
	}
	sessions := session.NewService(b.db, b.clock, cfg.SessionLifetime)
	publicDomains, err := cfg.publicMailDomains()
	if err != nil {
		return nil, err
	}
	signins, err := newSignIn(s, otps, sessions, publicDomains)
	if err != nil {
		return nil, err
	}
	var mailbox mail.Mailbox = b.db // read only with --dev-mailbox, which replaces it
	var devMailbox *mail.DevMailbox
	if cfg.DevMailbox {
		devMailbox = mail.NewDevMailbox(b.log, 0)
		mailbox = devMailbox
	}
	pages, err := web.New(
		web.Config{PublicURL: cfg.PublicURL, SecureCookies: !cfg.insecure(), CSRFKey: cfg.subkey("csrf"), OldCSRFKeys: cfg.subkeys("csrf")[1:], DevMailbox: cfg.DevMailbox, DeploymentName: cfg.DeploymentName},
		web.Deps{
			Directory: b.db, SignIn: signins, Sessions: sessions,
			Mailbox: mailbox, Apps: b.db, SAMLMetadata: s.federations.SAMLMetadata, Branding: s.branding, Clock: b.clock, Log: b.log,
		})
	if err != nil {
		return nil, err
	}
	bulk := buildBulk(b, s)
	adminConsole, err := buildConsole(b, s, bulk, signins, sessions)
	if err != nil {
		return nil, err
	}
	provider, err := oidcProvider(s.oidc, pages, signins)
	if err != nil {
		return nil, err
	}
	sender, err := newSender(cfg, b.log, devMailbox)
	if err != nil {
		return nil, err
	}
	api, err := buildGraph(b, s, provider)
	if err != nil {
		return nil, err
	}
	inactivePolicy, err := buildInactivePolicy(b, s, opts)
	if err != nil {
		return nil, err
	}
	srv := &Server{
		cfg: cfg, log: b.log, clock: b.clock, db: b.db, base: b, listener: opts.Listener, metricsListener: opts.MetricsListener,
		tenants:        newTenantCache(b.db, b.clock, 10*time.Second, 10000),
		bulkSweep:      cmp.Or(opts.BulkSweepInterval, bulkinvite.SweepInterval),
		inactivePolicy: inactivePolicy,
		policyCheck:    min(cmp.Or(opts.InactivePolicyInterval, inactivepolicy.CheckInterval), inactivepolicy.CheckInterval),
		lifecycle:      s.lifecycle, bulk: bulk, limiter: s.limiter, oidc: provider,
		web: pages, tenantPages: pages.Tenant(), console: adminConsole, api: api,
		sender: sender, metrics: s.metrics, metricsHandler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}
	// The routes read the assembled parts; the handler is made once, before
	// Open returns the server.
	srv.handler = srv.routes()
	return srv, nil
}

// buildGraph builds the admin API over the domain services; the provider
// verifies its tokens.
func buildGraph(b *Base, s *services, provider *oidc.Provider) (*graph.API, error) {
	cfg := b.cfg
	return graph.New(graph.Deps{
		Tokens: tokenVerifier{p: provider, dir: b.db, roles: s.roles}, Directory: b.db, Invitations: s.invitations,
		Policies: s.policies, Members: s.members, Lifecycle: s.lifecycle, Federations: s.federations, Branding: s.branding, Audit: b.db, SignIns: b.db, Apps: b.db,
		Roles: s.roles, Collab: s.collab, Groups: s.groups, Assignments: s.assignments,
		Limiter: s.limiter, WriteLimit: cfg.Abuse.GraphWrites,
		Clock: b.clock, Log: b.log, BaseURL: cfg.PublicURL,
		ReadLimiter: ratelimit.NewLocal(b.clock), ReadLimit: cfg.Queries.ReadLimit, ReadGate: readGate(cfg, b.db, b.clock),
	})
}

// mailConcurrency is how many mails are in flight at once (SMTP connections kept open).
const mailConcurrency = 16

// Handler is the process's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Base is the store and configuration the server was built from, for
// admin operations over the same store (the demo, tests).
func (s *Server) Base() *Base { return s.base }

// DB is the process's store (the benchmark reads its counters).
func (s *Server) DB() *sqlstore.DB { return s.db }

// Run serves HTTP and runs the mail dispatcher and housekeeping until ctx
// ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	smtpCheck, err := s.checkSMTP(ctx)
	if err != nil {
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
	var drain httpx.Drain
	srv := newHTTPServer(drain.Wrap(s.handler))
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
	if smtpCheck != "" {
		started = append(started, "smtp_check", smtpCheck)
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
		shutdownCtx, cancel := context.WithTimeout(context.Background(), lim.Drain+shutdownGrace)
		defer cancel()
		// Busy keep-alive connections are closed after a response first,
		// so Shutdown cuts none a client is sending on (httpx.Drain).
		drain.Run(shutdownCtx, drainQuiet, lim.Drain)
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
	g.Go(func() error { return s.inactivePolicy.Run(gctx, s.policyCheck) })
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

// drainQuiet ends the drain before Shutdown once no request has started
// for it; under steady load the drain lasts HTTPLimits.Drain, at most
// maxDrain (a service manager's stop timeout must outlast it).
const (
	drainQuiet = 100 * time.Millisecond
	maxDrain   = time.Minute
)

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
