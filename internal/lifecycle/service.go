package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/apidocs"
	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/outbox"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/instrument"
)

// Service is what every Comanda service has, whatever its domain: Redis and
// the streams' names, the metrics registry, the trimmer of the work streams,
// the session checker, the outbox relay (given the adapter's outbox), stream
// consumers configured by the shared settings, the HTTP app with its probes,
// docs and authenticated /api/v1 group, the listener, and an ordered Close.
// An app's New opens its store, builds its domain on these and says what to
// serve; Run serves them all and shuts them down in order.
type Service struct {
	Name     string
	Config   config.Common
	Log      *slog.Logger
	Redis    *redis.Client
	Streams  events.Streams
	Registry *httpx.Registry
	Metrics  *stream.Metrics
	// Tracing is the service's tracer provider (nil: tracing is off).
	Tracing *tracing.Provider
	// Sessions checks the manager's sessions (nil: checks are off).
	Sessions *auth.Checker
	// Relay publishes the outbox, once Publish named it.
	Relay *outbox.Relay
	// HTTP is the app, once Serve made it.
	HTTP *fiber.App

	trimmer *stream.Trimmer
	ln      net.Listener
	workers []func(context.Context) error
	closers []func()
	// after runs once the parts stopped, before Close (the warehouse gives
	// its lease up).
	after []func(context.Context)
}

// Open connects what every service needs, waiting for Redis if it is still
// coming up. On error everything opened is closed.
func Open(ctx context.Context, name string, c config.Common, log *slog.Logger) (*Service, error) {
	s := &Service{Name: name, Config: c, Log: log, Streams: events.StreamNames(c.StreamPrefix), Registry: httpx.NewRegistry()}
	s.Metrics = stream.NewMetrics(s.Registry)
	tp, err := OpenTracing(ctx, name, c.Tracing, log)
	if err != nil {
		return nil, err
	}
	s.Tracing = tp
	// Closed last: the spans of the shutdown itself are exported.
	s.OnClose(func() { CloseTracing(tp, c.ShutdownTimeout, log) })
	rdb, err := ConnectRedis(ctx, log, c.RedisURL, 32)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Redis = rdb
	s.OnClose(func() { _ = rdb.Close() })
	if err := instrument.Redis(tp, rdb); err != nil {
		s.Close()
		return nil, fmt.Errorf("tracing redis: %w", err)
	}
	if s.Sessions, err = auth.ForService(c, rdb, log); err != nil {
		s.Close()
		return nil, err
	}
	s.trimmer = Trimmer(rdb, c, s.Metrics, log)
	s.Worker(s.trimmer.Run)
	return s, nil
}

// OnClose adds what Close closes; Close runs them last added first.
func (s *Service) OnClose(f func()) { s.closers = append(s.closers, f) }

// AfterRun adds what runs once every part stopped, before Close.
func (s *Service) AfterRun(f func(context.Context)) { s.after = append(s.after, f) }

// Worker adds a part that runs until its context ends, then drains.
func (s *Service) Worker(f func(context.Context) error) { s.workers = append(s.workers, f) }

// Publish makes the relay of store's outbox (an adapter, or a view of one
// that publishes only under a lease).
func (s *Service) Publish(store outbox.Store) *outbox.Relay {
	s.Relay = Relay(store, s.Redis, s.Config, s.Registry, s.Tracing.Tracer(), s.Log)
	return s.Relay
}

// ConsumerOptions are what a consumer's domain decides; the rest comes from
// the shared settings (reclaiming, deliveries, draining, metrics, the dead
// letters' stream).
type ConsumerOptions struct {
	Group   string
	Streams []string
	Types   []string
	// Read, Chunk and Workers as in stream.Options (Read default 256).
	Read, Chunk, Workers int
	// Exclusive: one consumer of the group at a time (stream.Options).
	Exclusive bool
}

