package main

import (
	"strings"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
)

func sampleBenchReport() benchReport {
	ok := func(makespan float64) runResult {
		return runResult{PeakRSSMiB: 231.6, Summary: &loadreport.Summary{
			Dishes: 10000, Delivered: 10000, MakespanSeconds: makespan, DishesPerSecond: 10000 / makespan,
			P50: 13.91, P99: 22.04, MarketCalls: 17947, UnitsBought: 45042, UnitsNeeded: 45022, Balanced: true,
		}}
	}
	feed := ok(30)
	feed.Summary.Feed = &loadreport.Feed{Clients: 100, DelayP50Ms: 134, DelayP99Ms: 1486, OrderUpdatesReceived: 4000000}
	r := benchReport{
		StartedAt: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), DurationSeconds: 840, Full: true,
		Machine:  machine{CPUs: 2, GoVersion: "go1.26.8", Commit: "abc1234", Dirty: true},
		Settings: describeSettings(3),
		Stream:   []streamResult{{Backend: "redis", Messages: 50000, MsgsPerSecond: 37538.4}, {Backend: "miniredis", Messages: 50000, MsgsPerSecond: 23419}},
		Scenarios: []scenarioResult{
			{ID: "1x10000", Title: "1 × 10,000 dishes", Shape: embedded, Runs: []runResult{ok(25), ok(22.31), ok(40)}},
			{ID: "1x10000-feed100", Title: "1 × 10,000 dishes, 100 feed clients", Shape: production, Runs: []runResult{feed}},
			{ID: "200x1", Title: "200 × 1 dish", Shape: production, Runs: []runResult{{Error: "starting the production system: orders-app exited at start\nmore"}}},
		},
	}
	for i := range r.Scenarios {
		r.Scenarios[i].pickMedian()
	}
	return r
}

func TestMedianIsTheMiddleMakespan(t *testing.T) {
	r := sampleBenchReport()
	if m := r.Scenarios[0].Median; m != 0 {
		t.Errorf("median run is %d, want 0 (25 s among 22.31, 25 and 40 s)", m)
	}
	if m := r.Scenarios[2].Median; m != -1 {
		t.Errorf("a scenario whose runs all failed has median %d", m)
	}
	even := scenarioResult{Runs: []runResult{sampleBenchReport().Scenarios[0].Runs[2], sampleBenchReport().Scenarios[0].Runs[1]}}
	even.pickMedian()
	if even.Median != 1 {
		t.Errorf("of two runs the faster is shown, got run %d", even.Median)
	}
}

func TestFiguresTable(t *testing.T) {
	table := figuresTable(sampleBenchReport())
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header, a rule and three rows:\n%s", table)
	}
	for i, want := range []string{
		"| 1 × 10,000 dishes | embedded | 25.0 s | 400 | 13.9 s / 22.0 s | 17,947 | 45,042 / 45,022 | 232 MiB | median of 3 runs |",
		"| 1 × 10,000 dishes, 100 feed clients | production | 30.0 s | 333 | 13.9 s / 22.0 s | 17,947 | 45,042 / 45,022 | 232 MiB | feed: 100 clients, delay p50 134 ms / p99 1,486 ms over 4,000,000 updates, 0 dropped as too slow |",
		"| 200 × 1 dish | production | failed: starting the production system: orders-app exited at start | | | | | | |",
	} {
		if lines[i+2] != want {
			t.Errorf("row %d:\n got %s\nwant %s", i+1, lines[i+2], want)
		}
	}
	for _, l := range lines {
		if n := strings.Count(l, "|"); n != 10 {
			t.Errorf("%d cell borders in %q, want 10", n, l)
		}
	}
}

func TestStreamLine(t *testing.T) {
	r := sampleBenchReport()
	line := streamLine(r)
	for _, want := range []string{"50,000 events", "Redis 37,538 msgs/s", "miniredis (the embedded run's) 23,419 msgs/s"} {
		if !strings.Contains(line, want) {
			t.Errorf("%q lacks %q", line, want)
		}
	}
	r.Stream, r.StreamError = nil, "exit status 1\nredis down"
	if line := streamLine(r); !strings.Contains(line, "failed: exit status 1") {
		t.Errorf("failure not said: %q", line)
	}
}

func TestSectionsSayWhatRanAndWhere(t *testing.T) {
	r := sampleBenchReport()
	doc := docSection(r)
	for _, want := range []string{"on 2026-12-02", "took 14 min", "commit abc1234 with uncommitted changes, 2 CPUs, go1.26.8",
		"`MARKET_CAPACITY=64`", "no MongoDB server", "make bench BENCH_QUICK=1", ".ci/bench.sh"} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs section lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "Only part of the benchmark") {
		t.Error("a full run is called a subset")
	}
	r.Full = false
	if !strings.Contains(readmeSection(r), "Only part of the benchmark") {
		t.Error("a subset is not said to be one")
	}
	if !strings.Contains(readmeSection(r), "docs/performance.md") {
		t.Error("the README does not point to the details")
	}
}

func TestReplaceSectionKeepsTheRestOfTheDocument(t *testing.T) {
	doc := "# Title\n\nintro\n\n## Latest\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\n## Teammate's section\n\nuntouched | text\n"
	got, err := replaceSection(doc, "\nnew table\n\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\nintro\n\n## Latest\n\n" + beginMarker + "\nnew table\n" + endMarker + "\n\n## Teammate's section\n\nuntouched | text\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	again, _ := replaceSection(got, "new table")
	if again != got {
		t.Error("replacing with the same content is not idempotent")
	}
	for name, bad := range map[string]string{
		"no markers":   "# Title\n",
		"reversed":     endMarker + "\n" + beginMarker + "\n",
		"twice":        beginMarker + endMarker + beginMarker + endMarker,
		"only a begin": beginMarker + "\n",
	} {
		if _, err := replaceSection(bad, "x"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNumbers(t *testing.T) {
	for in, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 45042: "45,042", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]string{0.472: "0.47 s", 22.31: "22.3 s", 382.4: "382 s", 1234.5: "1,235 s"} {
		if got := seconds(in); got != want {
			t.Errorf("seconds(%v) = %q, want %q", in, got, want)
		}
	}
}
