// The kitchen board: one column per stage, oldest orders first. With
// thousands of dishes in flight a column shows its count and its first
// MAX_CARDS cards only; cards are pooled and rewritten in place.

import { h, setText, setClass, setAttr, show, pool } from './dom.js';
import { boardColumn, serverNow } from './store.js';
import { t, name, num } from './i18n.js';

const MAX_CARDS = 50;
const AGE_CLASSES = [[10_000, 'age-fresh'], [30_000, 'age-warm'], [60_000, 'age-late'], [Infinity, 'age-old']];
const COLUMNS = [['queued', 'board-queued'], ['waiting_ingredients', 'board-waiting'], ['preparing', 'board-preparing']];

export function createBoard(root, { onOpen }) {
  const columns = COLUMNS.map(([stage, testid]) => {
    const el = root.querySelector(`[data-testid="${testid}"]`);
    const list = el.querySelector('[data-role="cards"]');
    return {
      stage,
      count: el.querySelector('[data-role="count"]'),
      more: el.querySelector('[data-role="more"]'),
      buying: el.querySelector('[data-role="buying"]'),
      fill: pool(list, () => makeCard(onOpen)),
    };
  });

  return function render(store) {
    const now = serverNow(store);
    for (const col of columns) {
      const { items, total } = boardColumn(store, col.stage, MAX_CARDS);
      setText(col.count, num(total));
      col.fill(items, (card, o) => fillCard(card, o, now, store.buying));
      show(col.more, total > items.length);
      if (total > items.length) setText(col.more, t('more', { n: num(total - items.length) }));
      if (col.buying) {
        const list = [...store.buying].map(name).join(', ');
        setText(col.buying, list ? t('buyingNow', { list }) : t('buyingNone'));
        setClass(col.buying, 'active', store.buying.size > 0);
      }
    }
  };
}

function makeCard(onOpen) {
  const recipe = h('span', { class: 'recipe' });
  const age = h('span', { class: 'age' });
  const id = h('span', { class: 'id' });
  const needs = h('span', { class: 'needs' });
  const button = h('button', { attrs: { type: 'button' } }, recipe, age, id, needs);
  const li = h('li', { class: 'card-item' }, button);
  li.__parts = { recipe, age, id, needs, button };
  button.addEventListener('click', () => { if (li.__id) onOpen(li.__id); });
  return li;
}

function fillCard(li, o, now, buying) {
  const p = li.__parts;
  if (li.__id !== o.id) {
    li.__id = o.id;
    setAttr(li, 'data-order-id', o.id);
    setText(p.id, '…' + o.id.slice(-6));
  }
  setText(p.recipe, o.recipe ? name(o.recipe) : t('recipeTBD'));
  const age = Math.max(0, now - o.placedAt);
  setText(p.age, formatAge(age));
  const cls = AGE_CLASSES.find(([limit]) => age < limit)[1];
  for (const [, c] of AGE_CLASSES) setClass(li, c, c === cls);
  const missing = o.missing?.length ? o.missing : null;
  show(p.needs, !!missing);
  if (missing) {
    setText(p.needs, t('needs', { list: missing.map((m) => `${name(m.ingredient)} ×${m.quantity}`).join(', ') }));
    setClass(p.needs, 'buying', missing.some((m) => buying.has(m.ingredient)));
  }
}

export function formatAge(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + 's';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
