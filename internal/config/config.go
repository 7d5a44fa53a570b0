package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/comanda-dev/comanda/internal/tracing/tracelog"
)

// Load fills a T from the environment.
func Load[T any]() (T, error) {
	var cfg T
	if err := env.Parse(&cfg); err != nil {
		return cfg, explain(err, reflect.TypeOf(cfg))
	}
	return cfg, nil
}

// LoadFrom fills a T from the given variables instead of the process
// environment, for tests.
func LoadFrom[T any](vars map[string]string) (T, error) {
	var cfg T
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		return cfg, explain(err, reflect.TypeOf(cfg))
	}
	return cfg, nil
}

// explain rewrites parse errors to name the variable rather than the Go
// field, which is what the person setting it knows.
func explain(err error, t reflect.Type) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("reading configuration: %w", err)
	}
	names := fieldVariables(t)
	errs := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) && names[pe.Name] != "" {
			errs = append(errs, fmt.Errorf("parsing %s: %w", names[pe.Name], pe.Err))
			continue
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// fieldVariables maps the struct's field names, embedded structs included,
// to their environment variables.
func fieldVariables(t reflect.Type) map[string]string {
	out := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, v := range fieldVariables(f.Type) {
				out[k] = v
			}
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("env"), ","); name != "" {
			out[f.Name] = name
		}
	}
	return out
}

// Lookup reports whether the environment sets name. Runners use it to tell a
// deliberate setting from a default.
func Lookup(name string) bool {
	_, ok := os.LookupEnv(name)
	return ok
}

