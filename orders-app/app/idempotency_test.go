package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/google/uuid"
)

func TestIdempotentPlacement(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, b)
			t.Run("racing retries under one key place one batch", func(t *testing.T) { racingRetries(t, s) })
			t.Run("a key reused with another body is refused", func(t *testing.T) { keyReused(t, s) })
			t.Run("malformed keys are refused", func(t *testing.T) { malformedKeys(t, s) })
		})
	}
}

// racingRetries sends one placement 20 times at once under one key, as a
// client retrying over a flaky network would.
func racingRetries(t *testing.T, s server) {
	const racers, quantity = 20, 5
	key := uuid.NewString()
	type answer struct {
		status   int
		replayed string
		body     []byte
	}
	answers := make([]answer, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			status, h, body := s.doWith(t, "POST", "/api/v1/orders", `{"quantity": 5}`, http.Header{"Idempotency-Key": {key}})
			answers[i] = answer{status, h.Get("Idempotent-Replayed"), body}
		})
	}
	close(start)
	wg.Wait()
	replayed := 0
	for i, a := range answers {
		if a.status != http.StatusAccepted {
			t.Fatalf("racer %d: %d %s", i, a.status, a.body)
		}
		if !bytes.Equal(a.body, answers[0].body) {
			t.Errorf("racer %d answered %s, racer 0 %s", i, a.body, answers[0].body)
		}
		if a.replayed == "true" {
			replayed++
		}
	}
	if replayed != racers-1 {
		t.Errorf("%d answers say Idempotent-Replayed, want %d", replayed, racers-1)
	}
	var p placed
	if err := json.Unmarshal(answers[0].body, &p); err != nil || p.Quantity != quantity || len(p.OrderIDs) != quantity {
		t.Fatalf("answer %s: %v", answers[0].body, err)
	}
	var page struct{ Orders []orderView }
	s.getJSON(t, "/api/v1/orders?limit=100&batch="+p.BatchID, &page)
	if len(page.Orders) != quantity {
		t.Errorf("the batch holds %d orders, want %d", len(page.Orders), quantity)
	}
	var stats struct{ Total int }
	s.getJSON(t, "/api/v1/orders/stats", &stats)
	if stats.Total != quantity {
		t.Errorf("%d orders stored by %d retries, want %d", stats.Total, racers, quantity)
	}
	testkit.Eventually(t, "the batch published", 10*time.Second, func() bool { return testkit.EventCount(t, s.rdb, s.streams.Orders) >= quantity })
	if n := testkit.EventCount(t, s.rdb, s.streams.Orders); n != quantity {
		t.Errorf("%d order.placed events published, want %d", n, quantity)
	}
	// A later retry still answers the same batch.
	status, _, body := s.doWith(t, "POST", "/api/v1/orders", `{ "quantity" : 5 }`, http.Header{"Idempotency-Key": {key}})
	if status != http.StatusAccepted || !bytes.Equal(body, answers[0].body) {
		t.Errorf("later retry: %d %s", status, body)
	}
}

func keyReused(t *testing.T, s server) {
	key := uuid.NewString()
	if status, _, body := s.doWith(t, "POST", "/api/v1/orders", `{"quantity": 2}`, http.Header{"Idempotency-Key": {key}}); status != http.StatusAccepted {
		t.Fatalf("first placement: %d %s", status, body)
	}
	var before struct{ Total int }
	s.getJSON(t, "/api/v1/orders/stats", &before)
	status, _, body := s.doWith(t, "POST", "/api/v1/orders", `{"quantity": 3}`, http.Header{"Idempotency-Key": {key}})
	if code := errorCodeOf(t, body); status != http.StatusUnprocessableEntity || code != "idempotency_key_reused" {
		t.Errorf("another body under the key: %d %s", status, body)
	}
	var after struct{ Total int }
	s.getJSON(t, "/api/v1/orders/stats", &after)
	if after.Total != before.Total {
		t.Errorf("the refused request stored %d orders", after.Total-before.Total)
	}
}

func malformedKeys(t *testing.T, s server) {
	var before struct{ Total int }
	s.getJSON(t, "/api/v1/orders/stats", &before)
	cases := []struct {
		name   string
		header http.Header
	}{
		{"empty", http.Header{"Idempotency-Key": {""}}},
		{"too long", http.Header{"Idempotency-Key": {strings.Repeat("k", 256)}}},
		{"a tab", http.Header{"Idempotency-Key": {"a\tb"}}},
		{"not ASCII", http.Header{"Idempotency-Key": {"clé"}}},
		{"two of them", http.Header{"Idempotency-Key": {uuid.NewString(), uuid.NewString()}}},
	}
	for _, c := range cases {
		status, _, body := s.doWith(t, "POST", "/api/v1/orders", `{"quantity": 1}`, c.header)
		if code := errorCodeOf(t, body); status != http.StatusBadRequest || code != "invalid_idempotency_key" {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
	// The longest key allowed works.
	if status, _, body := s.doWith(t, "POST", "/api/v1/orders", `{"quantity": 1}`, http.Header{"Idempotency-Key": {strings.Repeat("k", 255)}}); status != http.StatusAccepted {
		t.Errorf("a 255-character key: %d %s", status, body)
	}
	var after struct{ Total int }
	s.getJSON(t, "/api/v1/orders/stats", &after)
	if after.Total != before.Total+1 {
		t.Errorf("malformed keys stored %d orders", after.Total-before.Total-1)
	}
}

// doWith sends a request with the given headers.
func (s server) doWith(t *testing.T, method, path, body string, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, nil, nil
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return 0, nil, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func errorCodeOf(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Message == "" {
		t.Errorf("not the JSON error shape: %.200s", body)
	}
	return e.Error.Code
}
