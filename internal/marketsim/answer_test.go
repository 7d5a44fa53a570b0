package marketsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// answer is one market response as a strict client would classify it.
type answer struct {
	status    int
	body      []byte
	quantity  int
	wellKnown bool // 200 with {"quantitySold": N}, N a whole number ≥ 0
}

func buy(t testing.TB, h http.Handler, ingredient string) answer {
	t.Helper()
	return buyCtx(t, context.Background(), h, ingredient)
}

func buyCtx(t testing.TB, ctx context.Context, h http.Handler, ingredient string) answer {
	t.Helper()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, BuyPath+"?ingredient="+url.QueryEscape(ingredient), nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, body: rec.Body.Bytes()}
	a.quantity, a.wellKnown = parseQuantity(a.status, a.body)
	return a
}

// parseQuantity is the contract: exactly one field, a whole number, not
// negative. Anything else is garbage, however close.
func parseQuantity(status int, body []byte) (int, bool) {
	if status != http.StatusOK {
		return 0, false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || len(fields) != 1 {
		return 0, false
	}
	raw, ok := fields["quantitySold"]
	if !ok {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var n json.Number
	if err := dec.Decode(&n); err != nil {
		return 0, false
	}
	q, err := n.Int64()
	if err != nil || q < 0 {
		return 0, false
	}
	return int(q), true
}

// do sends a request to h and returns the recorder, checking that every
// answer is JSON-typed.
func do(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, bytes.NewBufferString(body))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type = %q, want application/json", method, target, ct)
	}
	return rec
}

// errorCode decodes the JSON error shape and returns its code.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", rec.Body.String(), err)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error body %q lacks code or message", rec.Body.String())
	}
	return e.Error.Code
}

func seeded(seed uint64, tweak func(*Config)) *Simulator {
	cfg := DefaultConfig()
	cfg.Seed = seed
	if tweak != nil {
		tweak(&cfg)
	}
	return New(cfg)
}
