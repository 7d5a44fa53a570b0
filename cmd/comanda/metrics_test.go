package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/marketsim"
)

// After a small burst, every service's /metrics shows it: requests, messages
// handled per group, orders by status, delivery latency, market calls.
func TestMetricsMoveWithABurst(t *testing.T) {
	h := startSystem(t, setup{market: marketsim.Config{MaxQuantity: 5, Seed: 42}})
	h.place(30)
	h.waitDone(30, time.Minute)
	time.Sleep(100 * time.Millisecond) // acknowledgements are batched

	orders := scrape(t, h.orders)
	kitchen := scrape(t, h.kitchen)
	inventory := scrape(t, h.invent)
	web := scrape(t, h.web)
	checks := []struct {
		name    string
		got     float64
		atLeast float64
	}{
		{"orders: POST /api/v1/orders answered 202", value(orders, "comanda_http_requests_total", "route", "/api/v1/orders", "method", "POST", "status", "202"), 1},
		{"orders: delivered orders", value(orders, "comanda_orders_by_status", "status", "delivered"), 30},
		{"orders: delivery latency observed", value(orders, "comanda_orders_delivery_seconds"), 30},
		{"orders: kitchen events handled", value(orders, "comanda_stream_messages_handled_total", "group", "orders"), 120},
		{"kitchen: placed orders and reservations handled", value(kitchen, "comanda_stream_messages_handled_total", "group", "kitchen"), 60},
		{"inventory: requests handled", value(inventory, "comanda_stream_messages_handled_total", "group", "inventory"), 30},
		{"inventory: market calls", value(inventory, "comanda_inventory_market_calls_total"), 1},
		{"inventory: market latency observed", value(inventory, "comanda_inventory_market_call_seconds"), 1},
		{"inventory: units bought", value(inventory, "comanda_inventory_market_units_bought_total"), 1},
		{"web: Go runtime exported", value(web, "go_goroutines"), 1},
	}
	for _, c := range checks {
		if c.got < c.atLeast {
			t.Errorf("%s: %v, want at least %v", c.name, c.got, c.atLeast)
		}
	}
	for name, fams := range map[string]map[string]*dto.MetricFamily{"orders": orders, "kitchen": kitchen, "inventory": inventory} {
		if _, ok := fams["comanda_stream_group_pending"]; !ok {
			t.Errorf("%s exports no comanda_stream_group_pending", name)
		}
		if got := value(fams, "comanda_stream_group_pending"); got != 0 {
			t.Errorf("%s: %v entries still pending after the burst", name, got)
		}
	}
	if got := value(inventory, "comanda_inventory_reservations_waiting"); got != 0 {
		t.Errorf("%v reservations still waiting", got)
	}
	if _, ok := inventory["comanda_feed_clients"]; !ok {
		t.Error("inventory exports no comanda_feed_clients")
	}
	for name, fams := range map[string]map[string]*dto.MetricFamily{"orders": orders, "kitchen": kitchen, "inventory": inventory, "web": web} {
		for _, problem := range misnamed(fams) {
			t.Errorf("%s: %s", name, problem)
		}
	}
	t.Logf("metric families: orders %d, kitchen %d, inventory %d, web %d", len(orders), len(kitchen), len(inventory), len(web))
}

// misnamed lists the families that break the naming conventions: every
// metric of the system under httpx.MetricPrefix (the Go runtime's and the
// process's keep their standard names), counters and only counters ending in
// _total.
func misnamed(fams map[string]*dto.MetricFamily) []string {
	var bad []string
	for name, f := range fams {
		standard := strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_")
		if !standard && !strings.HasPrefix(name, httpx.MetricPrefix) {
			bad = append(bad, name+" is not under "+httpx.MetricPrefix)
		}
		if counter := f.GetType() == dto.MetricType_COUNTER; counter != strings.HasSuffix(name, "_total") {
			bad = append(bad, name+" is a "+f.GetType().String()+": _total is for counters, and every counter's")
		}
	}
	return bad
}

func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing %s/metrics: %v", base, err)
	}
	return fams
}

// value sums the samples of a family whose labels match the given pairs; for
// a histogram it sums the sample counts.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
	total := 0.0
	for _, m := range f.GetMetric() {
		if !matches(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		}
	}
	return total
}

func matches(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == labels[i] && strings.EqualFold(l.GetValue(), labels[i+1]) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
