// The latest placements ordered from this screen (one POST of N dishes, one
// batch id each) and how far each has got: dishes delivered and failed, and
// the time from its placement to its last dish. No DOM here; times are the
// server's, in ms.

export const MAX_PLACEMENTS = 10;

export function createPlacements(max = MAX_PLACEMENTS) {
  return {
    max,
    list: [], // newest first
    byOrder: new Map(), // order id → its placement
    version: 0,
  };
}

// addPlacement records the answer to a placement. done tells what the feed
// already said of its orders ({stage, at} by id): frames may beat the answer.
// The same batch answered again (a retry under its key) is not added twice.
export function addPlacement(ps, { batchId, quantity, orderIds = [], placedAt }, done = new Map()) {
  if (batchId && ps.list.some((p) => p.batchId === batchId)) return null;
  const p = {
    batchId: batchId || '',
    total: quantity ?? orderIds.length,
    ids: new Set(orderIds),
    delivered: 0,
    failed: 0,
    placedAt,
    lastAt: null, // when its latest dish was delivered or failed
  };
  for (const id of orderIds) {
    ps.byOrder.set(id, p);
    const d = done.get(id);
    if (d) count(p, d.stage, d.at);
  }
  ps.list.unshift(p);
  while (ps.list.length > ps.max) {
    for (const id of ps.list.pop().ids) ps.byOrder.delete(id);
  }
  ps.version++;
  return p;
}

function count(p, stage, at) {
  if (stage === 'delivered') p.delivered++;
  else if (stage === 'failed') p.failed++;
  else return;
  if (Number.isFinite(at) && (p.lastAt === null || at > p.lastAt)) p.lastAt = at;
}

// noteDone counts an order delivered or failed at atMs towards its
// placement; the store reports each order once.
export function noteDone(ps, id, stage, atMs) {
  const p = ps.byOrder.get(id);
  if (!p) return false;
  count(p, stage, atMs);
  ps.version++;
  return true;
}

// isDone: every dish of the placement is delivered or failed.
export function isDone(p) { return p.delivered + p.failed >= p.total; }

// elapsedMs is the time from the placement to now while it is in progress,
// and to its last dish once it is done.
export function elapsedMs(p, nowMs) {
  const end = isDone(p) ? (p.lastAt ?? nowMs) : nowMs;
  return Math.max(0, end - p.placedAt);
}

// resyncPlacements recounts after a fresh snapshot (a reconnect may have
// missed deliveries): an order of a placement that is neither in flight nor
// known as failed was delivered, by the snapshot's time at the latest.
// Orders placed just before the snapshot may not be in it yet, so a
// placement younger than graceMs is left as it is.
export function resyncPlacements(ps, inFlight, done, snapshotAt, graceMs = 5000) {
  for (const p of ps.list) {
    if (!(snapshotAt > p.placedAt + graceMs)) continue;
    const before = p.delivered + p.failed;
    p.delivered = 0;
    p.failed = 0;
    for (const id of p.ids) {
      if (inFlight.has(id)) continue;
      const d = done.get(id);
      count(p, d?.stage === 'failed' ? 'failed' : 'delivered', d?.at);
    }
    // Some finished unseen: the snapshot's time bounds when.
    if (p.delivered + p.failed > before) p.lastAt = Math.max(p.lastAt ?? snapshotAt, snapshotAt);
  }
  ps.version++;
}
