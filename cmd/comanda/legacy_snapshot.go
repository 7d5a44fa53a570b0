package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/redis/go-redis/v9"
)

// Earlier releases saved the in-process Redis to streams.json at a clean stop
// only. A data folder that still has one and no stream log is restored from
// it once; the stream log takes over from there and the file is removed.

const legacySnapshotFile = "streams.json"

type legacyStream struct {
	Key     string `json:"key"`
	Entries []struct {
		ID     string   `json:"id"`
		Values []string `json:"values"`
	} `json:"entries"`
	Groups []struct {
		Name          string `json:"name"`
		LastDelivered string `json:"lastDelivered"`
	} `json:"groups"`
}

// restoreLegacySnapshot restores the snapshot at path, if there is one, and
// returns how many entries it held.
func restoreLegacySnapshot(ctx context.Context, rdb *redis.Client, path string) (int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading stream snapshot: %w", err)
	}
	var snaps []legacyStream
	if err := json.Unmarshal(data, &snaps); err != nil {
		return 0, fmt.Errorf("reading stream snapshot %s: %w", path, err)
	}
	total := 0
	for _, s := range snaps {
		for _, e := range s.Entries {
			values := make([]any, len(e.Values))
			for i, v := range e.Values {
				values[i] = v
			}
			if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.Key, ID: e.ID, Values: values}).Err(); err != nil {
				return 0, fmt.Errorf("restoring stream %s from %s: %w", s.Key, path, err)
			}
		}
		for _, g := range s.Groups {
			if err := rdb.XGroupCreateMkStream(ctx, s.Key, g.Name, g.LastDelivered).Err(); err != nil {
				return 0, fmt.Errorf("restoring group %s of %s from %s: %w", g.Name, s.Key, path, err)
			}
		}
		total += len(s.Entries)
	}
	return total, nil
}
