package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/comanda-dev/comanda/internal/auth"
)

// system is a fresh Comanda in one shape, started for one run.
type system struct {
	shape    shape
	web      string // the gateway's base URL
	market   string // the market simulator's
	password string // the manager's
	// procs are stopped in reverse order; services are those whose memory
	// counts (the market simulator stands for an external API and does
	// not, except inside the embedded process).
	procs    []*process
	services []*process
	dataDir  string // the embedded run's
	stores   *realStores
	work     string
	// profilers maps each service to its PPROF_ADDR, when profiled.
	profilers map[string]string
}

const (
	readyWithin = 90 * time.Second
	stopGrace   = 30 * time.Second
)

// startSystem starts sh with the scenario's env, its logs and data under
// work (a folder of its own).
// With profile set, every service serves Go's profiler on a loopback port of
// its own (s.profilers).
func startSystem(ctx context.Context, sh shape, bins binaries, env map[string]string, work string, profile bool) (_ *system, err error) {
	s := &system{shape: sh, work: work, password: "bench-" + randomHex(12), profilers: map[string]string{}}
	profiler := func(name string) []string {
		if !profile {
			return nil
		}
		a, err := freeAddr()
		if err != nil {
			return nil
		}
		s.profilers[name] = a
		return []string{"PPROF_ADDR=" + a}
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.stop())
		}
	}()
	if sh != embedded {
		st := newRealStores()
		s.stores = &st
	}
	addr := map[string]string{}
	for _, name := range []string{"orders", "kitchen", "inventory", "market", "web"} {
		if addr[name], err = freeAddr(); err != nil {
			return s, err
		}
	}
	s.web = "http://" + addr["web"]
	s.market = "http://" + addr["market"]
	scenarioEnv := assignments(env)

	switch sh {
	case embedded, real:
		s.dataDir = filepath.Join(work, "data")
		vars := append(scenarioEnv, "DATA_DIR="+s.dataDir, "LOG_LEVEL=warn", "MANAGER_PASSWORD="+s.password, "FEEDS_PER_SESSION="+feedsPerSession,
			"ORDERS_ADDR="+addr["orders"], "KITCHEN_ADDR="+addr["kitchen"], "INVENTORY_ADDR="+addr["inventory"],
			"MARKET_ADDR="+addr["market"], "WEB_ADDR="+addr["web"])
		if s.stores != nil {
			vars = append(vars, s.stores.env()...)
		}
		vars = append(vars, profiler("comanda")...)
		p, err := start("comanda", bins.path("comanda"), cleanEnv(vars), filepath.Join(work, "comanda.log"))
		if err != nil {
			return s, err
		}
		s.procs = append(s.procs, p)
		s.services = append(s.services, p)
		return s, p.waitReady(ctx, s.web+"/ready", readyWithin)

	case production:
		pair, err := auth.GenerateKeyPair("bench")
		if err != nil {
			return s, err
		}
		common := append(slices.Clone(scenarioEnv), s.stores.env()...)
		common = append(common, "APP_ENV=production", "AUTH_PUBLIC_KEYS="+pair.Public, "LOG_LEVEL=warn")
		steps := []struct {
			name, bin, ready string
			env              []string
			service          bool
		}{
			{"market", "market", "/health", append(marketEnv(env), "MARKET_ADDR="+addr["market"]), false},
			{"orders-app", "orders-app", "/ready", append(slices.Clone(common), "ORDERS_ADDR="+addr["orders"], "DATA_DIR="+filepath.Join(work, "orders")), true},
			{"kitchen-app", "kitchen-app", "/ready", append(slices.Clone(common), "KITCHEN_ADDR="+addr["kitchen"], "DATA_DIR="+filepath.Join(work, "kitchen")), true},
			{"inventory-app", "inventory-app", "/ready", append(slices.Clone(common), "INVENTORY_ADDR="+addr["inventory"],
				"DATA_DIR="+filepath.Join(work, "inventory"), "MARKET_URL=http://"+addr["market"]+"/api/farmers-market/buy"), true},
			{"web", "web", "/ready", append(s.stores.env(), "APP_ENV=production", "AUTH_PRIVATE_KEY="+pair.Private, "AUTH_KEY_ID="+pair.ID,
				"MANAGER_PASSWORD="+s.password, "LOG_LEVEL=warn", "FEEDS_PER_SESSION="+feedsPerSession,
				"WEB_ADDR="+addr["web"], "ORDERS_URL=http://"+addr["orders"], "KITCHEN_URL=http://"+addr["kitchen"],
				"INVENTORY_URL=http://"+addr["inventory"]), true},
		}
		for _, st := range steps {
			dir := filepath.Join(work, st.name)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return s, err
			}
			if st.service {
				st.env = append(st.env, profiler(st.name)...)
			}
			p, err := start(st.name, bins.path(st.bin), cleanEnv(st.env), filepath.Join(work, st.name+".log"))
			if err != nil {
				return s, err
			}
			s.procs = append(s.procs, p)
			if st.service {
				s.services = append(s.services, p)
			}
			listen := addr[strings.TrimSuffix(st.name, "-app")]
			if err := p.waitReady(ctx, "http://"+listen+st.ready, readyWithin); err != nil {
				return s, err
			}
		}
		return s, nil
	}
	return s, fmt.Errorf("unknown shape %q", sh)
}

// pids are the processes whose memory counts.
func (s *system) pids() []int {
	var out []int
	for _, p := range s.services {
		out = append(out, p.pid())
	}
	return out
}

// stop stops every process, the gateway first, each by its PID, then
// removes what the run put in Redis and PostgreSQL.
func (s *system) stop() error {
	for _, p := range slices.Backward(s.procs) {
		p.stop(stopGrace)
	}
	s.procs = nil
	if s.stores != nil {
		return s.stores.remove()
	}
	return nil
}

// streamLogKiB is the size of the embedded Redis's log in the data folder.
func (s *system) streamLogKiB() int64 {
	if s.shape != embedded {
		return 0
	}
	fi, err := os.Stat(filepath.Join(s.dataDir, "streams.log"))
	if err != nil {
		return 0
	}
	return fi.Size() / 1024
}

// marketEnv is the part of env the market simulator reads.
func marketEnv(env map[string]string) []string {
	out := map[string]string{}
	for k, v := range env {
		if strings.HasPrefix(k, "MARKET_") && k != "MARKET_URL" {
			out[k] = v
		}
	}
	return assignments(out)
}

func assignments(env map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

// feedsPerSession lets the load generator's feed clients, which share one
// session, all connect.
const feedsPerSession = "1000"

// cleanEnv is vars plus only what any program needs from this one's
// environment: a variable left over in the shell (COOK_TIME, MONGO_URL…)
// must not change what is measured.
func cleanEnv(vars []string) []string {
	var env []string
	for _, name := range []string{"PATH", "HOME", "TMPDIR", "LANG", "TZ"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return append(env, vars...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
