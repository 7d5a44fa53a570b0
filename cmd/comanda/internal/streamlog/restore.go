package streamlog

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/redis/go-redis/v9"
)

// restoreBatch bounds one pipeline of restored entries.
const restoreBatch = 512

// Restore writes st into a Redis that holds none of its streams: every
// retained entry with its id, then each group at its resume point.
func Restore(ctx context.Context, rdb redis.UniversalClient, st *State) error {
	for _, name := range slices.Sorted(maps.Keys(st.Streams)) {
		s := st.Streams[name]
		for i := 0; i < len(s.Entries); i += restoreBatch {
			batch := s.Entries[i:min(i+restoreBatch, len(s.Entries))]
			cmds := make([]*redis.Cmd, len(batch))
			_, _ = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for j, e := range batch {
					args := make([]any, 0, 3+len(e.Values))
					args = append(args, "XADD", name, e.ID.String())
					for _, v := range e.Values {
						args = append(args, v)
					}
					cmds[j] = p.Do(ctx, args...)
				}
				return nil
			})
			for j, c := range cmds {
				if err := c.Err(); err != nil {
					return fmt.Errorf("restoring entry %s of %s: %w", batch[j].ID, name, err)
				}
			}
		}
		var newest ID
		if n := len(s.Entries); n > 0 {
			newest = s.Entries[n-1].ID
		}
		if newest.Less(s.Last) {
			// The newest ids were trimmed or deleted: add and delete a
			// placeholder at the last id so new entries still get higher
			// ids than any a group has seen.
			_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Do(ctx, "XADD", name, s.Last.String(), "restored", "")
				p.Do(ctx, "XDEL", name, s.Last.String())
				return nil
			})
			if err != nil {
				return fmt.Errorf("restoring the last id of %s: %w", name, err)
			}
		}
		for _, g := range slices.Sorted(maps.Keys(s.Groups)) {
			if err := rdb.XGroupCreateMkStream(ctx, name, g, s.Groups[g].String()).Err(); err != nil {
				return fmt.Errorf("restoring group %s of %s: %w", g, name, err)
			}
		}
	}
	return nil
}
