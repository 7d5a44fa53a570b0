// Dead-lettered orders with their reason, and a Replay button. The list is
// read from orders-app (it holds the dead letters' ids, needed to replay);
// the feed tells when to read it again.

import { $, h, setText, show } from './dom.js';
import { orders as api } from './api.js';
import { t, time, num } from './i18n.js';

const REFRESH_MS = 1000;

export function createDeadLetters(root, { onOpen }) {
  const list = $('#dead-list', root);
  const message = $('#dead-message', root);
  let items = [];
  let note = null; // [key, vars]
  let timer = null;
  let seq = 0;

  function draw() {
    list.replaceChildren(...items.map((d) => {
      const replay = h('button', { class: 'ghost small', testid: 'replay-' + d.id, text: t('replay'), attrs: { type: 'button' } });
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
  }

  async function load() {
    const mine = ++seq;
    try {
      const res = await api.deadLetters(50);
      if (mine !== seq) return;
      items = res.deadLetters || [];
      note = null;
    } catch (err) {
      if (mine !== seq || err.status === 401) return;
      note = ['loadError', { message: err.message }];
    }
    draw();
  }

  async function doReplay(d, button) {
    button.disabled = true;
    try {
      await api.replay(d.id);
      note = ['replayed'];
    } catch (err) {
      if (err.status === 401) return;
      note = ['loadError', { message: err.message }];
    }
    await load();
    if (!note) note = ['replayed'];
    draw();
  }

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
      list.replaceChildren();
    },
  };
}
