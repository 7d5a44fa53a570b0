package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The in-process Redis keeps streams in memory. So that a clean restart of
// the embedded run loses no message, the runner saves every stream and each
// group's position to the data folder at shutdown and restores them at start.
// A group resumes just before its oldest unacknowledged entry, so entries in
// flight at shutdown are delivered again (handlers are idempotent).

type streamSnapshot struct {
	Key     string          `json:"key"`
	Entries []snapshotEntry `json:"entries"`
	Groups  []snapshotGroup `json:"groups"`
}

type snapshotEntry struct {
	ID     string   `json:"id"`
	Values []string `json:"values"`
}

type snapshotGroup struct {
	Name          string `json:"name"`
	LastDelivered string `json:"lastDelivered"`
}

func saveStreams(ctx context.Context, addr, path string) (int, error) {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		return 0, fmt.Errorf("listing streams: %w", err)
	}
	var snaps []streamSnapshot
	total := 0
	for _, key := range keys {
		if t, _ := rdb.Type(ctx, key).Result(); t != "stream" {
			continue
		}
		xs, err := rdb.XRange(ctx, key, "-", "+").Result()
		if err != nil {
			return 0, fmt.Errorf("reading stream %s: %w", key, err)
		}
		snap := streamSnapshot{Key: key}
		for _, x := range xs {
			e := snapshotEntry{ID: x.ID}
			for k, v := range x.Values {
				e.Values = append(e.Values, k, fmt.Sprint(v))
			}
			snap.Entries = append(snap.Entries, e)
		}
		groups, err := rdb.XInfoGroups(ctx, key).Result()
		if err != nil {
			return 0, fmt.Errorf("reading groups of %s: %w", key, err)
		}
		for _, g := range groups {
			last := g.LastDeliveredID
			if g.Pending > 0 {
				p, err := rdb.XPending(ctx, key, g.Name).Result()
				if err != nil {
					return 0, fmt.Errorf("reading pending entries of %s/%s: %w", key, g.Name, err)
				}
				last = before(p.Lower)
			}
			snap.Groups = append(snap.Groups, snapshotGroup{Name: g.Name, LastDelivered: last})
		}
		total += len(snap.Entries)
		snaps = append(snaps, snap)
	}
	data, err := json.Marshal(snaps)
	if err != nil {
		return 0, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return 0, fmt.Errorf("saving stream snapshot: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, fmt.Errorf("saving stream snapshot: %w", err)
	}
	return total, nil
}

func restoreStreams(ctx context.Context, addr, path string) (int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading stream snapshot: %w", err)
	}
	var snaps []streamSnapshot
	if err := json.Unmarshal(data, &snaps); err != nil {
		return 0, fmt.Errorf("reading stream snapshot %s: %w", path, err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	total := 0
	for _, s := range snaps {
		for _, e := range s.Entries {
			values := make([]any, len(e.Values))
			for i, v := range e.Values {
				values[i] = v
			}
			if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.Key, ID: e.ID, Values: values}).Err(); err != nil {
				return 0, fmt.Errorf("restoring stream %s: %w", s.Key, err)
			}
		}
		for _, g := range s.Groups {
			if err := rdb.XGroupCreateMkStream(ctx, s.Key, g.Name, g.LastDelivered).Err(); err != nil {
				return 0, fmt.Errorf("restoring group %s of %s: %w", g.Name, s.Key, err)
			}
		}
		total += len(s.Entries)
	}
	// The services own the state from here on; a stale snapshot must never
	// be restored over it.
	if err := os.Rename(path, path+".restored"); err != nil {
		return 0, fmt.Errorf("retiring stream snapshot: %w", err)
	}
	return total, nil
}

// before returns the entry id just before id.
func before(id string) string {
	ms, seq, _ := strings.Cut(id, "-")
	m, _ := strconv.ParseUint(ms, 10, 64)
	s, _ := strconv.ParseUint(seq, 10, 64)
	if s > 0 {
		return fmt.Sprintf("%d-%d", m, s-1)
	}
	if m == 0 {
		return "0-0"
	}
	return fmt.Sprintf("%d-%d", m-1, uint64(18446744073709551615))
}
