// Command inventory-app is the warehouse: it reserves each order's
// ingredients fairly, buys what is missing at the farmers market, and
// announces both over Redis Streams.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/inventory-app/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("inventory-app", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	log := config.Logger(cfg.LogLevel, "inventory-app")
	lifecycle.ServeProfiler(cfg.PprofAddr, log)
	return app.Run(ctx, cfg, log)
}
