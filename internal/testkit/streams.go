package testkit

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
)

// StreamEvents reads a whole stream and returns the events its entries
// carry (an entry holds one event or a pack), failing the test on one that
// does not decode.
func StreamEvents(t testing.TB, rdb redis.UniversalClient, key string) []events.Envelope {
	t.Helper()
	xs, err := rdb.XRange(context.Background(), key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []events.Envelope
	for _, x := range xs {
		evs, err := stream.EntryEvents(x)
		if err != nil {
			t.Fatalf("entry %s of %s: %v", x.ID, key, err)
		}
		out = append(out, evs...)
	}
	return out
}

// EventCount is how many events a stream holds.
func EventCount(t testing.TB, rdb redis.UniversalClient, key string) int64 {
	t.Helper()
	return int64(len(StreamEvents(t, rdb, key)))
}
