// Market purchases: the latest answers, newest first, zero answers marked,
// and a hand-drawn chart of units bought per 10 seconds over 5 minutes.

import { $, h, setText, setClass, setAttr, show } from './dom.js';
import { BUCKET_MS, serverNow } from './store.js';
import { t, name, num, time, getLang as getLangKey } from './i18n.js';

const MAX_ROWS = 50;
const CHART_BUCKETS = 30; // 5 minutes

export function createPurchases(root) {
  const list = $('#purchases-list', root);
  const empty = $('#purchases-empty', root);
  const summary = $('#purchases-summary', root);
  const canvas = $('#purchases-chart', root);
  const rows = new Map(); // purchase id → li: a frame adds its new rows on top, the rest stay

  function render(store) {
    const items = store.purchases.slice(0, MAX_ROWS);
    const keep = new Set(items.map((p) => p.id));
    for (const [id, li] of rows) if (!keep.has(id)) { li.remove(); rows.delete(id); }
    let prev = null;
    for (const p of items) {
      let li = rows.get(p.id);
      if (!li) {
        li = makeRow();
        fillRow(li, p);
        rows.set(p.id, li);
      }
      const here = prev ? prev.nextSibling : list.firstChild;
      if (li !== here) list.insertBefore(li, here);
      prev = li;
    }
    show(empty, items.length === 0);
    let calls = 0;
    let units = 0;
    let zeros = 0;
    for (const b of store.buckets.values()) { calls += b.calls; units += b.units; zeros += b.zeros; }
    setText(summary, t('purchasesSummary', { calls: num(calls), units: num(units), zeros: num(zeros) }));
    drawChart(store);
  }

  // The canvas size comes from a ResizeObserver and the colours from the
  // style sheet once: reading layout while drawing would force a layout per
  // frame.
  let size = { w: 0, h: 0 };
  let colors = null;
  let drawn = '';
  let lastStore = null;
  new ResizeObserver(([entry]) => {
    size = { w: entry.contentRect.width, h: entry.contentRect.height };
    drawn = '';
    drawChart(lastStore);
  }).observe(canvas);

  function drawChart(store) {
    lastStore = store;
    if (!store || !size.w) return;
    const now = serverNow(store);
    const key = `${store.bucketsVersion}|${Math.floor(now / BUCKET_MS)}|${size.w}x${size.h}|${getLangKey()}`;
    if (key === drawn) return;
    drawn = key;
    if (!colors) {
      const styles = getComputedStyle(canvas);
      colors = {
        bar: styles.getPropertyValue('--chart-bar').trim() || '#1d4ed8',
        zero: styles.getPropertyValue('--chart-zero').trim() || '#b91c1c',
        axis: styles.getPropertyValue('--chart-axis').trim() || '#4a5568',
      };
    }
    const dpr = globalThis.devicePixelRatio || 1;
    const w = size.w;
    const hgt = size.h || 90;
    if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
    if (canvas.height !== Math.round(hgt * dpr)) canvas.height = Math.round(hgt * dpr);
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, hgt);
    const last = now - (now % BUCKET_MS);
    const bars = [];
    let max = 5;
    for (let i = CHART_BUCKETS - 1; i >= 0; i--) {
      const b = store.buckets.get(last - i * BUCKET_MS) || { units: 0, zeros: 0 };
      bars.push(b);
      max = Math.max(max, b.units);
    }
    const { bar: barColor, zero: zeroColor, axis } = colors;
    const base = hgt - 14;
    const step = w / CHART_BUCKETS;
    g.fillStyle = barColor;
    bars.forEach((b, i) => {
      const bh = (b.units / max) * (base - 4);
      if (bh > 0) g.fillRect(i * step + 1, base - bh, Math.max(1, step - 2), bh);
    });
    g.fillStyle = zeroColor;
    bars.forEach((b, i) => {
      if (b.zeros > 0) g.fillRect(i * step + 1, base + 3, Math.max(1, step - 2), 3);
    });
    g.strokeStyle = axis;
    g.beginPath();
    g.moveTo(0, base + 0.5);
    g.lineTo(w, base + 0.5);
    g.stroke();
    g.fillStyle = axis;
    g.font = '10px system-ui, sans-serif';
    g.textBaseline = 'bottom';
    g.fillText('−5m', 2, hgt);
    g.textBaseline = 'top';
    g.fillText('↑ ' + num(max), 2, 0);
  }

  function relabel() {
    for (const li of rows.values()) fillRow(li, li.__purchase);
    drawn = '';
  }

  return { render, relabel };
}

function makeRow() {
  const at = h('span', { class: 'at' });
  const ing = h('span', { class: 'ingredient' });
  const qty = h('span', { class: 'qty' });
  return Object.assign(h('li', {}, at, ing, qty), { __parts: { at, ing, qty } });
}

function fillRow(li, p) {
  li.__purchase = p;
  const { at, ing, qty } = li.__parts;
  setAttr(li, 'data-purchase-id', p.id || '');
  setText(at, time(p.at));
  setText(ing, name(p.ingredient));
  setText(qty, p.quantity === 0 ? '0 — ' + t('noneAvailable') : '+' + num(p.quantity));
  setClass(li, 'zero', p.quantity === 0);
}
