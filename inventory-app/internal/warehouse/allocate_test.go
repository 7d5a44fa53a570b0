package warehouse

import (
	"fmt"
	"slices"
	"testing"
)

func needs(kv ...any) Needs {
	var n Needs
	for i := 0; i < len(kv); i += 2 {
		k, _ := IndexOf(kv[i].(string))
		n[k] = kv[i+1].(int)
	}
	return n
}

func queueOf(orders ...Needs) (*queue, Needs) {
	q := newQueue()
	var demand Needs
	for i, n := range orders {
		q.add(&pending{orderID: fmt.Sprintf("o%d", i), seq: int64(i + 1), needs: n})
		demand.Add(n)
	}
	return &q, demand
}

func ids(ps []*pending) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.orderID)
	}
	return out
}

func TestAllocateEarmarksForTheOldestOrder(t *testing.T) {
	q, demand := queueOf(needs("tomato", 3), needs("tomato", 1), needs("lemon", 1), needs("tomato", 1, "lemon", 1))
	pl := allocate(q, needs("tomato", 2, "lemon", 5), demand, 100, 100)
	if got := ids(pl.grants); !slices.Equal(got, []string{"o2"}) {
		t.Errorf("grants %v: only the lemon order may go; the tomatoes are earmarked for o0", got)
	}
	if len(pl.shorts) != 3 || pl.shorts[0].missing != needs("tomato", 1) || pl.shorts[1].missing != needs("tomato", 1) {
		t.Errorf("shorts %+v", pl.shorts)
	}
	if pl.more {
		t.Error("more with nothing left to do")
	}
}

func TestAllocateGrantsInSequenceOrderWhileStockLasts(t *testing.T) {
	q, demand := queueOf(needs("rice", 2), needs("rice", 2), needs("rice", 2))
	pl := allocate(q, needs("rice", 5), demand, 100, 100)
	if got := ids(pl.grants); !slices.Equal(got, []string{"o0", "o1"}) {
		t.Errorf("grants %v", got)
	}
	if len(pl.shorts) != 1 || pl.shorts[0].p.orderID != "o2" || pl.shorts[0].missing != needs("rice", 1) {
		t.Errorf("shorts %+v", pl.shorts)
	}
}

func TestAllocateStopsWhenNothingOnHandIsWanted(t *testing.T) {
	q, demand := queueOf(needs("meat", 1), needs("meat", 2, "onion", 1), needs("meat", 1))
	for _, p := range q.items {
		p.noted = true
	}
	q.advanceUnnoted()
	pl := allocate(q, needs("onion", 5), demand, 100, 100)
	if len(pl.grants) != 0 || len(pl.shorts) != 0 || pl.more {
		t.Errorf("plan %+v: nothing can be served and everyone was told", pl)
	}
	// A newcomer past the stop is told it misses everything it needs.
	q.add(&pending{orderID: "new", seq: 10, needs: needs("meat", 4)})
	demand.Add(needs("meat", 4))
	pl = allocate(q, needs("onion", 5), demand, 100, 100)
	if len(pl.shorts) != 1 || pl.shorts[0].p.orderID != "new" || pl.shorts[0].missing != needs("meat", 4) {
		t.Errorf("shorts %+v", pl.shorts)
	}
}

func TestAllocateRespectsItsCaps(t *testing.T) {
	q, demand := queueOf(needs("potato", 1), needs("potato", 1), needs("potato", 1))
	pl := allocate(q, needs("potato", 5), demand, 2, 100)
	if len(pl.grants) != 2 || !pl.more {
		t.Errorf("grants %v, more %v; want 2 and more", ids(pl.grants), pl.more)
	}
	q, demand = queueOf(needs("potato", 1), needs("potato", 1), needs("potato", 1))
	pl = allocate(q, Needs{}, demand, 100, 2)
	if len(pl.shorts) != 2 || !pl.more {
		t.Errorf("shorts %d, more %v; want 2 and more", len(pl.shorts), pl.more)
	}
}

func TestQueueKeepsSequenceOrderAndCompacts(t *testing.T) {
	q := newQueue()
	for _, seq := range []int64{1, 2, 5, 3, 4} {
		q.add(&pending{orderID: fmt.Sprint(seq), seq: seq})
	}
	if q.add(&pending{orderID: "3", seq: 9}) {
		t.Error("an order was added twice")
	}
	var got []string
	q.each(func(p *pending) bool { got = append(got, p.orderID); return true })
	if !slices.Equal(got, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("order %v", got)
	}
	for i := range 200 {
		q.add(&pending{orderID: fmt.Sprint("x", i), seq: int64(10 + i)})
	}
	for i := range 150 {
		if q.remove(fmt.Sprint("x", i)) == nil {
			t.Fatal("remove lost an order")
		}
	}
	if q.remove("x0") != nil {
		t.Error("removed twice")
	}
	if q.len() != 55 || len(q.items) > 2*q.len()+64 {
		t.Errorf("%d waiting in a list of %d: not compacted", q.len(), len(q.items))
	}
}

// A long line held up by one scarce ingredient costs the clerk a step or
// two, not a walk of the line, even with plenty of another ingredient on
// hand; an order of another kind further back is still found and served.
func TestAllocateStopsWhenNoOrderLeftCouldBeServed(t *testing.T) {
	line := make([]Needs, 10000)
	for i := range line {
		line[i] = needs("tomato", 2, "lemon", 1)
	}
	q, demand := queueOf(line...)
	pl := allocate(q, needs("lemon", 500), demand, 100, 100000)
	if len(pl.grants) != 0 || pl.walked > 1 {
		t.Errorf("granted %d after walking %d orders; want none after one", len(pl.grants), pl.walked)
	}
	if len(pl.shorts) != 10000 || pl.shorts[9999].missing != needs("tomato", 2) {
		t.Errorf("%d shortages, the last missing %v", len(pl.shorts), pl.shorts[len(pl.shorts)-1].missing)
	}

	q, demand = queueOf(append(line[:100:100], needs("lemon", 1))...)
	pl = allocate(q, needs("lemon", 500), demand, 100, 100000)
	if got := ids(pl.grants); !slices.Equal(got, []string{"o100"}) {
		t.Errorf("grants %v, want the lemon-only order behind the line", got)
	}
}
