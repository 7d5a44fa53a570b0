package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// Store holds the unpublished events of one service.
type Store interface {
	// PublishPending takes up to limit unpublished events, oldest first,
	// passes them to publish and, when publish succeeds, deletes them. It
	// returns how many it published. Implementations make sure two relays
	// never publish the same events at once.
	PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error)
	// OutboxLen counts the events waiting to be published.
	OutboxLen(ctx context.Context) (int, error)
}

// Options configure a Relay.
type Options struct {
	// Batch is the most events per round trip (default 500).
	Batch int
	// Every is how often the outbox is polled besides Notify (default 100ms).
	Every time.Duration
	// Backlog caps the entries a stream may hold: while one of the streams
	// a batch goes to holds this many or more, the relay holds the outbox
	// (default 50,000; 0 takes the default).
	Backlog int64
	// Trim, when set, trims a stream by consumption (stream.Trimmer.Trim):
	// a stream found over its cap is trimmed at once and measured again, so
	// that the relay holds back on what its groups have not acknowledged,
	// not on what the periodic trimmer has not removed yet.
	Trim func(ctx context.Context, stream string) (int64, error)
	// Registry, when set, receives the relay's metrics.
	Registry prometheus.Registerer
	Logger   *slog.Logger
	// Tracer, when set, gives each publish of traced events a producer
	// span (spans.go).
	Tracer trace.Tracer
}

// Relay moves events from a Store to their streams.
type Relay struct {
	store   Store
	pub     *stream.Publisher
	rdb     redis.UniversalClient
	streams events.Streams
	opt     Options
	wake    chan struct{}
	log     *slog.Logger

	mu       sync.Mutex
	heldBack []string // streams over their cap, as last seen

	published prometheus.Counter
	holds     prometheus.Counter
	held      prometheus.Gauge
}

// errHeld reports a batch not published because a stream it goes to is over
// its cap.
var errHeld = errors.New("held back: a stream is over its backlog cap")

// NewRelay returns a relay of store's events through pub; rdb is the Redis
// pub writes to, where it measures the streams' backlog.
func NewRelay(store Store, pub *stream.Publisher, rdb redis.UniversalClient, streams events.Streams, opt Options) *Relay {
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	if opt.Every <= 0 {
		opt.Every = 100 * time.Millisecond
	}
	if opt.Backlog <= 0 {
		opt.Backlog = 50_000
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	r := &Relay{store: store, pub: pub, rdb: rdb, streams: streams, opt: opt, wake: make(chan struct{}, 1), log: opt.Logger}
	r.published = prometheus.NewCounter(prometheus.CounterOpts{Name: "outbox_events_published_total", Help: "Events the relay published and removed from the outbox."})
	r.holds = prometheus.NewCounter(prometheus.CounterOpts{Name: "outbox_holds_total", Help: "Times the relay held the outbox back because a stream was over its backlog cap."})
	r.held = prometheus.NewGauge(prometheus.GaugeOpts{Name: "outbox_held", Help: "1 while the relay holds the outbox back: a stream it publishes to is over its backlog cap."})
	if opt.Registry != nil {
		opt.Registry.MustRegister(r.published, r.holds, r.held, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "outbox_events", Help: "Events stored and not yet published (held back ones included).",
		}, r.pendingEvents))
	}
	return r
}

func (r *Relay) pendingEvents() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n, err := r.store.OutboxLen(ctx)
	if err != nil {
		return -1
	}
	return float64(n)
}

// Notify tells the relay that new events were stored; it never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// HeldBack names the streams whose backlog holds the relay back, "" when
// none does (for /ready).
func (r *Relay) HeldBack() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.heldBack, ",")
}

