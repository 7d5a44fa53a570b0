package main

import (
	"errors"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/marketsim"
	inventoryapp "github.com/comanda-dev/comanda/inventory-app/app"
	kitchenapp "github.com/comanda-dev/comanda/kitchen-app/app"
	ordersapp "github.com/comanda-dev/comanda/orders-app/app"
	webapp "github.com/comanda-dev/comanda/web/app"
)

// Config is the whole system: each service's own configuration, read from
// the same environment variables as when it runs alone, and what the runner
// starts in process when the environment names no server.
type Config struct {
	Orders    ordersapp.Config
	Kitchen   kitchenapp.Config
	Inventory inventoryapp.Config
	Web       webapp.Config

	// EmbeddedRedis starts an in-process Redis (when REDIS_URL is unset).
	EmbeddedRedis bool
	// EmbeddedMarket starts the market simulator (when MARKET_URL is unset).
	EmbeddedMarket bool
	Runner         runnerEnv
	Market         marketsim.Config
}

type runnerEnv struct {
	// MarketAddr is where the embedded market simulator listens.
	MarketAddr string `env:"MARKET_ADDR" envDefault:"127.0.0.1:3010"`
	// PublicHost is the host name printed in the URLs of the banner.
	PublicHost string `env:"PUBLIC_HOST" envDefault:"localhost"`
	marketsim.Env
}

// LoadConfig reads the environment.
func LoadConfig() (Config, error) {
	var c Config
	var errs []error
	var err error
	c.Orders, err = ordersapp.LoadConfig()
	errs = append(errs, err)
	c.Kitchen, err = kitchenapp.LoadConfig()
	errs = append(errs, err)
	c.Inventory, err = inventoryapp.LoadConfig()
	errs = append(errs, err)
	// The gateway's secret and password may come from the data folder:
	// checked once they are known (see System.Start).
	c.Web, err = config.Load[webapp.Config]()
	errs = append(errs, err)
	c.Runner, err = config.Load[runnerEnv]()
	errs = append(errs, err)
	c.Market, err = c.Runner.Env.Config()
	errs = append(errs, err)
	c.EmbeddedRedis = !config.Lookup("REDIS_URL")
	c.EmbeddedMarket = !config.Lookup("MARKET_URL")
	return c, errors.Join(errs...)
}
