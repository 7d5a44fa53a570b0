package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one dependency that readiness pings.
type Check struct {
	Name string
	Ping func(context.Context) error
}

// Note is a fact readiness reports without failing on it, such as a relay
// held back by a lagging consumer group or a replica's role. Value returns ""
// when there is nothing to say.
type Note struct {
	Name  string
	Value func() string
}

// Options configure New.
type Options struct {
	Service string
	// BodyLimit is the largest request body accepted (default 64 KiB).
	BodyLimit int
	Logger    *slog.Logger
	// MapError translates the service's domain errors, or returns nil.
	MapError func(error) *Error
	// Ready lists what /ready pings.
	Ready []Check
	// Notes lists what /ready reports besides.
	Notes []Note
	// Registry receives the HTTP metrics and is served at /metrics.
	Registry *Registry
}

// New returns a Fiber app with the probes, metrics and error handling every
// service shares. The caller adds its routes under /api/v1.
func New(opt Options) *fiber.App {
	if opt.BodyLimit <= 0 {
		opt.BodyLimit = 64 << 10
	}
	app := fiber.New(fiber.Config{
		AppName:               opt.Service,
		BodyLimit:             opt.BodyLimit,
		ErrorHandler:          errorHandler(opt.Logger, opt.MapError),
		DisableStartupMessage: true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
	})
	app.Use(recover.New())
	if opt.Registry != nil {
		app.Use(metricsMiddleware(opt.Registry))
		app.Get("/metrics", metrics(opt.Registry))
	}
	app.Get("/health", health(opt.Service))
	app.Get("/ready", readiness(opt.Ready, opt.Notes))
	return app
}

// Health is the liveness answer.
type Health struct {
	Status  string `json:"status" example:"ok"`
	Service string `json:"service" example:"orders-app"`
}

// Readiness is the readiness answer: each dependency's state, and notes
// that do not make the service unready (e.g. "heldBack": the streams whose
// backlog holds the outbox relay back).
type Readiness struct {
	Status string            `json:"status" example:"ready"`
	Checks map[string]string `json:"checks"`
	Notes  map[string]string `json:"notes,omitempty"`
}

// metrics godoc
//
//	@Summary		Prometheus metrics
//	@Description	The service's metrics in the Prometheus text format: HTTP requests by route, stream consumers and groups, and the service's own figures.
//	@Tags			probes
//	@Produce		plain
//	@Success		200	{string}	string	"Prometheus text exposition"
//	@Router			/metrics [get]
func metrics(reg *Registry) fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(reg.Gatherer(), promhttp.HandlerOpts{}))
}

// health godoc
//
//	@Summary		Liveness
//	@Description	Answers while the process serves; touches no dependency (for the orchestrator's liveness check).
//	@Tags			probes
//	@Produce		json
//	@Success		200	{object}	httpx.Health
//	@Router			/health [get]
func health(service string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return c.JSON(Health{Status: "ok", Service: service})
	}
}

// readiness godoc
//
//	@Summary		Readiness
//	@Description	Pings the service's stores and Redis (or, for the gateway, the services) with a short timeout; 503 while one does not answer.
//	@Tags			probes
//	@Produce		json
//	@Success		200	{object}	httpx.Readiness
//	@Failure		503	{object}	httpx.Readiness
//	@Router			/ready [get]
func readiness(checks []Check, notes []Note) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		results := make(map[string]string, len(checks))
		status := fiber.StatusOK
		for _, ch := range checks {
			if err := ch.Ping(ctx); err != nil {
				results[ch.Name] = err.Error()
				status = fiber.StatusServiceUnavailable
				continue
			}
			results[ch.Name] = "ok"
		}
		word := "ready"
		if status != fiber.StatusOK {
			word = "not ready"
		}
		r := Readiness{Status: word, Checks: results}
		for _, n := range notes {
			if v := n.Value(); v != "" {
				if r.Notes == nil {
					r.Notes = map[string]string{}
				}
				r.Notes[n.Name] = v
			}
		}
		return c.Status(status).JSON(r)
	}
}

func metricsMiddleware(reg prometheus.Registerer) fiber.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "HTTP request latency by route and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method"})
	reg.MustRegister(requests, latency)
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			var fe *fiber.Error
			var he *Error
			switch {
			case errors.As(err, &he):
				status = he.Status
			case errors.As(err, &fe):
				status = fe.Code
			default:
				status = fiber.StatusInternalServerError
			}
		}
		route := c.Route().Path
		if status == fiber.StatusNotFound && route == "/" {
			route = "unmatched"
		}
		// Fiber's strings point into a buffer reused by the next request:
		// labels outlive it, so they get copies.
		method := strings.Clone(c.Method())
		requests.WithLabelValues(strings.Clone(route), method, strconv.Itoa(status)).Inc()
		latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return err
	}
}

// ServeListener serves app on ln until ctx ends, then stops taking
// connections and waits up to grace for requests in flight. Connections
// still open when the grace has passed are closed: a request that outlived
// it is cut off, and a connection that never sent one does not hold the
// shutdown.
func ServeListener(ctx context.Context, app *fiber.App, ln net.Listener, grace time.Duration) error {
	tl := track(ln)
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(tl) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving http: %w", err)
	case <-ctx.Done():
	}
	err := app.ShutdownWithTimeout(grace)
	if errors.Is(err, context.DeadlineExceeded) {
		n := tl.closeAll()
		slog.Warn("closed connections still open after the shutdown grace", "connections", n, "grace", grace.String())
		err = nil
	}
	if err != nil {
		return fmt.Errorf("shutting down http: %w", err)
	}
	return nil
}
