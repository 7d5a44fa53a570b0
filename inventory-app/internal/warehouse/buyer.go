package warehouse

import (
	"context"
	"time"

	"github.com/comanda-dev/comanda/internal/retry"
)

// buyer is the only goroutine that buys ingredient i. Woken when the waiting
// orders need more of it than is on hand, it buys until they do not: for
// their total shortfall, never once per order, and never alongside another
// buyer of the same ingredient. It keeps several calls in flight only while
// the shortfall exceeds what those calls could bring at most (judged by the
// largest answer the market gave, see Warehouse.largest), so buying in
// parallel never buys more than buying one call at a time would. A zero answer or a failure holds back new calls
// for a wait that grows, with jitter, while they go on; the calls already in
// flight are answered and booked meanwhile.
func (w *Warehouse) buyer(ctx context.Context, i int) {
	name := catalogue[i]
	limit := max(w.opt.CallsPerIngredient, 1)
	answers := make(chan answer, limit) // buffered: a call never blocks on its answer
	pause := time.NewTimer(0)
	<-pause.C
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.buyerWake[i]:
		}
		w.setBuying(i, true)
		inflight, failures := 0, 0
		var resumeAt time.Time // no new call before
		for {
			if inflight == 0 && (ctx.Err() != nil || w.shortfall(i) <= 0) {
				break
			}
			for ctx.Err() == nil && !time.Now().Before(resumeAt) && inflight < limit && w.uncovered(i, inflight) > 0 {
				inflight++
				go func() {
					// A call sent before ctx ends is answered and booked
					// after it (see Market); ctx only stops new ones.
					q, err := w.market.Buy(ctx, name)
					answers <- answer{q, err}
				}()
			}
			waiting := time.Until(resumeAt) > 0
			if inflight == 0 {
				if waiting && !retry.Sleep(ctx, time.Until(resumeAt)) {
					break
				}
				continue
			}
			var resume <-chan time.Time
			if waiting {
				pause.Reset(time.Until(resumeAt))
				resume = pause.C
			}
			select {
			case a := <-answers:
				inflight--
				switch {
				case a.err != nil:
					if ctx.Err() == nil {
						failures++
						resumeAt = time.Now().Add(w.retryWait(failures))
						w.log.Debug("buying at the market; waiting before asking again", "ingredient", name, "err", a.err, "failures", failures)
					}
				case a.q == 0:
					// None available now: ask again later, not at once.
					w.book(i, 0)
					failures++
					resumeAt = time.Now().Add(w.retryWait(failures))
				default:
					w.book(i, a.q)
					failures = 0
				}
			case <-resume:
			}
			if waiting && !pause.Stop() {
				select {
				case <-pause.C:
				default:
				}
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
// flight could bring if each sold as much as the largest answer the market
// gave (Warehouse.largest); with no answer known yet, a call in flight
// covers everything.
func (w *Warehouse) uncovered(i, inflight int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	short := w.demand[i] - w.onHand[i] - w.unbooked[i]
	if inflight == 0 {
		return short
	}
	if w.largest == 0 {
		return 0
	}
	return short - inflight*w.largest
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
	return w.demand[i] - w.onHand[i] - w.unbooked[i]
}

// servedBy names the orders a purchase of q units of ingredient i serves:
// the oldest waiting orders needing it, past those onHand already covers,
// whose unmet need the quantity covers. The caller holds mu.
func (w *Warehouse) servedBy(i, q, onHand int) []string {
	ids := []string{}
	cover, left := max(onHand, 0), q
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
