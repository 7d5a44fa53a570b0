package app

import (
	"errors"
	"log/slog"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
)

// Config is everything orders-app reads from the environment.
type Config struct {
	config.Common
	// Addr is where the HTTP API listens.
	Addr string `env:"ORDERS_ADDR" envDefault:":3000"`
	// DatabaseURL locates PostgreSQL; empty keeps orders in a SQLite file in
	// DATA_DIR.
	DatabaseURL string `env:"DATABASE_URL" secret:"true"`
	// DatabaseSchema holds orders-app's tables.
	DatabaseSchema string `env:"ORDERS_DB_SCHEMA" envDefault:"orders"`
	// DatabaseMaxConns caps the connection pool.
	DatabaseMaxConns int32 `env:"ORDERS_DB_MAX_CONNS" envDefault:"16"`
	// MaxQuantity caps the dishes of one request.
	MaxQuantity int `env:"ORDERS_MAX_QUANTITY" envDefault:"10000"`
	// RequestTimeout bounds the work of one HTTP request.
	RequestTimeout time.Duration `env:"REQUEST_TIMEOUT" envDefault:"15s"`
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
	if c.MaxQuantity < 1 {
		errs = append(errs, errors.New("ORDERS_MAX_QUANTITY must be at least 1"))
	}
	if c.Addr == "" {
		errs = append(errs, errors.New("ORDERS_ADDR is required"))
	}
	return errors.Join(errs...)
}

// LogValue describes the configuration for the start-up log, secrets masked.
func (c Config) LogValue() slog.Value {
	attrs := append(c.Common.LogAttrs(),
		slog.String("addr", c.Addr),
		slog.String("databaseUrl", config.Redact(c.DatabaseURL)),
		slog.String("databaseSchema", c.DatabaseSchema),
		slog.Int("maxQuantity", c.MaxQuantity),
	)
	return slog.GroupValue(attrs...)
}
