package streamlog

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// quiet keeps rounds from ticking on their own, so that what a test sees was
// written by the Sync (or WAIT) it made, and has every round read the groups.
var quiet = Options{Interval: time.Hour, GroupInterval: time.Nanosecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

type fixture struct {
	t    *testing.T
	path string
	mr   *miniredis.Miniredis
	rdb  *redis.Client
	log  *Log
	got  *State // what Open restored
}

func open(t *testing.T, path string, opt Options) *fixture {
	t.Helper()
	mr := miniredis.RunT(t)
	opt.Path = path
	l, st, err := Open(context.Background(), mr.Addr(), opt)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	f := &fixture{t: t, path: path, mr: mr, rdb: rdb, log: l, got: st}
	t.Cleanup(func() { _ = f.close() })
	return f
}

func (f *fixture) close() error {
	if f.log == nil {
		return nil
	}
	err := f.log.Close()
	f.log = nil
	_ = f.rdb.Close()
	return err
}

func (f *fixture) sync() {
	f.t.Helper()
	if err := f.log.Sync(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) add(stream, id string, values ...any) string {
	f.t.Helper()
	if id == "" {
		id = "*"
	}
	got, err := f.rdb.Do(context.Background(), append([]any{"XADD", stream, id}, values...)...).Text()
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// file reads the log as it is on disk now.
func (f *fixture) file() *State {
	f.t.Helper()
	st, err := ReadFile(f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

func ids(s *Stream) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s.Entries))
	for i, e := range s.Entries {
		out[i] = e.ID.String()
	}
	return out
}

func (f *fixture) read(stream, group string) []string {
	f.t.Helper()
	res, err := f.rdb.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: group, Consumer: "c", Streams: []string{stream, ">"}, Count: 100, Block: -1}).Result()
	if err != nil && err != redis.Nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, s := range res {
		for _, m := range s.Messages {
			out = append(out, m.ID)
		}
	}
	return out
}

func TestRoundTripKeepsEntriesInOrderAndGroups(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "streams.log")
	a := open(t, path, quiet)
	if a.got.Len() != 0 {
		t.Fatalf("a missing log restored %d entries", a.got.Len())
	}
	var want []string
	for i := range 6 {
		// Field order is part of an entry: z before a.
		want = append(want, a.add("s", "", "z", i, "a", "x"))
	}
	a.add("other", "5-1", "k", "v")
	a.rdb.XGroupCreate(ctx, "s", "done", "$")
	a.rdb.XGroupCreate(ctx, "s", "behind", "0")
	got := a.read("s", "behind")[:3] // reads all six, acknowledges 0 and 2
	a.rdb.XAck(ctx, "s", "behind", got[0], got[2])
	a.sync()
	if err := a.close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("log file: %v, mode %v", err, fi.Mode())
	}

	b := open(t, path, quiet)
	if n := b.got.Len(); n != 7 {
		t.Fatalf("restored %d entries, want 7", n)
	}
	xs, err := b.rdb.Do(ctx, "XRANGE", "s", "-", "+").Slice()
	if err != nil || len(xs) != 6 {
		t.Fatalf("restored stream: %v %v", xs, err)
	}
	for i, x := range xs {
		pair := x.([]any)
		fields := pair[1].([]any)
		if pair[0] != want[i] || fields[0] != "z" || fields[2] != "a" {
			t.Errorf("entry %d restored as %v, want id %s with z before a", i, pair, want[i])
		}
	}
	if v := b.read("s", "done"); len(v) != 0 {
		t.Errorf("a group that had read everything gets %v again", v)
	}
	// Entry 1 is the oldest unacknowledged: the group resumes there.
	if v := b.read("s", "behind"); !slices.Equal(v, want[1:]) {
		t.Errorf("lagging group resumes with %v, want %v", v, want[1:])
	}
	if id := mustID(t, b.add("other", "", "k", "v")); !(ID{5, 1}).Less(id) {
		t.Errorf("new id %s", id)
	}
}

func TestTornTailIsIgnoredAndDamageIsNot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "streams.log")
	f := open(t, path, quiet)
	f.add("s", "1-1", "n", "1")
	f.sync()
	f.add("s", "1-2", "n", "2")
	f.sync()
	if err := f.close(); err != nil {
		t.Fatal(err)
	}
	whole, _ := os.ReadFile(path)

	for cut := 1; cut < 12; cut++ { // the last record is longer than that
		if err := os.WriteFile(path, whole[:len(whole)-cut], 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := ReadFile(path)
		if err != nil {
			t.Fatalf("cut %d bytes: %v", cut, err)
		}
		if got := ids(st.Streams["s"]); !slices.Equal(got, []string{"1-1"}) {
			t.Fatalf("cut %d bytes: entries %v, want the first only", cut, got)
		}
	}
	// Zeros after the last record, as a file system may leave after a crash.
	_ = os.WriteFile(path, append(append([]byte(nil), whole...), make([]byte, 100)...), 0o600)
	if st, err := ReadFile(path); err != nil || len(st.Streams["s"].Entries) != 2 {
		t.Fatalf("zeros at the end: %v", err)
	}
	// A damaged byte in a record that is not the last is corruption.
	bad := append([]byte(nil), whole...)
	bad[headerSize+12] ^= 0xff
	_ = os.WriteFile(path, bad, 0o600)
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("damage in the middle: %v, want an error naming the file", err)
	}
	mr := miniredis.RunT(t)
	if _, _, err := Open(context.Background(), mr.Addr(), Options{Path: path, Logger: quiet.Logger}); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("opening a damaged log: %v", err)
	}
	_ = os.WriteFile(path, []byte("something else"), 0o600)
	if _, err := ReadFile(path); err == nil {
		t.Fatal("a file that is not a log was read")
	}
}

