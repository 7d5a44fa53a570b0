// Order history (REST, newest first, 50 a page) with a status filter and a
// search by id, kept fresh from the feed: statuses of the rows on screen
// change as frames arrive, and the first page is re-read at most every few
// seconds while orders move. Clicking an order opens its timeline.

import { $, h, setText, setAttr, setClass, show } from './dom.js';
import { orders as api } from './api.js';
import { t, name, statusName, time } from './i18n.js';

const PAGE = 50;
const REFRESH_MS = 1000;
const TIMELINE_REFRESH_MS = 500;
const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sameRows(current, next) {
  if (current.length !== next.length) return false;
  for (let i = 0; i < next.length; i++) if (current[i] !== next[i]) return false;
  return true;
}

// elapsed shows a time since the order was placed: 0.21s, 12.3s, 2m 05s.
function elapsed(ms) {
  if (!(ms >= 0)) return '?';
  if (ms < 10_000) return (ms / 1000).toFixed(2) + 's';
  if (ms < 60_000) return (ms / 1000).toFixed(1) + 's';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export function createHistory(root) {
  const form = $('#history-form', root);
  const status = $('#history-status', root);
  const search = $('#history-search', root);
  const tbody = $('#history-rows', root);
  const message = $('#history-message', root);
  const more = $('#history-more', root);
  const panel = $('#timeline', root);
  const title = $('#timeline-title', root);
  const summary = $('#timeline-summary', root);
  const reason = $('#timeline-reason', root);
  const steps = $('#timeline-steps', root);

  const rows = new Map(); // id → tr
  let cursor = '';
  let paged = false; // the manager loaded more pages: do not refresh under them
  let searching = false;
  let loadSeq = 0;
  let refreshTimer = null;
  let lastRefresh = 0;
  let selected = null; // {id, order}
  let timelineTimer = null;
  let timelineSeq = 0;

  function makeRow(o) {
    const idButton = h('button', { class: 'link', attrs: { type: 'button' } });
    const tr = h('tr', { testid: 'order-row-' + o.id },
      h('td', { class: 'mono' }, idButton), h('td'), h('td'), h('td'));
    tr.__order = o;
    tr.addEventListener('click', () => open(o.id));
    return tr;
  }

  function fillRow(tr) {
    const o = tr.__order;
    const [idCell, recipe, st, at] = tr.children;
    setText(idCell.firstChild, o.id.slice(0, 8) + '…' + o.id.slice(-6));
    setAttr(idCell.firstChild, 'aria-label', o.id);
    setText(recipe, o.recipe ? name(o.recipe) : '—');
    setText(st, statusName(o.status));
    setAttr(st, 'data-status', o.status);
    setText(at, time(o.placedAt));
    setClass(tr, 'selected', selected?.id === o.id);
  }

  function showOrders(list, append) {
    const old = new Map(rows);
    if (!append) rows.clear();
    const trs = [];
    for (const o of list) {
      let tr = old.get(o.id);
      if (tr) tr.__order = { ...tr.__order, ...o };
      else tr = makeRow(o);
      rows.set(o.id, tr);
      fillRow(tr);
      show(tr, true);
      trs.push(tr);
    }
    if (append) tbody.append(...trs.filter((tr) => tr.parentNode !== tbody));
    else if (!sameRows(tbody.children, trs)) tbody.replaceChildren(...trs); // moving rows costs a layout
  }

  let messageKey = null;
  function setMessage(key, vars) {
    messageKey = key ? [key, vars] : null;
    setText(message, key ? t(key, vars) : '');
    show(message, !!key);
  }

  async function load({ append = false } = {}) {
    const seq = ++loadSeq;
    searching = false;
    lastRefresh = Date.now();
    try {
      const res = await api.list({ status: status.value, limit: PAGE, cursor: append ? cursor : '' });
      if (seq !== loadSeq) return;
      paged = append;
      cursor = res.nextCursor || '';
      showOrders(res.orders || [], append);
      show(more, !!cursor);
      setMessage(tbody.children.length ? null : 'noOrders');
    } catch (err) {
      if (seq === loadSeq && err.status !== 401) setMessage('loadError', { message: err.message });
    }
  }

  async function find(q) {
    const seq = ++loadSeq;
    searching = true;
    show(more, false);
    if (FULL_ID.test(q)) {
      try {
        const o = await api.get(q);
        if (seq !== loadSeq) return;
        showOrders([o], false);
        setMessage(null);
      } catch (err) {
        if (seq !== loadSeq) return;
        showOrders([], false);
        if (err.status === 404) setMessage('orderNotFound');
        else setMessage('loadError', { message: err.message });
      }
      return;
    }
    // A part of an id: filter what is loaded.
    const needle = q.toLowerCase();
    let shown = 0;
    for (const tr of tbody.children) {
      const hit = tr.__order.id.toLowerCase().includes(needle);
      show(tr, hit);
      if (hit) shown++;
    }
    setMessage(shown ? null : 'orderNotFound');
  }

  function submit() {
    const q = search.value.trim();
    if (q) find(q);
    else load();
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  status.addEventListener('change', () => { search.value = ''; load(); });
  search.addEventListener('input', () => {
    const q = search.value.trim();
    if (!q) load();
    else if (!FULL_ID.test(q)) find(q);
  });
  more.addEventListener('click', () => load({ append: true }));

  // Timeline.
  async function open(id) {
    const seq = ++timelineSeq;
    const prev = selected?.id;
    selected = { id, order: selected?.id === id ? selected.order : null };
    for (const tr of [rows.get(prev), rows.get(id)]) if (tr) fillRow(tr);
    show(panel, true);
    if (!selected.order) {
      setText(title, t('timelineTitle', { id: id.slice(-6) }));
      setText(summary, '…');
      steps.replaceChildren();
      show(reason, false);
    }
    try {
      const o = await api.get(id);
      if (seq !== timelineSeq || selected?.id !== id) return;
      selected.order = o;
      drawTimeline();
      const tr = rows.get(id);
      if (tr) { tr.__order = { ...tr.__order, ...o }; fillRow(tr); }
    } catch (err) {
      if (seq === timelineSeq && err.status !== 401) setText(summary, err.status === 404 ? t('orderNotFound') : t('loadError', { message: err.message }));
    }
  }

  function drawTimeline() {
    const o = selected?.order;
    if (!o) return;
    setAttr(panel, 'data-order-id', o.id);
    setAttr(panel, 'data-status', o.status);
    setText(title, t('timelineTitle', { id: o.id.slice(-6) }));
    setText(summary, `${o.recipe ? name(o.recipe) : t('recipeTBD')} · ${statusName(o.status)} · ${o.id}`);
    show(reason, !!o.failureReason);
    if (o.failureReason) setText(reason, t('reason', { reason: o.failureReason }));
    const start = Date.parse(o.timeline?.[0]?.at);
    steps.replaceChildren(...(o.timeline || []).map((s, i) => h('li', { attrs: { 'data-status': s.status } },
      h('span', { class: 'at', text: time(s.at) + (i > 0 ? ` (+${elapsed(Date.parse(s.at) - start)})` : '') }),
      h('span', { class: 'status', text: statusName(s.status) }),
      s.detail ? h('span', { class: 'detail', text: s.detail }) : null)));
  }

  function close() {
    const prev = selected?.id;
    selected = null;
    timelineSeq++;
    show(panel, false);
    const tr = rows.get(prev);
    if (tr) fillRow(tr);
  }
  $('#timeline-close', root).addEventListener('click', close);

  function scheduleRefresh() {
    if (refreshTimer || paged || searching) return;
    const wait = Math.max(0, lastRefresh + REFRESH_MS - Date.now());
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      if (document.visibilityState === 'visible' && !paged && !searching) load();
    }, wait);
  }

  return {
    load,
    open,
    refreshSoon() {
      scheduleRefresh();
      if (selected && !timelineTimer) {
        timelineTimer = setTimeout(() => { timelineTimer = null; if (selected) open(selected.id); }, TIMELINE_REFRESH_MS);
      }
    },
    close,
    // onChanges takes the orders of a feed frame.
    onChanges(changed) {
      if (!changed.length) return;
      let mine = false;
      for (const c of changed) {
        const tr = rows.get(c.id);
        if (tr && tr.__order.status !== c.stage) {
          tr.__order = { ...tr.__order, status: c.stage, recipe: c.recipe || tr.__order.recipe };
          fillRow(tr);
        }
        if (selected?.id === c.id) mine = true;
      }
      if (mine && !timelineTimer) {
        timelineTimer = setTimeout(() => { timelineTimer = null; if (selected) open(selected.id); }, TIMELINE_REFRESH_MS);
      }
      scheduleRefresh();
    },
    relabel() {
      for (const tr of tbody.children) fillRow(tr);
      drawTimeline();
      if (messageKey) setMessage(...messageKey);
    },
    reset() {
      loadSeq++;
      clearTimeout(refreshTimer);
      refreshTimer = null;
      rows.clear();
      tbody.replaceChildren();
      close();
      cursor = '';
      paged = false;
      searching = false;
      search.value = '';
      status.value = '';
    },
  };
}
