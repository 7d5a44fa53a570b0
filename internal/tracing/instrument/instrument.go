package instrument

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net/http"

	"github.com/XSAM/otelsql"
	"github.com/exaring/otelpgx"
	"github.com/gofiber/contrib/otelfiber/v2"
	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/comanda-dev/comanda/internal/tracing"
)

// The instrumentation libraries keep to the service's own provider and
// record no metrics of their own: the services' metrics are Prometheus's
// (internal/httpx), and each library would otherwise reach for the global
// providers.
var noMeters = noop.NewMeterProvider()

// Fiber is the HTTP server middleware (otelfiber) that gives each request a
// span, continuing the trace its traceparent header carries, and puts the
// span in the request's user context. Nil when p is: install it only when
// it is not. Routes added before it (the probes) get no span.
func Fiber(p *tracing.Provider) fiber.Handler {
	if p == nil {
		return nil
	}
	return otelfiber.Middleware(
		otelfiber.WithTracerProvider(p.TracerProvider()),
		otelfiber.WithMeterProvider(noMeters),
		otelfiber.WithPropagators(tracing.Propagator),
		otelfiber.WithSpanNameFormatter(func(c *fiber.Ctx) string { return c.Method() + " " + c.Route().Path }),
	)
}

// Redis makes each command and pipeline of rdb a client span (redisotel),
// arguments and the calling line left out (finding the caller walks the
// stack on every command). A command sent for no order or request (a blocking
// read, a relay's poll) starts no trace: the sampler drops it.
func Redis(p *tracing.Provider, rdb redis.UniversalClient) error {
	if p == nil {
		return nil
	}
	return redisotel.InstrumentTracing(rdb, redisotel.WithTracerProvider(p.TracerProvider()), redisotel.WithDBStatement(false),
		redisotel.WithCallerEnabled(false))
}

// Pgx is the query tracer (otelpgx) that makes each PostgreSQL query, batch
// and copy a client span; nil when p is. A batch is one span: the
// statements queued in it are not spans of their own (batchSpans).
func Pgx(p *tracing.Provider) pgx.QueryTracer {
	if p == nil {
		return nil
	}
	return batchSpans{otelpgx.NewTracer(otelpgx.WithTracerProvider(p.TracerProvider()), otelpgx.WithMeterProvider(noMeters),
		otelpgx.WithDisableAcquireTracer(), otelpgx.WithDisableConnectionDetailsInAttributes())}
}

// batchSpans is otelpgx's tracer without a span per statement of a batch:
// the stores queue a statement per order and per step, which would make
// them most of a burst's spans (measured: docs/performance.md, "Tracing").
type batchSpans struct{ *otelpgx.Tracer }

func (batchSpans) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// OpenSQL opens a database/sql handle whose calls are client spans
// (otelsql) of the database system named: transactions, their commits and
// direct queries. Prepared statements are not: the stores run one per
// order and per step inside a transaction, which would make them most of
// a burst's spans. Without p, plain sql.Open.
func OpenSQL(p *tracing.Provider, driverName, dsn, system string) (*sql.DB, error) {
	if p == nil {
		return sql.Open(driverName, dsn)
	}
	return otelsql.Open(driverName, dsn, otelsql.WithTracerProvider(p.TracerProvider()), otelsql.WithMeterProvider(noMeters),
		otelsql.WithAttributes(semconv.DBSystemNameKey.String(system)),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			OmitConnResetSession: true, OmitRows: true, OmitConnPrepare: true,
			SpanFilter: func(_ context.Context, m otelsql.Method, _ string, _ []driver.NamedValue) bool {
				return m != otelsql.MethodStmtExec && m != otelsql.MethodStmtQuery
			},
		}))
}

// Transport wraps base (nil: http.DefaultTransport) so that each request
// is a client span (otelhttp) and carries its traceparent; base itself
// when p is nil.
func Transport(p *tracing.Provider, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if p == nil {
		return base
	}
	return otelhttp.NewTransport(base, otelhttp.WithTracerProvider(p.TracerProvider()), otelhttp.WithMeterProvider(noMeters),
		otelhttp.WithPropagators(tracing.Propagator))
}
