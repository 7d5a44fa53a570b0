// The dashboard's state, in plain maps, and how feed messages change it
// (docs/feed.md). No DOM here: renderers read the store and the dirty set
// tells them what to redraw. Frames carry the latest state of what changed,
// so applying one twice is harmless.

import { STAGES, DELIVERED, FAILED } from './lifecycle.js';
import { createDeliveries, noteDelivery } from './deliveries.js';

// The board shows every stage before delivery (lifecycle.js is the
// contract's, generated).
export const BOARD_STAGES = STAGES.filter((s) => s !== DELIVERED);
const DONE = new Set([DELIVERED, FAILED]);
const MAX_PURCHASES = 200;
const MAX_DEAD_LETTERS = 50;
const MAX_DONE_IDS = 20000;
export const BUCKET_MS = 10_000;
const KEEP_BUCKETS_MS = 10 * 60_000;
const RATE_WINDOW_MS = 60_000;
let unnamed = 0;

export function createStore() {
  return {
    live: false, // a snapshot arrived on the current connection
    synced: false, // any snapshot ever arrived (REST bootstrap no longer needed)
    cursor: null,
    serverOffset: 0, // server clock − local clock, ms
    clockSet: false,
    counts: { placed: 0, inProgress: 0, delivered: 0, failed: 0 },
    orders: new Map(), // id → {id, stage, recipe, since, placedAt, placedExact, missing}
    stages: Object.fromEntries(BOARD_STAGES.map((s) => [s, new Map()])), // insertion = arrival order
    stock: new Map(), // ingredient → {ingredient, onHand, initial, bought, consumed}
    buying: new Set(),
    purchases: [], // newest first
    purchaseIds: new Set(),
    buckets: new Map(), // start of 10 s bucket (server ms) → {units, calls, zeros}
    bucketsVersion: 0, // bumped on every change of buckets, for the chart
    deadLetters: [], // newest first
    doneIds: new Map(), // recently delivered or failed: id → {stage, at (server ms)}
    deliveries: createDeliveries(), // dishes a second and placed→delivered times, for the pace charts
    rate: [], // [local ms, delivered count] samples for dishes per minute
    delays: [], // recent feed delays in ms (item t → arrival)
    dirty: new Set(),
  };
}

export function resetStore(s) {
  Object.assign(s, createStore());
  s.dirty = new Set(['all']);
}

function markAll(s, ...parts) { for (const p of parts) s.dirty.add(p); }

function setCounts(s, c, now) {
  if (!c) return;
  s.counts = {
    placed: c.placed ?? s.counts.placed,
    inProgress: c.inProgress ?? s.counts.inProgress,
    delivered: c.delivered ?? s.counts.delivered,
    failed: c.failed ?? s.counts.failed,
  };
  s.rate.push([now, s.counts.delivered]);
  // Keep one sample older than the window as its baseline.
  while (s.rate.length > 2 && s.rate[1][0] <= now - RATE_WINDOW_MS) s.rate.shift();
  s.dirty.add('counts');
}

// dishesPerMinute counts the dishes delivered over the last minute (or since
// the first sample, when the dashboard has watched for less).
export function dishesPerMinute(s, now) {
  if (s.rate.length === 0) return 0;
  let base = s.rate[0];
  for (const sample of s.rate) {
    if (sample[0] <= now - RATE_WINDOW_MS) base = sample;
    else break;
  }
  const last = s.rate[s.rate.length - 1];
  return Math.max(0, last[1] - base[1]);
}

function clockFrom(s, at, now) {
  const server = Date.parse(at);
  if (Number.isNaN(server)) return;
  const offset = server - now;
  // A frame is never early: the largest offset seen has the least network
  // lag in it. Let it drift down slowly so a clock change is followed.
  s.serverOffset = s.clockSet ? Math.max(offset, s.serverOffset - 5) : offset;
  s.clockSet = true;
}

export function serverNow(s, now = Date.now()) { return now + s.serverOffset; }

function removeOrder(s, id) {
  const o = s.orders.get(id);
  if (!o) return;
  s.stages[o.stage]?.delete(id);
  s.orders.delete(id);
}

