package main

import (
	"strings"
	"testing"
)

func TestADataFolderServesOneRunAtATime(t *testing.T) {
	dir := t.TempDir()
	first, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDataDir(dir); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second run on the folder: %v, want it refused", err)
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	again, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("after the first run stopped: %v", err)
	}
	_ = again.Unlock()
}
