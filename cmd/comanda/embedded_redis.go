package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/cmd/comanda/internal/streamlog"
)

// streamLogFile holds the in-process Redis's streams in the data folder.
const streamLogFile = "streams.log"

// embeddedRedis is the in-process Redis and the log that makes it durable:
// every stream change is appended to the data folder as it happens, and WAIT
// returns once what came before it is on disk, so that the outbox relays
// (which wait for one replica here) never forget an event a crash could
// lose.
type embeddedRedis struct {
	mr   *miniredis.Miniredis
	log  *streamlog.Log
	once sync.Once
}

// startEmbeddedRedis starts the in-process Redis with the streams of the
// data folder.
func startEmbeddedRedis(ctx context.Context, dataDir string, log *slog.Logger) (_ *embeddedRedis, err error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data folder: %w", err)
	}
	e := &embeddedRedis{mr: miniredis.NewMiniRedis()}
	if err := e.mr.Start(); err != nil {
		return nil, fmt.Errorf("starting in-process redis: %w", err)
	}
	defer func() {
		if err != nil {
			e.close()
		}
	}()

	path := filepath.Join(dataDir, streamLogFile)
	legacy := filepath.Join(dataDir, legacySnapshotFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		rdb := redis.NewClient(&redis.Options{Addr: e.mr.Addr()})
		n, err := restoreLegacySnapshot(ctx, rdb, legacy)
		_ = rdb.Close()
		if err != nil {
			return nil, err
		}
		if n > 0 {
			log.Info("restored the stream snapshot of an earlier release", "entries", n, "file", legacy)
		}
	}
	l, st, err := streamlog.Open(ctx, e.mr.Addr(), streamlog.Options{Path: path, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("opening the stream log: %w", err)
	}
	e.log = l
	if n := st.Len(); n > 0 {
		log.Info("restored streams", "entries", n, "streams", len(st.Streams), "file", path)
	}
	// The log now holds what the snapshot had: restoring the snapshot
	// again, over newer state, would go back in time.
	if err := os.Remove(legacy); err == nil {
		log.Info("retired the stream snapshot; the stream log replaces it", "file", legacy)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("retiring the stream snapshot: %w", err)
	}
	l.Attach(e.mr)
	return e, nil
}

func (e *embeddedRedis) addr() string { return e.mr.Addr() }

// close logs what the last round had not and stops the Redis; it reports
// a failure to the first caller only.
func (e *embeddedRedis) close() error {
	var err error
	e.once.Do(func() {
		if e.log != nil {
			err = e.log.Close()
		}
		e.mr.Close()
	})
	return err
}
