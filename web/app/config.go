package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
)

// Config is everything the web gateway reads from the environment.
type Config struct {
	// Addr is where the dashboard, the APIs and the WebSocket are served.
	Addr string `env:"WEB_ADDR" envDefault:":8080"`
	// OrdersURL, KitchenURL and InventoryURL locate the services.
	OrdersURL    string `env:"ORDERS_URL" envDefault:"http://127.0.0.1:3000"`
	KitchenURL   string `env:"KITCHEN_URL" envDefault:"http://127.0.0.1:3001"`
	InventoryURL string `env:"INVENTORY_URL" envDefault:"http://127.0.0.1:3002"`
	// ManagerUser is the manager's login name.
	ManagerUser string `env:"MANAGER_USER" envDefault:"manager"`
	// ManagerPassword is hashed at start and never kept in clear; or give
	// ManagerPasswordHash, a bcrypt hash, instead.
	ManagerPassword     string `env:"MANAGER_PASSWORD" secret:"true"`
	ManagerPasswordHash string `env:"MANAGER_PASSWORD_HASH" secret:"true"`
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration `env:"SESSION_TTL" envDefault:"8h"`
	// CookieSecure marks the session cookie Secure (HTTPS only); on by
	// default in production.
	CookieSecure bool `env:"COOKIE_SECURE" envDefault:"false"`
	// Environment, AuthSecret and AuthDisabled are shared with the services
	// (see internal/config.Common).
	Environment     string        `env:"APP_ENV" envDefault:"development"`
	AuthSecret      string        `env:"AUTH_SECRET" secret:"true"`
	AuthDisabled    bool          `env:"AUTH_DISABLED" envDefault:"false"`
	RequestTimeout  time.Duration `env:"REQUEST_TIMEOUT" envDefault:"15s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info"`
	// PprofAddr, when set, serves Go's profiler there (as every service).
	PprofAddr string `env:"PPROF_ADDR"`
}

// LoadConfig reads and checks the configuration.
func LoadConfig() (Config, error) {
	cfg, err := config.Load[Config]()
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// Production reports whether the production configuration is in force.
func (c Config) Production() bool { return c.Environment == "production" }

// Validate checks the settings; production refuses to start without a
// secret and a password, and with checks disabled.
func (c Config) Validate() error {
	var errs []error
	for name, raw := range map[string]string{"ORDERS_URL": c.OrdersURL, "KITCHEN_URL": c.KitchenURL, "INVENTORY_URL": c.InventoryURL} {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s must be an http(s) URL, got %q", name, raw))
		}
	}
	if c.SessionTTL < time.Minute {
		errs = append(errs, errors.New("SESSION_TTL must be at least 1m"))
	}
	if c.ManagerUser == "" {
		errs = append(errs, errors.New("MANAGER_USER must not be empty"))
	}
	switch c.Environment {
	case "development":
		if !c.AuthDisabled && c.AuthSecret == "" {
			errs = append(errs, errors.New("AUTH_SECRET is required (or AUTH_DISABLED=true for a local experiment)"))
		}
		if !c.AuthDisabled && c.ManagerPassword == "" && c.ManagerPasswordHash == "" {
			errs = append(errs, errors.New("MANAGER_PASSWORD or MANAGER_PASSWORD_HASH is required"))
		}
	case "production":
		if c.AuthDisabled {
			errs = append(errs, errors.New("AUTH_DISABLED is refused when APP_ENV=production"))
		}
		if len(c.AuthSecret) < 32 {
			errs = append(errs, errors.New("AUTH_SECRET of at least 32 characters is required when APP_ENV=production"))
		}
		if c.ManagerPassword == "" && c.ManagerPasswordHash == "" {
			errs = append(errs, errors.New("MANAGER_PASSWORD or MANAGER_PASSWORD_HASH is required when APP_ENV=production"))
		}
		if c.ManagerPassword != "" && len(c.ManagerPassword) < 12 {
			errs = append(errs, errors.New("MANAGER_PASSWORD must have at least 12 characters when APP_ENV=production"))
		}
	default:
		errs = append(errs, fmt.Errorf("APP_ENV must be development or production, got %q", c.Environment))
	}
	return errors.Join(errs...)
}

// LogValue describes the configuration for the start-up log, secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("ordersUrl", c.OrdersURL),
		slog.String("kitchenUrl", c.KitchenURL),
		slog.String("inventoryUrl", c.InventoryURL),
		slog.String("managerUser", c.ManagerUser),
		slog.String("sessionTtl", c.SessionTTL.String()),
		slog.String("environment", c.Environment),
		slog.Bool("authDisabled", c.AuthDisabled),
	)
}
