package app

import (
	"errors"
	"log/slog"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
)

// Config is everything kitchen-app reads from the environment.
type Config struct {
	config.Common
	// Addr is where the HTTP API listens.
	Addr string `env:"KITCHEN_ADDR" envDefault:":3001"`
	// DatabaseURL locates PostgreSQL; empty keeps the kitchen in a SQLite
	// file in DATA_DIR.
	DatabaseURL string `env:"DATABASE_URL" secret:"true"`
	// DatabaseSchema holds kitchen-app's tables.
	DatabaseSchema string `env:"KITCHEN_DB_SCHEMA" envDefault:"kitchen"`
	// DatabaseMaxConns caps the connection pool. The cooks share it: each
	// holds a connection only for one short transaction per step, never
	// while the dish cooks, so many more cooks than connections is fine.
	DatabaseMaxConns int32 `env:"KITCHEN_DB_MAX_CONNS" envDefault:"16"`
	// Cooks is how many cooks work at once.
	Cooks int `env:"COOKS" envDefault:"64"`
	// CookTray is the most dishes one cook takes at once: they cook
	// together and are stored together.
	CookTray int `env:"COOK_TRAY" envDefault:"32"`
	// CookTime is how long one dish takes once its ingredients are reserved.
	CookTime time.Duration `env:"COOK_TIME" envDefault:"20ms"`
	// RandomSeed fixes the sequence of random recipe picks (for repeatable
	// tests and benchmarks); 0 picks a random seed.
	RandomSeed uint64 `env:"KITCHEN_RANDOM_SEED" envDefault:"0"`
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
	if c.Addr == "" {
		errs = append(errs, errors.New("KITCHEN_ADDR is required"))
	}
	if c.DatabaseURL != "" && c.DatabaseSchema == "" {
		errs = append(errs, errors.New("KITCHEN_DB_SCHEMA must not be empty"))
	}
	if c.DatabaseURL != "" && c.DatabaseMaxConns < 1 {
		errs = append(errs, errors.New("KITCHEN_DB_MAX_CONNS must be at least 1"))
	}
	if c.Cooks < 1 {
		errs = append(errs, errors.New("COOKS must be at least 1"))
	}
	if c.CookTray < 1 || c.CookTray > 500 {
		errs = append(errs, errors.New("COOK_TRAY must be between 1 and 500"))
	}
	if c.CookTime < 0 {
		errs = append(errs, errors.New("COOK_TIME must not be negative"))
	}
	// A dish that cooks longer than RECLAIM_IDLE would be reclaimed by
	// another cook while the first is still at it.
	if c.CookTime >= c.ReclaimIdle {
		errs = append(errs, errors.New("COOK_TIME must be shorter than RECLAIM_IDLE"))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("REQUEST_TIMEOUT must be positive"))
	}
	return errors.Join(errs...)
}

// LogValue describes the configuration for the start-up log, secrets masked.
func (c Config) LogValue() slog.Value {
	attrs := append(c.Common.LogAttrs(),
		slog.String("addr", c.Addr),
		slog.String("databaseUrl", config.Redact(c.DatabaseURL)),
		slog.String("databaseSchema", c.DatabaseSchema),
		slog.Int("databaseMaxConns", int(c.DatabaseMaxConns)),
		slog.Int("cooks", c.Cooks),
		slog.Int("cookTray", c.CookTray),
		slog.String("cookTime", c.CookTime.String()),
		slog.Uint64("randomSeed", c.RandomSeed),
	)
	return slog.GroupValue(attrs...)
}
