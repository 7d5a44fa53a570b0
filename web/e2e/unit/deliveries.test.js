// The pace charts' numbers (deliveries.js): dishes per second over a window,
// latency quantiles per bucket, forgetting what leaves the window, and what
// the store counts from events frames.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createDeliveries, noteDelivery, trimDeliveries, deliverySeries, quantile, WINDOW_S, LATENCY_BUCKET_S,
} from '../../internal/dashboard/assets/deliveries.js';
import { createStore, applySnapshot, applyEvents } from '../../internal/dashboard/assets/store.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z'); // a whole minute: buckets start here
const iso = (ms) => new Date(T0 + ms).toISOString();

describe('deliveries', () => {
  it('counts dishes per second over the window, the current second included', () => {
    const d = createDeliveries();
    noteDelivery(d, T0 + 100, 1000);
    noteDelivery(d, T0 + 900, 1000);
    noteDelivery(d, T0 + 1000, 1000);
    noteDelivery(d, T0 + 4_500, 1000);
    const s = deliverySeries(d, T0 + 4_600);
    assert.equal(s.seconds.length, WINDOW_S);
    assert.equal(s.counts.length, WINDOW_S);
    assert.equal(s.seconds.at(-1), (T0 + 4_600) / 1000 - 0.6);
    assert.deepEqual(s.counts.slice(-5), [2, 1, 0, 0, 1]);
    assert.equal(s.total, 4);
    assert.equal(s.peak, 2);
    // Seconds are consecutive.
    assert.ok(s.seconds.every((x, i) => i === 0 || x === s.seconds[i - 1] + 1));
  });

  it('leaves out what is older than the window, and forgets it when trimmed', () => {
    const d = createDeliveries();
    noteDelivery(d, T0, 500);
    noteDelivery(d, T0 + WINDOW_S * 1000, 700);
    const s = deliverySeries(d, T0 + WINDOW_S * 1000);
    assert.equal(s.total, 1, 'the first second left the window');
    const v = d.version;
    trimDeliveries(d, T0 + WINDOW_S * 1000);
    assert.equal(d.perSecond.size, 1);
    assert.ok(d.version > v, 'a trim that forgot something is a change');
    const again = d.version;
    trimDeliveries(d, T0 + WINDOW_S * 1000);
    assert.equal(d.version, again, 'a trim that forgot nothing is not');
  });

  it('gives p50 and p95 per bucket, null where nothing was delivered', () => {
    const d = createDeliveries();
    // 20 dishes in the first bucket: 100, 200, … 2000 ms, in a shuffled order.
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 100);
    for (const v of [...values].reverse()) noteDelivery(d, T0 + 1000, v);
    // One dish two buckets later.
    noteDelivery(d, T0 + 2 * LATENCY_BUCKET_S * 1000, 3000);
    const s = deliverySeries(d, T0 + 2 * LATENCY_BUCKET_S * 1000 + 500);
    const at = (sec) => s.buckets.indexOf(sec);
    const first = at(T0 / 1000);
    assert.ok(first >= 0, 'the bucket of T0 is in the window');
    assert.equal(s.p50[first], 1000);
    assert.equal(s.p95[first], 1900);
    assert.equal(s.p50[first + 1], null);
    assert.equal(s.p95[first + 1], null);
    assert.equal(s.p50[first + 2], 3000);
    assert.equal(s.buckets.at(-1), T0 / 1000 + 2 * LATENCY_BUCKET_S);
    assert.equal(s.samples, 21);
    assert.equal(s.p95All, 2000);
  });

  it('counts a dish whose placement is unknown, without a latency', () => {
    const d = createDeliveries();
    noteDelivery(d, T0, NaN);
    const s = deliverySeries(d, T0);
    assert.equal(s.total, 1);
    assert.equal(s.samples, 0);
    assert.equal(s.p50All, null);
  });

  it('takes quantiles by nearest rank', () => {
    assert.equal(quantile([], 0.5), null);
    assert.equal(quantile([7], 0.95), 7);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
    assert.equal(quantile([1, 2, 3, 4], 0.95), 4);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  });

  it('is fed by the store: once per delivered order, with its placed→delivered time', () => {
    const s = createStore();
    applySnapshot(s, {
      type: 'snapshot', cursor: 'a:1', at: iso(0), counts: { placed: 2, inProgress: 2, delivered: 0, failed: 0 },
      orders: [{ id: 'o1', stage: 'preparing', recipe: 'pizza', since: iso(-500), placedAt: iso(-2000) }],
      stock: [], buying: [], purchases: [], deadLetters: [],
    }, T0);
    // o2 is first seen at a later stage: the frame's placedAt wins over when it was seen.
    applyEvents(s, { type: 'events', cursor: 'a:2', at: iso(100), orders: [{ id: 'o2', stage: 'queued', recipe: 'salad', at: iso(100), t: T0 + 100 }] }, T0 + 100);
    const frame = {
      type: 'events', cursor: 'a:3', at: iso(1500),
      orders: [
        { id: 'o1', stage: 'delivered', recipe: 'pizza', at: iso(1000), t: T0 + 1000, placedAt: iso(-2000) },
        { id: 'o2', stage: 'delivered', recipe: 'salad', at: iso(1200), t: T0 + 1200, placedAt: iso(-300) },
        { id: 'o3', stage: 'failed', reason: 'x', at: iso(1200), t: T0 + 1200 },
      ],
    };
    const res = applyEvents(s, frame, T0 + 1500);
    assert.deepEqual(res.done, [
      { id: 'o1', stage: 'delivered', at: T0 + 1000 },
      { id: 'o2', stage: 'delivered', at: T0 + 1200 },
      { id: 'o3', stage: 'failed', at: T0 + 1200 },
    ]);
    applyEvents(s, { ...frame, cursor: 'a:4' }, T0 + 1600); // a repeated frame counts nothing
    const series = deliverySeries(s.deliveries, T0 + 1600);
    assert.equal(series.total, 2, 'failed orders are not deliveries');
    assert.deepEqual([...s.deliveries.latencies.values()].flatMap((b) => b.ms).sort((a, b) => a - b), [1500, 3000]);
    assert.deepEqual(s.doneIds.get('o3'), { stage: 'failed', at: T0 + 1200 });
  });
});
