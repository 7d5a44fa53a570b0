package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
)

// sampleReport is a finished burst of five dishes over three seconds: one
// failed, the rest delivered in the first and third seconds.
func sampleReport(t *testing.T) report {
	t.Helper()
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) *time.Time { v := start.Add(time.Duration(ms) * time.Millisecond); return &v }
	orders := []orderTimes{
		{ID: "a", Status: "delivered", PlacedAt: *at(100), DeliveredAt: at(600)},
		{ID: "b", Status: "delivered", PlacedAt: *at(100), DeliveredAt: at(900)},
		{ID: "c", Status: "delivered", PlacedAt: *at(100), DeliveredAt: at(2500)},
		{ID: "d", Status: "delivered", PlacedAt: *at(1200), DeliveredAt: at(2900)},
		{ID: "e", Status: "failed", PlacedAt: *at(1200), UpdatedAt: *at(1500)},
	}
	return report{
		Scenario: scenario{Name: "burst <5> & co", Target: "http://127.0.0.1:8080", Concurrency: 2,
			FeedClients: 3, ProgressFeed: true, Params: map[string]string{"market": "0..5 seed 42"}},
		StartedAt: start, Requests: 5, DishesPerRequest: 1,
		Summary: loadreport.Summary{Dishes: 5, Delivered: 4, Failed: 1,
			PlaceSeconds: 1.2, MakespanSeconds: 2.95, DishesPerSecond: 4 / 2.95,
			P50: 0.8, P95: 2.4, P99: 2.4, Max: 2.4, MarketCalls: 7, MarketZeros: 1, MarketErrors: 0,
			UnitsConsumed: 14, UnitsNeeded: 4, UnitsBought: 6, Balanced: true,
			Feed: &loadreport.Feed{Clients: 3, DelayP50Ms: 40, DelayP99Ms: 120, DelayMaxMs: 150, OrderUpdatesReceived: 60, SecondsMeasured: 3}},
		Timeline: timeline(start, orders),
	}
}

