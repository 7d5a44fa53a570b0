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
