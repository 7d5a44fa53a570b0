package warehouse

import (
	"context"
	"errors"
	"fmt"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/retry"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// clerk runs passes over the waiting list whenever something changed: a new
// request, a purchase, or a pass that stopped at its cap.
func (w *Warehouse) clerk(ctx context.Context) {
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.clerkWake:
		}
		more, err := w.pass(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			w.log.Warn("serving waiting orders; retrying", "err", err, "failures", failures)
			if !retry.Sleep(ctx, w.retryWait(failures)) {
				return
			}
			w.wakeClerk()
			continue
		}
		failures = 0
		if more {
			w.wakeClerk()
		}
	}
}

// pass serves what it can of the waiting list in one allocation.
func (w *Warehouse) pass(ctx context.Context) (more bool, err error) {
	w.mu.Lock()
	pl := allocate(&w.queue, w.onHand, w.demand, maxGrantsPerPass, maxShortsPerPass)
	w.mu.Unlock()
	if len(pl.shorts) > 0 {
		if err := w.noteShort(ctx, pl.shorts); err != nil {
			return false, err
		}
	}
	if len(pl.grants) > 0 {
		if err := w.reserve(ctx, pl.grants); err != nil {
			return false, err
		}
	}
	return pl.more, nil
}

// reserve commits the grants of a pass in one store call.
func (w *Warehouse) reserve(ctx context.Context, grants []*pending) (err error) {
	ctx, batch := w.orderSpans(ctx, "reserve", grants)
	defer func() { batch.End(err) }()
	ids := make([]string, len(grants))
	for i, p := range grants {
		ids[i] = p.orderID
	}
	at := clock.Now()
	reserved, err := w.store.Reserve(ctx, w.opt.Token, ids, at, func(rs []Reservation, after []Level) ([]events.Envelope, error) {
		return reservedEvents(rs, after, at)
	})
	if errors.Is(err, ErrInsufficientStock) {
		// The mirror promised stock the store does not have: someone else
		// writes this store. Reload it and let the next pass decide again.
		if rerr := w.resync(ctx); rerr != nil {
			return errors.Join(err, rerr)
		}
		return fmt.Errorf("reserving stock for %d orders (mirror reloaded): %w", len(ids), err)
	}
	if err != nil {
		return fmt.Errorf("reserving stock for %d orders: %w", len(ids), w.fenced(err))
	}
	w.mu.Lock()
	for _, r := range reserved {
		if p := w.queue.remove(r.OrderID); p != nil {
			w.demand.Sub(p.needs)
		}
		w.onHand.Sub(r.Needs())
	}
	// Granted orders the store no longer had waiting were served elsewhere.
	for _, p := range grants {
		if w.queue.remove(p.orderID) != nil {
			w.demand.Sub(p.needs)
		}
	}
	w.mu.Unlock()
	if len(reserved) > 0 {
		w.opt.Published()
	}
	return nil
}

// noteShort tells orders that they wait for the market, once each.
func (w *Warehouse) noteShort(ctx context.Context, shorts []shortage) (err error) {
	if w.opt.Tracer != nil {
		ps := make([]*pending, len(shorts))
		for i, s := range shorts {
			ps[i] = s.p
		}
		var batch spans.Batch
		ctx, batch = w.orderSpans(ctx, "wait for the market", ps)
		defer func() { batch.End(err) }()
	}
	at := clock.Now()
	notes := make([]ShortNote, 0, len(shorts))
	for _, s := range shorts {
		env, err := shortEvent(s.p.orderID, s.missing, at)
		if err != nil {
			return err
		}
		notes = append(notes, ShortNote{OrderID: s.p.orderID, Event: env})
	}
	n, err := w.store.NoteShort(ctx, w.opt.Token, notes)
	if err != nil {
		return fmt.Errorf("noting %d short orders: %w", len(notes), w.fenced(err))
	}
	w.mu.Lock()
	for _, s := range shorts {
		s.p.noted = true
	}
	w.queue.advanceUnnoted()
	w.mu.Unlock()
	if n > 0 {
		w.opt.Published()
	}
	return nil
}

// resync reloads the stock mirror from the store.
func (w *Warehouse) resync(ctx context.Context) error {
	w.resyncing.Lock()
	defer w.resyncing.Unlock()
	levels, err := w.store.Stock(ctx)
	if err != nil {
		return fmt.Errorf("reloading stock: %w", err)
	}
	w.mu.Lock()
	w.onHand = onHandOf(levels)
	w.mu.Unlock()
	w.wakeBuyers()
	return nil
}
