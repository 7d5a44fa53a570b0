package warehouse

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/events"
)

// buyer is the only goroutine that buys ingredient i. Woken when the waiting
// orders need more of it than is on hand, it buys until they do not: for
// their total shortfall, never once per order, and never alongside another
// buyer of the same ingredient.
func (w *Warehouse) buyer(ctx context.Context, i int) {
	name := catalogue[i]
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.buyerWake[i]:
		}
		w.setBuying(i, true)
		failures := 0
		for ctx.Err() == nil && w.shortfall(i) > 0 {
			q, err := w.market.Buy(ctx, name)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				failures++
				w.log.Debug("buying at the market; waiting before asking again", "ingredient", name, "err", err, "failures", failures)
				if !sleep(ctx, w.retryWait(failures)) {
					break
				}
				continue
			}
			w.recordPurchase(ctx, i, q)
			if q == 0 {
				// None available now: ask again later, not at once.
				failures++
				if !sleep(ctx, w.retryWait(failures)) {
					break
				}
				continue
			}
			failures = 0
			w.wakeClerk()
		}
		w.setBuying(i, false)
	}
}

func (w *Warehouse) setBuying(i int, on bool) {
	w.mu.Lock()
	w.buying[i] = on
	w.mu.Unlock()
}

// shortfall is what the waiting orders need of ingredient i beyond what is
// on hand. Reserving an order lowers its demand and the stock alike, so only
// purchases and new requests move it.
func (w *Warehouse) shortfall(i int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.demand[i] - w.onHand[i]
}

// recordPurchase books an answered market call. The market has sold by now,
// so the units must reach the books even when shutdown has begun: the store
// is retried, with a bounded grace once ctx has ended.
func (w *Warehouse) recordPurchase(ctx context.Context, i, q int) {
	p := Purchase{ID: uuid.Must(uuid.NewV7()).String(), Ingredient: catalogue[i], Quantity: q, At: Now()}
	w.mu.Lock()
	p.OrderIDs = w.servedBy(i, q)
	w.mu.Unlock()
	announce := func(after Level) (events.Envelope, error) { return boughtEvent(p, after) }

	const graceAttempts = 3
	bg := context.WithoutCancel(ctx)
	for attempt := 1; ; attempt++ {
		sctx, cancel := context.WithTimeout(bg, 10*time.Second)
		w.resyncing.RLock()
		_, err := w.store.RecordPurchase(sctx, p, announce)
		// ErrAlreadyExists: an earlier attempt committed but its answer was
		// lost; the units are in the store, so they go in the mirror too.
		if err == nil || errors.Is(err, ErrAlreadyExists) {
			w.mu.Lock()
			w.onHand[i] += q
			w.mu.Unlock()
		}
		w.resyncing.RUnlock()
		cancel()
		if err == nil || errors.Is(err, ErrAlreadyExists) {
			w.opt.Published()
			return
		}
		if ctx.Err() != nil && attempt >= graceAttempts {
			w.log.Error("recording a purchase at shutdown; the units are lost to the books",
				"ingredient", p.Ingredient, "quantity", q, "purchaseId", p.ID, "err", err)
			return
		}
		w.log.Warn("recording a purchase; retrying", "ingredient", p.Ingredient, "quantity", q, "err", err, "attempt", attempt)
		// Once ctx has ended this returns at once: the grace attempts
		// follow without delaying shutdown.
		sleep(ctx, w.retryWait(attempt))
	}
}

// servedBy names the orders a purchase of q units of ingredient i serves:
// the oldest waiting orders needing it, past those the stock on hand already
// covers, whose unmet need the quantity covers. The caller holds mu.
func (w *Warehouse) servedBy(i, q int) []string {
	ids := []string{}
	cover, left := max(w.onHand[i], 0), q
	w.queue.each(func(p *pending) bool {
		if left <= 0 || len(ids) == MaxServedOrders {
			return false
		}
		need := p.needs[i]
		if need == 0 {
			return true
		}
		if cover >= need {
			cover -= need
			return true
		}
		unmet := need - cover
		cover = 0
		ids = append(ids, p.orderID)
		left -= unmet
		return true
	})
	return ids
}
