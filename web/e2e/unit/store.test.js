// The dashboard's store applies feed messages (docs/feed.md) without a DOM:
// tested here in Node on hand-made frames.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createStore, applySnapshot, applyEvents, boardColumn, dishesPerMinute, bootstrap, BUCKET_MS,
} from '../../internal/dashboard/assets/store.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z');
const iso = (ms) => new Date(T0 + ms).toISOString();

function snapshot(extra = {}) {
  return {
    type: 'snapshot',
    cursor: 'a:10',
    at: iso(0),
    counts: { placed: 5, inProgress: 3, delivered: 2, failed: 0 },
    orders: [
      { id: 'o1', stage: 'queued', recipe: 'pizza', since: iso(-3000), placedAt: iso(-4000) },
      { id: 'o2', stage: 'waiting_ingredients', recipe: 'salad', since: iso(-2000), placedAt: iso(-3000), missing: [{ ingredient: 'tomato', quantity: 2 }] },
      { id: 'o3', stage: 'preparing', recipe: 'burger', since: iso(-1000), placedAt: iso(-2000) },
    ],
    stock: [{ ingredient: 'tomato', onHand: 0, initial: 5, bought: 4, consumed: 9 }, { ingredient: 'lemon', onHand: 5, initial: 5, bought: 0, consumed: 0 }],
    buying: ['tomato'],
    purchases: [
      { id: 'p2', ingredient: 'tomato', quantity: 0, orderIds: [], onHand: 0, at: iso(-500) },
      { id: 'p1', ingredient: 'tomato', quantity: 4, orderIds: ['o0'], onHand: 4, at: iso(-20_000) },
    ],
    deadLetters: [],
    ...extra,
  };
}

