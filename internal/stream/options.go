package stream

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"time"
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
	// MinIdle is how long an entry stays pending before another consumer may
	// reclaim it (default 30s). It must exceed the slowest handler call.
	MinIdle time.Duration
	// ReclaimEvery is how often pending entries are scanned (default MinIdle/2).
	ReclaimEvery time.Duration
	// MaxDeliveries is how many deliveries an entry gets before it is
	// dead-lettered (default 5).
	MaxDeliveries int64
	// Retries is how many times a failed message is retried in process, with
	// backoff, before it is left pending for a later delivery (default 3).
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
	// Metrics, when set, counts what the consumer does.
	Metrics *Metrics
	Logger  *slog.Logger
}

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
	if o.MaxDeliveries <= 0 {
		o.MaxDeliveries = 5
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

func defaultConsumerName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "consumer"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}
