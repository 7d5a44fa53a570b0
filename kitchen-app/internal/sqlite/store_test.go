package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen/storetest"
	"github.com/comanda-dev/comanda/kitchen-app/internal/sqlite"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kitchen.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kitchen.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	})
}
