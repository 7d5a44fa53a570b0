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
)

// Handler stores the effect of a batch of messages. It returns nil only when
// the effect of every message is stored; it must be idempotent, since any
// message may arrive again. When a batch fails the consumer retries its
// messages one by one, so a handler may treat a batch as all-or-nothing. An
// error wrapping ErrPermanent or events.ErrMalformed dead-letters a single
// message at once; any other error is retried.
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

	mu       sync.Mutex
	inflight map[string]struct{}
	lastErr  map[string]string
}

type ackRequest struct{ stream, id string }

// NewConsumer checks the options and returns a consumer that calls handle.
func NewConsumer(rdb redis.UniversalClient, opt Options, handle Handler) (*Consumer, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Consumer{
		rdb:      rdb,
		opt:      opt,
		handle:   handle,
		log:      opt.Logger.With("group", opt.Group, "consumer", opt.Consumer),
		work:     make(chan []Message, opt.Workers),
		acks:     make(chan ackRequest, 4*opt.Read*opt.Workers),
		inflight: make(map[string]struct{}),
		lastErr:  make(map[string]string),
	}
	if len(opt.Types) > 0 {
		c.want = make(map[string]bool, len(opt.Types))
		for _, t := range opt.Types {
			c.want[t] = true
		}
	}
	return c, nil
}

// Name returns the consumer's name inside its group.
func (c *Consumer) Name() string { return c.opt.Consumer }

// Run reads until ctx ends, then drains: it stops reading, lets in-flight
// handlers finish (up to DrainTimeout), flushes acknowledgements and returns.
func (c *Consumer) Run(ctx context.Context) error {
	if err := c.ensureGroups(ctx); err != nil {
		return err
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

	var feeders sync.WaitGroup
	feeders.Go(func() { c.reclaimLoop(ctx, hctx) })
	c.readLoop(ctx, hctx)
	feeders.Wait()

	close(c.work)
	workers.Wait()
	close(c.acks)
	<-ackDone
	c.log.Debug("consumer drained")
	return nil
}

func (c *Consumer) ensureGroups(ctx context.Context) error {
	for _, s := range c.opt.Streams {
		err := c.rdb.XGroupCreateMkStream(ctx, s, c.opt.Group, "0").Err()
		if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
			return fmt.Errorf("creating group %s on %s: %w", c.opt.Group, s, err)
		}
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
		res, err := c.rdb.XReadGroup(ctx, args).Result()
		if err != nil {
			if errors.Is(err, redis.Nil) || ctx.Err() != nil {
				continue
			}
			failures++
			c.log.Warn("reading stream", "err", err, "failures", failures)
			if strings.HasPrefix(err.Error(), "NOGROUP") {
				_ = c.ensureGroups(ctx)
			}
			sleep(ctx, backoff(failures, c.opt.RetryBase, c.opt.RetryMax))
			continue
		}
		failures = 0
		for _, s := range res {
			msgs := c.admit(hctx, s.Stream, s.Messages, nil)
			if !c.dispatch(hctx, msgs) {
				return
			}
		}
	}
}

