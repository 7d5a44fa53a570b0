// Deliveries over the last minutes, for the pace charts: dishes delivered
// per second, and the placed→delivered times of those dishes per few
// seconds, as quantiles. No DOM here. Times are the server's, in ms: a
// delivery's when it entered the stream, its placement's as orders-app
// stored it.

export const WINDOW_S = 300; // five minutes, one point a second
export const LATENCY_BUCKET_S = 5;

export function createDeliveries() {
  return {
    perSecond: new Map(), // Unix second → dishes delivered in it
    latencies: new Map(), // first second of a LATENCY_BUCKET_S bucket → {ms: [], sorted}
    version: 0, // bumped on every change, so a chart redraws only when needed
  };
}

// noteDelivery counts one dish delivered at atMs; latencyMs (placed →
// delivered) is left out when unknown.
export function noteDelivery(d, atMs, latencyMs) {
  if (!Number.isFinite(atMs)) return;
  const sec = Math.floor(atMs / 1000);
  d.perSecond.set(sec, (d.perSecond.get(sec) || 0) + 1);
  if (Number.isFinite(latencyMs)) {
    const key = sec - mod(sec, LATENCY_BUCKET_S);
    let b = d.latencies.get(key);
    if (!b) { b = { ms: [], sorted: true }; d.latencies.set(key, b); }
    b.ms.push(Math.max(0, latencyMs)); // clocks a few ms apart never make it negative
    b.sorted = false;
  }
  d.version++;
}

// trimDeliveries forgets what fell out of the window ending at nowMs.
export function trimDeliveries(d, nowMs, windowS = WINDOW_S) {
  const oldest = Math.floor(nowMs / 1000) - windowS + 1;
  let changed = false;
  for (const k of d.perSecond.keys()) if (k < oldest) { d.perSecond.delete(k); changed = true; }
  for (const k of d.latencies.keys()) if (k + LATENCY_BUCKET_S <= oldest) { d.latencies.delete(k); changed = true; }
  if (changed) d.version++;
}

// quantile of an ascending array, by nearest rank: the smallest value with
// at least q of the values at or below it (null for none).
export function quantile(sorted, q) {
  if (!sorted.length) return null;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function sortedMs(b) {
  if (!b.sorted) { b.ms.sort((x, y) => x - y); b.sorted = true; }
  return b.ms;
}

// deliverySeries gives the charts' data for the window ending at nowMs:
// seconds and dishes a second (the current second included), buckets and
// their p50 and p95 in ms (null where nothing was delivered), and the
// window's totals.
export function deliverySeries(d, nowMs, windowS = WINDOW_S) {
  const last = Math.floor(nowMs / 1000);
  const first = last - windowS + 1;
  const seconds = new Array(windowS);
  const counts = new Array(windowS);
  let total = 0;
  let peak = 0;
  for (let i = 0; i < windowS; i++) {
    const n = d.perSecond.get(first + i) || 0;
    seconds[i] = first + i;
    counts[i] = n;
    total += n;
    if (n > peak) peak = n;
  }
  const buckets = [];
  const p50 = [];
  const p95 = [];
  const all = [];
  for (let k = first - mod(first, LATENCY_BUCKET_S); k <= last; k += LATENCY_BUCKET_S) {
    const b = d.latencies.get(k);
    const ms = b ? sortedMs(b) : [];
    buckets.push(k);
    p50.push(quantile(ms, 0.5));
    p95.push(quantile(ms, 0.95));
    for (const v of ms) all.push(v);
  }
  all.sort((x, y) => x - y);
  return {
    seconds, counts, total, peak,
    buckets, p50, p95,
    samples: all.length, p50All: quantile(all, 0.5), p95All: quantile(all, 0.95),
  };
}

function mod(n, m) { return ((n % m) + m) % m; }
