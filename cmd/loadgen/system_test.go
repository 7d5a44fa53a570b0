package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// TestBurstAgainstTheEmbeddedRun starts the embedded runner as a process on
// free ports and a fresh data folder, runs a small burst through its gateway
// with the report on, and reads back what the files say.
func TestBurstAgainstTheEmbeddedRun(t *testing.T) {
	web := startEmbedded(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "burst.json")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, []string{"-web", web, "-password", testPassword, "-n", "12", "-q", "2", "-c", "4", "-ws", "2",
		"-report", file, "-scenario", "small", "-param", "market=0..5 seed 42"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("loadgen: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	for _, want := range []string{"makespan", "throughput", "placed→delivered", "units bought / needed", "feed delay"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the text report lacks %q:\n%s", want, &stdout)
		}
	}
	if !strings.Contains(stderr.String(), "delivered 24/24") {
		t.Errorf("no final progress line on stderr:\n%s", &stderr)
	}

	var doc struct {
		Dishes, Delivered, Failed   int
		MakespanSeconds, P99Seconds float64
		Balanced                    bool
		Scenario                    scenario
		Feed                        *loadreport.Feed
		Files                       reportFiles
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Dishes != 24 || doc.Delivered != 24 || doc.Failed != 0 || !doc.Balanced || doc.MakespanSeconds <= 0 || doc.P99Seconds <= 0 {
		t.Errorf("summary: %s", data)
	}
	if doc.Scenario.Name != "small" || doc.Scenario.Params["market"] != "0..5 seed 42" || doc.Feed == nil || doc.Feed.Clients != 2 {
		t.Errorf("scenario or feed missing: %s", data)
	}

	recs := readCSV(t, filepath.Join(dir, doc.Files.CSV))
	if len(recs) < 2 {
		t.Fatalf("timeline has no row: %v", recs)
	}
	last := recs[len(recs)-1]
	sum := 0
	for _, r := range recs[1:] {
		n, _ := strconv.Atoi(r[2])
		sum += n
	}
	if last[1] != "24" || last[3] != "0" || sum != 24 {
		t.Errorf("timeline does not end with every dish delivered and none in flight: %v", recs)
	}
	svg, err := os.ReadFile(filepath.Join(dir, doc.Files.SVG))
	if err != nil {
		t.Fatal(err)
	}
	if names := checkXML(t, svg); names[0] != "svg" {
		t.Errorf("chart root is %q", names[0])
	}
}

const testPassword = "loadgen-test-password"

// startEmbedded builds and starts the embedded runner and returns its
// gateway's URL once it is ready; the process is stopped by the test's end.
func startEmbedded(t *testing.T) string {
	t.Helper()
	bin := testkit.Build(t, "cmd/comanda")["cmd/comanda"]
	webAddr := testkit.FreeAddr(t)
	vars := []string{
		"DATA_DIR=" + t.TempDir(), "LOG_LEVEL=warn", "MANAGER_PASSWORD=" + testPassword,
		"ORDERS_ADDR=" + testkit.FreeAddr(t), "KITCHEN_ADDR=" + testkit.FreeAddr(t), "INVENTORY_ADDR=" + testkit.FreeAddr(t),
		"MARKET_ADDR=" + testkit.FreeAddr(t), "WEB_ADDR=" + webAddr, "MARKET_SEED=42", "MARKET_MAX=5", "COOK_TIME=1ms",
	}
	cmd := exec.Command(bin)
	cmd.Env = testkit.EmbeddedEnv(vars)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("comanda output:\n%s", out.String())
		}
	})
	web := "http://" + webAddr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(web + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return web
			}
		}
		select {
		case <-exited:
			t.Fatalf("comanda exited at start:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("comanda not ready within 60s:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
