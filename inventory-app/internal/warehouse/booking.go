package warehouse

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/retry"
)

// maxBookings bounds the purchases of one store transaction.
const maxBookings = 256

// booking is an answered market call on its way to the books.
type booking struct {
	i, q  int
	trace trace.SpanContext // the market call's span (invalid: untraced)
}

// book hands an answered market call to the booker. The buyer goes on
// buying meanwhile: the units count as bought-but-unbooked, so the shortfall
// it buys for already leaves them out, and they move on hand once stored.
func (w *Warehouse) book(i, q int, sc trace.SpanContext) {
	w.mu.Lock()
	w.unbooked[i] += q
	w.largest = max(w.largest, q)
	w.mu.Unlock()
	w.bookings <- booking{i: i, q: q, trace: sc}
}

// booker records the market's answers: every answer that arrived while the
// previous transaction committed goes into the next one (group commit), so a
// burst of answers costs a few commits, not one each. It stops once the
// buyers have, after booking what they handed in.
func (w *Warehouse) booker(ctx context.Context) {
	for b := range w.bookings {
		batch := []booking{b}
	more:
		for len(batch) < maxBookings {
			select {
			case b, ok := <-w.bookings:
				if !ok {
					break more
				}
				batch = append(batch, b)
			default:
				break more
			}
		}
		w.record(ctx, batch)
	}
}

// record stores a batch of answered calls. The market has sold by now, so
// the units must reach the books even when shutdown has begun: the store is
// retried, with a bounded grace once ctx has ended.
func (w *Warehouse) record(ctx context.Context, batch []booking) {
	ps := make([]Purchase, len(batch))
	w.mu.Lock()
	served := w.servedByEach(batch, w.onHand)
	for k, b := range batch {
		ps[k] = Purchase{ID: uuid.Must(uuid.NewV7()).String(), Ingredient: catalogue[b.i], Quantity: b.q, At: clock.Now(), OrderIDs: served[k]}
	}
	w.mu.Unlock()
	announce := func(p Purchase, after Level) (events.Envelope, error) { return boughtEvent(p, after) }
	ctx, traced := w.purchaseRecordSpans(ctx, batch, ps)
	var err error
	defer func() { traced.End(err) }()

	const graceAttempts = 3
	bg := context.WithoutCancel(ctx)
	for attempt := 1; ; attempt++ {
		sctx, cancel := context.WithTimeout(bg, 10*time.Second)
		w.resyncing.RLock()
		err = w.store.RecordPurchases(sctx, w.opt.Token, ps, announce)
		if err == nil {
			w.settle(batch, true)
		}
		w.resyncing.RUnlock()
		cancel()
		if err == nil {
			w.opt.Published()
			w.wakeClerk()
			return
		}
		if errors.Is(w.fenced(err), ErrFenced) {
			// The market sold to a leader that is no more: its books
			// belong to the new leader now, and they cannot be told.
			w.log.Error("recording purchases after a newer leader took over; the units are lost to the books",
				"purchases", len(ps), "token", w.opt.Token)
			w.settle(batch, false)
			return
		}
		if ctx.Err() != nil && attempt >= graceAttempts {
			w.log.Error("recording purchases at shutdown; the units are lost to the books", "purchases", len(ps), "err", err)
			w.settle(batch, false)
			return
		}
		w.log.Warn("recording purchases; retrying", "purchases", len(ps), "err", err, "attempt", attempt)
		// Once ctx has ended this returns at once: the grace attempts
		// follow without delaying shutdown.
		retry.Sleep(ctx, w.retryWait(attempt))
	}
}

// settle moves a batch's units from unbooked to on hand once stored, or
// drops them when they never will be.
func (w *Warehouse) settle(batch []booking, stored bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, b := range batch {
		w.unbooked[b.i] -= b.q
		if stored {
			w.onHand[b.i] += b.q
		}
	}
}
