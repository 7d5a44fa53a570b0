package warehouse

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/retry"
)

// buyer is the only goroutine that buys ingredient i. Woken when the waiting
// orders need more of it than is on hand, it buys until they do not: for
// their total shortfall, never once per order, and never alongside another
// buyer of the same ingredient. It keeps several calls in flight only while
// the shortfall exceeds what those calls could bring at most (judged by the
// largest answer seen), so buying in parallel never buys more than buying
// one call at a time would. A zero answer or a failure stops new calls; the
// buyer waits, with backoff and jitter, once the calls in flight are back.
func (w *Warehouse) buyer(ctx context.Context, i int) {
	name := catalogue[i]
	limit := max(w.opt.CallsPerIngredient, 1)
	answers := make(chan answer, limit) // buffered: a call never blocks on its answer
	largest := 0                        // the largest quantity the market answered for i
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.buyerWake[i]:
		}
		w.setBuying(i, true)
		inflight, failures, pause := 0, 0, false
		for {
			if inflight == 0 {
				if ctx.Err() != nil || w.shortfall(i) <= 0 {
					break
				}
				if pause {
					if !retry.Sleep(ctx, w.retryWait(failures)) {
						break
					}
					pause = false
				}
			}
			for !pause && ctx.Err() == nil && inflight < limit && w.uncovered(i, inflight, largest) > 0 {
				inflight++
				go func() {
					// A call sent before ctx ends is answered and booked
					// after it (see Market); ctx only stops new ones.
					q, err := w.market.Buy(ctx, name)
					answers <- answer{q, err}
				}()
			}
			if inflight == 0 {
				continue
			}
			a := <-answers
			inflight--
			switch {
			case a.err != nil:
				if ctx.Err() == nil {
					failures++
					pause = true
					w.log.Debug("buying at the market; waiting before asking again", "ingredient", name, "err", a.err, "failures", failures)
				}
			case a.q == 0:
				// None available now: ask again later, not at once.
				w.recordPurchase(ctx, i, 0)
				failures++
				pause = true
			default:
				w.recordPurchase(ctx, i, a.q)
				largest = max(largest, a.q)
				failures = 0
				w.wakeClerk()
			}
		}
		w.setBuying(i, false)
	}
}

type answer struct {
	q   int
	err error
}

// uncovered is the shortfall of ingredient i beyond what the calls in
// flight could bring if each sold as much as the largest answer seen; with
// no answer seen yet, a call in flight covers everything.
func (w *Warehouse) uncovered(i, inflight, largest int) int {
	short := w.shortfall(i)
	if inflight == 0 {
		return short
	}
	if largest == 0 {
		return 0
	}
	return short - inflight*largest
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
		_, err := w.store.RecordPurchase(sctx, w.opt.Token, p, announce)
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
		if errors.Is(w.fenced(err), ErrFenced) {
			// The market sold to a leader that is no more: its books
			// belong to the new leader now, and they cannot be told.
			w.log.Error("recording a purchase after a newer leader took over; the units are lost to the books",
				"ingredient", p.Ingredient, "quantity", q, "purchaseId", p.ID, "token", w.opt.Token)
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
		retry.Sleep(ctx, w.retryWait(attempt))
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
