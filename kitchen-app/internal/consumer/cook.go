package consumer

import (
	"context"
	"errors"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

// Cook cooks the dishes whose ingredients were reserved, a tray of them per
// handler call (the messages of one call cook together, for the cooking
// time). A reservation for an order the kitchen never took can never be
// cooked: the tray fails as a whole, the consumer then takes its messages
// one by one, and that one goes to the dead-letter stream.
func Cook(svc *kitchen.Service) stream.Handler {
	return func(ctx context.Context, msgs []stream.Message) error {
		ids := make([]string, 0, len(msgs))
		for _, m := range msgs {
			if _, err := events.DecodePayload[events.IngredientsReserved](m.Event); err != nil {
				return err
			}
			ids = append(ids, m.Event.OrderID)
		}
		err := svc.Cook(ctx, ids...)
		if errors.Is(err, kitchen.ErrNotFound) {
			return stream.Permanent(err)
		}
		return err
	}
}
