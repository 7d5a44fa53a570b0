package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comanda-dev/comanda/orders-app/internal/order"
	"github.com/comanda-dev/comanda/orders-app/internal/order/storetest"
	"github.com/comanda-dev/comanda/orders-app/internal/sqlite"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) order.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "orders.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	})
}
