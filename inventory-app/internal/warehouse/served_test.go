package warehouse

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// servedOneByOne is the definition servedByEach must keep: for each purchase
// in turn, walk the waiting list from its head, pass the orders that what is
// on hand covers, and name the orders whose unmet need the quantity reaches.
func servedOneByOne(q *queue, batch []booking, onHand Needs) [][]string {
	out := make([][]string, len(batch))
	for k, b := range batch {
		ids := []string{}
		cover, left := max(onHand[b.i], 0), b.q
		q.each(func(p *pending) bool {
			if left <= 0 || len(ids) == MaxServedOrders {
				return false
			}
			need := p.needs[b.i]
			switch {
			case need == 0:
			case cover >= need:
				cover -= need
			default:
				left -= need - cover
				cover = 0
				ids = append(ids, p.orderID)
			}
			return true
		})
		out[k] = ids
		onHand[b.i] += b.q
	}
	return out
}

// The one walk for a batch names, for every purchase, exactly the orders the
// walk per purchase would: random waiting lists (some orders served already),
// stock on hand from none to more than the list needs, batches of answers
// with zeros among them.
func TestServedByEachNamesWhatAWalkPerPurchaseWould(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 42))
	for round := range 300 {
		w := &Warehouse{queue: newQueue()}
		for n := range rng.IntN(400) {
			var needs Needs
			for range 1 + rng.IntN(3) {
				needs[rng.IntN(NumIngredients)] += 1 + rng.IntN(3)
			}
			p := &pending{orderID: fmt.Sprintf("o%d", n), seq: int64(n), needs: needs}
			w.queue.add(p)
			if rng.IntN(5) == 0 {
				w.queue.remove(p.orderID)
			}
		}
		var onHand Needs
		for i := range onHand {
			onHand[i] = rng.IntN(1 + rng.IntN(300))
		}
		batch := make([]booking, rng.IntN(40))
		for k := range batch {
			batch[k] = booking{i: rng.IntN(NumIngredients), q: rng.IntN(6)}
		}
		want := servedOneByOne(&w.queue, batch, onHand)
		got := w.servedByEach(batch, onHand)
		for k := range batch {
			if !slices.Equal(got[k], want[k]) {
				t.Fatalf("round %d, purchase %d (%+v, %d on hand before the batch): named %v, want %v",
					round, k, batch[k], onHand[batch[k].i], got[k], want[k])
			}
		}
	}
}
