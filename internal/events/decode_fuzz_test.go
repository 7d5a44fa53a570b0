package events

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// FuzzDecode holds Decode to the standard library's reading of an envelope:
// whatever the bytes, it never panics, refuses what encoding/json refuses,
// and reads the same envelope from what it accepts. The seeds run with
// every go test; go test -fuzz=FuzzDecode ./internal/events/ explores.
func FuzzDecode(f *testing.F) {
	valid := MustNew("kitchen-app", "0193a1b2-0000-7000-8000-000000000001", time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
		IngredientsRequested{Recipe: "paella", Ingredients: []Item{{Ingredient: "rice", Quantity: 2}}}).Encode()
	for _, seed := range [][]byte{
		valid, valid[:len(valid)/2], []byte(`{}`), []byte(`null`), []byte(`[]`), []byte(`"x"`), []byte(``),
		[]byte(`{"id":"a","type":"t","version":1,"time":"not a time","payload":{}}`),
		[]byte(`{"id":"a","type":"t","version":1.5,"payload":{}}`),
		[]byte(`{"id":"a","type":"t","version":1,"payload":{"x":` + "\xff" + `}}`),
		[]byte(`{"id":"a","id":"b","type":"t","version":1,"payload":1}`),
		bytes.Repeat([]byte(`[`), 20000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		var std Envelope
		stdErr := json.Unmarshal(data, &std)
		if stdErr != nil {
			if err == nil {
				t.Fatalf("accepted %q, which encoding/json refuses: %v", data, stdErr)
			}
			return
		}
		if err != nil {
			return // refused for a missing field, or stricter than encoding/json
		}
		if got.ID != std.ID || got.Type != std.Type || got.Version != std.Version || !got.Time.Equal(std.Time) ||
			got.OrderID != std.OrderID || got.Source != std.Source || !bytes.Equal(compact(got.Payload), compact(std.Payload)) {
			t.Fatalf("read %q as %+v, encoding/json as %+v", data, got, std)
		}
	})
}

func compact(raw []byte) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
