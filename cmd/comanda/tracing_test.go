package main

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/internal/tracing/otlpsink"
)

// tracedSetup points every service's traces at sink; no initial stock, so
// that the dish's ingredients are bought at the market.
func tracedSetup(real bool, sink *otlpsink.Sink) setup {
	return setup{realServices: real, market: marketsim.Config{MaxQuantity: 5, Seed: 42}, tune: func(c *Config) {
		for _, t := range []*struct{ endpoint *string }{
			{&c.Orders.Tracing.OTLPEndpoint}, {&c.Kitchen.Tracing.OTLPEndpoint}, {&c.Inventory.Tracing.OTLPEndpoint}, {&c.Web.Tracing.OTLPEndpoint},
		} {
			*t.endpoint = sink.URL()
		}
		c.Inventory.InitialStock = 0
	}}
}

// One dish ordered through the gateway is one trace, and each of several
// ordered at once is a trace of its own: the gateway's request and proxy
// spans, the placement in orders-app, the recipe pick
// and the cooking in kitchen-app, the reservation and the market calls in
// inventory-app, every status change back in orders-app, with the store's
// and Redis's calls as spans under them.
func TestOneTracePerDish(t *testing.T) {
	for _, real := range []bool{false, true} {
		t.Run(map[bool]string{false: "embedded", true: "redis+postgres"}[real], func(t *testing.T) {
			sink, err := otlpsink.Start("127.0.0.1:0", true)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sink.Close() })
			t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
			h := startSystem(t, tracedSetup(real, sink))
			var placed struct{ OrderIDs []string }
			bearer := http.Header{"Authorization": {"Bearer " + h.token}}
			if status := h.gateway(&http.Client{}, "POST", "/api/orders/orders", `{"quantity":1}`, &placed, bearer); status != 202 || len(placed.OrderIDs) != 1 {
				t.Fatalf("placing through the gateway: %d %+v", status, placed)
			}
			order := placed.OrderIDs[0]
			h.waitDone(1, time.Minute)

			want := map[string][]string{
				"web":        {"POST /api/:service/*", "proxy orders"},
				"orders-app": {"POST /api/v1/orders", "publish order.placed", "orders kitchen.recipe-picked", "orders kitchen.cooking-started", "orders kitchen.dish-delivered"},
				"kitchen-app": {"kitchen order.placed", "publish kitchen.recipe-picked", "publish kitchen.ingredients-requested",
					"kitchen inventory.ingredients-reserved", "publish kitchen.cooking-started", "publish kitchen.dish-delivered"},
				"inventory-app": {"inventory kitchen.ingredients-requested", "wait for the market", "publish inventory.ingredients-short",
					"record purchase", "publish inventory.market-bought", "reserve", "publish inventory.ingredients-reserved"},
			}
			// Each service exports on its own: wait until every one has.
			var trace []otlpsink.Span
			deadline := time.Now().Add(20 * time.Second)
			for {
				trace = traceOf(sink.Spans(), order)
				if missing(trace, want) == 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			byService := map[string][]string{}
			for _, s := range trace {
				byService[s.Service] = append(byService[s.Service], s.Name)
			}
			for service, names := range want {
				for _, n := range names {
					if !hasSpan(trace, service, n) {
						t.Errorf("%s: no span %q in the order's trace; it has %v", service, n, byService[service])
					}
				}
			}
			var bought, marketCalls, stores, redisCalls int
			for _, s := range trace {
				switch {
				case strings.HasPrefix(s.Name, "buy "):
					bought++
				case s.Service == "inventory-app" && strings.HasPrefix(s.Name, "HTTP "): // the market client's
					marketCalls++
				case s.Attrs["db.system.name"] == "postgresql" || s.Attrs["db.system.name"] == "sqlite" || s.Attrs["db.system.name"] == "mongodb":
					stores++
				case s.Attrs["db.system.name"] == "redis" || s.Attrs["db.system"] == "redis":
					redisCalls++
				}
			}
			if bought == 0 || marketCalls == 0 {
				t.Errorf("the trace holds %d purchase spans and %d market calls, want both (no stock to start with)", bought, marketCalls)
			}
			if stores == 0 || redisCalls == 0 {
				t.Errorf("the trace holds %d store and %d Redis spans, want both", stores, redisCalls)
			}
			// Every span of the trace hangs from the gateway's: one root.
			ids := map[string]bool{}
			for _, s := range trace {
				ids[s.SpanID] = true
			}
			var roots []string
			for _, s := range trace {
				if s.ParentID == "" || !ids[s.ParentID] {
					roots = append(roots, s.Service+" "+s.Name)
				}
			}
			if len(roots) != 1 || roots[0] != "web POST /api/:service/*" {
				t.Errorf("the trace's roots are %v, want the gateway's request alone", roots)
			}
			// Several dishes at once: a trace each, its root the dish's
			// placement, linked to the request that placed them all.
			var three struct{ OrderIDs []string }
			if status := h.gateway(&http.Client{}, "POST", "/api/orders/orders", `{"quantity":3}`, &three, bearer); status != 202 || len(three.OrderIDs) != 3 {
				t.Fatalf("placing 3 through the gateway: %d %+v", status, three)
			}
			h.waitDone(4, time.Minute)
			traces := map[string]bool{}
			for _, id := range three.OrderIDs {
				var dish []otlpsink.Span
				deadline := time.Now().Add(20 * time.Second)
				for {
					// Each service exports on its own: wait for both.
					dish = traceOf(sink.Spans(), id)
					if hasSpan(dish, "orders-app", "orders kitchen.dish-delivered") && hasSpan(dish, "inventory-app", "reserve") || time.Now().After(deadline) {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				if len(dish) == 0 {
					t.Fatalf("no trace of dish %s", id)
				}
				traces[dish[0].TraceID] = true
				var roots []otlpsink.Span
				for _, s := range dish {
					if s.ParentID == "" {
						roots = append(roots, s)
					}
				}
				if len(roots) != 1 || roots[0].Name != "place order" || roots[0].Links != 1 || roots[0].Attrs["comanda.order_id"] != id {
					t.Errorf("dish %s: roots %+v, want its placement alone, linked to the request", id, roots)
				}
				if !hasSpan(dish, "orders-app", "orders kitchen.dish-delivered") || !hasSpan(dish, "inventory-app", "reserve") {
					t.Errorf("dish %s: its trace misses the reservation or the delivery (%d spans)", id, len(dish))
				}
			}
			if len(traces) != 3 {
				t.Errorf("3 dishes in %d traces, want one each", len(traces))
			}
			counts := map[string]int{}
			for _, s := range trace {
				counts[s.Service]++
			}
			t.Logf("one dish: %d spans in one trace (%v); %d purchase spans, %d market calls", len(trace), counts, bought, marketCalls)
			if testing.Verbose() {
				names := make([]string, 0, len(trace))
				for _, s := range trace {
					names = append(names, s.Service+": "+s.Name)
				}
				sort.Strings(names)
				t.Log(strings.Join(names, "\n"))
			}
		})
	}
}

// traceOf is every span of the trace the order's placement started.
func traceOf(all []otlpsink.Span, order string) []otlpsink.Span {
	var id string
	for _, s := range all {
		if s.Attrs["comanda.order_id"] == order {
			id = s.TraceID
			break
		}
	}
	var out []otlpsink.Span
	for _, s := range all {
		if id != "" && s.TraceID == id {
			out = append(out, s)
		}
	}
	return out
}

// missing counts the spans of want (names by service) that trace lacks.
func missing(trace []otlpsink.Span, want map[string][]string) int {
	n := 0
	for service, names := range want {
		for _, name := range names {
			if !hasSpan(trace, service, name) {
				n++
			}
		}
	}
	return n
}

// Without an endpoint nothing is traced: events carry no trace context.
// With one, every event of the order carries it.
func TestEventsCarryTheTraceOnlyWhenTracing(t *testing.T) {
	sink, err := otlpsink.Start("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
	for _, on := range []bool{false, true} {
		s := setup{market: marketsim.Config{MaxQuantity: 5, Seed: 42}}
		if on {
			s = tracedSetup(false, sink)
		}
		h := startSystem(t, s)
		h.place(3)
		h.waitDone(3, time.Minute)
		var envs []events.Envelope
		for _, name := range []string{h.streams.Orders, h.streams.Kitchen, h.streams.Inventory} {
			entries, err := h.rdb.XRange(context.Background(), name, "-", "+").Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range entries {
				got, err := stream.EntryEvents(x)
				if err != nil {
					t.Fatal(err)
				}
				envs = append(envs, got...)
			}
		}
		if len(envs) < 3*4 {
			t.Fatalf("tracing %v: %d events in the streams, want the burst's", on, len(envs))
		}
		for _, e := range envs {
			if (e.Trace != nil) != on {
				t.Fatalf("tracing %v: event %s of %s carries trace %+v", on, e.Type, e.OrderID, e.Trace)
			}
		}
	}
	testkit.Eventually(t, "the traced run's spans at the receiver", 20*time.Second, func() bool {
		n, _ := sink.Counts()
		return n > 0
	})
}

// hasSpan reports whether service has a span named name in spans; a relay
// names its publish for the types it sends ("publish T1 T2"), so "publish
// T" matches any publish that sent T.
func hasSpan(spans []otlpsink.Span, service, name string) bool {
	return slices.ContainsFunc(spans, func(s otlpsink.Span) bool {
		if s.Service != service {
			return false
		}
		if typ, ok := strings.CutPrefix(name, "publish "); ok {
			rest, ok := strings.CutPrefix(s.Name, "publish ")
			return ok && slices.Contains(strings.Fields(rest), typ)
		}
		return s.Name == name
	})
}
