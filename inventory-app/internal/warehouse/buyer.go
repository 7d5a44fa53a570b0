package warehouse

import (
	"context"
	"time"

	"github.com/comanda-dev/comanda/internal/retry"
	"go.opentelemetry.io/otel/trace"
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
					bctx, end := w.purchaseSpan(ctx, i)
					q, err := w.market.Buy(bctx, name)
					end(q, err)
					answers <- answer{q, err, trace.SpanContextFromContext(bctx)}
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
					w.book(i, 0, a.trace)
					failures++
					resumeAt = time.Now().Add(w.retryWait(failures))
				default:
					w.book(i, a.q, a.trace)
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
	// trace is the call's span (purchaseSpan), which the purchase's event
	// continues.
	trace trace.SpanContext
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

// servedByEach names, for each purchase of a batch in turn, the orders it
// serves: the oldest waiting orders needing its ingredient, past those the
// stock on hand already covers (onHand, growing by each purchase of the
// batch), whose unmet need its quantity covers. It walks the waiting list
// once for the batch, not once per purchase: a walk passes every order the
// stock on hand covers, thousands in a long burst. The caller holds mu.
//
// Along the walk, an order needing n units of an ingredient takes the units
// [before, before+n) of the cumulative need of the orders ahead of it; a
// purchase of q units when h are on hand serves the orders whose range
// meets [h, h+q), that is, not covered by what is on hand and reached
// before the q units run out.
func (w *Warehouse) servedByEach(batch []booking, onHand Needs) [][]string {
	type span struct {
		before, after int
		orderID       string
	}
	var hi Needs // how far into the cumulative need the batch reaches
	cover := onHand
	for _, b := range batch {
		hi[b.i] = max(hi[b.i], max(cover[b.i], 0)+b.q)
		cover[b.i] += b.q
	}
	var spans [NumIngredients][]span
	var cum Needs
	w.queue.each(func(p *pending) bool {
		for i, need := range p.needs {
			if need == 0 || cum[i] >= hi[i] {
				continue
			}
			if cum[i]+need > max(onHand[i], 0) {
				spans[i] = append(spans[i], span{cum[i], cum[i] + need, p.orderID})
			}
			cum[i] += need
		}
		for i := range hi {
			if cum[i] < hi[i] {
				return true
			}
		}
		return false
	})
	out := make([][]string, len(batch))
	cover = onHand
	for k, b := range batch {
		h := max(cover[b.i], 0)
		ids := []string{}
		if b.q > 0 {
			for _, sp := range spans[b.i] {
				if len(ids) == MaxServedOrders || sp.before >= h+b.q {
					break
				}
				if sp.after > h {
					ids = append(ids, sp.orderID)
				}
			}
		}
		out[k] = ids
		cover[b.i] += b.q
	}
	return out
}
