package marketsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// BuyPath is where the market sells, the same path as the real one.
const BuyPath = "/api/farmers-market/buy"

// maxConfigBody is far above any real configuration document.
const maxConfigBody = 64 << 10

// Handler serves the market and its control routes:
//
//	GET  /api/farmers-market/buy?ingredient=x  the contract
//	GET  /config, PUT /config                  the knobs (PUT may give only some)
//	GET  /stats, POST /stats/reset             the counters
//	GET  /health                               liveness
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+BuyPath, s.handleBuy)
	mux.HandleFunc("GET /config", s.handleGetConfig)
	mux.HandleFunc("PUT /config", s.handlePutConfig)
	mux.HandleFunc("GET /stats", s.handleStats)
	mux.HandleFunc("POST /stats/reset", s.handleResetStats)
	mux.HandleFunc("GET /health", s.handleHealth)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			notRouted(mux, w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// notRouted answers what the mux answers (404, or 405 with Allow) but in the
// JSON error shape, since clients parse every answer as JSON.
func notRouted(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	probe := &statusProbe{header: http.Header{}}
	mux.ServeHTTP(probe, r)
	if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	switch probe.status {
	case http.StatusMethodNotAllowed:
		writeError(w, probe.status, "method_not_allowed", fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path))
	default:
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
	}
}

type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }

func (s *Simulator) handleBuy(w http.ResponseWriter, r *http.Request) {
	ingredient, herr := ingredientParam(r.URL.RawQuery)
	if herr != nil {
		writeError(w, http.StatusBadRequest, herr.code, herr.message)
		return
	}
	if ok, capacity, wait := s.admit(); !ok {
		s.stats.refuse(ingredient)
		writeBusy(w, capacity, wait)
		return
	}
	defer s.leave()
	out := s.draw()
	if out.delay > 0 && !sleep(r, out.delay) {
		s.stats.record(ingredient, out, true)
		return
	}
	// Counted before answering, so that a client that has its answer
	// already finds it in /stats.
	s.stats.record(ingredient, out, false)
	switch out.kind {
	case outcomeError:
		writeError(w, http.StatusInternalServerError, "market_unavailable", "the market is having a bad moment; ask again later")
	case outcomeMalformed:
		writeRaw(w, http.StatusOK, out.malformed)
	default:
		writeJSON(w, http.StatusOK, map[string]int{"quantitySold": out.quantity})
	}
}

type requestError struct{ code, message string }

func ingredientParam(rawQuery string) (string, *requestError) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", &requestError{"invalid_query", fmt.Sprintf("query string: %v", err)}
	}
	names := q["ingredient"]
	switch {
	case len(names) == 0 || names[0] == "":
		return "", &requestError{"missing_ingredient", "the ingredient query parameter is required"}
	case len(names) > 1:
		return "", &requestError{"invalid_ingredient", "give exactly one ingredient per call"}
	case !sells(names[0]):
		return "", &requestError{"unknown_ingredient", fmt.Sprintf("the market does not sell %q; it sells %s", names[0], strings.Join(ingredients, ", "))}
	}
	return names[0], nil
}

// sleep waits for d unless the client goes away first, so that an abandoned
// slow call does not hold a goroutine for the full latency. It reports
// whether d elapsed.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *Simulator) handleGetConfig(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Config())
}

func (s *Simulator) handlePutConfig(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxConfigBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the configuration must be under %d bytes", maxConfigBody))
			return
		}
		writeError(w, http.StatusBadRequest, "invalid_body", fmt.Sprintf("reading the body: %v", err))
		return
	}
	// A bare null or array would decode as "no change" and hide a client bug.
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		writeError(w, http.StatusBadRequest, "invalid_config", "the body must be a JSON object")
		return
	}
	cfg, err := s.update(func(cur Config) (Config, error) {
		if err := json.Unmarshal(body, &cur); err != nil {
			return cur, err
		}
		return cur, cur.Validate()
	})
	if err != nil {
		// errors.Join separates with newlines, awkward inside one JSON string.
		writeError(w, http.StatusBadRequest, "invalid_config", strings.ReplaceAll(err.Error(), "\n", "; "))
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

func (s *Simulator) handleStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Simulator) handleResetStats(w http.ResponseWriter, _ *http.Request) {
	s.ResetStats()
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Simulator) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own types reach here; a failure is a bug worth a 500.
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	writeRaw(w, status, append(body, '\n'))
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]map[string]string{"error": {"code": code, "message": message}})
	writeRaw(w, status, append(body, '\n'))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
