// Command loadgen places a burst of orders against a running Comanda, waits
// until every dish is delivered and reports throughput, placed→delivered
// latency, market calls and units bought against units needed. While the
// burst runs it prints a progress line a second on stderr; -report writes
// the summary as JSON with a per-second CSV and an SVG chart next to it.
//
// It assumes it is the only client placing orders while it runs: progress is
// read from the orders counters.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		slog.Error("loadgen", "err", err)
		os.Exit(1)
	}
}

type options struct {
	ordersURL, inventoryURL, token string
	webURL, user, password         string
	requests, dishes, concurrency  int
	wsClients                      int
	timeout                        time.Duration
	jsonOut                        bool
	reportFile, scenarioName       string
	params                         paramFlag
	progress                       bool
	// progressTo receives the progress lines; nil prints none.
	progressTo io.Writer
}

// paramFlag collects -param name=value pairs.
type paramFlag map[string]string

func (p paramFlag) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(p)) {
		parts = append(parts, k+"="+p[k])
	}
	return strings.Join(parts, ",")
}

func (p paramFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	p[k] = val
	return nil
}

const usageHead = `Usage: loadgen [flags]

Places -n requests of -q dishes each (-c at a time) against a running
Comanda, waits until every dish is delivered or failed, and prints what it
measured. While the burst runs, a progress line goes to stderr every second:
dishes delivered of the total, dishes/s over the last second and overall,
dishes in flight (placed, not yet done) and the p99 placed→delivered so far.
That p99 comes from one more client on the live feed (-progress=false leaves
it and the line out); the final figures come from the order history.

-report FILE writes the summary as JSON to FILE and, next to it, the same
name with .csv and .svg in place of FILE's extension (-report out/burst.json
writes out/burst.json, out/burst.csv and out/burst.svg):
  .csv  one row a second since the first placement: second, delivered (by
        the end of it), dishes_per_s (within it), in_flight (at its end),
        p50_s and p99_s (placed→delivered of the dishes delivered within
        it; empty when none was)
  .svg  a chart of that timeline: dishes/s, and the p50 and p99

Flags:
`

// run is the command: the report goes to stdout, the progress lines and
// the usage to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.webURL, "web", os.Getenv("WEB_URL"), "the web gateway's base URL: go through it (log in with -user/-password); overrides -orders and -inventory")
	fs.StringVar(&o.user, "user", envOr("MANAGER_USER", "manager"), "manager user name, with -web")
	fs.StringVar(&o.password, "password", os.Getenv("MANAGER_PASSWORD"), "manager password, with -web (or MANAGER_PASSWORD)")
	fs.StringVar(&o.ordersURL, "orders", envOr("ORDERS_URL", "http://127.0.0.1:3000"), "orders-app base URL, when not going through -web")
	fs.StringVar(&o.inventoryURL, "inventory", envOr("INVENTORY_URL", "http://127.0.0.1:3002"), "inventory-app base URL, when not going through -web")
	fs.StringVar(&o.token, "token", os.Getenv("COMANDA_TOKEN"), "bearer token, when the services require one and -web is not used")
	fs.IntVar(&o.wsClients, "ws", 0, "WebSocket clients to keep on the live feed during the burst, measuring its delay")
	fs.IntVar(&o.requests, "n", 200, "number of order requests")
	fs.IntVar(&o.dishes, "q", 1, "dishes per request")
	fs.IntVar(&o.concurrency, "c", 8, "requests in flight at once")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON (the document -report writes) instead of text")
	fs.StringVar(&o.reportFile, "report", "", "write the JSON summary to this file, and the per-second CSV and the SVG chart next to it (see above)")
	fs.StringVar(&o.scenarioName, "scenario", "", "a name for this run, kept in the report")
	o.params = paramFlag{}
	fs.Var(o.params, "param", "name=value describing the system under test (market settings, stock…), kept in the report; repeatable")
	fs.BoolVar(&o.progress, "progress", true, "print a progress line a second on stderr, following deliveries on the live feed")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.reportFile != "" {
		if _, _, err := reportPaths(o.reportFile); err != nil {
			return err
		}
	}
	if o.requests < 1 || o.dishes < 1 || o.concurrency < 1 {
		return fmt.Errorf("-n, -q and -c must be at least 1")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	c := newClient(strings.TrimRight(o.ordersURL, "/")+"/api/v1", strings.TrimRight(o.inventoryURL, "/")+"/api/v1", o.token)
	feedURL := strings.TrimRight(o.inventoryURL, "/") + "/ws"
	if o.webURL != "" {
		web := strings.TrimRight(o.webURL, "/")
		c = newClient(web+"/api/orders", web+"/api/inventory", "")
		if err := c.login(ctx, web, o.user, o.password); err != nil {
			return err
		}
		feedURL = web + "/ws"
	}
	var watchers *feedWatchers
	if o.wsClients > 0 {
		var err error
		if watchers, err = watchFeed(ctx, feedURL, c.token, o.wsClients); err != nil {
			return err
		}
	}
	prog := newProgress(o.requests * o.dishes)
	if o.progress {
		o.progressTo = stderr
		fctx, stopFeed := context.WithCancel(ctx)
		followed := make(chan struct{})
		go func() {
			defer close(followed)
			feedLatency(fctx, feedURL, c.token, prog)
		}()
		defer func() { stopFeed(); <-followed }()
		// The first deliveries of a small burst would be missed by a
		// client still connecting; a feed that does not answer only
		// leaves the line without its p99.
		select {
		case <-prog.connected:
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
		}
	}
	startedAt := time.Now()
	rep, err := burst(ctx, c, o, prog)
	if err == nil && watchers != nil {
		rep.Feed = watchers.stop()
	}
	if err != nil {
		return err
	}
	rep.StartedAt = startedAt.UTC()
	rep.Scenario = scenario{
		Name: o.scenarioName, Target: target(o), Concurrency: o.concurrency,
		FeedClients: o.wsClients, ProgressFeed: o.progress, Params: o.params,
	}
	if len(rep.Scenario.Params) == 0 {
		rep.Scenario.Params = nil
	}
	if o.reportFile != "" {
		if err := writeReportFiles(o.reportFile, &rep); err != nil {
			return err
		}
	}
	if o.jsonOut {
		return rep.writeJSON(stdout)
	}
	rep.writeText(stdout)
	if rep.Failed > 0 {
		return fmt.Errorf("%d dishes failed", rep.Failed)
	}
	return nil
}

// target is the base URL the burst went to.
func target(o options) string {
	if o.webURL != "" {
		return strings.TrimRight(o.webURL, "/")
	}
	return strings.TrimRight(o.ordersURL, "/")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
