package streamlog

import (
	"fmt"
	"os"
	"path/filepath"
)

// logFile is the open log, appended to and fsynced.
type logFile struct {
	f    *os.File
	size int64
}

// createFile writes a complete log (header and body) beside path, fsyncs it,
// renames it over path and fsyncs the folder, so that path always holds
// either the old log or the whole new one. It returns the new log open for
// appending.
func createFile(path string, body []byte) (*logFile, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", tmp, err)
	}
	fail := func(doing string, err error) (*logFile, error) {
		_ = f.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("%s %s: %w", doing, tmp, err)
	}
	if _, err := f.Write(append([]byte(magic), body...)); err != nil {
		return fail("writing", err)
	}
	if err := f.Sync(); err != nil {
		return fail("syncing", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail("renaming", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		_ = f.Close()
		return nil, err
	}
	return &logFile{f: f, size: int64(headerSize + len(body))}, nil
}

// append writes b at the end of the log and waits until it is on disk.
func (l *logFile) append(b []byte) error {
	n, err := l.f.Write(b)
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("appending to %s: %w", l.f.Name(), err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", l.f.Name(), err)
	}
	return nil
}

func (l *logFile) close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
