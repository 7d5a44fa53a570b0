package marketsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
)

// MaxQuantityLimit bounds Config.MaxQuantity: far above any real market, low
// enough that a typo cannot flood the warehouse's accounting.
const MaxQuantityLimit = 1000

// MaxCapacity bounds Config.Capacity; past it a market is unlimited in all
// but name.
const MaxCapacity = 100_000

// MaxRetryAfter bounds Config.RetryAfter: longer would stall a client that
// honours it for no test's benefit.
const MaxRetryAfter = time.Hour

// Config holds the simulator's knobs. The misbehaviours are decided in turn
// for every call: first an error (ErrorRate), else garbage (MalformedRate),
// else an extra 0 (ZeroRate), else a quantity drawn uniformly from
// 0..MaxQuantity, so zeros also happen by chance.
type Config struct {
	// MaxQuantity is the most one call sells (0..MaxQuantityLimit).
	MaxQuantity int
	// ZeroRate is the extra probability of answering 0.
	ZeroRate float64
	// ErrorRate is the probability of answering HTTP 500.
	ErrorRate float64
	// MalformedRate is the probability of answering 200 with a body that
	// breaks the contract.
	MalformedRate float64
	// Latency is waited before every answer, plus a random part up to
	// LatencyJitter.
	Latency       time.Duration
	LatencyJitter time.Duration
	// Capacity is how many calls the market serves at once; a call past it
	// is refused at once with 429 Too Many Requests and a Retry-After, and
	// takes no random draw, so the answers of the calls served stay those
	// of the seed. 0 is unlimited.
	Capacity int
	// RetryAfter is the wait a refused call is told to observe; 0 tells
	// Latency, the time it takes a call in service to free its place.
	RetryAfter time.Duration
	// Seed seeds the random source; 0 picks a random seed, which Config then
	// reports so the run can be replayed.
	Seed uint64
}

// DefaultConfig is the well-behaved market: 0..5 per call, no errors, no
// delay, random seed.
func DefaultConfig() Config {
	return Config{MaxQuantity: 5}
}

// Validate reports every setting out of range.
func (c Config) Validate() error {
	var errs []error
	if c.MaxQuantity < 0 || c.MaxQuantity > MaxQuantityLimit {
		errs = append(errs, fmt.Errorf("maxQuantity must be between 0 and %d, got %d", MaxQuantityLimit, c.MaxQuantity))
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"zeroRate", c.ZeroRate}, {"errorRate", c.ErrorRate}, {"malformedRate", c.MalformedRate}} {
		// Written so that NaN fails too.
		if !(r.v >= 0 && r.v <= 1) {
			errs = append(errs, fmt.Errorf("%s must be between 0 and 1, got %v", r.name, r.v))
		}
	}
	if c.Latency < 0 {
		errs = append(errs, fmt.Errorf("latency must not be negative, got %s", c.Latency))
	}
	if c.LatencyJitter < 0 {
		errs = append(errs, fmt.Errorf("latencyJitter must not be negative, got %s", c.LatencyJitter))
	}
	if c.Capacity < 0 || c.Capacity > MaxCapacity {
		errs = append(errs, fmt.Errorf("capacity must be between 0 (unlimited) and %d, got %d", MaxCapacity, c.Capacity))
	}
	if c.RetryAfter < 0 || c.RetryAfter > MaxRetryAfter {
		errs = append(errs, fmt.Errorf("retryAfter must be between 0s and %s, got %s", MaxRetryAfter, c.RetryAfter))
	}
	return errors.Join(errs...)
}

// clamped brings every setting into range, so that New and Set, which cannot
// fail, still behave predictably when handed nonsense.
func (c Config) clamped() Config {
	c.MaxQuantity = min(max(c.MaxQuantity, 0), MaxQuantityLimit)
	c.ZeroRate = clampRate(c.ZeroRate)
	c.ErrorRate = clampRate(c.ErrorRate)
	c.MalformedRate = clampRate(c.MalformedRate)
	c.Latency = max(c.Latency, 0)
	c.LatencyJitter = max(c.LatencyJitter, 0)
	c.Capacity = min(max(c.Capacity, 0), MaxCapacity)
	c.RetryAfter = min(max(c.RetryAfter, 0), MaxRetryAfter)
	return c
}

func clampRate(r float64) float64 {
	if math.IsNaN(r) {
		return 0
	}
	return min(max(r, 0), 1)
}

// configJSON is Config on the wire: camelCase, durations as Go duration
// strings ("150ms") because nanosecond counts are unreadable.
type configJSON struct {
	MaxQuantity   int      `json:"maxQuantity"`
	ZeroRate      float64  `json:"zeroRate"`
	ErrorRate     float64  `json:"errorRate"`
	MalformedRate float64  `json:"malformedRate"`
	Latency       duration `json:"latency"`
	LatencyJitter duration `json:"latencyJitter"`
	Capacity      int      `json:"capacity"`
	RetryAfter    duration `json:"retryAfter"`
	Seed          uint64   `json:"seed"`
}

// MarshalJSON writes the wire form.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(configJSON{
		MaxQuantity:   c.MaxQuantity,
		ZeroRate:      c.ZeroRate,
		ErrorRate:     c.ErrorRate,
		MalformedRate: c.MalformedRate,
		Latency:       duration(c.Latency),
		LatencyJitter: duration(c.LatencyJitter),
		Capacity:      c.Capacity,
		RetryAfter:    duration(c.RetryAfter),
		Seed:          c.Seed,
	})
}

// UnmarshalJSON reads the wire form over the values c already holds, so that
// a client can change one knob without restating the others. Unknown fields
// are refused: a misspelt knob silently ignored is worse than an error.
func (c *Config) UnmarshalJSON(data []byte) error {
	// Durations stay raw until the field name is known, so that an error
	// can say which one was wrong.
	var w struct {
		MaxQuantity   *int            `json:"maxQuantity"`
		ZeroRate      *float64        `json:"zeroRate"`
		ErrorRate     *float64        `json:"errorRate"`
		MalformedRate *float64        `json:"malformedRate"`
		Latency       json.RawMessage `json:"latency"`
		LatencyJitter json.RawMessage `json:"latencyJitter"`
		Capacity      *int            `json:"capacity"`
		RetryAfter    json.RawMessage `json:"retryAfter"`
		Seed          *uint64         `json:"seed"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%s must be a JSON %s, got %s", te.Field, jsonKind(te.Type.Kind()), te.Value)
		}
		return err
	}
	next := *c
	setIf(&next.MaxQuantity, w.MaxQuantity)
	setIf(&next.ZeroRate, w.ZeroRate)
	setIf(&next.ErrorRate, w.ErrorRate)
	setIf(&next.MalformedRate, w.MalformedRate)
	setIf(&next.Capacity, w.Capacity)
	setIf(&next.Seed, w.Seed)
	var err error
	if next.Latency, err = parseDuration("latency", w.Latency, next.Latency); err != nil {
		return err
	}
	if next.LatencyJitter, err = parseDuration("latencyJitter", w.LatencyJitter, next.LatencyJitter); err != nil {
		return err
	}
	if next.RetryAfter, err = parseDuration("retryAfter", w.RetryAfter, next.RetryAfter); err != nil {
		return err
	}
	*c = next
	return nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64:
		return "whole number"
	case reflect.Uint64:
		return "non-negative whole number"
	case reflect.Float64:
		return "number"
	default:
		return k.String()
	}
}

func parseDuration(name string, raw json.RawMessage, old time.Duration) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return old, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("%s must be a duration string such as \"150ms\", got %s", name, raw)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}
