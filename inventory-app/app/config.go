package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/inventory-app/internal/leader"
)

// Config is everything inventory-app reads from the environment.
type Config struct {
	config.Common
	// Addr is where the HTTP API listens.
	Addr string `env:"INVENTORY_ADDR" envDefault:":3002"`
	// MongoURL locates MongoDB, which must run as a replica set (a single
	// node one will do): reservations and purchases use multi-document
	// transactions. Empty keeps the warehouse in a SQLite file in DATA_DIR.
	MongoURL string `env:"MONGO_URL" secret:"true"`
	// MongoDatabase holds inventory-app's collections.
	MongoDatabase string `env:"MONGO_DATABASE" envDefault:"comanda_inventory"`
	// MarketURL is the farmers market's buy endpoint.
	MarketURL string `env:"MARKET_URL" envDefault:"http://127.0.0.1:3010/api/farmers-market/buy"`
	// MarketTimeout bounds each market call.
	MarketTimeout time.Duration `env:"MARKET_TIMEOUT" envDefault:"2s"`
	// MarketConcurrency is the ceiling of the market calls in flight. The
	// client adapts its limit below it to the market's unannounced
	// capacity, from MarketConcurrencyInitial and never under
	// MarketConcurrencyFloor.
	MarketConcurrency        int `env:"MARKET_CONCURRENCY" envDefault:"256"`
	MarketConcurrencyFloor   int `env:"MARKET_CONCURRENCY_FLOOR" envDefault:"1"`
	MarketConcurrencyInitial int `env:"MARKET_CONCURRENCY_INITIAL" envDefault:"4"`
	// MarketCallsPerIngredient bounds the calls one ingredient's buyer keeps
	// in flight; more than one only while the shortfall needs them.
	MarketCallsPerIngredient int `env:"MARKET_CALLS_PER_INGREDIENT" envDefault:"32"`
	// MarketRetryMin and MarketRetryMax bound the backoff after a zero
	// answer or a failed call.
	MarketRetryMin time.Duration `env:"MARKET_RETRY_MIN" envDefault:"10ms"`
	MarketRetryMax time.Duration `env:"MARKET_RETRY_MAX" envDefault:"1s"`
	// MarketBreakerFailures consecutive failures open the circuit breaker
	// for MarketBreakerCooldown.
	MarketBreakerFailures int           `env:"MARKET_BREAKER_FAILURES" envDefault:"5"`
	MarketBreakerCooldown time.Duration `env:"MARKET_BREAKER_COOLDOWN" envDefault:"5s"`
	// InitialStock is what every ingredient starts with when the store is
	// new; later starts keep the stored stock.
	InitialStock int `env:"INITIAL_STOCK" envDefault:"5"`
	// RequestTimeout bounds the work of one HTTP request.
	RequestTimeout time.Duration `env:"REQUEST_TIMEOUT" envDefault:"15s"`
	// FeedInterval is the longest a change waits before the live feed sends
	// it; changes within one interval travel in one frame.
	FeedInterval time.Duration `env:"FEED_INTERVAL" envDefault:"100ms"`
	// WSAllowedOrigins lists browser origins, besides the feed's own, that
	// may open the WebSocket (comma-separated).
	WSAllowedOrigins []string `env:"WS_ALLOWED_ORIGINS" envSeparator:","`
	// LeaderLease is how long the warehouse's leader lease lasts unless
	// renewed: a standby takes over at most LeaderLease + LeaderPoll after
	// the leader died.
	LeaderLease time.Duration `env:"LEADER_LEASE" envDefault:"8s"`
	// LeaderRenew is how often the leader renews its lease (at most a
	// third of it, so that a renewal may fail and the next still be in
	// time).
	LeaderRenew time.Duration `env:"LEADER_RENEW" envDefault:"2s"`
	// LeaderPoll is how often a standby asks for the lease.
	LeaderPoll time.Duration `env:"LEADER_POLL" envDefault:"1s"`
	// LeaderHolder names this replica in the lease; empty takes the host
	// name and a random suffix, so that a restarted replica is a new holder
	// and waits for its predecessor's lease. Only a process that owns its
	// store alone may keep a name across restarts (the embedded run, which
	// locks its data folder): it then takes its lease back at once.
	LeaderHolder string `env:"LEADER_HOLDER"`
}

