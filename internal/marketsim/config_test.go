package marketsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfig(t *testing.T) {
	want := Config{MaxQuantity: 5}
	if got := DefaultConfig(); got != want {
		t.Fatalf("DefaultConfig() = %+v, want %+v", got, want)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigJSONUsesDurationStrings(t *testing.T) {
	cfg := Config{MaxQuantity: 7, ZeroRate: 0.25, Latency: 150 * time.Millisecond, LatencyJitter: 2 * time.Second, Capacity: 64, RetryAfter: 50 * time.Millisecond, Seed: 11}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"maxQuantity":7,"zeroRate":0.25,"errorRate":0,"malformedRate":0,"latency":"150ms","latencyJitter":"2s","capacity":64,"retryAfter":"50ms","seed":11}`
	if string(b) != want {
		t.Fatalf("marshal = %s\nwant      %s", b, want)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != cfg {
		t.Fatalf("round trip = %+v, want %+v", back, cfg)
	}
}

func TestPutConfigChangesOnlyWhatItNames(t *testing.T) {
	s := seeded(5, func(c *Config) { c.ErrorRate = 0.5 })
	h := s.Handler()
	rec := do(t, h, http.MethodPut, "/config", `{"zeroRate": 1, "latency": "1ms"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d body %s", rec.Code, rec.Body)
	}
	want := Config{MaxQuantity: 5, ZeroRate: 1, ErrorRate: 0.5, Latency: time.Millisecond, Seed: 5}
	if got := s.Config(); got != want {
		t.Fatalf("Config() = %+v, want %+v", got, want)
	}
	var echoed Config
	if err := json.Unmarshal(rec.Body.Bytes(), &echoed); err != nil || echoed != want {
		t.Fatalf("PUT answered %s (%v), want the new config", rec.Body, err)
	}

	rec = do(t, h, http.MethodGet, "/config", "")
	var got Config
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got != want {
		t.Fatalf("GET /config = %s (%v)", rec.Body, err)
	}

	// And the market behaves accordingly: no quantity above 0 any more.
	s.Set(Config{MaxQuantity: 5, ZeroRate: 1})
	for range 20 {
		if a := buy(t, h, "potato"); a.wellKnown && a.quantity != 0 {
			t.Fatalf("sold %d with zeroRate 1", a.quantity)
		}
	}
}

func TestPutConfigRefusesBadInput(t *testing.T) {
	cases := []struct {
		name, body, mention string
	}{
		{"rate above one", `{"zeroRate": 1.5}`, "zeroRate"},
		{"negative rate", `{"errorRate": -0.1}`, "errorRate"},
		{"malformed rate", `{"malformedRate": 2}`, "malformedRate"},
		{"max too big", `{"maxQuantity": 1001}`, "maxQuantity"},
		{"max negative", `{"maxQuantity": -1}`, "maxQuantity"},
		{"max fractional", `{"maxQuantity": 2.5}`, "maxQuantity"},
		{"negative latency", `{"latency": "-1s"}`, "latency"},
		{"negative jitter", `{"latencyJitter": "-5ms"}`, "latencyJitter"},
		{"latency as number", `{"latency": 150}`, "latency"},
		{"negative capacity", `{"capacity": -1}`, "capacity"},
		{"capacity too big", `{"capacity": 100001}`, "capacity"},
		{"capacity fractional", `{"capacity": 1.5}`, "capacity"},
		{"negative retry after", `{"retryAfter": "-1s"}`, "retryAfter"},
		{"retry after too long", `{"retryAfter": "2h"}`, "retryAfter"},
		{"latency nonsense", `{"latency": "soon"}`, "latency"},
		{"rate as string", `{"zeroRate": "high"}`, "zeroRate"},
		{"negative seed", `{"seed": -1}`, "seed"},
		{"unknown field", `{"zeroRat": 0.5}`, "zeroRat"},
		{"not JSON", `zeroRate=1`, ""},
		{"truncated", `{"zeroRate": 1`, ""},
		{"trailing data", `{"zeroRate": 1} {}`, ""},
		{"empty", ``, ""},
		{"null", `null`, ""},
		{"array", `[]`, ""},
		{"one bad among good", `{"zeroRate": 1, "errorRate": 3}`, "errorRate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(5, nil)
			before := s.Config()
			rec := do(t, s.Handler(), http.MethodPut, "/config", tc.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", rec.Code, rec.Body)
			}
			if code := errorCode(t, rec); code != "invalid_config" {
				t.Fatalf("code %q, want invalid_config", code)
			}
			if !strings.Contains(rec.Body.String(), tc.mention) {
				t.Errorf("message %s does not mention %q", rec.Body, tc.mention)
			}
			if after := s.Config(); after != before {
				t.Fatalf("config changed to %+v by a refused PUT", after)
			}
		})
	}
}

func TestPutConfigRefusesHugeBody(t *testing.T) {
	s := seeded(5, nil)
	body := `{"zeroRate": 1, "pad": "` + strings.Repeat("x", maxConfigBody) + `"}`
	rec := do(t, s.Handler(), http.MethodPut, "/config", body)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", rec.Code)
	}
	if s.Config().ZeroRate != 0 {
		t.Fatal("config changed by a refused PUT")
	}
}
