package streamlog

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// reader runs one round: it compares Redis with the model, appends the
// records that bring the log up to date to buf, and updates the model to
// match. A reader that starts from an empty model reads everything: that is
// how a compacted log is written.
type reader struct {
	rdb *redis.Client
	m   *model
	// groupsTook, when set, is told how long reading the groups took.
	groupsTook func(time.Duration)
	// carry holds, for a fresh model, the last ids the previous log knew, so
	// compaction never forgets how far a stream's ids went.
	carry map[string]ID
	buf   []byte
	// took says what each step of the round cost, for the warning about
	// a slow one.
	took []any
}

// streamInfo is what one transaction saw of a stream.
type streamInfo struct {
	ok      bool // the stream existed
	length  int64
	lastGen ID
	first   ID // valid when length > 0
	newer   []Entry
}

func (r *reader) step(name string, began time.Time) {
	r.took = append(r.took, name, time.Since(began).Round(time.Microsecond).String())
}

func (r *reader) emit(rec record) int {
	n := len(r.buf)
	r.buf = appendRecord(r.buf, rec)
	return len(r.buf) - n
}

// run reads the groups, when withGroups is set, and then the entries, in
// one transaction with the list of streams. Groups are read before entries,
// in this round or an earlier one: a group logged behind the entries only
// replays them, while entries logged behind a group could miss what was
// added in the transaction that acknowledged (a dead-letter copy).
func (r *reader) run(ctx context.Context, withGroups bool) error {
	if len(r.m.streams) == 0 {
		// A fresh model (compaction, first round): list the streams
		// first so that their groups are read before their entries.
		began := time.Now()
		names, err := r.list(ctx)
		if err != nil {
			return err
		}
		for _, name := range names {
			r.track(name)
		}
		r.step("list", began)
	}
	known := slices.Sorted(maps.Keys(r.m.streams))
	if withGroups {
		began := time.Now()
		if err := r.groups(ctx, known); err != nil {
			return err
		}
		r.step("groups", began)
		if r.groupsTook != nil {
			r.groupsTook(time.Since(began))
		}
	}
	began := time.Now()
	infos, names, err := r.look(ctx, known, true)
	if err != nil {
		return err
	}
	r.step("look", began)
	for i, name := range known {
		if !infos[i].ok {
			r.emit(record{kind: kindStreamGone, stream: name})
			delete(r.m.streams, name)
			continue
		}
		if err := r.apply(ctx, name, infos[i]); err != nil {
			return err
		}
	}
	// Streams that appeared since the last round: read them whole.
	var added []string
	for _, name := range names {
		if r.m.streams[name] == nil {
			r.track(name)
			added = append(added, name)
		}
	}
	if len(added) == 0 {
		return nil
	}
	began = time.Now()
	infos, _, err = r.look(ctx, added, false)
	if err != nil {
		return err
	}
	r.step("new streams", began)
	for i, name := range added {
		if infos[i].ok {
			if err := r.apply(ctx, name, infos[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// list returns the stream keys.
func (r *reader) list(ctx context.Context) ([]string, error) {
	var names []string
	var cursor uint64
	for {
		keys, next, err := r.rdb.ScanType(ctx, cursor, "*", 1000, "stream").Result()
		if err != nil {
			return nil, fmt.Errorf("listing streams: %w", err)
		}
		names = append(names, keys...)
		if next == 0 {
			break
		}
		cursor = next
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// track adds a stream to the model and the log.
func (r *reader) track(name string) {
	r.m.streams[name] = &mstream{groups: map[string]ID{}}
	r.emit(record{kind: kindStream, stream: name})
}

// groups logs each group's resume point.
func (r *reader) groups(ctx context.Context, names []string) error {
	infos := make([]*redis.XInfoGroupsCmd, len(names))
	_, _ = r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, name := range names {
			infos[i] = p.XInfoGroups(ctx, name)
		}
		return nil
	})
	type pending struct {
		stream, group string
		last          ID
		cmd           *redis.XPendingExtCmd
	}
	var waiting []*pending
	for i, c := range infos {
		name := names[i]
		gs, err := c.Result()
		if isNoSuchKey(err) {
			continue // gone since it was listed: the next round logs it
		}
		if err != nil {
			return fmt.Errorf("reading groups of %s: %w", name, err)
		}
		s := r.m.streams[name]
		seen := make(map[string]bool, len(gs))
		for _, g := range gs {
			seen[g.Name] = true
			last, err := parseOptionalID(g.LastDeliveredID)
			if err != nil {
				return fmt.Errorf("reading group %s of %s: %w", g.Name, name, err)
			}
			if g.Pending > 0 {
				waiting = append(waiting, &pending{stream: name, group: g.Name, last: last})
				continue
			}
			r.setGroup(name, s, g.Name, last)
		}
		for g := range s.groups {
			if !seen[g] {
				r.emit(record{kind: kindGroupGone, stream: name, group: g})
				delete(s.groups, g)
			}
		}
	}
	if len(waiting) == 0 {
		return nil
	}
	// The oldest pending entry only: the summary form of XPENDING counts
	// every consumer's entries, which the in-process Redis does in time
	// proportional to consumers × pending entries.
	_, _ = r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, w := range waiting {
			w.cmd = p.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: w.stream, Group: w.group, Start: "-", End: "+", Count: 1})
		}
		return nil
	})
	for _, w := range waiting {
		res, err := w.cmd.Result()
		if isNoSuchKey(err) || isNoGroup(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading pending entries of %s/%s: %w", w.stream, w.group, err)
		}
		resume := w.last // everything was acknowledged meanwhile
		if len(res) > 0 {
			oldest, err := ParseID(res[0].ID)
			if err != nil {
				return fmt.Errorf("reading pending entries of %s/%s: %w", w.stream, w.group, err)
			}
			resume = oldest.Prev()
		}
		r.setGroup(w.stream, r.m.streams[w.stream], w.group, resume)
	}
	return nil
}

func (r *reader) setGroup(stream string, s *mstream, group string, resume ID) {
	if old, ok := s.groups[group]; ok && old == resume {
		return
	}
	s.groups[group] = resume
	r.emit(record{kind: kindGroup, stream: stream, group: group, id: resume})
}

// look reads, in one transaction, each stream's length, newest allocated id,
// first entry and the entries after what the model holds, and, when list is
// set, the names of every stream. Backwards from the newest entry, the
// in-process Redis touches only the entries a range returns; forwards, it
// walks the whole stream. A stream that does not exist is not ok.
func (r *reader) look(ctx context.Context, names []string, list bool) ([]streamInfo, []string, error) {
	type cmds struct{ info, first, newer *redis.Cmd }
	cs := make([]cmds, len(names))
	var scan *redis.Cmd
	// Errors are read per command below: a stream that is gone fails its
	// own commands only.
	_, _ = r.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if list {
			// The in-process Redis answers SCAN whole, with cursor 0.
			scan = p.Do(ctx, "SCAN", 0, "TYPE", "stream", "COUNT", 100000)
		}
		for i, name := range names {
			cs[i].info = p.Do(ctx, "XINFO", "STREAM", name)
			cs[i].first = p.Do(ctx, "XRANGE", name, "-", "+", "COUNT", 1)
			end := "-"
			if last := r.m.streams[name].last; !last.IsZero() {
				end = "(" + last.String()
			}
			cs[i].newer = p.Do(ctx, "XREVRANGE", name, "+", end)
		}
		return nil
	})
	var listed []string
	if list {
		v, err := scan.Slice()
		if err != nil || len(v) != 2 {
			return nil, nil, fmt.Errorf("listing streams: %v %w", v, err)
		}
		if c, _ := v[0].(string); c != "0" {
			return nil, nil, fmt.Errorf("listing streams: SCAN answered in parts (cursor %s)", c)
		}
		keys, _ := v[1].([]any)
		for _, k := range keys {
			if ks, ok := k.(string); ok {
				listed = append(listed, ks)
			}
		}
	}
	out := make([]streamInfo, len(names))
	for i, c := range cs {
		name := names[i]
		v, err := c.info.Result()
		if isNoSuchKey(err) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading stream %s: %w", name, err)
		}
		inf := streamInfo{ok: true}
		if inf.length, inf.lastGen, err = parseStreamInfo(v); err != nil {
			return nil, nil, fmt.Errorf("reading stream %s: %w", name, err)
		}
		first, err := parseEntries(c.first.Val())
		if err != nil {
			return nil, nil, fmt.Errorf("reading stream %s: %w", name, err)
		}
		if len(first) > 0 {
			inf.first = first[0].ID
		}
		if inf.newer, err = parseEntries(c.newer.Val()); err != nil {
			return nil, nil, fmt.Errorf("reading stream %s: %w", name, err)
		}
		slices.Reverse(inf.newer)
		out[i] = inf
	}
	return out, listed, nil
}

