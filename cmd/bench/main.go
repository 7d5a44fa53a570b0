// Command bench runs Comanda's benchmark (make bench): for each scenario, in
// each of its shapes, it starts a fresh system — the embedded run, or the
// services as separate processes on this machine's Redis and PostgreSQL —
// drives it through its gateway with the load generator while sampling the
// processes' memory, stops every process by its PID and removes what the
// run created in Redis and PostgreSQL. It also runs the stream layer's Go
// benchmark. It writes a JSON report and, after a full run, regenerates the
// figures tables of docs/performance.md and README.md (between their
// bench markers).
//
//	go run ./cmd/bench                          every scenario, both shapes
//	go run ./cmd/bench -quick                   200 × 1 and the stream benchmark
//	go run ./cmd/bench -scenarios 1x10000,stream -shapes production
//	go run ./cmd/bench burst MODE ORDERS DISHES [FEED_CLIENTS]   one burst (.ci/bench.sh)
//
// Measurements only: nothing here asserts a speed, and make test never runs
// it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if len(args) > 0 && args[0] == "burst" {
		return adhoc(ctx, root, args[1:])
	}
	all := scenarios()

	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	ids := fs.String("scenarios", "", "comma-separated scenarios to run (see -list; "+streamScenario+" is the Go benchmark); default all")
	shapes := fs.String("shapes", "", "comma-separated shapes: embedded, production; default each scenario's own")
	quick := fs.Bool("quick", false, "run only 200 × 1 in both shapes and the stream benchmark")
	runs := fs.Int("runs", 1, "runs of each scenario in each shape; the table shows the median makespan's")
	reportPath := fs.String("report", "", "where the JSON report goes (default docs/bench-report.json for the full set, cmd/bench/out/report.json for a subset)")
	docs := fs.Bool("docs", false, "regenerate the tables in docs/performance.md and README.md (default: after a full run without errors)")
	outDir := fs.String("out", "cmd/bench/out", "folder for each run's load-generator report, CSV and chart, and the logs of a failed run")
	messages := fs.Int("stream-messages", 50000, "messages of the stream benchmark (10,000 with -quick)")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up on a burst after this long")
	list := fs.Bool("list", false, "list the scenarios and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *list {
		fmt.Printf("%-20s %s\n", streamScenario, "BenchmarkStream in internal/stream, on Redis and miniredis")
		for _, s := range all {
			fmt.Printf("%-20s %s (%s)\n", s.ID, s.Title, strings.Join(shapeList(s.Shapes), ", "))
		}
		return nil
	}
	if *runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	sel, err := selectScenarios(all, *ids, *shapes, *quick)
	if err != nil {
		return err
	}
	if *reportPath == "" {
		*reportPath = "docs/bench-report.json"
		if !sel.Full {
			*reportPath = filepath.Join(*outDir, "report.json")
		}
	}
	if *quick && !set["stream-messages"] {
		*messages = 10000
	}
	out := inRoot(root, *outDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}

	started := time.Now()
	fmt.Println("== building the programs")
	bins, remove, err := build(root)
	if err != nil {
		return err
	}
	defer remove()

	rep := benchReport{StartedAt: started.UTC(), Full: sel.Full, Machine: describeMachine(root), Settings: describeSettings(*runs)}
	if sel.Stream {
		fmt.Printf("== the stream layer alone: BenchmarkStream, %d messages\n", *messages)
		if rep.Stream, err = runStreamBench(ctx, root, *messages, os.Stdout); err != nil {
			rep.StreamError = err.Error()
			fmt.Fprintln(os.Stderr, "   failed:", err)
		}
	}
	broken := rep.StreamError != ""
	for _, sc := range sel.Scenarios {
		for _, sh := range sc.Shapes {
			r := scenarioResult{ID: sc.ID, Title: sc.Title, Shape: sh, Requests: sc.Requests, DishesPerRequest: sc.Dishes,
				Concurrency: sc.Concurrency, FeedClients: sc.Feed, Env: sc.Env}
			for i := range *runs {
				if ctx.Err() != nil {
					break
				}
				name, label := string(sh)+"-"+sc.ID, ""
				if *runs > 1 {
					name += fmt.Sprintf("-run%d", i+1)
					label = fmt.Sprintf(", run %d of %d", i+1, *runs)
				}
				fmt.Printf("== %s: %s, %s%s\n", sc.ID, sc.Title, sh, label)
				res := runBurst(ctx, bins, out, burstRun{Scenario: sc, Shape: sh, Name: name, Timeout: *timeout, Stdout: os.Stdout, Stderr: os.Stderr})
				if res.Error != "" {
					broken = true
					fmt.Fprintln(os.Stderr, "   failed:", res.Error)
				}
				for j, f := range res.Files {
					res.Files[j] = relative(root, f)
				}
				r.Runs = append(r.Runs, res)
			}
			r.pickMedian()
			rep.Scenarios = append(rep.Scenarios, r)
		}
	}
	rep.DurationSeconds = time.Since(started).Seconds()

	if ctx.Err() != nil {
		// An interrupted run replaces neither the committed report nor
		// the docs.
		partial := filepath.Join(out, "report-interrupted.json")
		_ = writeReport(partial, rep)
		return fmt.Errorf("interrupted; what ran is in %s", relative(root, partial))
	}
	if err := writeReport(inRoot(root, *reportPath), rep); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	fmt.Printf("\n== report: %s (%s)\n\n%s", *reportPath, minutes(rep.DurationSeconds), figuresTable(rep))
	if line := streamLine(rep); line != "" {
		fmt.Println("\n" + line)
	}
	writeDocs := sel.Full && !broken
	if set["docs"] {
		writeDocs = *docs
	}
	if writeDocs {
		if err := updateDoc(filepath.Join(root, "docs", "performance.md"), docSection(rep)); err != nil {
			return err
		}
		if err := updateDoc(filepath.Join(root, "README.md"), readmeSection(rep)); err != nil {
			return err
		}
		fmt.Println("\n== regenerated the tables in docs/performance.md and README.md")
	} else if sel.Full {
		fmt.Println("\n== some run failed: docs/performance.md and README.md left as they were")
	}
	if f := rep.failures(); len(f) > 0 {
		return fmt.Errorf("%d problems:\n  %s", len(f), strings.Join(f, "\n  "))
	}
	return nil
}

func describeSettings(runs int) settings {
	s := settings{
		Env: baseEnv,
		Shapes: map[shape]string{
			embedded: "`./cmd/comanda`, the three services, the gateway and the market simulator in one process, on its in-process Redis " +
				"(its streams logged to the data folder) and SQLite files",
			production: "orders-app, kitchen-app, inventory-app, web and cmd/market as five processes with `APP_ENV=production`: orders and " +
				"kitchen on this machine's PostgreSQL (fresh schemas), the streams on its Redis (a fresh prefix), both removed afterwards, " +
				"one replica of each; the warehouse keeps its SQLite store, since no MongoDB server can be installed here",
		},
		RSS: "the resident memory of the processes summed (the one process embedded; the four services in production, not the simulator, " +
			"Redis or PostgreSQL), read every 250 ms during the burst; the highest reading",
		MarketCapacity: "`MARKET_CAPACITY=64` in the 50 ms scenario: the simulator serves 64 calls at once and refuses the rest with 429",
		Runs:           runs,
	}
	return s
}

func shapeList(shapes []shape) []string {
	var out []string
	for _, s := range shapes {
		out = append(out, string(s))
	}
	return out
}

// moduleRoot is the folder of go.mod, above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from the repository")
		}
		dir = parent
	}
}

func inRoot(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

func relative(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil {
		return rel
	}
	return path
}
