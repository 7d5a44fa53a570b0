package consumer

import (
	"context"
	"errors"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

// Cook cooks the dishes whose ingredients were reserved. It runs per message
// (Chunk 1) on as many workers as there are cooks, since each dish takes the
// cooking time. A reservation for an order the kitchen never took can never
// be cooked: it goes to the dead-letter stream.
func Cook(svc *kitchen.Service) stream.Handler {
	return func(ctx context.Context, msgs []stream.Message) error {
		for _, m := range msgs {
			if _, err := events.DecodePayload[events.IngredientsReserved](m.Event); err != nil {
				return err
			}
			err := svc.Cook(ctx, m.Event.OrderID)
			if errors.Is(err, kitchen.ErrNotFound) {
				return stream.Permanent(err)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
}
