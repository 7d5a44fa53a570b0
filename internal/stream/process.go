package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/retry"
)

// process handles one chunk: as a batch first, then, when the batch fails
// for a reason of its own, message by message so that one bad message
// cannot hold back its neighbours.
func (c *Consumer) process(ctx context.Context, chunk []Message) {
	chunk = c.stillHeld(chunk)
	if len(chunk) == 0 {
		return
	}
	if len(chunk) == 1 {
		c.processOne(ctx, chunk[0])
		return
	}
	for attempt := 1; ; attempt++ {
		err := c.call(ctx, chunk)
		if err == nil {
			c.healthy()
			c.done(chunk...)
			return
		}
		if !fault.IsUnavailable(err) {
			break
		}
		// The store does not answer: the batch is not at fault. Wait and
		// try it again, whole; nothing counts as a delivery meanwhile.
		if !c.unhealthy(ctx, err, attempt) {
			return // the drain deadline passed: left pending
		}
		if chunk = c.stillHeld(chunk); len(chunk) == 0 {
			return
		}
	}
	for _, m := range chunk {
		c.processOne(ctx, m)
	}
}

func (c *Consumer) processOne(ctx context.Context, m Message) {
	failures, outage := 0, 0
	for {
		if c.held.lost(m.Stream, m.ID) {
			return
		}
		err := c.call(ctx, []Message{m})
		switch {
		case err == nil:
			c.healthy()
			c.done(m)
			return
		case isPermanent(err):
			c.deadLetter(ctx, deadMessage(m), err.Error())
			return
		case fault.IsUnavailable(err):
			outage++
			if !c.unhealthy(ctx, err, outage) {
				return
			}
			continue
		}
		// The infrastructure answered and the handler still failed: this
		// attempt is the message's.
		c.healthy()
		outage = 0
		failures++
		c.held.setLastErr(m.Stream, m.ID, err.Error())
		if failures <= c.opt.Retries {
			if !retry.Sleep(ctx, retry.Backoff(failures, c.opt.RetryBase, c.opt.RetryMax)) {
				return
			}
			continue
		}
		if m.Deliveries >= c.opt.MaxDeliveries {
			reason := fmt.Sprintf("not handled after %d deliveries: %s", m.Deliveries, err)
			c.deadLetter(ctx, deadMessage(m), reason)
			return
		}
		c.log.Warn("handling message; delivering it again later",
			"stream", m.Stream, "id", m.ID, "type", m.Event.Type, "orderId", m.Event.OrderID,
			"deliveries", m.Deliveries, "err", err)
		c.redeliverLater(m)
		return
	}
}

// redeliverLater counts the next delivery of m and hands it to the workers
// again after MinIdle, without keeping a worker waiting. The consumer holds
// m meanwhile, so nobody else takes it; if this process dies, another
// consumer reclaims it as it would any entry.
func (c *Consumer) redeliverLater(m Message) {
	m.Deliveries++
	c.held.setDeliveries(m.Stream, m.ID, m.Deliveries)
	c.later.Go(func() {
		t := time.NewTimer(c.opt.MinIdle)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.stopping:
			return
		}
		if c.held.lost(m.Stream, m.ID) {
			return
		}
		select {
		case c.work <- []Message{m}:
		case <-c.stopping:
		}
	})
}

// stillHeld drops the messages another consumer took over.
func (c *Consumer) stillHeld(msgs []Message) []Message {
	out := msgs[:0:0]
	for _, m := range msgs {
		if c.held.lost(m.Stream, m.ID) {
			c.held.remove(m.Stream, m.ID)
			continue
		}
		out = append(out, m)
	}
	return out
}

// unhealthy pauses reading after an infrastructure fault and waits before
// the next attempt; false means the handlers' context ended.
func (c *Consumer) unhealthy(ctx context.Context, err error, attempt int) bool {
	if ctx.Err() != nil {
		return false
	}
	if c.store.fail() {
		c.opt.Metrics.setPaused(c.opt.Group, true)
		c.log.Warn("the handler's infrastructure does not answer; pausing reads and retrying", "err", err)
	}
	return retry.Sleep(ctx, retry.Backoff(attempt, c.opt.RetryBase, c.opt.RetryMax))
}

func (c *Consumer) healthy() {
	if c.store.ok() {
		c.opt.Metrics.setPaused(c.opt.Group, false)
		c.log.Info("the handler's infrastructure answers again; reading resumes")
	}
}

func (c *Consumer) call(ctx context.Context, msgs []Message) (err error) {
	start := time.Now()
	ctx, batch := c.startSpans(ctx, msgs)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
		batch.End(err)
		c.opt.Metrics.observeCall(msgs[0].Stream, c.opt.Group, len(msgs), time.Since(start), err)
	}()
	return c.handle(ctx, msgs)
}

// done counts handled messages; an entry is acknowledged once every event
// it carries is, and stays held until the acknowledgement reached Redis.
func (c *Consumer) done(msgs ...Message) {
	for _, m := range msgs {
		if c.held.partDone(m.Stream, m.ID) {
			c.ackLater(m.Stream, m.ID)
		}
	}
}

func (c *Consumer) ackLater(stream, id string) {
	c.held.acking(stream, id)
	c.acks <- ackRequest{stream: stream, id: id}
}
