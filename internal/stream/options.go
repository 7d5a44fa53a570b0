package stream

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/config"
)

// Options configure a Consumer. Zero values take the defaults noted.
type Options struct {
	// Group is the consumer group; it names a purpose and never changes.
	Group string
	// Consumer names this reader inside the group; default host-random, so a
	// restarted process never inherits a dead one's pending entries by name
	// (they are reclaimed instead).
	Consumer string
	// Streams to read.
	Streams []string
	// Types lists the event types the handler wants; entries of other types
	// are acknowledged without calling it. Empty means every type.
	Types []string
	// DeadLetter is the stream that receives what can never be handled.
	DeadLetter string
	// Read is the COUNT of each XREADGROUP (default 128).
	Read int
	// Chunk is the most messages passed to one handler call (default Read).
	// 1 makes the handler per message.
	Chunk int
	// Workers is how many handler calls may run at once (default 1).
	Workers int
	// Block bounds each blocking read, so shutdown is noticed (default 1s).
	Block time.Duration
	// MinIdle is how long an entry must go untouched before another
	// consumer may take it over (default 30s). Entries a consumer holds —
	// queued for its workers or in flight — are touched every MinIdle/4, so
	// only a consumer that died or lost Redis for MinIdle loses them.
	MinIdle time.Duration
	// ReclaimEvery is how often pending entries are scanned (default MinIdle/2).
	ReclaimEvery time.Duration
	// MaxDeliveries is how many deliveries an entry gets before it is
	// dead-lettered (default 5). Only deliveries that failed while the
	// infrastructure answered count (see internal/fault).
	MaxDeliveries int64
	// Retries is how many times a failed message is retried in process, with
	// backoff, before the attempt counts as a delivery (default 3).
	Retries int
	// RetryBase and RetryMax bound the exponential backoff with jitter
	// (defaults 50ms and 2s).
	RetryBase, RetryMax time.Duration
	// AckEvery is the longest an acknowledgement waits to be sent with others
	// (default 10ms).
	AckEvery time.Duration
	// DrainTimeout bounds how long in-flight handlers may run after shutdown
	// begins (default 15s).
	DrainTimeout time.Duration
	// ForgetAfter is how long a consumer that holds nothing may stay silent
	// before it is removed from its group (default max(3×MinIdle, 1m)). A
	// live one that is only paused is re-created by its next read.
	ForgetAfter time.Duration
	// Exclusive says that one consumer of the group is active at a time (a
	// leader): at start it takes over every entry the group has pending at
	// other consumers at once, without waiting for MinIdle.
	Exclusive bool
	// Metrics, when set, counts what the consumer does.
	Metrics *Metrics
	Logger  *slog.Logger
	// Tracer, when set, gives each handled event a consumer span in its
	// order's trace (the envelope's trace context).
	Tracer trace.Tracer
}

// Smallest idle time that leaves the refresher room to touch held entries
// several times before another consumer may take them.
const minMinIdle = 200 * time.Millisecond

func (o Options) withDefaults() (Options, error) {
	if o.Group == "" {
		return o, errors.New("stream consumer: group is required")
	}
	if len(o.Streams) == 0 {
		return o, errors.New("stream consumer: at least one stream is required")
	}
	if o.DeadLetter == "" {
		return o, errors.New("stream consumer: dead-letter stream is required")
	}
	if o.Consumer == "" {
		o.Consumer = defaultConsumerName()
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Read, 128)
	def(&o.Chunk, o.Read)
	def(&o.Workers, 1)
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 3
	}
	defDur(&o.Block, time.Second)
	defDur(&o.MinIdle, 30*time.Second)
	defDur(&o.ReclaimEvery, o.MinIdle/2)
	defDur(&o.RetryBase, 50*time.Millisecond)
	defDur(&o.RetryMax, 2*time.Second)
	defDur(&o.AckEvery, 10*time.Millisecond)
	defDur(&o.DrainTimeout, 15*time.Second)
	defDur(&o.ForgetAfter, max(3*o.MinIdle, time.Minute))
	if o.MaxDeliveries <= 0 {
		o.MaxDeliveries = 5
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, o.check()
}

// check refuses settings under which held entries would be taken over from
// a live consumer, or acknowledgements would not keep up.
func (o Options) check() error {
	var errs []error
	if o.MinIdle < minMinIdle {
		errs = append(errs, fmt.Errorf("the reclaim idle time (%s) must be at least %s, so that a live consumer keeps the entries it holds", o.MinIdle, minMinIdle))
	}
	if o.ReclaimEvery > o.MinIdle {
		errs = append(errs, fmt.Errorf("reclaiming every %s is slower than the idle time (%s) it enforces", o.ReclaimEvery, o.MinIdle))
	}
	if o.AckEvery*4 > o.MinIdle {
		errs = append(errs, fmt.Errorf("acknowledgements batched for %s would leave handled entries idle for a quarter of the reclaim idle time (%s)", o.AckEvery, o.MinIdle))
	}
	if o.RetryBase > o.RetryMax {
		errs = append(errs, fmt.Errorf("the retry backoff starts (%s) above its cap (%s)", o.RetryBase, o.RetryMax))
	}
	if o.Chunk > o.Read {
		errs = append(errs, fmt.Errorf("a handler chunk (%d) cannot exceed a read (%d)", o.Chunk, o.Read))
	}
	if len(errs) > 0 {
		return fmt.Errorf("stream consumer %s: %w", o.Group, errors.Join(errs...))
	}
	return nil
}

// refreshEvery is how often held entries are touched.
func (o Options) refreshEvery() time.Duration { return o.MinIdle / 4 }

func defaultConsumerName() string { return config.InstanceName("consumer") }
