package postgres_test

import (
	"context"
	"testing"

	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen/storetest"
	"github.com/comanda-dev/comanda/kitchen-app/internal/postgres"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kitchen.Store {
		url, schema := testkit.PostgresSchema(t)
		s, err := postgres.Open(context.Background(), url, schema, 8, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	})
}
