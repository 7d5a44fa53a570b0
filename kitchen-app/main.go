// Command kitchen-app picks a recipe for every order, asks the warehouse for
// its ingredients and cooks the dish once they are reserved.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/kitchen-app/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("kitchen-app", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	log := config.Logger(cfg.LogLevel, "kitchen-app")
	lifecycle.ServeProfiler(cfg.PprofAddr, log)
	return app.Run(ctx, cfg, log)
}