// apply logs what inf shows changed in the stream.
func (r *reader) apply(ctx context.Context, name string, inf streamInfo) error {
	s := r.m.streams[name]
	switch {
	case inf.length == 0 && len(s.ents) > 0:
		end := s.last.Next()
		r.emit(record{kind: kindTrim, stream: name, id: end})
		s.trimBelow(end)
	case inf.length > 0 && len(s.ents) > 0 && s.ents[0].id.Less(inf.first):
		r.emit(record{kind: kindTrim, stream: name, id: inf.first})
		s.trimBelow(inf.first)
	}
	for _, e := range inf.newer {
		n := r.emit(record{kind: kindEntry, stream: name, id: e.ID, values: e.Values})
		s.add(e.ID, n)
	}
	if last := maxID(inf.lastGen, r.carry[name]); s.last.Less(last) {
		// The newest entries were deleted before a round saw them, or
		// trimmed before this log was compacted.
		r.emit(record{kind: kindStream, stream: name, id: last})
		s.last = last
	}
	if int64(len(s.ents)) > inf.length {
		return r.rescan(ctx, name, s)
	}
	return nil
}

// rescan finds the entries deleted from the middle of a stream (XDEL): rare,
// so it may read the whole stream.
func (r *reader) rescan(ctx context.Context, name string, s *mstream) error {
	defer r.step("rescan "+name, time.Now())
	v, err := r.rdb.Do(ctx, "XRANGE", name, "-", s.last.String()).Result()
	if err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("rereading stream %s: %w", name, err)
	}
	live, err := parseEntries(v)
	if err != nil {
		return fmt.Errorf("rereading stream %s: %w", name, err)
	}
	present := make(map[ID]bool, len(live))
	for _, e := range live {
		present[e.ID] = true
	}
	gone := map[ID]bool{}
	var ids []ID
	for _, e := range s.ents {
		if !present[e.id] {
			gone[e.id] = true
			ids = append(ids, e.id)
		}
	}
	if len(ids) > 0 {
		r.emit(record{kind: kindDelete, stream: name, ids: ids})
		s.remove(gone)
	}
	return nil
}

func isNoSuchKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such key")
}

func isNoGroup(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOGROUP")
}
