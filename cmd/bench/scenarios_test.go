package main

import (
	"slices"
	"testing"
)

func ids(sel selection) []string {
	var out []string
	for _, s := range sel.Scenarios {
		for _, sh := range s.Shapes {
			out = append(out, s.ID+"/"+string(sh))
		}
	}
	return out
}

func TestSelection(t *testing.T) {
	all := scenarios()
	for _, tc := range []struct {
		name, ids, shapes string
		quick             bool
		want              []string
		stream, full      bool
	}{
		{name: "everything", stream: true, full: true, want: []string{
			"200x1/embedded", "200x1/production", "1x10000/embedded", "1x10000/production",
			"1x10000-stocked/embedded", "1x10000-stocked/production", "10x10000/embedded",
			"1x2000-market50ms/embedded", "1x2000-market50ms/production", "1x10000-feed100/embedded", "1x10000-feed100/production",
		}},
		{name: "quick", quick: true, stream: true, want: []string{"200x1/embedded", "200x1/production"}},
		{name: "named", ids: "1x10000, stream", stream: true, want: []string{"1x10000/embedded", "1x10000/production"}},
		{name: "stream only", ids: "stream", stream: true},
		{name: "one shape", ids: "10x10000,200x1", shapes: "embedded", want: []string{"200x1/embedded", "10x10000/embedded"}},
		{name: "every scenario in one shape is not the full set", shapes: "production", stream: true, want: []string{
			"200x1/production", "1x10000/production", "1x10000-stocked/production", "1x2000-market50ms/production", "1x10000-feed100/production",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := selectScenarios(all, tc.ids, tc.shapes, tc.quick)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(sel); !slices.Equal(got, tc.want) {
				t.Errorf("runs %v, want %v", got, tc.want)
			}
			if sel.Stream != tc.stream || sel.Full != tc.full {
				t.Errorf("stream %v full %v, want %v %v", sel.Stream, sel.Full, tc.stream, tc.full)
			}
		})
	}
	for name, args := range map[string][2]string{
		"unknown scenario":      {"1x1", ""},
		"unknown shape":         {"", "docker"},
		"nothing in that shape": {"10x10000", "production"},
	} {
		if _, err := selectScenarios(all, args[0], args[1], false); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseStreamBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/comanda-dev/comanda/internal/stream
BenchmarkStream/redis-2         	   20000	     26639 ns/op	     37538 msgs/s
BenchmarkStream/miniredis-2     	   20000	     42700 ns/op	     2.3419e+04 msgs/s
BenchmarkStream/redis
    bench_test.go:40: Redis at 127.0.0.1:6379 is not answering
PASS`
	got := parseStreamBench(out)
	want := []streamResult{{Backend: "redis", Messages: 20000, MsgsPerSecond: 37538}, {Backend: "miniredis", Messages: 20000, MsgsPerSecond: 23419}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
