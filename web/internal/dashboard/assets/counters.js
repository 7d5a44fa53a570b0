// The counters (placed, in progress, delivered, failed) and dishes per
// minute, computed here from the delivered count over the last 60 seconds.

import { $, setText, setAttr } from './dom.js';
import { dishesPerMinute } from './store.js';
import { num } from './i18n.js';

export function createCounters(root) {
  const el = (id) => $(`[data-testid="${id}"]`, root);
  const fields = [
    ['placed', el('count-placed')],
    ['inProgress', el('count-in-progress')],
    ['delivered', el('count-delivered')],
    ['failed', el('count-failed')],
  ];
  const rate = el('dishes-per-minute');
  const delivered = el('count-delivered');

  function put(target, value) {
    setText(target, num(value));
    setAttr(target, 'data-value', String(value));
  }

  return {
    render(store, now = Date.now()) {
      for (const [key, target] of fields) put(target, store.counts[key]);
      put(rate, dishesPerMinute(store, now));
    },
    // flash marks a delivery visually. Two classes with the same animation
    // under two names take turns, so it restarts without forcing a layout.
    flash() {
      const odd = delivered.classList.contains('flash');
      delivered.classList.toggle('flash', !odd);
      delivered.classList.toggle('flash-again', odd);
    },
  };
}
