package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// lockDataDir takes the data folder for this process alone: two runs on one
// folder would share SQLite files behind two in-process Redis. The lock
// goes with the process, however it ends, so a run killed with SIGKILL
// never blocks the next one.
func lockDataDir(dir string) (*flock.Flock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data folder: %w", err)
	}
	l := flock.New(filepath.Join(dir, "comanda.lock"), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking data folder %s: %w", dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("data folder %s is in use by another Comanda: stop it, or set DATA_DIR to another folder", dir)
	}
	return l, nil
}
