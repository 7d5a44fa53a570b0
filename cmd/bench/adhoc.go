package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comanda-dev/comanda/internal/tracing/otlpsink"
)

// adhoc runs one burst (.ci/bench.sh): go run ./cmd/bench burst MODE ORDERS
// DISHES [FEED_CLIENTS], MODE being embedded, production, or real (the
// embedded runner on this machine's Redis and PostgreSQL, in one process).
// It prints the load generator's report, then the memory the system held
// and what the run's streams kept.
func adhoc(ctx context.Context, root string, args []string) error {
	fs := flag.NewFlagSet("bench burst", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 10*time.Minute, "give up on the burst after this long")
	outDir := fs.String("out", "cmd/bench/out", "folder for the load generator's report, CSV and chart")
	profile := fs.Duration("profile", 0, "take a CPU profile of this length of every service, from 1s into the burst, into the folder (NAME-SERVICE.pprof)")
	traces := fs.Bool("traces", false, "trace the system: its spans go to an OTLP receiver in this process, which counts them")
	extra := map[string]string{}
	fs.Func("env", "give the system a setting, NAME=VALUE (repeatable), as a scenario's settings are given: FEED_INTERVAL=50ms", func(v string) error {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return fmt.Errorf("%q is not NAME=VALUE", v)
		}
		extra[name] = value
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: bench burst [flags] embedded|production|real ORDERS DISHES [FEED_CLIENTS]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	pos := fs.Args()
	if len(pos) < 3 || len(pos) > 4 {
		fs.Usage()
		return errors.New("want MODE ORDERS DISHES [FEED_CLIENTS]")
	}
	sh := shape(pos[0])
	if !slices.Contains([]shape{embedded, production, real}, sh) {
		return fmt.Errorf("unknown mode %q: embedded, production or real", pos[0])
	}
	nums := []int{0, 0, 0}
	for i, s := range pos[1:] {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a count", s)
		}
		nums[i] = n
	}
	sc := scenario{ID: fmt.Sprintf("%dx%d", nums[0], nums[1]), Requests: nums[0], Dishes: nums[1], Concurrency: 8, Feed: nums[2], Env: extra}
	out := inRoot(root, *outDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	bins, remove, err := build(root)
	if err != nil {
		return err
	}
	defer remove()
	var sink *otlpsink.Sink
	if *traces {
		if sink, err = otlpsink.Start("127.0.0.1:0", false); err != nil {
			return err
		}
		defer sink.Close()
		extra["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.URL()
	}

	fmt.Printf("== %s: %d orders × %d dishes\n", sh, sc.Requests, sc.Dishes)
	name := "burst-" + string(sh) + "-" + sc.ID
	res := runBurst(ctx, bins, out, burstRun{Scenario: sc, Shape: sh, Name: name, Timeout: *timeout, Stdout: os.Stdout, Stderr: os.Stderr, Profile: *profile})
	if res.Error != "" {
		return errors.New(res.Error)
	}
	who := "the comanda process"
	if sh == production {
		who = "the four services, summed"
	}
	if sink != nil {
		// The services flush their last spans as they stop.
		n, exports := sink.Counts()
		fmt.Printf("spans received: %d in %d exports (%.1f per dish)\n", n, exports, float64(n)/float64(max(sc.Requests*sc.Dishes, 1)))
	}
	fmt.Printf("rss of %s: peak %.0f MiB during the burst, %.0f MiB %s after it\n", who, res.PeakRSSMiB, res.RSSAfterMiB, settleFor)
	if res.Redis != nil {
		for _, k := range slices.Sorted(maps.Keys(res.Redis.Entries)) {
			fmt.Printf("  %s: %d entries\n", k, res.Redis.Entries[k])
		}
		fmt.Printf("redis memory of this run's keys: %d KiB\n", res.Redis.Bytes/1024)
	}
	if sh == embedded {
		fmt.Printf("stream log in the data folder: %d KiB\n", res.StreamLogKiB)
	}
	fmt.Printf("load generator's report, timeline and chart: %s\n", relative(root, out+"/"+name+".{json,csv,svg}"))
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".pprof") {
			fmt.Printf("cpu profile: %s\n", relative(root, f))
		}
	}
	if s := res.Summary; s != nil && s.Failed > 0 {
		return fmt.Errorf("%d dishes failed", s.Failed)
	}
	return nil
}
