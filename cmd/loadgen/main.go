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
	"strings"
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
	webURL, user, password         string
	requests, dishes, concurrency  int
	wsClients                      int
	timeout                        time.Duration
	jsonOut                        bool
}

func run(ctx context.Context, args []string) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
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
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
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
	rep, err := burst(ctx, c, o)
	if err == nil && watchers != nil {
		rep.Feed = watchers.stop()
	}
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
