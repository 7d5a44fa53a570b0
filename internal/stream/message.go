package stream

import (
	"bytes"
	"fmt"

	fastjson "github.com/goccy/go-json"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
)

// Entry field names. An entry carries one event (type, order, event) or a
// pack of events of one type (type, count, events: a JSON array of
// envelopes), so that a burst costs a stream entry per pack, not per event.
const (
	fieldType   = "type"
	fieldOrder  = "order"
	fieldEvent  = "event"
	fieldEvents = "events"
	fieldCount  = "count"
)

// Message is one event handed to a handler: a stream entry, or one event of
// a pack.
type Message struct {
	// ID is the Redis entry id; the events of a pack share it.
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

// packValues is the entry of envs, all of one type.
func packValues(envs []events.Envelope) map[string]any {
	if len(envs) == 1 {
		return entryValues(envs[0])
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range envs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e.Encode())
	}
	b.WriteByte(']')
	return map[string]any{
		fieldType:   envs[0].Type,
		fieldCount:  len(envs),
		fieldEvents: b.Bytes(),
	}
}

// part is one event of an entry as it was stored: raw is its wire form,
// err says why it does not decode.
type part struct {
	raw []byte
	m   Message
	err error
}

// decodeEntry splits an entry into its events. An entry that cannot be
// split at all is one malformed part carrying the whole entry.
func decodeEntry(stream string, x redis.XMessage) []part {
	base := Message{ID: x.ID, Stream: stream, Deliveries: 1}
	if packed, ok := x.Values[fieldEvents].(string); ok {
		var raws []fastjson.RawMessage
		if err := fastjson.Unmarshal([]byte(packed), &raws); err != nil || len(raws) == 0 {
			if err == nil {
				err = fmt.Errorf("no events")
			}
			return []part{{raw: []byte(packed), m: base, err: fmt.Errorf("%w: entry's %q field: %v", events.ErrMalformed, fieldEvents, err)}}
		}
		parts := make([]part, len(raws))
		for i, raw := range raws {
			parts[i] = decodePart(base, raw)
		}
		return parts
	}
	raw, ok := x.Values[fieldEvent].(string)
	if !ok {
		return []part{{m: base, err: fmt.Errorf("%w: entry has no %q or %q field", events.ErrMalformed, fieldEvent, fieldEvents)}}
	}
	return []part{decodePart(base, []byte(raw))}
}

func decodePart(base Message, raw []byte) part {
	env, err := events.Decode(raw)
	if err != nil {
		return part{raw: raw, m: base, err: err}
	}
	base.Event = env
	return part{raw: raw, m: base}
}

// decodeMessages returns the events of x that decode.
func decodeMessages(stream string, x redis.XMessage, into []Message) []Message {
	for _, p := range decodeEntry(stream, x) {
		if p.err == nil {
			into = append(into, p.m)
		}
	}
	return into
}

// EntryEvents returns the events an entry carries (one, or a pack), for
// tools and tests that read a stream by hand; the first event that does not
// decode is an error.
func EntryEvents(x redis.XMessage) ([]events.Envelope, error) {
	parts := decodeEntry("", x)
	out := make([]events.Envelope, len(parts))
	for i, p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		out[i] = p.m.Event
	}
	return out, nil
}
