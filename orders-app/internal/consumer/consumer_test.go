package consumer

import (
	"testing"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

func TestRecoversAt(t *testing.T) {
	cases := []struct {
		group, typ string
		want       order.Status
	}{
		// Another service gave up: what follows its message proves it was
		// handled after all.
		{events.GroupKitchen, events.TypeOrderPlaced, order.Queued},
		{events.GroupInventory, events.TypeIngredientsRequested, order.Preparing},
		{events.GroupKitchen, events.TypeIngredientsReserved, order.Preparing},
		// orders-app gave up: its own message, handled, is the proof.
		{events.GroupOrders, events.TypeCookingStarted, order.Preparing},
		{events.GroupOrders, events.TypeRecipePicked, order.Queued},
		// Nothing follows a delivery, and an unknown type proves nothing.
		{events.GroupInventory, events.TypeDishDelivered, ""},
		{events.GroupKitchen, "", ""},
	}
	for _, c := range cases {
		if got := recoversAt(events.DeadLettered{Group: c.group, Type: c.typ}); got != c.want {
			t.Errorf("%s gave up on %q: recovers at %q, want %q", c.group, c.typ, got, c.want)
		}
	}
}
