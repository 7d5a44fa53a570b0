// Dead-lettered orders with their reason, a Replay button each, and Replay
// all (after a confirmation). The list is read from orders-app (it holds the
// dead letters' ids, needed to replay); the feed tells when to read it again.

import { $, h, setText, show } from './dom.js';
import { orders as api } from './api.js';
import { t, time, num } from './i18n.js';

const REFRESH_MS = 1000;
// Replay all sends the listed ids a page at a time (the API's cap on one
// bulk replay), for at most this many pages, so that a stream that keeps
// failing cannot keep it going for ever.
const REPLAY_PAGE = 100;
const REPLAY_ROUNDS = 20;

export function createDeadLetters(root, { onOpen }) {
  const list = $('#dead-list', root);
  const message = $('#dead-message', root);
  const replayAllButton = $('#dead-replay-all', root);
  const confirmBox = $('#dead-confirm', root);
  const confirmText = $('#dead-confirm-text', root);
  const confirmYes = $('#dead-confirm-yes', root);
  const confirmNo = $('#dead-confirm-no', root);
  let items = [];
  let note = null; // [key, vars]
  let timer = null;
  let seq = 0;
  let confirming = false;
  let replayingAll = false;

  function draw() {
    list.replaceChildren(...items.map((d) => {
      const replay = h('button', { class: 'ghost small', testid: 'replay-' + d.id, text: t('replay'), attrs: { type: 'button' } });
      replay.disabled = replayingAll;
      replay.addEventListener('click', () => doReplay(d, replay));
      const order = h('button', { class: 'link mono', text: '…' + (d.orderId || '').slice(-6), attrs: { type: 'button', 'aria-label': d.orderId || '' } });
      order.addEventListener('click', () => d.orderId && onOpen(d.orderId));
      return h('li', { testid: 'dead-letter-' + d.id },
        h('div', { class: 'dl-head' }, order, h('span', { class: 'muted', text: `${time(d.at)} · ${d.type || ''} · ${d.group || ''} · ${t('deliveries', { n: num(d.deliveries || 0) })}` }), replay),
        h('p', { class: 'reason', text: d.reason || '' }));
    }));
    const text = note ? t(...note) : items.length ? '' : t('noDeadLetters');
    setText(message, text);
    show(message, !!text);
    if (confirming && !items.length) confirming = false;
    show(replayAllButton, items.length > 0 && !confirming);
    replayAllButton.disabled = replayingAll;
    setText(replayAllButton, t(replayingAll ? 'replayingAll' : 'replayAll'));
    show(confirmBox, confirming);
    setText(confirmText, t('replayAllConfirm', { n: num(items.length) }));
  }

  async function load() {
    const mine = ++seq;
    try {
      const res = await api.deadLetters(50);
      if (mine !== seq) return;
      items = res.deadLetters || [];
      // A refresh clears a failed load, never the report of what the
      // manager just did.
      if (note && note[0] === 'loadError') note = null;
    } catch (err) {
      if (mine !== seq || err.status === 401) return;
      note = ['loadError', { message: err.message }];
    }
    draw();
  }

  async function doReplay(d, button) {
    button.disabled = true;
    let result;
    try {
      await api.replay(d.id);
      result = ['replayed'];
    } catch (err) {
      if (err.status === 401) return;
      result = ['loadError', { message: err.message }];
    }
    await load();
    note = result;
    draw();
  }

  // replayAll replays what the list holds, page after page, until nothing
  // is left or a page replays nothing (what stays was refused, say why).
  async function replayAll() {
    confirming = false;
    replayingAll = true;
    draw();
    let replayed = 0;
    const refused = new Map(); // id → message
    let result;
    try {
      for (let round = 0; round < REPLAY_ROUNDS; round++) {
        const page = await api.deadLetters(REPLAY_PAGE);
        const ids = (page.deadLetters || []).map((d) => d.id).filter((id) => !refused.has(id));
        if (!ids.length) break;
        const rep = await api.replayMany(ids);
        replayed += rep.replayed?.length || 0;
        for (const r of rep.notReplayed || []) {
          // Gone meanwhile (replayed elsewhere): nothing to report.
          if (r.code !== 'dead_letter_not_found') refused.set(r.id, r.message);
        }
        if (!rep.replayed?.length) break;
      }
      result = refused.size
        ? ['replayedSome', { n: num(replayed), failed: num(refused.size), reason: refused.values().next().value }]
        : ['replayedAll', { n: num(replayed) }];
    } catch (err) {
      if (err.status === 401) { replayingAll = false; return; }
      result = ['loadError', { message: err.message }];
    }
    replayingAll = false;
    await load();
    note = result;
    draw();
  }

  replayAllButton.addEventListener('click', () => {
    confirming = true;
    draw();
    confirmNo.focus();
  });
  confirmNo.addEventListener('click', () => {
    confirming = false;
    draw();
    replayAllButton.focus();
  });
  confirmYes.addEventListener('click', () => { replayAll(); });

  return {
    load,
    relabel: draw,
    // changed: the feed reported new dead letters or failures.
    changed() {
      if (timer) return;
      timer = setTimeout(() => { timer = null; load(); }, REFRESH_MS);
    },
    reset() {
      seq++;
      clearTimeout(timer);
      timer = null;
      items = [];
      note = null;
      confirming = false;
      list.replaceChildren();
      show(replayAllButton, false);
      show(confirmBox, false);
    },
  };
}