// election is the leader election the settings describe.
func (c Config) election() leader.Options {
	return leader.Options{TTL: c.LeaderLease, RenewEvery: c.LeaderRenew, PollEvery: c.LeaderPoll, Holder: c.LeaderHolder}
}

// LoadConfig reads and checks the configuration.
func LoadConfig() (Config, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// Validate checks the settings.
func (c Config) Validate() error {
	errs := []error{c.Common.Validate()}
	add := func(bad bool, msg string) {
		if bad {
			errs = append(errs, errors.New(msg))
		}
	}
	add(c.Addr == "", "INVENTORY_ADDR is required")
	add(c.MongoURL != "" && c.MongoDatabase == "", "MONGO_DATABASE is required with MONGO_URL")
	u, err := url.Parse(c.MarketURL)
	add(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "", "MARKET_URL must be an absolute http(s) URL")
	add(c.MarketTimeout <= 0, "MARKET_TIMEOUT must be positive")
	add(c.MarketConcurrency < 1 || c.MarketConcurrency > 1000, "MARKET_CONCURRENCY must be between 1 and 1000")
	add(c.MarketConcurrencyFloor < 1 || c.MarketConcurrencyFloor > c.MarketConcurrency, "MARKET_CONCURRENCY_FLOOR must be between 1 and MARKET_CONCURRENCY")
	add(c.MarketConcurrencyInitial < c.MarketConcurrencyFloor || c.MarketConcurrencyInitial > c.MarketConcurrency,
		"MARKET_CONCURRENCY_INITIAL must be between MARKET_CONCURRENCY_FLOOR and MARKET_CONCURRENCY")
	add(c.MarketCallsPerIngredient < 1 || c.MarketCallsPerIngredient > 100, "MARKET_CALLS_PER_INGREDIENT must be between 1 and 100")
	add(c.MarketRetryMin <= 0, "MARKET_RETRY_MIN must be positive")
	add(c.MarketRetryMax < c.MarketRetryMin, "MARKET_RETRY_MAX must not be below MARKET_RETRY_MIN")
	add(c.MarketBreakerFailures < 1, "MARKET_BREAKER_FAILURES must be at least 1")
	add(c.MarketBreakerCooldown <= 0, "MARKET_BREAKER_COOLDOWN must be positive")
	add(c.InitialStock < 0 || c.InitialStock > 1_000_000, "INITIAL_STOCK must be between 0 and 1000000")
	add(c.RequestTimeout <= 0, "REQUEST_TIMEOUT must be positive")
	add(c.FeedInterval < 10*time.Millisecond, "FEED_INTERVAL must be at least 10ms")
	if err := c.election().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("LEADER_LEASE, LEADER_RENEW, LEADER_POLL: %w", err))
	}
	return errors.Join(errs...)
}

// LogValue describes the configuration for the start-up log, secrets masked.
func (c Config) LogValue() slog.Value {
	attrs := append(c.Common.LogAttrs(),
		slog.String("addr", c.Addr),
		slog.String("mongoUrl", config.Redact(c.MongoURL)),
		slog.String("mongoDatabase", c.MongoDatabase),
		slog.String("marketUrl", config.Redact(c.MarketURL)),
		slog.String("marketTimeout", c.MarketTimeout.String()),
		slog.Int("marketConcurrency", c.MarketConcurrency),
		slog.Int("marketConcurrencyFloor", c.MarketConcurrencyFloor),
		slog.Int("marketConcurrencyInitial", c.MarketConcurrencyInitial),
		slog.Int("marketCallsPerIngredient", c.MarketCallsPerIngredient),
		slog.String("marketRetryMin", c.MarketRetryMin.String()),
		slog.String("marketRetryMax", c.MarketRetryMax.String()),
		slog.Int("marketBreakerFailures", c.MarketBreakerFailures),
		slog.String("marketBreakerCooldown", c.MarketBreakerCooldown.String()),
		slog.Int("initialStock", c.InitialStock),
		slog.String("leaderLease", c.LeaderLease.String()),
		slog.String("leaderRenew", c.LeaderRenew.String()),
		slog.String("leaderPoll", c.LeaderPoll.String()),
	)
	return slog.GroupValue(attrs...)
}
