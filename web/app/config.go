package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/web/internal/gateway"
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
	// SessionTTL is how long a login lasts (at most 24h).
	SessionTTL time.Duration `env:"SESSION_TTL" envDefault:"8h"`
	// RedisURL and StreamPrefix locate the sessions and login limits,
	// which every gateway and service share (the services' own settings).
	RedisURL     string `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`
	StreamPrefix string `env:"STREAM_PREFIX" envDefault:"comanda"`
	// AuthPrivateKey signs session tokens (Ed25519, PKCS #8 as PEM or
	// base64; docs/security.md), named AuthKeyID in each token. Only the
	// gateway holds it.
	AuthPrivateKey string `env:"AUTH_PRIVATE_KEY" secret:"true"`
	AuthKeyID      string `env:"AUTH_KEY_ID" envDefault:"k1"`
	// AuthPublicKeys are further keys whose tokens are still accepted
	// (KID=KEY,…), during a rotation; the gateway's own key always is.
	AuthPublicKeys string `env:"AUTH_PUBLIC_KEYS"`
	// TrustedProxies are the load balancers (comma-separated CIDRs) whose
	// X-Forwarded-For names the client; empty: the peer is the client.
	TrustedProxies string `env:"TRUSTED_PROXIES"`
	// LoginAttempts is how many logins one client address may try a
	// minute.
	LoginAttempts int `env:"LOGIN_ATTEMPTS" envDefault:"10"`
	// FeedsPerSession and FeedsInAll cap the live feeds the gateway relays.
	FeedsPerSession int `env:"FEEDS_PER_SESSION" envDefault:"8"`
	FeedsInAll      int `env:"FEEDS_MAX" envDefault:"1000"`
	// CookieSecure marks the session cookie Secure (HTTPS only); on by
	// default in production.
	CookieSecure bool `env:"COOKIE_SECURE" envDefault:"false"`
	// Environment and AuthDisabled are shared with the services (see
	// internal/config.Common).
	Environment     string        `env:"APP_ENV" envDefault:"development"`
	AuthDisabled    bool          `env:"AUTH_DISABLED" envDefault:"false"`
	RequestTimeout  time.Duration `env:"REQUEST_TIMEOUT" envDefault:"15s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info"`
	// PprofAddr, when set, serves Go's profiler there (as every service).
	PprofAddr string `env:"PPROF_ADDR"`
	// Tracing holds the OTEL_* settings (as every service).
	config.Tracing
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
	if c.SessionTTL < time.Minute || c.SessionTTL > auth.MaxTTL {
		errs = append(errs, fmt.Errorf("SESSION_TTL must be between 1m and %s", auth.MaxTTL))
	}
	if c.RedisURL == "" {
		errs = append(errs, errors.New("REDIS_URL is required: sessions live in Redis"))
	}
	if c.StreamPrefix == "" {
		errs = append(errs, errors.New("STREAM_PREFIX must not be empty"))
	}
	if _, err := gateway.ParseTrustedProxies(c.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	if c.LoginAttempts < 1 {
		errs = append(errs, errors.New("LOGIN_ATTEMPTS must be at least 1"))
	}
	if c.FeedsPerSession < 1 || c.FeedsInAll < c.FeedsPerSession {
		errs = append(errs, errors.New("FEEDS_PER_SESSION must be at least 1, and FEEDS_MAX at least as many"))
	}
	if c.AuthPrivateKey != "" {
		if k, err := auth.ParsePrivateKey(c.AuthPrivateKey); err != nil {
			errs = append(errs, err)
		} else if _, err := auth.NewSigner(c.AuthKeyID, k); err != nil {
			errs = append(errs, err)
		}
	}
	if c.AuthPublicKeys != "" {
		if _, err := auth.ParsePublicKeys(c.AuthPublicKeys); err != nil {
			errs = append(errs, err)
		}
	}
	if c.ManagerUser == "" {
		errs = append(errs, errors.New("MANAGER_USER must not be empty"))
	}
	switch c.Environment {
	case "development":
		if !c.AuthDisabled && c.AuthPrivateKey == "" {
			errs = append(errs, errors.New("AUTH_PRIVATE_KEY is required (or AUTH_DISABLED=true for a local experiment)"))
		}
		if !c.AuthDisabled && c.ManagerPassword == "" && c.ManagerPasswordHash == "" {
			errs = append(errs, errors.New("MANAGER_PASSWORD or MANAGER_PASSWORD_HASH is required"))
		}
	case "production":
		if c.AuthDisabled {
			errs = append(errs, errors.New("AUTH_DISABLED is refused when APP_ENV=production"))
		}
		if c.AuthPrivateKey == "" {
			errs = append(errs, errors.New("AUTH_PRIVATE_KEY is required when APP_ENV=production"))
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
		slog.String("redisUrl", config.Redact(c.RedisURL)),
		slog.String("streamPrefix", c.StreamPrefix),
		slog.String("authKeyId", c.AuthKeyID),
		slog.String("trustedProxies", c.TrustedProxies),
		slog.String("environment", c.Environment),
		slog.Bool("authDisabled", c.AuthDisabled),
	)
}