func TestTrimsAreLoggedAndIDsKeepGrowing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "streams.log")
	f := open(t, path, quiet)
	// Ids far in the future: after the restore, a new entry must still
	// get a higher id though every entry was trimmed.
	for i := 1; i <= 5; i++ {
		f.add("s", "99999999999999-"+string(rune('0'+i)), "n", i)
	}
	f.rdb.XGroupCreate(ctx, "s", "g", "0")
	f.read("s", "g")
	f.sync()
	f.rdb.XTrimMinID(ctx, "s", "99999999999999-3")
	f.sync()
	if got := ids(f.file().Streams["s"]); !slices.Equal(got, []string{"99999999999999-3", "99999999999999-4", "99999999999999-5"}) {
		t.Fatalf("after XTRIM MINID the log holds %v", got)
	}
	f.rdb.XTrimMaxLen(ctx, "s", 0)
	f.sync()
	st := f.file().Streams["s"]
	if len(st.Entries) != 0 || st.Last.String() != "99999999999999-5" {
		t.Fatalf("after trimming everything: %v, last %s", ids(st), st.Last)
	}
	_ = f.close()

	g := open(t, path, quiet)
	if id := mustID(t, g.add("s", "", "n", "new")); !(ID{99999999999999, 5}).Less(id) {
		t.Errorf("a new entry after the restore got id %s, not above the trimmed ones", id)
	}
	if v := g.read("s", "g"); len(v) != 1 {
		t.Errorf("the group reads %v, want the one new entry", v)
	}
}

func TestDeletionsInTheMiddleAreLogged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "streams.log")
	f := open(t, path, quiet)
	for i := 1; i <= 5; i++ {
		f.add("dlq", "1-"+string(rune('0'+i)), "n", i)
	}
	f.sync()
	f.rdb.XDel(ctx, "dlq", "1-2", "1-4")
	f.add("dlq", "1-6", "n", 6) // the same round sees a new entry too
	f.sync()
	if got := ids(f.file().Streams["dlq"]); !slices.Equal(got, []string{"1-1", "1-3", "1-5", "1-6"}) {
		t.Fatalf("after XDEL the log holds %v", got)
	}
	_ = f.close()
	g := open(t, path, quiet)
	if n := g.rdb.XLen(ctx, "dlq").Val(); n != 4 {
		t.Errorf("restored %d entries, want 4", n)
	}
}

func TestGroupResumesBeforeItsOldestPendingEntry(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "streams.log")
	f := open(t, path, quiet)
	for i := 1; i <= 4; i++ {
		f.add("s", "7-"+string(rune('0'+i)), "n", i)
	}
	f.rdb.XGroupCreate(ctx, "s", "g", "0")
	f.read("s", "g")
	f.rdb.XAck(ctx, "s", "g", "7-1", "7-3")
	f.sync()
	if got := f.file().Streams["s"].Groups["g"]; got.String() != "7-1" {
		t.Errorf("with 7-2 pending the group resumes after %s, want 7-1", got)
	}
	f.rdb.XAck(ctx, "s", "g", "7-2", "7-4")
	f.sync()
	if got := f.file().Streams["s"].Groups["g"]; got.String() != "7-4" {
		t.Errorf("with nothing pending the group resumes after %s, want 7-4", got)
	}
	f.rdb.XGroupCreate(ctx, "s", "h", "0")
	f.sync()
	f.rdb.XGroupDestroy(ctx, "s", "h")
	f.sync()
	if _, ok := f.file().Streams["s"].Groups["h"]; ok {
		t.Error("a destroyed group is still in the log")
	}
	f.rdb.Del(ctx, "s")
	f.sync()
	if _, ok := f.file().Streams["s"]; ok {
		t.Error("a deleted stream is still in the log")
	}
}

func TestLogIsCompactedWhenMostOfItIsDead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "streams.log")
	opt := quiet
	opt.CompactAbove = 16 << 10
	f := open(t, path, opt)
	big := strings.Repeat("x", 200)
	var last string
	for round := range 20 {
		for range 20 {
			last = f.add("s", "", "v", big)
		}
		f.sync()
		// Consumption trims all but the newest entry.
		f.rdb.XTrimMinID(ctx, "s", last)
		f.sync()
		if fi, _ := os.Stat(path); fi.Size() > 2*opt.CompactAbove {
			t.Fatalf("round %d: the log grew to %d bytes", round, fi.Size())
		}
	}
	file, live := f.log.Size()
	if file > opt.CompactAbove+live*opt.CompactRatio {
		t.Errorf("log of %d bytes for %d live", file, live)
	}
	if got := ids(f.file().Streams["s"]); !slices.Equal(got, []string{last}) {
		t.Errorf("after compaction the log holds %v, want [%s]", got, last)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
}

// A clean stop logs what the last interval had not.
func TestCloseLogsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "streams.log")
	f := open(t, path, quiet)
	f.add("s", "3-3", "k", "v")
	if err := f.close(); err != nil {
		t.Fatal(err)
	}
	if got := ids(f.file().Streams["s"]); !slices.Equal(got, []string{"3-3"}) {
		t.Errorf("after Close the log holds %v", got)
	}
}

func mustID(t *testing.T, s string) ID {
	t.Helper()
	id, err := ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