// Run publishes until ctx ends, then makes one last attempt to empty the
// outbox so that a clean shutdown leaves nothing behind. Redis or the store
// that does not answer only delays it.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTicker(r.opt.Every)
	defer t.Stop()
	failures := 0
	for {
		n, err := r.store.PublishPending(ctx, r.opt.Batch, r.publish)
		var wait time.Duration
		switch {
		case errors.Is(err, errHeld):
			// The slowest group is far behind: its events wait here, on
			// disk, until it catches up. Notify must not wake a poll.
			wait = r.opt.Every
		case err != nil && ctx.Err() == nil:
			failures++
			if failures == 1 || failures%50 == 0 {
				r.log.Warn("publishing outbox; retrying", "err", err, "failures", failures)
			}
			wait = min(r.opt.Every<<min(failures, 6), 5*time.Second)
		case err == nil:
			if failures > 0 {
				r.log.Info("publishing outbox again", "after", failures)
			}
			failures = 0
			if n == r.opt.Batch {
				continue // more are waiting
			}
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				r.flush()
				return nil
			case <-timer.C:
			}
			continue
		}
		select {
		case <-ctx.Done():
			r.flush()
			return nil
		case <-r.wake:
		case <-t.C:
		}
	}
}

func (r *Relay) flush() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		n, err := r.store.PublishPending(ctx, r.opt.Batch, r.publish)
		if err != nil {
			if !errors.Is(err, errHeld) {
				r.log.Warn("publishing outbox at shutdown; the rest is published at the next start", "err", err)
			}
			return
		}
		if n < r.opt.Batch {
			return
		}
	}
}

func (r *Relay) publish(ctx context.Context, envs []events.Envelope) error {
	recs := make([]stream.Record, len(envs))
	var targets []string
	for i, e := range envs {
		recs[i] = stream.Record{Stream: r.streams.For(e.Type), Event: e}
		if recs[i].Stream == "" {
			// Only this service's code writes the outbox; an unknown type
			// is a programming error, so it goes to the dead-letter stream
			// rather than blocking the outbox.
			recs[i].Stream = r.streams.DeadLetter
		}
		if !slices.Contains(targets, recs[i].Stream) {
			targets = append(targets, recs[i].Stream)
		}
	}
	if err := r.checkBacklog(ctx, targets); err != nil {
		return err
	}
	// Spans only for what is sent: a held-back batch is tried again and
	// again while the streams are full.
	sctx, span := r.startSpan(ctx, envs)
	_, err := r.pub.Publish(sctx, recs...)
	spans.End(span, err)
	if err != nil {
		return err
	}
	r.published.Add(float64(len(envs)))
	return nil
}

// checkBacklog returns errHeld when a work stream among targets holds its
// cap or more. Streams are trimmed as their groups acknowledge, so a
// stream's length is the backlog of its slowest group.
func (r *Relay) checkBacklog(ctx context.Context, targets []string) error {
	work := r.streams.Work()
	cmds := make(map[string]*redis.IntCmd, len(targets))
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, s := range targets {
			if slices.Contains(work, s) {
				cmds[s] = p.XLen(ctx, s)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("measuring stream backlog: %w", err)
	}
	var over []string
	for _, s := range targets {
		c, ok := cmds[s]
		if !ok {
			continue
		}
		n := c.Val()
		if n >= r.opt.Backlog && r.opt.Trim != nil {
			if _, err := r.opt.Trim(ctx, s); err != nil {
				return fmt.Errorf("trimming %s: %w", s, err)
			}
			if n, err = r.rdb.XLen(ctx, s).Result(); err != nil {
				return fmt.Errorf("measuring stream backlog: %w", err)
			}
		}
		if n >= r.opt.Backlog {
			over = append(over, fmt.Sprintf("%s (%d entries, cap %d)", s, n, r.opt.Backlog))
		}
	}
	r.mu.Lock()
	was := len(r.heldBack) > 0
	r.heldBack = over
	r.mu.Unlock()
	if len(over) == 0 {
		if was {
			r.held.Set(0)
			r.log.Info("the streams caught up; publishing the held events")
		}
		return nil
	}
	if !was {
		r.held.Set(1)
		r.holds.Inc()
		r.log.Warn("a stream is over its backlog cap: holding new events in the outbox until its groups catch up", "streams", over)
	}
	return errHeld
}
