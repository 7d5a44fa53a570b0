// The recipe book with quantities, and how many of each the stock covers now.

import { $, h, setText } from './dom.js';
import { t, name, num } from './i18n.js';

export function createRecipes(root) {
  const list = $('#recipes-list', root);
  let recipes = [];
  let covers = new Map(); // recipe → element

  function draw() {
    covers = new Map();
    list.replaceChildren(...recipes.map((r) => {
      const cover = h('span', { class: 'covers' });
      covers.set(r.name, cover);
      return h('li', { testid: 'recipe-' + r.name.replace(/\s+/g, '-') },
        h('h3', { text: name(r.name) }, ' ', cover),
        h('ul', {}, ...r.ingredients.map((i) =>
          h('li', { text: `${name(i.ingredient)} × ${num(i.quantity)}`, attrs: { 'data-ingredient': i.ingredient, 'data-quantity': String(i.quantity) } }))));
    }));
  }

  return {
    set(list) { recipes = list; draw(); },
    relabel: draw,
    render(store) {
      for (const r of recipes) {
        let n = Infinity;
        for (const i of r.ingredients) n = Math.min(n, Math.floor((store.stock.get(i.ingredient)?.onHand ?? 0) / i.quantity));
        const el = covers.get(r.name);
        if (el) setText(el, store.stock.size ? t('canMake', { n: num(n === Infinity ? 0 : n) }) : '');
      }
    },
  };
}