describe('store', () => {
  it('takes a snapshot: board columns, counts, stock, buying, purchases newest first', () => {
    const s = createStore();
    applySnapshot(s, snapshot(), T0);
    assert.equal(s.cursor, 'a:10');
    assert.deepEqual(s.counts, { placed: 5, inProgress: 3, delivered: 2, failed: 0 });
    assert.deepEqual(boardColumn(s, 'queued', 50).items.map((o) => o.id), ['o1']);
    assert.deepEqual(boardColumn(s, 'waiting_ingredients', 50).items[0].missing, [{ ingredient: 'tomato', quantity: 2 }]);
    assert.equal(boardColumn(s, 'preparing', 50).total, 1);
    assert.equal(s.stock.get('tomato').onHand, 0);
    assert.ok(s.buying.has('tomato'));
    assert.deepEqual(s.purchases.map((p) => p.id), ['p2', 'p1']);
    assert.equal(s.orders.get('o1').placedAt, T0 - 4000);
  });

  it('moves orders forward, removes delivered ones and reports them once', () => {
    const s = createStore();
    applySnapshot(s, snapshot(), T0);
    const frame = {
      type: 'events', cursor: 'a:11', at: iso(100),
      counts: { placed: 6, inProgress: 3, delivered: 3, failed: 0 },
      orders: [
        { id: 'o3', stage: 'delivered', recipe: 'burger', at: iso(90), t: T0 + 90 },
        { id: 'o1', stage: 'waiting_ingredients', recipe: 'pizza', at: iso(95), missing: [{ ingredient: 'cheese', quantity: 1 }], t: T0 + 95 },
        { id: 'o4', stage: 'placed', at: iso(96), t: T0 + 96 },
      ],
      stock: [{ ingredient: 'lemon', onHand: 4, t: T0 + 80 }],
      buying: ['tomato', 'cheese'],
      purchases: [],
      deadLetters: [],
    };
    const res = applyEvents(s, frame, T0 + 120);
    assert.deepEqual(res.delivered, ['o3']);
    assert.equal(s.cursor, 'a:11');
    assert.equal(boardColumn(s, 'preparing', 50).total, 0);
    // Oldest in the column first: o2 was waiting before o1 arrived.
    assert.deepEqual(boardColumn(s, 'waiting_ingredients', 50).items.map((o) => o.id), ['o2', 'o1']);
    // "queued" shows orders just placed too.
    assert.deepEqual(boardColumn(s, 'queued', 50).items.map((o) => o.id), ['o4']);
    assert.equal(s.orders.get('o1').placedAt, T0 - 4000, 'placedAt kept across stages');
    assert.equal(s.stock.get('lemon').onHand, 4);
    assert.equal(s.stock.get('lemon').initial, 5, 'a stock change keeps the rest');
    assert.deepEqual([...s.buying].sort(), ['cheese', 'tomato']);

    // The same frame again changes nothing and reports nothing.
    const again = applyEvents(s, frame, T0 + 130);
    assert.deepEqual(again.delivered, []);
    assert.equal(s.orders.size, 3);
    // A late, older stage never moves an order back, nor revives a delivered one.
    applyEvents(s, { type: 'events', cursor: 'a:12', at: iso(200), orders: [
      { id: 'o1', stage: 'queued', at: iso(10) },
      { id: 'o3', stage: 'preparing', at: iso(50) },
    ] }, T0 + 210);
    assert.equal(s.orders.get('o1').stage, 'waiting_ingredients');
    assert.equal(s.orders.has('o3'), false);
  });

  it('brings a failed order back when it moves again (replayed dead letter)', () => {
    const s = createStore();
    applySnapshot(s, snapshot(), T0);
    const failed = applyEvents(s, { type: 'events', cursor: 'a:11', at: iso(100), orders: [{ id: 'o1', stage: 'failed', reason: 'poison', at: iso(90) }] }, T0);
    assert.deepEqual(failed.failed, ['o1']);
    assert.equal(s.orders.has('o1'), false);
    applyEvents(s, { type: 'events', cursor: 'a:12', at: iso(200), orders: [{ id: 'o1', stage: 'queued', at: iso(190) }] }, T0);
    assert.equal(s.orders.get('o1').stage, 'queued');
  });

  it('adds new purchases on top, once each, and buckets units for the chart', () => {
    const s = createStore();
    applySnapshot(s, snapshot(), T0);
    const p3 = { id: 'p3', ingredient: 'tomato', quantity: 3, orderIds: ['o2'], onHand: 3, at: iso(50) };
    const p4 = { id: 'p4', ingredient: 'tomato', quantity: 2, orderIds: ['o2'], onHand: 5, at: iso(60) };
    applyEvents(s, { type: 'events', cursor: 'a:11', at: iso(100), purchases: [p3, p4] }, T0 + 100);
    applyEvents(s, { type: 'events', cursor: 'a:11', at: iso(100), purchases: [p3, p4] }, T0 + 100);
    assert.deepEqual(s.purchases.map((p) => p.id), ['p4', 'p3', 'p2', 'p1']);
    const bucket = s.buckets.get(T0 - (T0 % BUCKET_MS));
    assert.deepEqual(bucket, { units: 5, calls: 2, zeros: 0 });
    const older = s.buckets.get(T0 - BUCKET_MS);
    assert.deepEqual(older, { units: 0, calls: 1, zeros: 1 });
  });

  it('replaces everything with a fresh snapshot after a reconnect', () => {
    const s = createStore();
    applySnapshot(s, snapshot(), T0);
    applySnapshot(s, snapshot({ cursor: 'b:1', orders: [{ id: 'o9', stage: 'preparing', recipe: 'pizza', since: iso(0), placedAt: iso(0) }], purchases: [] }), T0);
    assert.equal(s.cursor, 'b:1');
    assert.deepEqual([...s.orders.keys()], ['o9']);
    assert.equal(boardColumn(s, 'queued', 50).total, 0);
    assert.deepEqual(s.purchases, []);
  });

  it('shows at most max cards per column but counts them all', () => {
    const s = createStore();
    const orders = Array.from({ length: 10_000 }, (_, i) => ({ id: 'x' + i, stage: 'waiting_ingredients', recipe: 'pizza', since: iso(i), placedAt: iso(i) }));
    applySnapshot(s, snapshot({ orders }), T0);
    const col = boardColumn(s, 'waiting_ingredients', 50);
    assert.equal(col.total, 10_000);
    assert.equal(col.items.length, 50);
    assert.equal(col.items[0].id, 'x0');
  });

  it('computes dishes per minute from the delivered count over the last 60 s', () => {
    const s = createStore();
    applySnapshot(s, snapshot({ counts: { placed: 100, inProgress: 0, delivered: 100, failed: 0 } }), T0);
    assert.equal(dishesPerMinute(s, T0), 0, 'nothing delivered while watching yet');
    applyEvents(s, { type: 'events', cursor: 'a:11', at: iso(10_000), counts: { placed: 130, inProgress: 0, delivered: 130, failed: 0 } }, T0 + 10_000);
    assert.equal(dishesPerMinute(s, T0 + 10_000), 30);
    applyEvents(s, { type: 'events', cursor: 'a:12', at: iso(70_000), counts: { placed: 140, inProgress: 0, delivered: 140, failed: 0 } }, T0 + 70_000);
    assert.equal(dishesPerMinute(s, T0 + 70_000), 10, 'the first 30 are older than a minute');
  });

  it('fills from the REST API until the first snapshot, and never after', () => {
    const s = createStore();
    bootstrap(s, {
      stats: { total: 7, inProgress: 1, byStatus: { delivered: 5, failed: 1 } },
      inventory: { ingredients: [{ ingredient: 'rice', onHand: 2, initial: 5, buying: true }] },
      purchases: { purchases: [{ id: 'p1', ingredient: 'rice', quantitySold: 3, at: iso(0) }] },
    }, T0);
    assert.deepEqual(s.counts, { placed: 7, inProgress: 1, delivered: 5, failed: 1 });
    assert.ok(s.buying.has('rice'));
    assert.equal(s.purchases[0].quantity, 3);
    applySnapshot(s, snapshot(), T0);
    bootstrap(s, { stats: { total: 1, inProgress: 0, byStatus: {} } }, T0);
    assert.equal(s.counts.placed, 5);
  });
});
