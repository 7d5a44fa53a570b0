// Command loadgen places a burst of orders against a running Comanda, waits
// until every dish is delivered and reports throughput, placed→delivered
// latency, market calls and units bought against units needed.
//
// It assumes it is the only client placing orders while it runs: progress is
// read from the orders counters.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		slog.Error("loadgen", "err", err)
		os.Exit(1)
	}
}

type options struct {
	ordersURL, inventoryURL, token string
	requests, dishes, concurrency  int
	timeout                        time.Duration
	jsonOut                        bool
}

func run(ctx context.Context, args []string) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.ordersURL, "orders", envOr("ORDERS_URL", "http://127.0.0.1:3000"), "orders-app base URL (or the web gateway's /api/orders)")
	fs.StringVar(&o.inventoryURL, "inventory", envOr("INVENTORY_URL", "http://127.0.0.1:3002"), "inventory-app base URL (or the web gateway's /api/inventory)")
	fs.StringVar(&o.token, "token", os.Getenv("COMANDA_TOKEN"), "bearer token, when the services require one")
	fs.IntVar(&o.requests, "n", 200, "number of order requests")
	fs.IntVar(&o.dishes, "q", 1, "dishes per request")
	fs.IntVar(&o.concurrency, "c", 8, "requests in flight at once")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.requests < 1 || o.dishes < 1 || o.concurrency < 1 {
		return fmt.Errorf("-n, -q and -c must be at least 1")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	rep, err := burst(ctx, newClient(o.ordersURL, o.inventoryURL, o.token), o)
	if err != nil {
		return err
	}
	if o.jsonOut {
		return rep.writeJSON(os.Stdout)
	}
	rep.writeText(os.Stdout)
	if rep.Failed > 0 {
		return fmt.Errorf("%d dishes failed", rep.Failed)
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
