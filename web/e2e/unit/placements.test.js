// The placements' progress (placements.js): counting each placement's
// dishes, newest first and bounded, the elapsed time running then final,
// answers beaten by frames, and a recount after a fresh snapshot.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPlacements, addPlacement, noteDone, isDone, elapsedMs, resyncPlacements, MAX_PLACEMENTS,
} from '../../internal/dashboard/assets/placements.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z');
const ids = (batch, n) => Array.from({ length: n }, (_, i) => `${batch}-${i}`);

describe('placements', () => {
  it('counts delivered and failed dishes of each placement, and ignores other orders', () => {
    const ps = createPlacements();
    const p = addPlacement(ps, { batchId: 'b1', quantity: 3, orderIds: ids('b1', 3), placedAt: T0 });
    assert.equal(noteDone(ps, 'someone-else', 'delivered', T0 + 10), false);
    assert.equal(noteDone(ps, 'b1-0', 'delivered', T0 + 1000), true);
    assert.equal(isDone(p), false);
    assert.equal(elapsedMs(p, T0 + 2500), 2500, 'running: up to now');
    noteDone(ps, 'b1-1', 'failed', T0 + 1500);
    noteDone(ps, 'b1-2', 'delivered', T0 + 3200);
    assert.deepEqual([p.delivered, p.failed, p.total], [2, 1, 3]);
    assert.equal(isDone(p), true);
    assert.equal(elapsedMs(p, T0 + 60_000), 3200, 'final: up to its last dish, whatever the time now');
  });

  it('lists the newest first and keeps only the latest ones', () => {
    const ps = createPlacements();
    for (let i = 0; i < MAX_PLACEMENTS + 2; i++) addPlacement(ps, { batchId: 'b' + i, quantity: 1, orderIds: ['o' + i], placedAt: T0 + i });
    assert.equal(ps.list.length, MAX_PLACEMENTS);
    assert.equal(ps.list[0].batchId, 'b' + (MAX_PLACEMENTS + 1));
    assert.equal(ps.list.at(-1).batchId, 'b2');
    assert.equal(noteDone(ps, 'o0', 'delivered', T0), false, 'a dropped placement forgets its orders');
    assert.equal(ps.byOrder.size, MAX_PLACEMENTS);
  });

  it('adds a batch answered twice (a retry under its key) once', () => {
    const ps = createPlacements();
    const res = { batchId: 'b1', quantity: 2, orderIds: ids('b1', 2), placedAt: T0 };
    addPlacement(ps, res);
    assert.equal(addPlacement(ps, res), null);
    assert.equal(ps.list.length, 1);
  });

  it('counts what the feed said before the answer came', () => {
    const ps = createPlacements();
    const done = new Map([['b1-0', { stage: 'delivered', at: T0 + 800 }], ['b1-1', { stage: 'failed', at: T0 + 900 }]]);
    const p = addPlacement(ps, { batchId: 'b1', quantity: 2, orderIds: ids('b1', 2), placedAt: T0 }, done);
    assert.deepEqual([p.delivered, p.failed], [1, 1]);
    assert.equal(elapsedMs(p, T0 + 5000), 900);
  });

  it('recounts after a snapshot: what left the board unseen was delivered by then', () => {
    const ps = createPlacements();
    const p = addPlacement(ps, { batchId: 'b1', quantity: 4, orderIds: ids('b1', 4), placedAt: T0 });
    noteDone(ps, 'b1-0', 'delivered', T0 + 1000);
    const inFlight = new Map([['b1-3', {}]]);
    const done = new Map([['b1-0', { stage: 'delivered', at: T0 + 1000 }], ['b1-2', { stage: 'failed', at: T0 + 2000 }]]);
    resyncPlacements(ps, inFlight, done, T0 + 2000); // too soon after the placement: left alone
    assert.deepEqual([p.delivered, p.failed], [1, 0]);
    resyncPlacements(ps, inFlight, done, T0 + 9000);
    assert.deepEqual([p.delivered, p.failed], [2, 1], 'b1-1 delivered unseen, b1-2 failed, b1-3 still cooking');
    assert.equal(isDone(p), false);
    noteDone(ps, 'b1-3', 'delivered', T0 + 9500);
    assert.equal(elapsedMs(p, T0 + 20_000), 9500);
  });

  it('bounds an unseen finish by the snapshot\'s time', () => {
    const ps = createPlacements();
    const p = addPlacement(ps, { batchId: 'b1', quantity: 2, orderIds: ids('b1', 2), placedAt: T0 });
    resyncPlacements(ps, new Map(), new Map(), T0 + 7000);
    assert.equal(isDone(p), true);
    assert.equal(elapsedMs(p, T0 + 30_000), 7000);
  });
});
