package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/retry"
)

// Handler stores the effect of a batch of messages. It returns nil only when
// the effect of every message is stored; it must be idempotent, since any
// message may arrive again. When a batch fails the consumer retries its
// messages one by one, so a handler may treat a batch as all-or-nothing.
//
// What the error says decides what happens next: an error wrapping
// ErrPermanent or events.ErrMalformed dead-letters the message at once; an
// infrastructure fault (fault.IsUnavailable: a store or Redis that does not
// answer) pauses the consumer and retries until it passes, without counting
// a delivery; any other error is retried and counts toward MaxDeliveries.
type Handler func(ctx context.Context, msgs []Message) error

// Consumer runs one consumer group over its streams. Create it with
// NewConsumer and call Run.
type Consumer struct {
	rdb    redis.UniversalClient
	opt    Options
	handle Handler
	want   map[string]bool
	log    *slog.Logger

	work chan []Message
	acks chan ackRequest

	held  *heldSet
	store *gate  // closed while the handler's infrastructure fails
	redis *since // how long Redis has answered

	// stopping ends with Run's context: delayed redeliveries give up then.
	stopping <-chan struct{}
	later    sync.WaitGroup
}

type ackRequest struct{ stream, id string }

// NewConsumer checks the options and returns a consumer that calls handle.
func NewConsumer(rdb redis.UniversalClient, opt Options, handle Handler) (*Consumer, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Consumer{
		rdb:    rdb,
		opt:    opt,
		handle: handle,
		log:    opt.Logger.With("group", opt.Group, "consumer", opt.Consumer),
		work:   make(chan []Message, opt.Workers),
		acks:   make(chan ackRequest, 4*opt.Read*opt.Workers),
		held:   newHeldSet(),
		store:  newGate(),
		redis:  newSince(),
	}
	if len(opt.Types) > 0 {
		c.want = make(map[string]bool, len(opt.Types))
		for _, t := range opt.Types {
			c.want[t] = true
		}
	}
	opt.Metrics.setPaused(opt.Group, false)
	return c, nil
}

// Paused reports whether the consumer stopped reading because its handler's
// infrastructure does not answer.
func (c *Consumer) Paused() bool { return c.store.isDown() }

// Run reads until ctx ends, then drains: it stops reading, lets in-flight
// handlers finish (up to DrainTimeout), flushes acknowledgements and returns.
// Redis or a store that does not answer never makes it return: it waits,
// with backoff, and resumes by itself.
func (c *Consumer) Run(ctx context.Context) error {
	c.stopping = ctx.Done()
	if !c.ensureGroups(ctx) {
		return nil
	}
	// Handlers run on a context that outlives ctx by the drain timeout, so
	// that a shutdown does not abort an effect half stored.
	hctx, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()
	stopDrainTimer := context.AfterFunc(ctx, func() {
		time.AfterFunc(c.opt.DrainTimeout, cancelHandlers)
	})
	defer stopDrainTimer()

	var workers sync.WaitGroup
	for range c.opt.Workers {
		workers.Go(func() {
			for chunk := range c.work {
				c.process(hctx, chunk)
			}
		})
	}
	ackDone := make(chan struct{})
	go func() {
		defer close(ackDone)
		c.ackLoop()
	}()
	refreshCtx, stopRefresh := context.WithCancel(context.WithoutCancel(ctx))
	refreshDone := make(chan struct{})
	go func() {
		defer close(refreshDone)
		c.refreshLoop(refreshCtx)
	}()

	var feeders sync.WaitGroup
	feeders.Go(func() { c.reclaimLoop(ctx, hctx) })
	c.readLoop(ctx, hctx)
	feeders.Wait()
	c.later.Wait()

	close(c.work)
	workers.Wait()
	close(c.acks)
	<-ackDone
	stopRefresh()
	<-refreshDone
	c.log.Debug("consumer drained", "held", c.held.len())
	return nil
}

// ensureGroups creates the group on every stream, waiting for Redis as long
// as it takes; false means ctx ended first.
func (c *Consumer) ensureGroups(ctx context.Context) bool {
	for attempt := 1; ; attempt++ {
		err := EnsureGroups(ctx, c.rdb, c.opt.Group, c.opt.Streams...)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		c.log.Warn("creating consumer groups; waiting for Redis", "err", err, "attempt", attempt)
		if !retry.Sleep(ctx, retry.Backoff(attempt, c.opt.RetryBase, c.opt.RetryMax)) {
			return false
		}
	}
}

