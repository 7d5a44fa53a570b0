// The order control: a quantity and the Order button, with feedback at once;
// each placement answered goes to onPlaced (the placements' progress).

import { $, setText, setClass } from './dom.js';
import { orders as api, newKey } from './api.js';
import { t, num } from './i18n.js';

// Waits before sending a placement whose answer never came again.
const RETRY_MS = [500, 1500, 3000];

// unanswered: the placement may or may not have been stored (no answer, or
// the gateway or service could not give one), so it is sent again under the
// same key, which makes that safe.
const unanswered = (err) => err.code === 'network' || err.code === 'idempotency_in_progress' || [502, 503, 504].includes(err.status);

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

export function createOrderControl(root, { onPlaced }) {
  const form = $('#order-form', root);
  const input = $('#order-quantity', root);
  const submit = $('#order-submit', root);
  const feedback = $('#order-feedback', root);
  let note = null; // [key, vars, isError]
  // The placement whose answer never came, {key, quantity}: ordering the
  // same quantity again is a retry of it, under its key.
  let unsure = null;

  // place sends a placement, under a fresh key, or under the key of the
  // unanswered one it retries, and sends it again while no answer comes.
  async function place(n) {
    if (!unsure || unsure.quantity !== n) unsure = { key: newKey(), quantity: n };
    const { key } = unsure;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await api.place(n, key);
        unsure = null;
        return res;
      } catch (err) {
        // An answer that refuses the placement means nothing was stored.
        if (!unanswered(err)) unsure = null;
        if (!unanswered(err) || attempt >= RETRY_MS.length) throw err;
        await sleep(RETRY_MS[attempt]);
      }
    }
  }

  function say(key, vars, isError = false) {
    note = key ? [key, vars, isError] : null;
    setText(feedback, key ? t(key, vars) : '');
    setClass(feedback, 'error', isError);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const raw = input.value.trim();
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1) {
      say('quantityInvalid', null, true);
      input.focus();
      return;
    }
    submit.disabled = true;
    setText(submit, t('ordering'));
    say(null);
    try {
      const res = await place(n);
      const total = res.quantity ?? res.orderIds?.length ?? n;
      onPlaced(res);
      if (total === 1) say('orderPlacedOne');
      else say('orderPlaced', { n: num(total) });
    } catch (err) {
      if (unsure) say('orderUnsure', null, true);
      else if (err.code === 'network') say('networkError', null, true);
      else if (err.status !== 401) say('orderFailed', { message: err.message }, true);
    } finally {
      submit.disabled = false;
      setText(submit, t('order'));
    }
  });

  for (const b of root.querySelectorAll('[data-quantity]')) {
    b.addEventListener('click', () => { input.value = b.dataset.quantity; input.focus(); });
  }

  return {
    // loadLimits reads the service's cap, so the input says it before asking.
    loadLimits() {
      api.limits().then((l) => { if (l?.maxQuantity > 0) input.max = String(l.maxQuantity); }).catch(() => {});
    },
    relabel() {
      if (note) say(...note);
      if (!submit.disabled) setText(submit, t('order'));
    },
    reset() {
      unsure = null;
      say(null);
    },
  };
}