// admit decodes entries, acknowledges the unwanted ones, dead-letters the
// undecodable ones and returns the messages to handle, marked in flight.
// deliveries holds known delivery counts for reclaimed entries.
func (c *Consumer) admit(ctx context.Context, stream string, entries []redis.XMessage, deliveries map[string]int64) []Message {
	msgs := make([]Message, 0, len(entries))
	for _, x := range entries {
		if len(x.Values) == 0 {
			// The entry was trimmed away while pending: nothing to handle.
			c.ackLater(stream, x.ID)
			continue
		}
		if c.want != nil {
			if t, _ := x.Values[fieldType].(string); !c.want[t] {
				c.ackLater(stream, x.ID)
				continue
			}
		}
		m, err := decodeEntry(stream, x)
		if n, ok := deliveries[x.ID]; ok {
			m.Deliveries = n
		}
		if err != nil {
			order, _ := x.Values[fieldOrder].(string)
			typ, _ := x.Values[fieldType].(string)
			c.deadLetter(ctx, deadEntry{stream: stream, id: x.ID, typ: typ, order: order, raw: rawEvent(x), deliveries: m.Deliveries}, err.Error())
			continue
		}
		msgs = append(msgs, m)
	}
	c.mu.Lock()
	for _, m := range msgs {
		c.inflight[m.ID] = struct{}{}
	}
	c.mu.Unlock()
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

func (c *Consumer) process(ctx context.Context, chunk []Message) {
	if len(chunk) > 1 {
		if err := c.call(ctx, chunk); err == nil {
			c.done(chunk...)
			return
		}
		// Find the message that failed: one by one, each with its retries.
	}
	for _, m := range chunk {
		c.processOne(ctx, m)
	}
}

func (c *Consumer) processOne(ctx context.Context, m Message) {
	err := c.call(ctx, []Message{m})
	for attempt := 1; err != nil && !isPermanent(err) && attempt <= c.opt.Retries; attempt++ {
		if !sleep(ctx, backoff(attempt, c.opt.RetryBase, c.opt.RetryMax)) {
			break
		}
		err = c.call(ctx, []Message{m})
	}
	switch {
	case err == nil:
		c.done(m)
	case isPermanent(err):
		c.deadLetter(ctx, deadEntry{stream: m.Stream, id: m.ID, typ: m.Event.Type, order: m.Event.OrderID, raw: m.Event.Encode(), deliveries: m.Deliveries}, err.Error())
	default:
		// Left pending: the reclaimer delivers it again after MinIdle, and
		// dead-letters it once it has had MaxDeliveries.
		c.log.Warn("handling message; left pending for redelivery",
			"stream", m.Stream, "id", m.ID, "type", m.Event.Type, "orderId", m.Event.OrderID, "err", err)
		c.mu.Lock()
		delete(c.inflight, m.ID)
		c.lastErr[m.ID] = err.Error()
		c.mu.Unlock()
	}
}

func (c *Consumer) call(ctx context.Context, msgs []Message) (err error) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
		c.opt.Metrics.observeCall(msgs[0].Stream, c.opt.Group, len(msgs), time.Since(start), err)
	}()
	return c.handle(ctx, msgs)
}

// done acknowledges handled messages.
func (c *Consumer) done(msgs ...Message) {
	c.mu.Lock()
	for _, m := range msgs {
		delete(c.inflight, m.ID)
		delete(c.lastErr, m.ID)
	}
	c.mu.Unlock()
	for _, m := range msgs {
		c.ackLater(m.Stream, m.ID)
	}
}

func (c *Consumer) ackLater(stream, id string) {
	c.acks <- ackRequest{stream: stream, id: id}
}

func (c *Consumer) ackLoop() {
	const flushAt = 512
	pending := make(map[string][]string)
	n := 0
	flush := func() {
		if n == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for attempt := 1; ; attempt++ {
			_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for s, ids := range pending {
					p.XAck(ctx, s, c.opt.Group, ids...)
				}
				return nil
			})
			if err == nil || attempt == 3 {
				if err != nil {
					// Unacknowledged entries are delivered again later; the
					// handlers are idempotent, so this costs only time.
					c.log.Warn("acknowledging messages", "count", n, "err", err)
				}
				break
			}
			time.Sleep(backoff(attempt, c.opt.RetryBase, c.opt.RetryMax))
		}
		clear(pending)
		n = 0
	}
	tick := time.NewTicker(c.opt.AckEvery)
	defer tick.Stop()
	for {
		select {
		case a, ok := <-c.acks:
			if !ok {
				flush()
				return
			}
			pending[a.stream] = append(pending[a.stream], a.id)
			n++
			if n >= flushAt {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}
