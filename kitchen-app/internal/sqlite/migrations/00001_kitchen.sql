-- +goose Up
-- The recipe book is data: the kitchen loads it at start.
CREATE TABLE recipes (
    name TEXT PRIMARY KEY
);

CREATE TABLE recipe_ingredients (
    recipe     TEXT NOT NULL REFERENCES recipes (name),
    ingredient TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (recipe, ingredient)
) WITHOUT ROWID;

INSERT INTO recipes (name) VALUES
    ('rice with chicken'), ('rice with meat'), ('burger'), ('french fries'), ('pizza'), ('salad');

INSERT INTO recipe_ingredients (recipe, ingredient, quantity) VALUES
    ('rice with chicken', 'rice', 2), ('rice with chicken', 'onion', 1), ('rice with chicken', 'chicken', 1),
    ('rice with meat', 'rice', 2), ('rice with meat', 'onion', 1), ('rice with meat', 'meat', 1),
    ('burger', 'meat', 1), ('burger', 'cheese', 1), ('burger', 'ketchup', 1), ('burger', 'lettuce', 1),
    ('french fries', 'potato', 3), ('french fries', 'ketchup', 1),
    ('pizza', 'cheese', 2), ('pizza', 'tomato', 3),
    ('salad', 'lemon', 1), ('salad', 'onion', 1), ('salad', 'tomato', 2), ('salad', 'lettuce', 2);

-- One ticket per order: the primary key is what makes picking a recipe
-- happen once however often order.placed arrives.
CREATE TABLE tickets (
    order_id       TEXT PRIMARY KEY,
    recipe         TEXT NOT NULL REFERENCES recipes (name),
    stage          TEXT NOT NULL,
    failure_reason TEXT NOT NULL DEFAULT '',
    since          INTEGER NOT NULL, -- Unix microseconds, UTC
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) WITHOUT ROWID;
-- Tickets by stage, oldest first.
CREATE INDEX tickets_stage_created ON tickets (stage, created_at, order_id);

CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event BLOB NOT NULL);

-- +goose Down
DROP TABLE outbox;
DROP TABLE tickets;
DROP TABLE recipe_ingredients;
DROP TABLE recipes;
