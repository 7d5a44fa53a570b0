package postgres_test

import (
	"context"
	"testing"

	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
	"github.com/comanda-dev/comanda/orders-app/internal/order/storetest"
	"github.com/comanda-dev/comanda/orders-app/internal/postgres"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) order.Store {
		url, schema := testkit.PostgresSchema(t)
		s, err := postgres.Open(context.Background(), url, schema, 8, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	})
}
