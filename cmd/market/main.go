// Command market runs the farmers-market simulator on its own, for the
// docker-compose stack and for pointing a service's MARKET_URL at by hand.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/comanda-dev/comanda/internal/marketsim"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("market simulator failed", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	log := slog.Default()

	// 1. Configuration.
	cfg, err := loadConfig(nil)
	if err != nil {
		return err
	}

	// 2. Listener, opened before logging so that the logged URL works.
	ln, err := marketsim.Listen(cfg.Addr)
	if err != nil {
		return err
	}
	sim := marketsim.New(cfg.Market)
	base := marketsim.BaseURL(ln.Addr())
	effective := sim.Config()
	log.Info("market simulator serving",
		"url", base+marketsim.BuyPath,
		"configUrl", base+"/config",
		"statsUrl", base+"/stats",
		"maxQuantity", effective.MaxQuantity,
		"zeroRate", effective.ZeroRate,
		"errorRate", effective.ErrorRate,
		"malformedRate", effective.MalformedRate,
		"latency", effective.Latency.String(),
		"latencyJitter", effective.LatencyJitter.String(),
		"seed", effective.Seed,
	)

	// 3. Serve until SIGINT/SIGTERM, then drain.
	if err := sim.Serve(ctx, ln); err != nil {
		return fmt.Errorf("running the market: %w", err)
	}
	log.Info("market simulator stopped")
	return nil
}
