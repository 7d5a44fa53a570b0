package events

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

const tracedGolden = "envelope.traced.json"

// An envelope that carries a trace context has a golden file of its own;
// the others show that an envelope without one encodes no trace field.
func TestGoldenTracedEnvelope(t *testing.T) {
	env := envelopeOf(OrderPlaced{BatchID: "0193a5f2-0000-7000-8000-00000000b001", PlacedAt: at})
	env.Trace = &Trace{Traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Tracestate: "comanda=1"}
	var got bytes.Buffer
	if err := json.Indent(&got, env.Encode(), "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	path := filepath.Join("testdata", tracedGolden)
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("wire form of a traced envelope changed:\n got: %s\nwant: %s", got.Bytes(), want)
	}
	back, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if back.Trace == nil || *back.Trace != *env.Trace {
		t.Errorf("decoded trace %+v, want %+v", back.Trace, env.Trace)
	}
}

func TestEnvelopeWithoutTraceDecodes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", TypeOrderPlaced+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(`"trace"`)) {
		t.Fatal("the untraced golden file carries a trace field")
	}
	env, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if env.Trace != nil {
		t.Errorf("an envelope without a trace decoded with %+v", env.Trace)
	}
	if bytes.Contains(env.Encode(), []byte(`"trace"`)) {
		t.Error("an untraced envelope encodes a trace field")
	}
}
