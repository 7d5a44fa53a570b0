-- +goose Up
-- A client's Idempotency-Key, stored in the transaction that places its
-- batch: a key exists exactly when its orders do. request_hash fingerprints
-- the request it was first sent with; expired keys are purged in batches,
-- oldest first, and may be taken over meanwhile.
CREATE TABLE idempotency_keys (
    idempotency_key TEXT PRIMARY KEY,
    request_hash    TEXT NOT NULL,
    batch_id        UUID NOT NULL,
    quantity        INTEGER NOT NULL,
    placed_at       TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