function putOrder(s, item, now) {
  const prev = s.orders.get(item.id);
  if (prev && prev.stage === item.stage) {
    if (item.recipe) prev.recipe = item.recipe;
    if ('missing' in item) prev.missing = item.missing || null;
    return;
  }
  if (prev && BOARD_STAGES.indexOf(item.stage) < BOARD_STAGES.indexOf(prev.stage)) return; // never back
  if (prev) s.stages[prev.stage].delete(item.id);
  // An event's time: its stream entry time `t` when given (cheaper than
  // parsing a date, thousands of times a frame), else `since` or `at`.
  const at = item.t || Date.parse(item.since || item.at) || serverNow(s, now);
  const o = {
    id: item.id,
    stage: item.stage,
    recipe: item.recipe || prev?.recipe || '',
    since: at,
    placedAt: prev?.placedAt ?? (item.placedAt ? Date.parse(item.placedAt) : at),
    // Whether placedAt is the placement's own time, or only when the order
    // was first seen (at a later stage).
    placedExact: prev?.placedExact ?? (!!item.placedAt || item.stage === 'placed'),
    missing: item.missing || (item.stage === 'waiting_ingredients' ? prev?.missing ?? null : null),
  };
  s.orders.set(o.id, o);
  s.stages[o.stage].set(o.id, o);
}

function rememberDone(s, id, stage, at) {
  s.doneIds.set(id, { stage, at });
  if (s.doneIds.size > MAX_DONE_IDS) s.doneIds.delete(s.doneIds.keys().next().value);
}

function addPurchase(s, p, front) {
  if (p.id && s.purchaseIds.has(p.id)) return false;
  const item = {
    id: p.id || 'unnamed-' + ++unnamed, // rows are keyed by id
    ingredient: p.ingredient,
    quantity: p.quantity ?? p.quantitySold ?? 0,
    orderIds: p.orderIds || [],
    onHand: p.onHand,
    at: p.at,
  };
  if (p.id) s.purchaseIds.add(p.id);
  if (front) s.purchases.unshift(item);
  else s.purchases.push(item);
  if (s.purchases.length > MAX_PURCHASES) {
    const gone = s.purchases.pop();
    if (gone.id) s.purchaseIds.delete(gone.id);
  }
  const t = Date.parse(p.at);
  if (!Number.isNaN(t)) {
    const key = t - (t % BUCKET_MS);
    const b = s.buckets.get(key) || { units: 0, calls: 0, zeros: 0 };
    b.units += item.quantity;
    b.calls += 1;
    if (item.quantity === 0) b.zeros += 1;
    s.buckets.set(key, b);
    s.bucketsVersion++;
  }
  return true;
}

function trimBuckets(s, now) {
  const oldest = serverNow(s, now) - KEEP_BUCKETS_MS;
  for (const k of s.buckets.keys()) if (k < oldest) { s.buckets.delete(k); s.bucketsVersion++; }
}

function setStock(s, items, replace) {
  if (!items) return;
  if (replace) s.stock = new Map();
  for (const it of items) {
    const prev = s.stock.get(it.ingredient) || { ingredient: it.ingredient, onHand: 0 };
    s.stock.set(it.ingredient, { ...prev, ...it });
  }
  s.dirty.add('stock');
}

function addDeadLetters(s, items, replace) {
  if (!items) return;
  if (replace) s.deadLetters = [...items];
  else for (const d of items) s.deadLetters.unshift(d);
  s.deadLetters.length = Math.min(s.deadLetters.length, MAX_DEAD_LETTERS);
  if (items.length || replace) s.dirty.add('deadLetters');
}

// applySnapshot replaces the state with a snapshot message.
export function applySnapshot(s, msg, now = Date.now()) {
  clockFrom(s, msg.at, now);
  s.cursor = msg.cursor ?? s.cursor;
  s.live = true;
  s.synced = true;
  s.orders = new Map();
  s.stages = Object.fromEntries(BOARD_STAGES.map((st) => [st, new Map()]));
  for (const o of msg.orders || []) if (!DONE.has(o.stage) && BOARD_STAGES.includes(o.stage)) putOrder(s, o, now);
  setCounts(s, msg.counts, now);
  setStock(s, msg.stock, true);
  s.buying = new Set(msg.buying || []);
  s.purchases = [];
  s.purchaseIds = new Set();
  s.buckets = new Map();
  s.bucketsVersion++;
  for (const p of msg.purchases || []) addPurchase(s, p, false);
  trimBuckets(s, now);
  addDeadLetters(s, msg.deadLetters || [], true);
  markAll(s, 'board', 'counts', 'stock', 'purchases', 'deadLetters', 'history');
}

