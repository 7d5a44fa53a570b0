// Command comanda runs the whole restaurant in one process: orders-app,
// kitchen-app and inventory-app, on an in-process Redis, SQLite files in a
// data folder and the farmers-market simulator. REDIS_URL, DATABASE_URL,
// MONGO_URL and MARKET_URL switch each part to a real server.
//
// `comanda keygen [KID]` prints a new session signing key pair instead, as
// the environment variables of the gateway and the services.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/lifecycle"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "keygen" {
		if err := keygen(os.Stdout, os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "comanda keygen:", err)
			os.Exit(2)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("comanda", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := LoadConfig()
	if err != nil {
		return err
	}
	log := config.Logger(cfg.Orders.LogLevel, "") // each service tags its own lines
	sys, err := Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	lifecycle.ServeProfiler(cfg.Orders.PprofAddr, log) // one process: one profiler
	printBanner(os.Stderr, sys)
	if err := sys.Run(ctx); err != nil {
		return fmt.Errorf("running: %w", err)
	}
	return nil
}
