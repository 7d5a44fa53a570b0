package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// A clean restart of the embedded run keeps every unacknowledged message:
// entries and group positions survive, and what was in flight is delivered
// again.
func TestStreamSnapshotSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "streams.json")

	first := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: first.Addr()})
	for i := range 5 {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: map[string]any{"n": i}})
	}
	rdb.XGroupCreate(ctx, "s", "done", "$")   // has seen everything
	rdb.XGroupCreate(ctx, "s", "behind", "0") // reads 3, acknowledges the first only
	got := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "behind", Consumer: "c", Streams: []string{"s", ">"}, Count: 3, Block: -1}).Val()
	rdb.XAck(ctx, "s", "behind", got[0].Messages[0].ID)
	n, err := saveStreams(ctx, first.Addr(), path)
	if err != nil || n != 5 {
		t.Fatalf("saved %d entries: %v", n, err)
	}
	rdb.Close()

	second := miniredis.RunT(t)
	if n, err := restoreStreams(ctx, second.Addr(), path); err != nil || n != 5 {
		t.Fatalf("restored %d entries: %v", n, err)
	}
	rdb = redis.NewClient(&redis.Options{Addr: second.Addr()})
	defer rdb.Close()
	if l := rdb.XLen(ctx, "s").Val(); l != 5 {
		t.Errorf("restored stream has %d entries", l)
	}
	read := func(group string) []string {
		res := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "c2", Streams: []string{"s", ">"}, Count: 10, Block: -1}).Val()
		var vals []string
		for _, s := range res {
			for _, m := range s.Messages {
				vals = append(vals, m.Values["n"].(string))
			}
		}
		return vals
	}
	if v := read("done"); len(v) != 0 {
		t.Errorf("group that had seen everything gets %v again", v)
	}
	// Entry 0 was acknowledged; 1 and 2 were in flight; 3 and 4 unread.
	if v := read("behind"); len(v) != 4 || v[0] != "1" || v[3] != "4" {
		t.Errorf("lagging group resumes with %v, want [1 2 3 4]", v)
	}
	if n, _ := restoreStreams(ctx, second.Addr(), path); n != 0 {
		t.Error("a snapshot was restored twice")
	}
}