// applyEvents applies an events frame and reports what it delivered or
// failed (ids, and each with its time in `done`), for the cue on delivery
// and the placements' progress. Deliveries are counted for the pace charts.
export function applyEvents(s, msg, now = Date.now()) {
  clockFrom(s, msg.at, now);
  s.cursor = msg.cursor ?? s.cursor;
  const result = { delivered: [], failed: [], changed: [], done: [] };
  for (const o of msg.orders || []) {
    if (o.t) noteDelay(s, serverNow(s, now) - o.t);
    result.changed.push(o);
    if (DONE.has(o.stage)) {
      if (s.doneIds.has(o.id)) continue; // a repeated frame
      const at = o.t || Date.parse(o.at) || serverNow(s, now);
      if (o.stage === DELIVERED) noteDelivery(s.deliveries, at, at - placedAt(s.orders.get(o.id), o));
      removeOrder(s, o.id);
      rememberDone(s, o.id, o.stage, at);
      (o.stage === DELIVERED ? result.delivered : result.failed).push(o.id);
      result.done.push({ id: o.id, stage: o.stage, at });
    } else if (BOARD_STAGES.includes(o.stage) && s.doneIds.get(o.id)?.stage !== DELIVERED) {
      s.doneIds.delete(o.id); // a failed order comes back when its dead letter is replayed
      putOrder(s, o, now);
    }
  }
  if (msg.orders?.length) markAll(s, 'board', 'history');
  setCounts(s, msg.counts, now);
  setStock(s, msg.stock, false);
  if (msg.buying) {
    s.buying = new Set(msg.buying);
    markAll(s, 'board', 'stock');
  }
  let newPurchases = 0;
  for (const p of msg.purchases || []) if (addPurchase(s, p, true)) newPurchases++;
  if (newPurchases) {
    trimBuckets(s, now);
    s.dirty.add('purchases');
  }
  addDeadLetters(s, msg.deadLetters, false);
  return result;
}

// placedAt of a delivered order: what the board knew when it was exact
// (cheaper than parsing a date, thousands of times a frame), else the
// frame's, else when the board first saw it (NaN when it never did).
function placedAt(known, item) {
  if (known?.placedExact) return known.placedAt;
  if (item.placedAt) return Date.parse(item.placedAt);
  return known ? known.placedAt : NaN;
}

function noteDelay(s, ms) {
  s.delays.push(ms);
  if (s.delays.length > 500) s.delays.splice(0, s.delays.length - 500);
}

// boardColumn returns up to max orders of a column, oldest first, and the
// column's size. "queued" also shows orders just placed, not yet picked.
export function boardColumn(s, column, max) {
  const maps = column === 'queued' ? [s.stages.queued, s.stages.placed] : [s.stages[column]];
  const items = [];
  let total = 0;
  for (const m of maps) {
    total += m.size;
    if (items.length >= max) continue;
    for (const o of m.values()) {
      items.push(o);
      if (items.length >= max) break;
    }
  }
  return { items, total };
}

// bootstrap fills the store from the REST API while the feed has not sent
// its first snapshot (the feed replaces all of it when it does).
export function bootstrap(s, { stats, inventory, purchases }, now = Date.now()) {
  if (s.synced) return;
  if (stats) {
    setCounts(s, {
      placed: stats.total,
      inProgress: stats.inProgress,
      delivered: stats.byStatus?.delivered ?? 0,
      failed: stats.byStatus?.failed ?? 0,
    }, now);
  }
  if (inventory?.ingredients) {
    setStock(s, inventory.ingredients, true);
    s.buying = new Set(inventory.ingredients.filter((i) => i.buying).map((i) => i.ingredient));
  }
  if (purchases?.purchases) {
    s.purchases = [];
    s.purchaseIds = new Set();
    s.buckets = new Map();
    s.bucketsVersion++;
    for (const p of purchases.purchases) addPurchase(s, p, false);
  }
  markAll(s, 'counts', 'stock', 'purchases', 'board');
}
