package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
)

// burstRun is one burst against a fresh system.
type burstRun struct {
	Scenario scenario
	Shape    shape
	// Name names the load generator's files in the output folder.
	Name    string
	Timeout time.Duration
	// Stdout and Stderr receive the load generator's report and progress.
	Stdout, Stderr io.Writer
	// Profile, when set, takes a CPU profile of that length of every
	// service, from profileAfter into the burst, into the output folder.
	Profile time.Duration
}

// profileAfter is how far into a burst its CPU profiles start: past the
// placement, into the pipeline's work.
const profileAfter = time.Second

// memoryEvery is how often the processes' memory is read during a burst.
const memoryEvery = 250 * time.Millisecond

// settleFor is how long the system may settle after the burst before its
// memory is read again (what it keeps, not what the burst held).
const settleFor = 2 * time.Second

// runBurst starts a fresh system, runs the burst through its gateway while
// sampling its memory, and stops it, removing everything it created.
func runBurst(ctx context.Context, bins binaries, outDir string, b burstRun) (res runResult) {
	res.StartedAt = time.Now().UTC()
	work, err := os.MkdirTemp("", "comanda-bench-")
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer os.RemoveAll(work)
	defer func() {
		res.WallSeconds = time.Since(res.StartedAt).Seconds()
		if res.Error != "" {
			keepLogs(work, filepath.Join(outDir, b.Name+"-logs"))
		}
	}()

	env := maps.Clone(baseEnv)
	maps.Copy(env, b.Scenario.Env)
	sys, err := startSystem(ctx, b.Shape, bins, env, work, b.Profile > 0)
	if err != nil {
		res.Error = fmt.Sprintf("starting the %s system: %v", b.Shape, err)
		return res
	}
	defer func() {
		if err := sys.stop(); err != nil {
			res.Error = strings.TrimSpace(res.Error + "\nstopping: " + err.Error())
		}
	}()
	res.ReadySeconds = time.Since(res.StartedAt).Seconds()

	mem := sampleMemory(sys.pids(), memoryEvery)
	defer mem.close()
	mem.resetPeak()
	report := filepath.Join(outDir, b.Name+".json")
	for _, ext := range []string{".json", ".csv", ".svg"} {
		// A report left by an earlier invocation must not pass for this one's.
		_ = os.Remove(strings.TrimSuffix(report, ".json") + ext)
	}
	args := []string{
		"-web", sys.web, "-password", sys.password,
		"-n", strconv.Itoa(b.Scenario.Requests), "-q", strconv.Itoa(b.Scenario.Dishes),
		"-c", strconv.Itoa(b.Scenario.Concurrency), "-ws", strconv.Itoa(b.Scenario.Feed),
		"-timeout", b.Timeout.String(), "-report", report, "-scenario", b.Scenario.ID + " (" + string(b.Shape) + ")",
		"-param", "shape=" + string(b.Shape),
	}
	for _, kv := range assignments(env) {
		args = append(args, "-param", kv)
	}
	cmd := exec.CommandContext(ctx, bins.path("loadgen"), args...)
	cmd.Env = cleanEnv(nil)
	cmd.Stdout, cmd.Stderr = b.Stdout, b.Stderr
	profiled := profileDuring(ctx, sys.profilers, b.Profile, filepath.Join(outDir, b.Name))
	runErr := cmd.Run()
	res.Files = append(res.Files, profiled()...)
	res.Market = marketCount(ctx, sys.market)
	_, peak := mem.read()
	res.PeakRSSMiB = float64(peak) / 1024

	if sum, err := loadreport.Read(report); err == nil {
		res.Summary = sum
		base := strings.TrimSuffix(report, ".json")
		res.Files = append(res.Files, report, base+".csv", base+".svg")
	} else if runErr == nil {
		runErr = err
	}
	// The load generator exits with an error when dishes failed; that is a
	// figure of the run (the table says so), not a broken run.
	var exit *exec.ExitError
	if runErr != nil && !(errors.As(runErr, &exit) && res.Summary != nil) {
		res.Error = fmt.Sprintf("load generator: %v", runErr)
		return res
	}

	select {
	case <-ctx.Done():
	case <-time.After(settleFor):
	}
	after, _ := mem.read()
	res.RSSAfterMiB = float64(after) / 1024
	res.StreamLogKiB = sys.streamLogKiB()
	if sys.stores != nil {
		uctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if u, err := sys.stores.usage(uctx); err == nil {
			res.Redis = &u
		}
	}
	return res
}

// keepLogs copies the processes' logs of a failed run where it can be read.
func keepLogs(work, dest string) {
	logs, _ := filepath.Glob(filepath.Join(work, "*.log"))
	if len(logs) == 0 || os.MkdirAll(dest, 0o755) != nil {
		return
	}
	for _, l := range logs {
		if data, err := os.ReadFile(l); err == nil {
			_ = os.WriteFile(filepath.Join(dest, filepath.Base(l)), data, 0o644)
		}
	}
}

// marketCount reads the market simulator's counters, nil when it does not
// answer.
func marketCount(ctx context.Context, base string) *marketUsage {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	body, err := get(ctx, base+"/stats")
	if err != nil {
		return nil
	}
	defer body.Close()
	var m marketUsage
	if json.NewDecoder(body).Decode(&m) != nil {
		return nil
	}
	return &m
}
