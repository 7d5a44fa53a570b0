package main

import (
	"context"

	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
	ordersapp "github.com/comanda-dev/comanda/orders-app/app"
)

// TestConsumersKilledMidBurst runs the kitchen and the warehouse as real
// processes on the machine's Redis and PostgreSQL, kills each with SIGKILL in
// the middle of a burst (so whatever they had read stays unacknowledged), and
// starts a replacement. Every order must still be served exactly once.
func TestConsumersKilledMidBurst(t *testing.T) {
	bins := testkit.Build(t, "kitchen-app", "inventory-app")
	rdb := testkit.Redis(t)
	prefix := testkit.Prefix(t, rdb)
	dbURL, ordersSchema := testkit.PostgresSchema(t)
	_, kitchenSchema := testkit.PostgresSchema(t)
	redisURL := "redis://" + rdb.Options().Addr
	dataDir := t.TempDir()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, marketBase, err := marketsim.Start(ctx, "127.0.0.1:0", marketsim.Config{MaxQuantity: 5, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}

	ocfg, err := ordersapp.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ocfg.Addr, ocfg.RedisURL, ocfg.StreamPrefix = "127.0.0.1:0", redisURL, prefix
	ocfg.DatabaseURL, ocfg.DatabaseSchema, ocfg.DataDir = dbURL, ordersSchema, dataDir
	orders, err := ordersapp.New(ctx, ocfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ordersDone := make(chan error, 1)
	go func() { ordersDone <- orders.Run(ctx) }()
	defer func() { cancel(); <-ordersDone }()

	common := []string{
		"REDIS_URL=" + redisURL, "STREAM_PREFIX=" + prefix, "DATA_DIR=" + dataDir,
		"RECLAIM_IDLE=1s", "LOG_LEVEL=error", "SHUTDOWN_TIMEOUT=5s",
	}
	kitchenAddr := testkit.FreeAddr(t)
	kitchenEnv := append([]string{
		"KITCHEN_ADDR=" + kitchenAddr, "DATABASE_URL=" + dbURL, "KITCHEN_DB_SCHEMA=" + kitchenSchema,
		"COOK_TIME=30ms", "COOKS=8",
	}, common...)
	inventoryAddr := testkit.FreeAddr(t)
	inventoryEnv := append([]string{
		"INVENTORY_ADDR=" + inventoryAddr, "MARKET_URL=" + marketBase + marketsim.BuyPath,
		"MARKET_RETRY_MIN=2ms", "MARKET_RETRY_MAX=50ms", "LEADER_LEASE=2s", "LEADER_RENEW=500ms", "LEADER_POLL=250ms",
	}, common...)

	kitchen := startProcess(t, bins["kitchen-app"], kitchenEnv, kitchenAddr)
	inventory := startProcess(t, bins["inventory-app"], inventoryEnv, inventoryAddr)

	h := &harness{t: t, rdb: rdb, streams: events.StreamNames(prefix),
		orders: "http://" + orders.Addr(), kitchen: "http://" + kitchenAddr, invent: "http://" + inventoryAddr}
	var ids []string
	for range 3 {
		ids = append(ids, h.place(100)...)
	}

	h.waitDelivered(30)
	kitchen.kill()
	h.waitPending(h.streams.Inventory, "kitchen") // the dead cook's dishes wait, unacknowledged
	startProcess(t, bins["kitchen-app"], kitchenEnv, kitchenAddr)

	h.waitDelivered(120)
	inventory.kill()
	startProcess(t, bins["inventory-app"], inventoryEnv, inventoryAddr)

	h.waitDone(300, 2*time.Minute)
	h.checkServedExactlyOnce(ids)
}

func (h *harness) waitDelivered(n int) {
	h.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for h.stats().ByStatus["delivered"] < n {
		if time.Now().After(deadline) {
			h.t.Fatalf("fewer than %d delivered within a minute", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitPending waits until the group has entries pending: proof that the kill
// left work unacknowledged.
func (h *harness) waitPending(stream, group string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p, err := h.rdb.XPending(context.Background(), stream, group).Result()
		if err == nil && p.Count > 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Log("no entries were pending after the kill; the reclaim path was not exercised this run")
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *testkit.Logs
	once sync.Once
	done chan struct{}
}

// startProcess runs bin with env added to this process's environment and
// waits until its /ready answers 200.
func startProcess(t *testing.T, bin string, env []string, addr string) *process {
	t.Helper()
	return startProcessEnv(t, bin, append(os.Environ(), env...), addr)
}

// startProcessEnv runs bin with exactly env and waits until its /ready
// answers 200.
func startProcessEnv(t *testing.T, bin string, env []string, addr string) *process {
	t.Helper()
	p := &process{t: t, cmd: exec.Command(bin), out: &testkit.Logs{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			p.kill()
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(bin), p.out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited at start:\n%s", bin, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 30s:\n%s", bin, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *process) signal(sig syscall.Signal) {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

// kill stops the process at once, as a crash would.
func (p *process) kill() {
	p.once.Do(func() {
		p.signal(syscall.SIGKILL)
		<-p.done
	})
}
