// Command orders-app places the manager's orders, publishes them to the
// kitchen over Redis Streams and keeps their history.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/orders-app/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("orders-app", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	log := config.Logger(cfg.LogLevel, "orders-app")
	lifecycle.ServeProfiler(cfg.PprofAddr, log)
	return app.Run(ctx, cfg, log)
}