func TestTimelineCountsEachSecondFromTheOrders(t *testing.T) {
	rows := sampleReport(t).Timeline
	want := []second{
		{Second: 1, Delivered: 2, Rate: 2, InFlight: 1, P50: 0.5, P99: 0.8},
		{Second: 2, Delivered: 2, Rate: 0, InFlight: 2}, // e failed, d placed
		{Second: 3, Delivered: 4, Rate: 2, InFlight: 0, P50: 1.7, P99: 2.4},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		g := rows[i]
		if g.Second != w.Second || g.Delivered != w.Delivered || g.Rate != w.Rate || g.InFlight != w.InFlight ||
			!near(g.P50, w.P50) || !near(g.P99, w.P99) {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestTimelineKeepsAnUnfinishedOrderInFlight(t *testing.T) {
	start := time.Now()
	done := start.Add(1500 * time.Millisecond)
	rows := timeline(start, []orderTimes{
		{ID: "a", Status: "delivered", PlacedAt: start, DeliveredAt: &done},
		{ID: "b", Status: "preparing", PlacedAt: start},
	})
	if len(rows) != 2 || rows[1].InFlight != 1 || rows[1].Delivered != 1 {
		t.Fatalf("got %+v, want two rows ending with 1 delivered and 1 in flight", rows)
	}
	if timeline(start, nil) != nil {
		t.Error("a burst with nothing done has rows")
	}
}

func TestReportFilesSitNextToTheJSON(t *testing.T) {
	for file, want := range map[string][2]string{
		"out/burst.json": {"out/burst.csv", "out/burst.svg"},
		"out/burst":      {"out/burst.csv", "out/burst.svg"},
		"a.b/report.txt": {"a.b/report.csv", "a.b/report.svg"},
	} {
		c, s, err := reportPaths(file)
		if err != nil || c != want[0] || s != want[1] {
			t.Errorf("reportPaths(%q) = %q, %q, %v; want %q, %q", file, c, s, err, want[0], want[1])
		}
	}
	for _, file := range []string{"out/burst.csv", "out/burst.SVG"} {
		if _, _, err := reportPaths(file); err == nil {
			t.Errorf("reportPaths(%q) accepted a name its own timeline or chart would overwrite", file)
		}
	}
}

func TestReportJSONHasTheSummaryAndTheScenario(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "burst.json")
	r := sampleReport(t)
	if err := writeReportFiles(file, &r); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, data)
	}
	for key, want := range map[string]any{
		"dishes": 5.0, "delivered": 4.0, "failed": 1.0, "makespanSeconds": 2.95, "p50Seconds": 0.8,
		"p95Seconds": 2.4, "p99Seconds": 2.4, "maxSeconds": 2.4, "marketCalls": 7.0, "marketZeros": 1.0,
		"unitsBought": 6.0, "unitsNeeded": 4.0, "unitsConsumed": 14.0, "balanced": true,
		"startedAt": "2026-12-01T12:00:00Z",
	} {
		if doc[key] != want {
			t.Errorf("%s = %v (%T), want %v", key, doc[key], doc[key], want)
		}
	}
	if v, ok := doc["dishesPerSecond"].(float64); !ok || !near(v, 4/2.95) {
		t.Errorf("dishesPerSecond = %v", doc["dishesPerSecond"])
	}
	sc, _ := doc["scenario"].(map[string]any)
	params, _ := sc["params"].(map[string]any)
	if sc["name"] != "burst <5> & co" || sc["concurrency"] != 2.0 || sc["feedClients"] != 3.0 ||
		sc["target"] != "http://127.0.0.1:8080" || params["market"] != "0..5 seed 42" {
		t.Errorf("scenario = %v", sc)
	}
	feed, _ := doc["feed"].(map[string]any)
	if feed["delayP99Ms"] != 120.0 || feed["clients"] != 3.0 {
		t.Errorf("feed = %v", feed)
	}
	files, _ := doc["files"].(map[string]any)
	if files["csv"] != "burst.csv" || files["svg"] != "burst.svg" {
		t.Errorf("files = %v", files)
	}
	if _, ok := doc["Timeline"]; ok {
		t.Error("the timeline belongs in the CSV, not the JSON")
	}

	// Without the live feed there is no feed section.
	r.Feed = nil
	var b bytes.Buffer
	if err := r.writeJSON(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `"feed"`) {
		t.Errorf("a run without -ws reports a feed: %s", b.String())
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestReportCSVHasOneRowASecond(t *testing.T) {
	dir := t.TempDir()
	r := sampleReport(t)
	if err := writeReportFiles(filepath.Join(dir, "burst.json"), &r); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, filepath.Join(dir, "burst.csv"))
	want := [][]string{
		{"second", "delivered", "dishes_per_s", "in_flight", "p50_s", "p99_s"},
		{"1", "2", "2", "1", "0.500", "0.800"},
		{"2", "2", "0", "2", "", ""},
		{"3", "4", "2", "0", "1.700", "2.400"},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d: %v", len(recs), len(want), recs)
	}
	for i := range want {
		if !slices.Equal(recs[i], want[i]) {
			t.Errorf("record %d = %v, want %v", i, recs[i], want[i])
		}
	}
}

func TestReportSVGIsWellFormed(t *testing.T) {
	full := sampleReport(t)
	empty := full
	empty.Timeline = nil
	long := full
	long.Timeline = nil
	for s := 1; s <= 600; s++ {
		long.Timeline = append(long.Timeline, second{Second: s, Delivered: s * 250, Rate: 250, P50: float64(s) / 3, P99: float64(s) / 2})
	}
	for name, r := range map[string]report{"sample": full, "no deliveries": empty, "ten minutes": long} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			writeSVG(&b, r)
			elements := checkXML(t, b.Bytes())
			if elements[0] != "svg" {
				t.Errorf("root element is %q, want svg", elements[0])
			}
			if len(r.Timeline) > 0 && (!slices.Contains(elements, "path") || !slices.Contains(elements, "rect")) {
				t.Errorf("a chart with data has no bars or lines: %v", elements)
			}
			if !strings.Contains(b.String(), "burst &lt;5&gt; &amp; co") {
				t.Error("the scenario's name is not in the title, escaped")
			}
		})
	}
}

// checkXML parses data to its end and returns the names of its elements in
// document order.
func checkXML(t *testing.T, data []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var names []string
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 0 && len(names) > 0 {
				t.Fatalf("a second root element %q", e.Name.Local)
			}
			names = append(names, e.Name.Local)
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if len(names) == 0 {
		t.Fatal("no element")
	}
	return names
}

func TestProgressLine(t *testing.T) {
	start := time.Now()
	p := newProgress(4)
	p.begin(start)
	// One delivery arrives on the feed before its placement's answer.
	p.deliveredOrders(map[string]time.Time{"a": start.Add(1500 * time.Millisecond), "someone-else": start})
	p.placedOrders([]string{"a", "b", "c", "d"}, start.Add(500*time.Millisecond))
	p.deliveredOrders(map[string]time.Time{"b": start.Add(2500 * time.Millisecond)})
	p.counted(3, 2)
	line := p.line(start.Add(2 * time.Second))
	for _, want := range []string{"delivered 2/4", "1 dishes/s (last 1s)", "1 overall", "in flight 1", "p99 2.00s (of 2)"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	// The rate is over what changed since the previous line.
	p.counted(4, 4)
	if line := p.line(start.Add(3 * time.Second)); !strings.Contains(line, "2 dishes/s (last 1s)") {
		t.Errorf("second line %q", line)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
