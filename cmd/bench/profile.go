package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// profileDuring takes a CPU profile of length d of every service in
// profilers (name → PPROF_ADDR), starting profileAfter from now, each into
// prefix-NAME.pprof; the returned function waits for them and names the
// files written. Read one with go tool pprof -top -cum BINARY FILE.
func profileDuring(ctx context.Context, profilers map[string]string, d time.Duration, prefix string) func() []string {
	if d <= 0 || len(profilers) == 0 {
		return func() []string { return nil }
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		files []string
	)
	for name, addr := range profilers {
		wg.Go(func() {
			path := prefix + "-" + name + ".pprof"
			if err := fetchProfile(ctx, addr, d, path); err != nil {
				fmt.Fprintf(os.Stderr, "profiling %s: %v\n", name, err)
				return
			}
			mu.Lock()
			files = append(files, path)
			mu.Unlock()
		})
	}
	return func() []string {
		wg.Wait()
		return files
	}
}

func fetchProfile(ctx context.Context, addr string, d time.Duration, path string) error {
	select {
	case <-time.After(profileAfter):
	case <-ctx.Done():
		return ctx.Err()
	}
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(1, int(d.Seconds())))
	body, err := get(ctx, url)
	if err != nil {
		return err
	}
	defer body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
