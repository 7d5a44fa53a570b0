package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
)

// benchReport is what one invocation measured: docs/bench-report.json after a
// full run, and the source of the docs' tables.
type benchReport struct {
	StartedAt       time.Time        `json:"startedAt"`
	DurationSeconds float64          `json:"durationSeconds"`
	Full            bool             `json:"full"`
	Machine         machine          `json:"machine"`
	Settings        settings         `json:"settings"`
	Stream          []streamResult   `json:"stream,omitempty"`
	StreamError     string           `json:"streamError,omitempty"`
	Scenarios       []scenarioResult `json:"scenarios"`
}

type machine struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
	Commit    string `json:"commit"`
	// Dirty says the working tree had changes not in Commit.
	Dirty bool `json:"dirty"`
}

// settings are what every scenario shares.
type settings struct {
	Env            map[string]string `json:"env"`
	MarketCapacity string            `json:"marketCapacity"`
	Shapes         map[shape]string  `json:"shapes"`
	RSS            string            `json:"rss"`
	Runs           int               `json:"runs"`
}

// scenarioResult is one scenario in one shape: one row of the table.
type scenarioResult struct {
	ID               string            `json:"id"`
	Title            string            `json:"title"`
	Shape            shape             `json:"shape"`
	Requests         int               `json:"requests"`
	DishesPerRequest int               `json:"dishesPerRequest"`
	Concurrency      int               `json:"concurrency"`
	FeedClients      int               `json:"feedClients,omitempty"`
	Env              map[string]string `json:"env,omitempty"`
	Runs             []runResult       `json:"runs"`
	// Median is the index in Runs of the run the table shows: the median
	// makespan of those that succeeded; -1 when none did.
	Median int `json:"median"`
}

// runResult is one run of a fresh system.
type runResult struct {
	StartedAt    time.Time           `json:"startedAt"`
	ReadySeconds float64             `json:"readySeconds"`
	WallSeconds  float64             `json:"wallSeconds"`
	Summary      *loadreport.Summary `json:"summary,omitempty"`
	PeakRSSMiB   float64             `json:"peakRssMiB"`
	RSSAfterMiB  float64             `json:"rssAfterMiB"`
	StreamLogKiB int64               `json:"streamLogKiB,omitempty"`
	Redis        *redisUsage         `json:"redis,omitempty"`
	// Market is what the market simulator counted: its calls, and those it
	// refused (429) past its capacity.
	Market *marketUsage `json:"market,omitempty"`
	// Files are the load generator's report, timeline and chart, under
	// the output folder (not committed).
	Files []string `json:"files,omitempty"`
	Error string   `json:"error,omitempty"`
}

// marketUsage is the market simulator's count of one run.
type marketUsage struct {
	Calls   int64 `json:"calls"`
	Refused int64 `json:"refused"`
}

// pickMedian sets Median to the run of median makespan among the
// successful ones (the lower middle of an even count).
func (s *scenarioResult) pickMedian() {
	var ok []int
	for i, r := range s.Runs {
		if r.Error == "" && r.Summary != nil {
			ok = append(ok, i)
		}
	}
	if len(ok) == 0 {
		s.Median = -1
		return
	}
	slices.SortFunc(ok, func(a, b int) int {
		return cmpFloat(s.Runs[a].Summary.MakespanSeconds, s.Runs[b].Summary.MakespanSeconds)
	})
	s.Median = ok[(len(ok)-1)/2]
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// failures lists what went wrong, for the exit status.
func (r benchReport) failures() []string {
	var out []string
	if r.StreamError != "" {
		out = append(out, "stream benchmark: "+r.StreamError)
	}
	for _, s := range r.Scenarios {
		for i, run := range s.Runs {
			if run.Error != "" {
				out = append(out, fmt.Sprintf("%s, %s, run %d: %s", s.ID, s.Shape, i+1, run.Error))
			} else if run.Summary != nil && (run.Summary.Failed > 0 || !run.Summary.Balanced) {
				out = append(out, fmt.Sprintf("%s, %s, run %d: %d dishes failed, stock balanced: %v", s.ID, s.Shape, i+1, run.Summary.Failed, run.Summary.Balanced))
			}
		}
	}
	return out
}

func writeReport(path string, r benchReport) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// describeMachine says where the run happened. git runs without optional
// locks: other people commit in this checkout meanwhile.
func describeMachine(root string) machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"--no-optional-locks"}, args...)...)
		cmd.Dir = root
		out, _ := cmd.Output()
		return strings.TrimSpace(string(out))
	}
	m.Commit = git("rev-parse", "--short", "HEAD")
	m.Dirty = git("status", "--porcelain", "--untracked-files=no") != ""
	return m
}
