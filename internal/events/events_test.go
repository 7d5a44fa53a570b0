package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var at = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// samples holds one fully populated example of every event type.
func samples() map[string]Payload {
	items := []Item{{Ingredient: "rice", Quantity: 2}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "chicken", Quantity: 1}}
	return map[string]Payload{
		TypeOrderPlaced:          OrderPlaced{BatchID: "0193a5f2-0000-7000-8000-00000000b001", PlacedAt: at},
		TypeRecipePicked:         RecipePicked{Recipe: "rice with chicken", Ingredients: items},
		TypeIngredientsRequested: IngredientsRequested{Recipe: "rice with chicken", Ingredients: items},
		TypeIngredientsReserved:  IngredientsReserved{Ingredients: items, Stock: []StockLevel{{Ingredient: "rice", OnHand: 3}, {Ingredient: "onion", OnHand: 4}, {Ingredient: "chicken", OnHand: 4}}},
		TypeIngredientsShort:     IngredientsShort{Missing: []Item{{Ingredient: "rice", Quantity: 1}}},
		TypeMarketBought:         MarketBought{PurchaseID: "0193a5f2-0000-7000-8000-00000000c001", Ingredient: "rice", Quantity: 4, OrderIDs: []string{"0193a5f2-0000-7000-8000-00000000a001"}, OnHand: 4},
		TypeCookingStarted:       CookingStarted{Recipe: "rice with chicken"},
		TypeDishDelivered:        DishDelivered{Recipe: "rice with chicken"},
		TypeDeadLettered: DeadLettered{
			Stream: "comanda:kitchen", MessageID: "1732363200000-0", Group: "inventory",
			Type: TypeIngredientsRequested, Deliveries: 5, Reason: "unknown ingredient \"saffron\"",
			Event: json.RawMessage(`{"id":"x","type":"kitchen.ingredients-requested"}`),
		},
	}
}

func envelopeOf(p Payload) Envelope {
	env := MustNew("test", "0193a5f2-0000-7000-8000-00000000a001", at, p)
	env.ID = "0193a5f2-0000-7000-8000-00000000e001" // fixed for the golden file
	return env
}

func TestGoldenEnvelopes(t *testing.T) {
	for typ, p := range samples() {
		t.Run(typ, func(t *testing.T) {
			var got bytes.Buffer
			if err := json.Indent(&got, envelopeOf(p).Encode(), "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", typ+".json")
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
				t.Errorf("wire form of %s changed:\n got: %s\nwant: %s", typ, got.Bytes(), want)
			}
		})
	}
}

func TestGoldenFilesDecode(t *testing.T) {
	for typ, p := range samples() {
		data, err := os.ReadFile(filepath.Join("testdata", typ+".json"))
		if err != nil {
			t.Fatal(err)
		}
		env, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if env.Type != typ || env.Version != p.EventVersion() || env.OrderID == "" || !env.Time.Equal(at) {
			t.Errorf("%s: unexpected envelope %+v", typ, env)
		}
		// Decode into the concrete type by reflection, and compare with the sample.
		ptr := reflect.New(reflect.TypeOf(p))
		if err := json.Unmarshal(env.Payload, ptr.Interface()); err != nil {
			t.Fatal(err)
		}
		// Compare encoded forms: raw JSON fields keep the golden file's spacing.
		gotJSON, _ := json.Marshal(ptr.Elem().Interface())
		wantJSON, _ := json.Marshal(p)
		var g, w bytes.Buffer
		_ = json.Compact(&g, gotJSON)
		_ = json.Compact(&w, wantJSON)
		if g.String() != w.String() {
			t.Errorf("%s: payload round trip: got %s, want %s", typ, g.String(), w.String())
		}
	}
}

func TestCatalogCoversEveryType(t *testing.T) {
	s := samples()
	if len(Catalog()) != len(s) {
		t.Fatalf("catalog has %d types, samples %d", len(Catalog()), len(s))
	}
	streams := StreamNames("x")
	for _, p := range Catalog() {
		if _, ok := s[p.EventType()]; !ok {
			t.Errorf("no sample for %s", p.EventType())
		}
		if streams.For(p.EventType()) == "" {
			t.Errorf("no stream carries %s", p.EventType())
		}
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"not json":        `nope`,
		"no id":           `{"type":"order.placed","version":1}`,
		"no type":         `{"id":"a","version":1}`,
		"no version":      `{"id":"a","type":"order.placed"}`,
		"wrong type kind": `{"id":1,"type":"order.placed","version":1}`,
	} {
		if _, err := Decode([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func TestDecodePayloadChecksTypeVersionAndFields(t *testing.T) {
	req := envelopeOf(IngredientsRequested{Recipe: "pizza", Ingredients: []Item{{Ingredient: "cheese", Quantity: 2}}})
	got, err := DecodePayload[IngredientsRequested](req)
	if err != nil || got.Recipe != "pizza" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := DecodePayload[OrderPlaced](req); !errors.Is(err, ErrMalformed) {
		t.Errorf("wrong type: got %v", err)
	}
	future := req
	future.Version = 2
	if _, err := DecodePayload[IngredientsRequested](future); !errors.Is(err, ErrMalformed) {
		t.Errorf("unknown version: got %v", err)
	}
	bad := envelopeOf(IngredientsRequested{Recipe: "pizza", Ingredients: []Item{{Ingredient: "cheese", Quantity: 0}}})
	if _, err := DecodePayload[IngredientsRequested](bad); !errors.Is(err, ErrMalformed) {
		t.Errorf("zero quantity: got %v", err)
	}
	garbage := req
	garbage.Payload = json.RawMessage(`{"recipe":7}`)
	if _, err := DecodePayload[IngredientsRequested](garbage); !errors.Is(err, ErrMalformed) {
		t.Errorf("garbage payload: got %v", err)
	}
}
