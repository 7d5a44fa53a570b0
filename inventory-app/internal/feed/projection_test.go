package feed

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
)

// A failed order whose dead letter is replayed comes back on the board and
// leaves the failed count; one that is delivered after all counts as
// delivered only.
func TestReplayedOrderLeavesTheFailedColumn(t *testing.T) {
	p := newProjection()
	seq := 0
	apply := func(e events.Envelope) {
		seq++
		p.apply(stream.Message{ID: "1-" + string(rune('0'+seq)), Event: e})
	}
	a, b := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	now := time.Now()
	for _, id := range []string{a, b} {
		apply(events.MustNew("orders-app", id, now, events.OrderPlaced{BatchID: "x", PlacedAt: now}))
		apply(events.MustNew("kitchen-app", id, now, events.RecipePicked{Recipe: "pizza"}))
		apply(events.MustNew("kitchen", id, now, events.DeadLettered{Stream: "s", Group: "inventory", Type: events.TypeIngredientsRequested, Reason: "store rejected it"}))
	}
	if c := p.counts(); c.Failed != 2 || c.InProgress != 0 {
		t.Fatalf("after two failures: %+v", c)
	}
	apply(events.MustNew("kitchen-app", a, now, events.IngredientsRequested{Recipe: "pizza"}))
	if c := p.counts(); c.Failed != 1 || c.InProgress != 1 || p.orders[a].status() != "waiting_ingredients" {
		t.Errorf("after a's replay moved it on: %+v, a is %s", c, p.orders[a].status())
	}
	apply(events.MustNew("kitchen-app", b, now, events.DishDelivered{Recipe: "pizza"}))
	if c := p.counts(); c.Failed != 0 || c.Delivered != 1 || c.InProgress != 1 {
		t.Errorf("after b was delivered after all: %+v", c)
	}
}

// A delivered order says when it was placed, so a client that joined after
// its placement still learns how long it took; one in progress does not
// repeat it in every frame.
func TestDeliveredOrderCarriesItsPlacement(t *testing.T) {
	p := newProjection()
	id := uuid.Must(uuid.NewV7()).String()
	placed := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	delivered := placed.Add(3 * time.Second)
	p.apply(stream.Message{ID: "1-1", Event: events.MustNew("orders-app", id, placed, events.OrderPlaced{BatchID: "x", PlacedAt: placed})})
	p.apply(stream.Message{ID: "1-2", Event: events.MustNew("kitchen-app", id, placed, events.RecipePicked{Recipe: "pizza"})})
	if v := p.delta.orders[id]; !v.PlacedAt.IsZero() {
		t.Errorf("an order in progress repeats its placement: %+v", v)
	}
	p.apply(stream.Message{ID: "1-3", Event: events.MustNew("kitchen-app", id, delivered, events.DishDelivered{Recipe: "pizza"})})
	v := p.delta.orders[id]
	if v.Stage != events.StageDelivered || !v.PlacedAt.Equal(placed) || !v.At.Equal(delivered) {
		t.Errorf("delivered view: %+v, want placedAt %s and at %s", v, placed, delivered)
	}
}
