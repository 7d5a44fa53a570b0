package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func startRedisT(t *testing.T, dataDir string) (*embeddedRedis, *redis.Client) {
	t.Helper()
	e, err := startEmbeddedRedis(context.Background(), dataDir, discard)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: e.addr()})
	t.Cleanup(func() { _ = rdb.Close(); _ = e.close() })
	return e, rdb
}

func readAll(t *testing.T, rdb *redis.Client, stream, group string) []string {
	t.Helper()
	res, err := rdb.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: group, Consumer: "c2", Streams: []string{stream, ">"}, Count: 10, Block: -1}).Result()
	if err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	var vals []string
	for _, s := range res {
		for _, m := range s.Messages {
			vals = append(vals, m.Values["n"].(string))
		}
	}
	return vals
}

// A clean restart of the embedded run keeps every unacknowledged message:
// entries and group positions survive, and what was in flight is delivered
// again.
func TestCleanRestartKeepsStreams(t *testing.T) {
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "data")

	first, rdb := startRedisT(t, dataDir)
	for i := range 5 {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: map[string]any{"n": i}})
	}
	rdb.XGroupCreate(ctx, "s", "done", "$")   // has seen everything
	rdb.XGroupCreate(ctx, "s", "behind", "0") // reads 3, acknowledges the first only
	got := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "behind", Consumer: "c", Streams: []string{"s", ">"}, Count: 3, Block: -1}).Val()
	rdb.XAck(ctx, "s", "behind", got[0].Messages[0].ID)
	if err := first.close(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dataDir: 0o700, filepath.Join(dataDir, streamLogFile): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, mode %v, want %v", path, err, fi.Mode().Perm(), want)
		}
	}

	_, rdb = startRedisT(t, dataDir)
	if l := rdb.XLen(ctx, "s").Val(); l != 5 {
		t.Errorf("restored stream has %d entries", l)
	}
	if v := readAll(t, rdb, "s", "done"); len(v) != 0 {
		t.Errorf("group that had seen everything gets %v again", v)
	}
	// Entry 0 was acknowledged; 1 and 2 were in flight; 3 and 4 unread.
	if v := readAll(t, rdb, "s", "behind"); !slices.Equal(v, []string{"1", "2", "3", "4"}) {
		t.Errorf("lagging group resumes with %v, want [1 2 3 4]", v)
	}
}

// A data folder of an earlier release, with a streams.json snapshot and no
// log, is restored from the snapshot once; from then on the log rules, and a
// snapshot found later is never restored over it.
func TestSnapshotOfAnEarlierReleaseIsRestoredOnce(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	snapshot := filepath.Join(dataDir, legacySnapshotFile)
	old := `[{"key":"s","entries":[{"id":"1-1","values":["n","a"]},{"id":"1-2","values":["n","b"]}],"groups":[{"name":"g","lastDelivered":"1-1"}]}]`
	if err := os.WriteFile(snapshot, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	first, rdb := startRedisT(t, dataDir)
	if v := readAll(t, rdb, "s", "g"); !slices.Equal(v, []string{"b"}) {
		t.Fatalf("after the upgrade the group reads %v, want [b]", v)
	}
	if _, err := os.Stat(snapshot); !os.IsNotExist(err) {
		t.Errorf("the snapshot is still there: %v", err)
	}
	rdb.XAck(ctx, "s", "g", "1-2")
	if err := first.close(); err != nil {
		t.Fatal(err)
	}

	_ = os.WriteFile(snapshot, []byte(old), 0o600)
	_, rdb = startRedisT(t, dataDir)
	if n := rdb.XLen(ctx, "s").Val(); n != 2 {
		t.Errorf("stream has %d entries, want 2: a stale snapshot was restored over the log", n)
	}
	if v := readAll(t, rdb, "s", "g"); len(v) != 0 {
		t.Errorf("the group reads %v again", v)
	}
	if _, err := os.Stat(snapshot); !os.IsNotExist(err) {
		t.Errorf("the stale snapshot is still there: %v", err)
	}
}
