package stream

import (
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
)

// Entry field names.
const (
	fieldType  = "type"
	fieldOrder = "order"
	fieldEvent = "event"
)

// Message is one stream entry handed to a handler.
type Message struct {
	// ID is the Redis entry id.
	ID string
	// Stream is the stream the entry was read from.
	Stream string
	// Event is the decoded envelope.
	Event events.Envelope
	// Deliveries counts how many times the group delivered the entry,
	// including this one.
	Deliveries int64
}

func entryValues(env events.Envelope) map[string]any {
	return map[string]any{
		fieldType:  env.Type,
		fieldOrder: env.OrderID,
		fieldEvent: env.Encode(),
	}
}

func rawEvent(x redis.XMessage) []byte {
	s, _ := x.Values[fieldEvent].(string)
	return []byte(s)
}

func decodeEntry(stream string, x redis.XMessage) (Message, error) {
	raw, ok := x.Values[fieldEvent].(string)
	if !ok {
		return Message{ID: x.ID, Stream: stream}, fmt.Errorf("%w: entry has no %q field", events.ErrMalformed, fieldEvent)
	}
	env, err := events.Decode([]byte(raw))
	if err != nil {
		return Message{ID: x.ID, Stream: stream}, err
	}
	return Message{ID: x.ID, Stream: stream, Event: env, Deliveries: 1}, nil
}
