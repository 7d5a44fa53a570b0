// Stock: one bar per ingredient, in the warehouse's order, moving as stock
// changes. Low (less than the most any recipe needs) and being-bought
// ingredients are highlighted. Bars share one scale that only grows, so they
// do not jump when another ingredient changes.

import { h, setText, setClass, setAttr } from './dom.js';
import { t, name } from './i18n.js';

const MIN_SCALE = 10;
const DEFAULT_NEED = 3;

export function createStock(list) {
  const rows = new Map(); // ingredient → row parts
  let scale = MIN_SCALE;
  let needs = new Map(); // ingredient → most units one recipe needs

  function row(ingredient) {
    let r = rows.get(ingredient);
    if (r) return r;
    const label = h('span', { class: 'label' });
    const fill = h('span', { class: 'fill' });
    const bar = h('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, fill);
    const value = h('span', { class: 'value', attrs: { 'data-role': 'on-hand' } });
    const badge = h('span', { class: 'badge' });
    const li = h('li', { testid: 'stock-' + ingredient }, label, bar, value, badge);
    r = { li, label, fill, value, badge };
    rows.set(ingredient, r);
    list.append(li);
    return r;
  }

  return {
    setRecipes(recipes) {
      needs = new Map();
      for (const rec of recipes) {
        for (const it of rec.ingredients) needs.set(it.ingredient, Math.max(needs.get(it.ingredient) || 0, it.quantity));
      }
    },
    render(store) {
      for (const s of store.stock.values()) scale = Math.max(scale, s.onHand, s.initial || 0);
      for (const s of store.stock.values()) {
        const r = row(s.ingredient);
        const buying = store.buying.has(s.ingredient);
        const low = s.onHand < (needs.get(s.ingredient) ?? DEFAULT_NEED);
        setText(r.label, name(s.ingredient));
        setText(r.value, String(s.onHand)); // plain digits: the text holds the exact number
        setAttr(r.li, 'data-on-hand', String(s.onHand));
        setAttr(r.li, 'aria-label', t('onHandLabel', { ingredient: name(s.ingredient), n: s.onHand }));
        // A transform, not a width: the bar moves without a layout per frame.
        const scaleX = `scaleX(${Math.min(1, s.onHand / scale).toFixed(3)})`;
        if (r.fill.__t !== scaleX) { r.fill.__t = scaleX; r.fill.style.transform = scaleX; }
        setClass(r.li, 'low', low);
        setClass(r.li, 'buying', buying);
        setText(r.badge, buying ? t('buying') : low ? t('low') : '');
      }
    },
    reset() {
      rows.clear();
      list.replaceChildren();
      scale = MIN_SCALE;
    },
  };
}
