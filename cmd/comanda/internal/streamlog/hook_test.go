package streamlog

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// WAIT is the barrier the outbox relays rely on: when it answers 1, what the
// connection wrote before it is in the log on disk. Rounds do not tick here,
// so only the WAIT can have written it.
func TestWaitReturnsOnlyOnceTheEntryIsOnDisk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "streams.log")
	f := open(t, path, quiet)
	f.log.Attach(f.mr)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: f.mr.Addr()})
			defer rdb.Close()
			for i := range 10 {
				var add *redis.StringCmd
				var wait *redis.Cmd
				_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
					add = p.XAdd(ctx, &redis.XAddArgs{Stream: fmt.Sprintf("s%d", w%3), Values: []any{"n", i}})
					wait = p.Do(ctx, "WAIT", 1, 0)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				if n, _ := wait.Int(); n != 1 {
					errs <- fmt.Errorf("WAIT answered %v", wait.Val())
					return
				}
				st, err := ReadFile(path)
				if err != nil {
					errs <- err
					return
				}
				if !slices.Contains(ids(st.Streams[fmt.Sprintf("s%d", w%3)]), add.Val()) {
					errs <- fmt.Errorf("WAIT answered 1 but %s is not in the log", add.Val())
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Other commands are untouched, and so is a WAIT miniredis refuses.
	if err := f.rdb.Do(ctx, "WAIT", "x", "0").Err(); err == nil {
		t.Error("a malformed WAIT was answered")
	}
	if n, err := f.rdb.Do(ctx, "WAIT", "0", "100").Int(); err != nil || n != 1 {
		t.Errorf("WAIT 0 100: %d %v", n, err)
	}
	// A transaction still runs; the WAIT after its EXEC covers it.
	var wait *redis.Cmd
	_, err := f.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.TxPipelined(ctx, func(tx redis.Pipeliner) error {
			tx.XAdd(ctx, &redis.XAddArgs{Stream: "tx", ID: "9-9", Values: []any{"k", "v"}})
			return nil
		})
		wait = p.Do(ctx, "WAIT", 1, 1000)
		return nil
	})
	if n, _ := wait.Int(); err != nil || n != 1 {
		t.Fatalf("transaction then WAIT: %v, %d", err, wait.Val())
	}
	if got := ids(f.file().Streams["tx"]); !slices.Equal(got, []string{"9-9"}) {
		t.Errorf("after the WAIT the log holds %v", got)
	}

	// Closed, the log can no longer vouch for anything.
	_ = f.log.Close()
	if n, err := f.rdb.Do(ctx, "WAIT", "1", "100").Int(); err != nil || n != 0 {
		t.Errorf("WAIT on a closed log: %d %v, want 0", n, err)
	}
}
