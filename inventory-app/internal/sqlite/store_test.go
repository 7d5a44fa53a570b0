package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comanda-dev/comanda/inventory-app/internal/sqlite"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse/storetest"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) warehouse.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "inventory.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	})
}
