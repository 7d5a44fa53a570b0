// The placements' progress: one bar for each of the latest placements made
// from this screen, newest first, with dishes delivered (and failed) of
// ordered and the time since the placement, running until its last dish and
// then final. Rows are pooled and rewritten in place.

import { $, h, setText, setAttr, show, pool } from './dom.js';
import { serverNow } from './store.js';
import {
  createPlacements, addPlacement, noteDone, isDone, elapsedMs, resyncPlacements,
} from './placements.js';
import { t, num, time, duration } from './i18n.js';

export function createProgress(root) {
  const list = $('#placements', root);
  const empty = $('#placements-empty', root);
  let made = 0;
  const fill = pool(list, () => makeRow(made++));
  let ps = createPlacements();

  return {
    // placed takes a placement's answer; the store tells what the feed
    // already said of its orders.
    placed(res, store) {
      const placedAt = Date.parse(res.placedAt);
      addPlacement(ps, {
        batchId: res.batchId,
        quantity: res.quantity,
        orderIds: res.orderIds || [],
        placedAt: Number.isNaN(placedAt) ? serverNow(store) : placedAt,
      }, store.doneIds);
    },
    // onDone counts what a frame delivered or failed; it says whether any
    // of it was a placement's.
    onDone(done) {
      let any = false;
      for (const d of done) any = noteDone(ps, d.id, d.stage, d.at) || any;
      return any;
    },
    resync(store, snapshotAt) { resyncPlacements(ps, store.orders, store.doneIds, snapshotAt); },
    render(store) {
      const now = serverNow(store);
      fill(ps.list, (li, p) => fillRow(li, p, now));
      show(empty, ps.list.length === 0);
    },
    reset() { ps = createPlacements(); },
  };
}

function makeRow(i) {
  const labelId = `placement-label-${i}`;
  const label = h('span', { class: 'placement-label', attrs: { id: labelId } });
  const elapsed = h('span', { class: 'placement-elapsed', testid: 'placement-elapsed' });
  const delivered = h('span', { class: 'fill delivered' });
  const failed = h('span', { class: 'fill failed' });
  const bar = h('div', {
    class: 'placement-bar',
    testid: 'placement-bar',
    attrs: { role: 'progressbar', 'aria-labelledby': labelId, 'aria-valuemin': '0' },
  }, delivered, failed);
  const status = h('span', { class: 'placement-status', testid: 'placement-status' });
  const li = h('li', { testid: 'placement' }, h('div', { class: 'placement-head' }, label, elapsed), bar, status);
  li.__parts = { label, elapsed, bar, delivered, failed, status };
  return li;
}

function fillRow(li, p, now) {
  const { label, elapsed, bar, delivered, failed, status } = li.__parts;
  const done = isDone(p);
  const ms = elapsedMs(p, now);
  setAttr(li, 'data-batch-id', p.batchId);
  setAttr(li, 'data-total', String(p.total));
  setAttr(li, 'data-delivered', String(p.delivered));
  setAttr(li, 'data-failed', String(p.failed));
  setAttr(li, 'data-done', String(done));
  setAttr(li, 'data-elapsed-ms', String(Math.round(ms)));
  setText(label, t(p.total === 1 ? 'placementLabelOne' : 'placementLabel', { time: time(p.placedAt), n: num(p.total) }));
  setText(elapsed, done ? t('elapsedFinal', { t: duration(ms, true) }) : t('elapsedRunning', { t: duration(ms) }));
  const text = t('placementStatus', {
    done: num(p.delivered), total: num(p.total),
    failed: p.failed ? t('batchFailed', { n: num(p.failed) }) : '',
  });
  setText(status, text);
  setAttr(bar, 'aria-valuemax', String(p.total));
  setAttr(bar, 'aria-valuenow', String(p.delivered));
  setAttr(bar, 'aria-valuetext', text);
  const whole = Math.max(1, p.total);
  const d = Math.min(1, p.delivered / whole);
  const f = Math.min(1 - d, p.failed / whole);
  setStyle(delivered, `scaleX(${d})`);
  setStyle(failed, `translateX(${d * 100}%) scaleX(${f})`);
}

// setStyle writes a transform through the CSSOM (the page's policy refuses
// style attributes), and only when it changes.
function setStyle(el, transform) {
  if (el.__transform !== transform) { el.__transform = transform; el.style.transform = transform; }
}
