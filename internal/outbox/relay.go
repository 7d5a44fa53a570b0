package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
)

// Store holds the unpublished events of one service.
type Store interface {
	// PublishPending takes up to limit unpublished events, oldest first,
	// passes them to publish and, when publish succeeds, deletes them. It
	// returns how many it published. Implementations make sure two relays
	// never publish the same events at once.
	PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error)
}

// Relay moves events from a Store to their streams.
type Relay struct {
	store   Store
	pub     *stream.Publisher
	streams events.Streams
	batch   int
	every   time.Duration
	wake    chan struct{}
	log     *slog.Logger
}

// NewRelay returns a relay that publishes up to batch events per round trip,
// polling every interval and whenever Notify is called.
func NewRelay(store Store, pub *stream.Publisher, streams events.Streams, batch int, every time.Duration, log *slog.Logger) *Relay {
	return &Relay{store: store, pub: pub, streams: streams, batch: batch, every: every, wake: make(chan struct{}, 1), log: log}
}

// Notify tells the relay that new events were stored; it never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx ends, then makes one last attempt to empty the
// outbox so that a clean shutdown leaves nothing behind.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTicker(r.every)
	defer t.Stop()
	failures := 0
	for {
		n, err := r.store.PublishPending(ctx, r.batch, r.publish)
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			r.log.Warn("publishing outbox", "err", err, "failures", failures)
		case err == nil:
			failures = 0
		}
		if err == nil && n == r.batch {
			continue // more are waiting
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
		n, err := r.store.PublishPending(ctx, r.batch, r.publish)
		if err != nil {
			r.log.Warn("publishing outbox at shutdown; the rest is published at the next start", "err", err)
			return
		}
		if n < r.batch {
			return
		}
	}
}

func (r *Relay) publish(ctx context.Context, envs []events.Envelope) error {
	recs := make([]stream.Record, len(envs))
	for i, e := range envs {
		recs[i] = stream.Record{Stream: r.streams.For(e.Type), Event: e}
		if recs[i].Stream == "" {
			// Only this service's code writes the outbox; an unknown type
			// is a programming error, so it goes to the dead-letter stream
			// rather than blocking the outbox.
			recs[i].Stream = r.streams.DeadLetter
		}
	}
	_, err := r.pub.Publish(ctx, recs...)
	return err
}
