package outboxtest

import (
	"context"
	"testing"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox"
)

// Drain publishes everything s holds, failing the test on an error, and
// returns the events in the order they were published.
func Drain(t testing.TB, s outbox.Store) []events.Envelope {
	t.Helper()
	var all []events.Envelope
	for {
		n, err := s.PublishPending(context.Background(), 100, func(_ context.Context, b []events.Envelope) error {
			all = append(all, b...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return all
		}
	}
}
