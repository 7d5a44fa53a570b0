package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	fastjson "github.com/goccy/go-json"
	"github.com/google/uuid"
)

// Envelope wraps every event on every stream.
type Envelope struct {
	// ID is unique per event (UUIDv7); consumers may use it to deduplicate.
	ID string `json:"id"`
	// Type is the stable event name, e.g. "order.placed".
	Type string `json:"type"`
	// Version is the schema version of Payload for this Type.
	Version int `json:"version"`
	// Time is when the fact happened, in UTC.
	Time time.Time `json:"time"`
	// OrderID correlates every event of one order's life.
	OrderID string `json:"orderId"`
	// Source names the service that emitted the event.
	Source string `json:"source"`
	// Payload is the type-specific body.
	Payload json.RawMessage `json:"payload"`
	// Trace is the W3C trace context of the work that emitted the event,
	// absent when tracing is off. Added in version 1.1 of the contract;
	// readers must accept envelopes without it.
	Trace *Trace `json:"trace,omitempty"`
}

// Trace carries a W3C trace context (https://www.w3.org/TR/trace-context/)
// in an envelope, the way the traceparent and tracestate headers carry it
// over HTTP, so that one order's work in every service forms one trace.
type Trace struct {
	Traceparent string `json:"traceparent"`
	Tracestate  string `json:"tracestate,omitempty"`
}

// ErrMalformed reports an envelope or payload that cannot be understood. A
// message that fails with it can never succeed and belongs in the dead-letter
// stream.
var ErrMalformed = errors.New("malformed event")

// New builds an envelope around payload, which must be one of the payload
// types of this package.
func New(source string, orderID string, at time.Time, payload Payload) (Envelope, error) {
	body, err := fastjson.Marshal(payload)
	if err != nil {
		return Envelope{}, fmt.Errorf("encoding %s payload: %w", payload.EventType(), err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Envelope{}, fmt.Errorf("generating event id: %w", err)
	}
	return Envelope{
		ID:      id.String(),
		Type:    payload.EventType(),
		Version: payload.EventVersion(),
		Time:    at.UTC(),
		OrderID: orderID,
		Source:  source,
		Payload: body,
	}, nil
}

// MustNew is New for payloads that always encode (every payload type here).
func MustNew(source string, orderID string, at time.Time, payload Payload) Envelope {
	env, err := New(source, orderID, at, payload)
	if err != nil {
		panic(err)
	}
	return env
}

// Encode returns the wire form of the envelope.
func (e Envelope) Encode() []byte {
	b, err := fastjson.Marshal(e)
	if err != nil {
		// Envelope holds only strings, ints, a time and raw JSON that was
		// produced by json.Marshal: it cannot fail to encode.
		panic(fmt.Sprintf("encoding envelope: %v", err))
	}
	return b
}

// Decode parses the wire form of an envelope and checks its required fields.
func Decode(data []byte) (Envelope, error) {
	var e Envelope
	if err := fastjson.Unmarshal(data, &e); err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case e.ID == "":
		return Envelope{}, fmt.Errorf("%w: missing id", ErrMalformed)
	case e.Type == "":
		return Envelope{}, fmt.Errorf("%w: missing type", ErrMalformed)
	case e.Version < 1:
		return Envelope{}, fmt.Errorf("%w: missing version", ErrMalformed)
	}
	return e, nil
}

// DecodePayload unmarshals the payload of e into a value of type P, checking
// that the envelope carries that type and a version this code understands.
func DecodePayload[P Payload](e Envelope) (P, error) {
	var p P
	if e.Type != p.EventType() {
		return p, fmt.Errorf("%w: expected %s, got %s", ErrMalformed, p.EventType(), e.Type)
	}
	if e.Version != p.EventVersion() {
		return p, fmt.Errorf("%w: %s version %d is not supported", ErrMalformed, e.Type, e.Version)
	}
	if err := fastjson.Unmarshal(e.Payload, &p); err != nil {
		return p, fmt.Errorf("%w: %s payload: %v", ErrMalformed, e.Type, err)
	}
	if v, ok := any(p).(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return p, fmt.Errorf("%w: %s payload: %v", ErrMalformed, e.Type, err)
		}
	}
	return p, nil
}