// EnsureGroups creates group on each stream (and the stream) unless it
// exists, reading from the start: entries published before the group
// existed are its work too.
func EnsureGroups(ctx context.Context, rdb redis.UniversalClient, group string, streams ...string) error {
	for _, s := range streams {
		if err := createGroup(ctx, rdb, s, group, "0"); err != nil {
			return err
		}
	}
	return nil
}

// createGroup creates group on stream (and the stream), reading after id,
// unless the group exists.
func createGroup(ctx context.Context, rdb redis.UniversalClient, stream, group, after string) error {
	err := rdb.XGroupCreateMkStream(ctx, stream, group, after).Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("creating group %s on %s: %w", group, stream, err)
	}
	return nil
}

func (c *Consumer) readLoop(ctx, hctx context.Context) {
	args := &redis.XReadGroupArgs{
		Group:    c.opt.Group,
		Consumer: c.opt.Consumer,
		Count:    int64(c.opt.Read),
		Block:    c.opt.Block,
	}
	args.Streams = append(args.Streams, c.opt.Streams...)
	for range c.opt.Streams {
		args.Streams = append(args.Streams, ">")
	}
	failures := 0
	for ctx.Err() == nil {
		// Nothing new is read while the handler's store does not answer:
		// what was read would only wait, and look idle to others.
		if !c.store.wait(ctx) {
			return
		}
		res, err := c.rdb.XReadGroup(ctx, args).Result()
		if err != nil {
			if errors.Is(err, redis.Nil) || ctx.Err() != nil {
				continue
			}
			failures++
			c.redis.fail()
			c.log.Warn("reading stream; waiting for Redis", "err", err, "failures", failures)
			if strings.HasPrefix(err.Error(), "NOGROUP") {
				_ = EnsureGroups(ctx, c.rdb, c.opt.Group, c.opt.Streams...)
			}
			retry.Sleep(ctx, retry.Backoff(failures, c.opt.RetryBase, c.opt.RetryMax))
			continue
		}
		failures = 0
		c.redis.ok()
		for _, s := range res {
			msgs := c.admit(hctx, s.Stream, s.Messages, nil)
			if !c.dispatch(hctx, msgs) {
				return
			}
		}
	}
}

// admit holds the entries read or claimed, acknowledges the unwanted ones,
// dead-letters the events that do not decode and returns the messages to
// handle.
// deliveries holds the delivery counts of claimed entries.
func (c *Consumer) admit(ctx context.Context, stream string, entries []redis.XMessage, deliveries map[string]int64) []Message {
	msgs := make([]Message, 0, len(entries))
	for _, x := range entries {
		n := int64(1)
		if d, ok := deliveries[x.ID]; ok {
			n = d
		}
		if len(x.Values) == 0 {
			// Streams are trimmed only below what every group has
			// acknowledged, so this is an entry deleted by hand.
			c.held.add(stream, x.ID, n, 1)
			c.opt.Metrics.lose(stream, c.opt.Group)
			c.log.Error("pending entry was deleted from the stream before it was handled", "stream", stream, "id", x.ID)
			c.ackLater(stream, x.ID)
			continue
		}
		if c.want != nil {
			if t, _ := x.Values[fieldType].(string); !c.want[t] {
				c.held.add(stream, x.ID, n, 1)
				c.ackLater(stream, x.ID)
				continue
			}
		}
		parts := decodeEntry(stream, x)
		c.held.add(stream, x.ID, n, len(parts))
		for _, p := range parts {
			p.m.Deliveries = n
			if p.err != nil {
				c.deadLetter(ctx, deadPart(x, p), p.err.Error())
				continue
			}
			msgs = append(msgs, p.m)
		}
	}
	return msgs
}

// dispatch hands msgs to the workers in chunks; false means the drain
// deadline passed and the rest stay pending for a later delivery.
func (c *Consumer) dispatch(ctx context.Context, msgs []Message) bool {
	for len(msgs) > 0 {
		n := min(len(msgs), c.opt.Chunk)
		select {
		case c.work <- msgs[:n:n]:
		case <-ctx.Done():
			return false
		}
		msgs = msgs[n:]
	}
	return true
}