// Common holds the settings every service shares.
type Common struct {
	// RedisURL locates the Redis that carries the streams.
	RedisURL string `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`
	// StreamPrefix starts every stream name, so several installations (or
	// tests) can share one Redis.
	StreamPrefix string `env:"STREAM_PREFIX" envDefault:"comanda"`
	// StreamBacklog caps the unacknowledged events of each work stream:
	// while a stream's entries could hold this many (entries × StreamPack),
	// relays hold new events in their outbox until the slowest group
	// catches up. Streams are trimmed as they are consumed, never by
	// length, so Redis needs about this many events per stream of memory
	// (see docs/architecture.md, "Backpressure").
	StreamBacklog int64 `env:"STREAM_BACKLOG_MAX" envDefault:"50000"`
	// StreamPack is the most events of one type a relay puts in one stream
	// entry: a burst costs Redis, every reader and the trimmer an entry
	// per pack rather than per event (1: an entry per event).
	StreamPack int `env:"STREAM_PACK" envDefault:"64"`
	// RedisWaitReplicas makes relays wait until this many Redis replicas
	// have their entries before they forget them; set it where a replica
	// exists (ElastiCache with a replica: 1).
	RedisWaitReplicas int `env:"REDIS_WAIT_REPLICAS" envDefault:"0"`
	// RedisWaitTimeout bounds that wait.
	RedisWaitTimeout time.Duration `env:"REDIS_WAIT_TIMEOUT" envDefault:"1s"`
	// ReclaimIdle is how long a message may stay untouched before another
	// consumer takes it over; a live consumer touches what it holds four
	// times as often.
	ReclaimIdle time.Duration `env:"RECLAIM_IDLE" envDefault:"30s"`
	// MaxDeliveries is how many deliveries a message gets before it goes to
	// the dead-letter stream.
	MaxDeliveries int64 `env:"MAX_DELIVERIES" envDefault:"5"`
	// DataDir holds the SQLite files when no database server is configured.
	DataDir string `env:"DATA_DIR" envDefault:"data"`
	// ShutdownTimeout bounds the graceful drain on SIGTERM.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
	// PprofAddr, when set, serves Go's profiler there (loopback only, for
	// an operator measuring the service).
	PprofAddr string `env:"PPROF_ADDR"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
	// Environment is "development" or "production"; production refuses
	// settings that are only safe on a laptop.
	Environment string `env:"APP_ENV" envDefault:"development"`
	// AuthPublicKeys are the public keys session tokens are checked with
	// (KID=KEY,…; docs/security.md): the gateway signs with the private
	// key, which no service holds. Required in production.
	AuthPublicKeys string `env:"AUTH_PUBLIC_KEYS"`
	// AuthDisabled turns every authentication check off, for local
	// experiments. Refused in production.
	AuthDisabled bool `env:"AUTH_DISABLED" envDefault:"false"`
	// Tracing holds the OTEL_* settings (README, "Tracing").
	Tracing
}

// Production reports whether the production configuration is in force.
func (c Common) Production() bool { return c.Environment == "production" }

// BacklogEntries is the backlog cap in stream entries: StreamBacklog events
// in entries of at most StreamPack.
func (c Common) BacklogEntries() int64 { return max(1, c.StreamBacklog/int64(max(1, c.StreamPack))) }

// Validate checks the shared settings.
func (c Common) Validate() error {
	var errs []error
	if c.RedisURL == "" {
		errs = append(errs, errors.New("REDIS_URL is required"))
	}
	if c.StreamPrefix == "" {
		errs = append(errs, errors.New("STREAM_PREFIX must not be empty"))
	}
	if c.ReclaimIdle < 200*time.Millisecond {
		errs = append(errs, errors.New("RECLAIM_IDLE must be at least 200ms, so that a live consumer keeps the messages it holds"))
	}
	if c.StreamBacklog < 1000 {
		errs = append(errs, errors.New("STREAM_BACKLOG_MAX must be at least 1000 events: relays publish in batches of 500"))
	}
	if c.StreamPack < 1 || c.StreamPack > 1000 {
		errs = append(errs, errors.New("STREAM_PACK must be between 1 and 1000 events an entry"))
	} else if c.StreamBacklog < 10*int64(c.StreamPack) {
		errs = append(errs, errors.New("STREAM_BACKLOG_MAX must be at least ten packs (10 × STREAM_PACK events)"))
	}
	if c.RedisWaitReplicas < 0 {
		errs = append(errs, errors.New("REDIS_WAIT_REPLICAS must not be negative"))
	}
	if c.RedisWaitReplicas > 0 && (c.RedisWaitTimeout < 10*time.Millisecond || c.RedisWaitTimeout > time.Minute) {
		errs = append(errs, errors.New("REDIS_WAIT_TIMEOUT must be between 10ms and 1m when REDIS_WAIT_REPLICAS is set"))
	}
	if c.ShutdownTimeout < time.Second {
		errs = append(errs, errors.New("SHUTDOWN_TIMEOUT must be at least 1s: in-flight messages and the outbox drain within it"))
	}
	if c.MaxDeliveries < 1 {
		errs = append(errs, errors.New("MAX_DELIVERIES must be at least 1"))
	}
	switch c.Environment {
	case "development":
	case "production":
		if c.AuthDisabled {
			errs = append(errs, errors.New("AUTH_DISABLED is refused when APP_ENV=production"))
		}
		if c.AuthPublicKeys == "" {
			errs = append(errs, errors.New("AUTH_PUBLIC_KEYS is required when APP_ENV=production"))
		}
	default:
		errs = append(errs, fmt.Errorf("APP_ENV must be development or production, got %q", c.Environment))
	}
	return errors.Join(errs...)
}

// LogAttrs describes the shared settings for the start-up log, with secrets
// masked.
func (c Common) LogAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("redisUrl", Redact(c.RedisURL)),
		slog.String("streamPrefix", c.StreamPrefix),
		slog.String("reclaimIdle", c.ReclaimIdle.String()),
		slog.Int64("streamBacklogMax", c.StreamBacklog),
		slog.Int("streamPack", c.StreamPack),
		slog.Int("redisWaitReplicas", c.RedisWaitReplicas),
		slog.Int64("maxDeliveries", c.MaxDeliveries),
		slog.String("environment", c.Environment),
		slog.Bool("authPublicKeysSet", c.AuthPublicKeys != ""),
		slog.Bool("authDisabled", c.AuthDisabled),
	}
}

// Redact hides the secrets of a URL, for logs: the password, and query
// values whose names say they are secret. What does not parse as a URL is
// hidden whole: it may be a password with a character a URL does not take.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || (u.Scheme == "" && raw != "") {
		return "(hidden: not a URL)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			u.RawQuery = "(hidden)"
		} else {
			for name := range q {
				n := strings.ToLower(name)
				for _, secret := range []string{"pass", "secret", "token", "key", "auth", "credential"} {
					if strings.Contains(n, secret) {
						q.Set(name, "xxxxx")
					}
				}
			}
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// Logger returns a JSON logger at the given level, tagged with the service
// when one is named.
func Logger(level, service string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	// Lines logged with a request's or a message's context carry its
	// trace_id and span_id when tracing is on.
	log := slog.New(tracelog.Handler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: l})))
	if service != "" {
		log = log.With("service", service)
	}
	return log
}

// Variable describes one environment variable a configuration reads.
type Variable struct {
	Name       string
	Default    string
	HasDefault bool
	// Secret marks values that must come from a secret store, never from a
	// committed file (tag `secret:"true"`).
	Secret bool
}

// Variables lists the variables a configuration struct reads, embedded
// structs included, for documentation and consistency checks.
func Variables(cfg any) []Variable {
	return variables(reflect.TypeOf(cfg))
}

func variables(t reflect.Type) []Variable {
	var out []Variable
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, variables(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if name == "" {
			continue
		}
		def, has := f.Tag.Lookup("envDefault")
		out = append(out, Variable{Name: name, Default: def, HasDefault: has, Secret: f.Tag.Get("secret") == "true"})
	}
	return out
}

// InstanceName names one running instance of something: the host name and a
// random suffix, so that a restarted process never takes the name (and what
// Redis or a store keeps under it) of the one it replaces. fallback stands
// for the host when it has no name.
func InstanceName(fallback string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = fallback
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}