// Options returns the stream options of o under the shared settings.
func (s *Service) Options(o ConsumerOptions) stream.Options {
	if o.Read == 0 {
		o.Read = 256
	}
	return stream.Options{
		Group: o.Group, Streams: o.Streams, Types: o.Types, DeadLetter: s.Streams.DeadLetter,
		Read: o.Read, Chunk: o.Chunk, Workers: o.Workers, Exclusive: o.Exclusive,
		MinIdle: s.Config.ReclaimIdle, MaxDeliveries: s.Config.MaxDeliveries, DrainTimeout: s.Config.ShutdownTimeout / 2,
		Metrics: s.Metrics, Logger: s.Log, Tracer: s.Tracing.Tracer(),
	}
}

// Consume makes a consumer of o handled by h, run as one of the parts, and
// reports its groups' lag and pending entries in the metrics.
func (s *Service) Consume(o ConsumerOptions, h stream.Handler) (*stream.Consumer, error) {
	c, err := stream.NewConsumer(s.Redis, s.Options(o), h)
	if err != nil {
		return nil, err
	}
	s.Worker(c.Run)
	return c, nil
}

// ReportGroups adds the lag and pending entries of the groups this service
// reads to its metrics.
func (s *Service) ReportGroups(groups ...stream.GroupRef) {
	s.Registry.MustRegister(stream.NewGroupCollector(s.Redis, groups, s.Streams.DeadLetter))
}

// HTTPOptions are what a service's HTTP app adds to the shared one.
type HTTPOptions struct {
	// Docs is the API served at /documentation/ (its docs package's Spec;
	// nil: none).
	Docs *apidocs.Spec
	// MapError translates the domain's errors.
	MapError func(error) *httpx.Error
	// Timeout bounds each request under /api/v1 (REQUEST_TIMEOUT).
	Timeout time.Duration
	// Ready lists what /ready pings besides Redis; Notes what it reports
	// besides the relay's held-back events.
	Ready []httpx.Check
	Notes []httpx.Note
}

// Serve makes the HTTP app and returns its /api/v1 group, where every route
// needs a live session and is bounded by o.Timeout.
func (s *Service) Serve(o HTTPOptions) fiber.Router {
	ready := append(slices.Clone(o.Ready), httpx.Check{Name: "redis", Ping: func(ctx context.Context) error { return s.Redis.Ping(ctx).Err() }})
	notes := o.Notes
	if s.Relay != nil {
		notes = append([]httpx.Note{{Name: "heldBack", Value: s.Relay.HeldBack}}, notes...)
	}
	s.HTTP = httpx.New(httpx.Options{Service: s.Name, Logger: s.Log, MapError: o.MapError, Registry: s.Registry, Ready: ready, Notes: notes})
	// Below the probes, every request has a span (tracing on), an id (the
	// gateway's) and a line in the access log.
	if mw := instrument.Fiber(s.Tracing); mw != nil {
		s.HTTP.Use(mw)
	}
	s.HTTP.Use(httpx.RequestID(nil), httpx.AccessLog(s.Log))
	if o.Docs != nil {
		apidocs.Mount(s.HTTP, *o.Docs)
	}
	api := s.HTTP.Group("/api/v1", auth.Require(s.Sessions))
	if o.Timeout > 0 {
		api.Use(httpx.Timeout(o.Timeout))
	}
	return api
}

// Listen opens the listener at addr.
func (s *Service) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	s.ln = ln
	s.OnClose(func() { _ = ln.Close() })
	return nil
}

// Addr is the address the service listens on.
func (s *Service) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx ends or a part fails, shuts down in order (requests
// and messages, then the outbox; see the package doc), runs what AfterRun
// added and closes everything.
func (s *Service) Run(ctx context.Context) error {
	defer s.Close()
	err := Run(ctx, Parts{
		Name: s.Name, Log: s.Log, HTTP: s.HTTP, Listener: s.ln, Grace: s.Config.ShutdownTimeout / 2,
		Workers: s.workers, Relay: s.Relay,
	})
	for _, f := range s.after {
		f(context.WithoutCancel(ctx))
	}
	return err
}

// Close closes what Open, Listen and OnClose opened, last first. It is for
// a service that will not Run (a start that failed half-way), and is safe
// to call more than once.
func (s *Service) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}
