package app

import (
	"errors"
	"fmt"
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
	// IdempotencyTTL is how long a placement's Idempotency-Key is kept: a
	// retry with the key within that time answers the first placement.
	IdempotencyTTL time.Duration `env:"IDEMPOTENCY_TTL" envDefault:"24h"`
}

// The bounds of IDEMPOTENCY_TTL: clients are promised a day to retry, and
// keys must not pile up for ever.
const (
	minIdempotencyTTL = 24 * time.Hour
	maxIdempotencyTTL = 30 * 24 * time.Hour
)

// keyPurgeInterval is how often expired idempotency keys are deleted.
const keyPurgeInterval = time.Minute

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
	if c.IdempotencyTTL < minIdempotencyTTL || c.IdempotencyTTL > maxIdempotencyTTL {
		errs = append(errs, fmt.Errorf("IDEMPOTENCY_TTL must be between %s and %s, got %s", minIdempotencyTTL, maxIdempotencyTTL, c.IdempotencyTTL))
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
		slog.Duration("idempotencyTtl", c.IdempotencyTTL),
	)
	return slog.GroupValue(attrs...)
}
