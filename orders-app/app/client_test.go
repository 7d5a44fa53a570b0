package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/orders-app/app"
	"github.com/comanda-dev/comanda/orders-app/internal/apiclient"
)

// A client generated from the served OpenAPI 3 spec (make swag) places an
// order and reads it back: the spec describes the API as it answers.
func TestTheGeneratedClientPlacesAndReadsAnOrder(t *testing.T) {
	keys := testkit.NewKeys(t)
	var rdb *redis.Client
	var prefix string
	s := start(t, backend{"postgres+redis", func(t *testing.T) (app.Config, *redis.Client) {
		cfg, r := backends[0].start(t)
		cfg.AuthPublicKeys = keys.Public
		rdb, prefix = r, cfg.StreamPrefix
		return cfg, r
	}})
	token, _ := keys.Token(t, rdb, prefix, time.Minute)
	client, err := apiclient.NewClientWithResponses(s.base, apiclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	quantity, key := 2, uuid.NewString()
	placed, err := client.PostApiV1OrdersWithResponse(ctx, &apiclient.PostApiV1OrdersParams{IdempotencyKey: &key}, apiclient.ApiPlaceRequest{Quantity: &quantity})
	if err != nil {
		t.Fatal(err)
	}
	if placed.StatusCode() != http.StatusAccepted || placed.JSON202 == nil || placed.JSON202.OrderIds == nil || len(*placed.JSON202.OrderIds) != quantity || placed.JSON202.BatchId == nil {
		t.Fatalf("placing through the client: %d %s", placed.StatusCode(), placed.Body)
	}
	for _, id := range *placed.JSON202.OrderIds {
		got, err := client.GetApiV1OrdersIdWithResponse(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.StatusCode() != http.StatusOK || got.JSON200 == nil || got.JSON200.Id == nil || *got.JSON200.Id != id ||
			got.JSON200.BatchId == nil || *got.JSON200.BatchId != *placed.JSON202.BatchId || got.JSON200.Status == nil {
			t.Errorf("reading order %s through the client: %d %s", id, got.StatusCode(), got.Body)
		}
	}
	missing, err := client.GetApiV1OrdersIdWithResponse(ctx, uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	if missing.StatusCode() != http.StatusNotFound || missing.JSON404 == nil || missing.JSON404.Error == nil {
		t.Errorf("an unknown order through the client: %d %s", missing.StatusCode(), missing.Body)
	}
}
