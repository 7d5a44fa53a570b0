// A feed played by the tests instead of inventory-app's (docs/feed.md):
// orders move queued → waiting → preparing → delivered, a frame at a time.

const INGREDIENTS = ['tomato', 'lemon', 'potato', 'rice', 'ketchup', 'lettuce', 'onion', 'cheese', 'meat', 'chicken'];
const RECIPES = ['rice with chicken', 'rice with meat', 'burger', 'french fries', 'pizza', 'salad'];

export class FakeFeed {
  constructor(inFlight) {
    this.seq = 0;
    this.epoch = 'mock' + Math.random().toString(36).slice(2, 6);
    this.t = Date.now();
    this.orders = new Map();
    this.counts = { placed: 0, inProgress: 0, delivered: 0, failed: 0 };
    this.stock = INGREDIENTS.map((ingredient) => ({ ingredient, onHand: 5, initial: 5, bought: 0, consumed: 0 }));
    this.purchases = [];
    for (let i = 0; i < inFlight; i++) this.place(['queued', 'waiting_ingredients', 'preparing'][i % 3]);
  }
  cursor() { return `${this.epoch}:${this.seq}`; }
  at() { return new Date(this.t).toISOString(); }
  place(stage = 'placed') {
    const id = `0000${String(this.counts.placed).padStart(8, '0')}-mock-order`;
    const o = { id, stage, recipe: RECIPES[this.counts.placed % RECIPES.length], since: this.at(), placedAt: this.at() };
    if (stage === 'waiting_ingredients') o.missing = [{ ingredient: 'tomato', quantity: 2 }];
    this.orders.set(id, o);
    this.counts.placed++;
    this.counts.inProgress++;
    return o;
  }
  snapshot() {
    return {
      type: 'snapshot', cursor: this.cursor(), at: this.at(), counts: { ...this.counts },
      orders: [...this.orders.values()], stock: this.stock, buying: ['tomato', 'cheese'],
      purchases: this.purchases.slice(0, 100), deadLetters: [],
    };
  }
  // step moves n orders of each stage forward and places n new ones.
  step(n) {
    this.t += 100;
    this.seq++;
    const next = { placed: 'queued', queued: 'waiting_ingredients', waiting_ingredients: 'preparing', preparing: 'delivered' };
    const changed = [];
    const moved = { placed: 0, queued: 0, waiting_ingredients: 0, preparing: 0 };
    for (const o of this.orders.values()) {
      if (moved[o.stage] >= n) continue;
      moved[o.stage]++;
      o.stage = next[o.stage];
      const item = { id: o.id, stage: o.stage, recipe: o.recipe, at: this.at(), t: this.t };
      if (o.stage === 'waiting_ingredients') item.missing = [{ ingredient: 'tomato', quantity: 2 }];
      changed.push(item);
    }
    for (const c of changed) {
      if (c.stage === 'delivered') {
        this.orders.delete(c.id);
        this.counts.delivered++;
        this.counts.inProgress--;
      }
    }
    for (let i = 0; i < n; i++) {
      const o = this.place();
      changed.push({ id: o.id, stage: 'placed', recipe: '', at: this.at(), t: this.t });
    }
    const s = this.stock[this.seq % this.stock.length];
    s.onHand = (s.onHand + 3) % 12;
    const p = { id: `p-${this.seq}`, ingredient: s.ingredient, quantity: this.seq % 4, orderIds: [], onHand: s.onHand, at: this.at(), t: this.t };
    this.purchases.unshift(p);
    return {
      type: 'events', cursor: this.cursor(), at: this.at(), counts: { ...this.counts },
      orders: changed, stock: [{ ingredient: s.ingredient, onHand: s.onHand, t: this.t }],
      buying: ['tomato', 'cheese'], purchases: [p], deadLetters: [],
    };
  }
}
