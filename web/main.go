// Command web is Comanda's single entry point: the manager's dashboard, the
// login, the services' APIs and the live feed, on one origin.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/web/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("web", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := app.LoadConfig()
	if err != nil {
		return err
	}
	log := config.Logger(cfg.LogLevel, "web")
	lifecycle.ServeProfiler(cfg.PprofAddr, log)
	return app.Run(ctx, cfg, log)
}
