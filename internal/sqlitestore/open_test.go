package sqlitestore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/comanda-dev/comanda/internal/sqlitestore"
)

func TestDatabaseFilesAreTheOwnersAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "svc.db")
	migrations := fstest.MapFS{"00001_t.sql": {Data: []byte("-- +goose Up\nCREATE TABLE t (x INTEGER);\n-- +goose Down\nDROP TABLE t;\n")}}
	db, err := sqlitestore.Open(context.Background(), path, migrations, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(f), st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(filepath.Dir(path)); st.Mode().Perm() != 0o700 {
		t.Errorf("data folder has mode %v, want 0700", st.Mode().Perm())
	}
}
