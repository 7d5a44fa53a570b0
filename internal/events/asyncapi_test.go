package events

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The AsyncAPI document in docs/ describes the same events as this package:
// every type here is a message there, on the channel that carries it, with
// the same payload fields, and the document names no type this package lacks.
func TestAsyncAPIMatchesTheContract(t *testing.T) {
	raw, err := os.ReadFile("../../docs/asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Channels map[string]struct {
			Address  string
			Messages map[string]struct {
				Ref string `json:"$ref"`
			}
		}
		Components struct {
			Messages map[string]struct {
				Name    string
				Payload struct {
					AllOf []struct {
						Properties struct {
							Payload struct {
								Required   []string
								Properties map[string]any
							}
						}
					} `json:"allOf"`
				}
			}
		}
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{} // type → component key
	for key, m := range doc.Components.Messages {
		documented[m.Name] = key
	}
	streams := StreamNames("{prefix}")
	for _, p := range Catalog() {
		typ := p.EventType()
		key, ok := documented[typ]
		if !ok {
			t.Errorf("%s is not in docs/asyncapi.yaml", typ)
			continue
		}
		delete(documented, typ)
		// On the right channel.
		want := streams.For(typ)
		found := false
		for _, ch := range doc.Channels {
			for _, ref := range ch.Messages {
				if ch.Address == want && ref.Ref == "#/components/messages/"+key {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s is not listed on the channel %s", typ, want)
		}
		// With the payload's fields.
		var fields []string
		for _, part := range doc.Components.Messages[key].Payload.AllOf {
			for f := range part.Properties.Payload.Properties {
				fields = append(fields, f)
			}
		}
		slices.Sort(fields)
		if goFields := jsonFields(reflect.TypeOf(p)); !slices.Equal(fields, goFields) {
			t.Errorf("%s: documented payload fields %v, code has %v", typ, fields, goFields)
		}
	}
	for typ := range documented {
		t.Errorf("docs/asyncapi.yaml documents %s, which the contract does not have", typ)
	}
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// The envelope's schema in the document has the envelope's fields, and the
// trace context's schema the fields of Trace.
func TestAsyncAPIEnvelopeMatchesTheContract(t *testing.T) {
	raw, err := os.ReadFile("../../docs/asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any
			}
		}
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	for schema, typ := range map[string]reflect.Type{"envelope": reflect.TypeFor[Envelope](), "trace": reflect.TypeFor[Trace]()} {
		var fields []string
		for f := range doc.Components.Schemas[schema].Properties {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		if goFields := jsonFields(typ); !slices.Equal(fields, goFields) {
			t.Errorf("schema %s: documented fields %v, code has %v", schema, fields, goFields)
		}
	}
}
