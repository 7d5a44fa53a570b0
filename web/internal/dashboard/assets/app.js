// The dashboard: shows the login screen or the restaurant, feeds the store
// from the WebSocket, and redraws what changed once per animation frame.

import { $, setText, setAttr, show } from './dom.js';
import { session, kitchen, inventory, orders, whenUnauthorized } from './api.js';
import { Feed } from './feed.js';
import { createStore, resetStore, applySnapshot, applyEvents, bootstrap } from './store.js';
import { t, getLang, setLang, onLangChange, applyStatic } from './i18n.js';
import { beep, isMuted, setMuted, unlockOnGesture } from './sound.js';
import { createLogin } from './login.js';
import { createOrderControl } from './order.js';
import { createCounters } from './counters.js';
import { createBoard } from './board.js';
import { createStock } from './stock.js';
import { createPurchases } from './purchases.js';
import { createHistory } from './history.js';
import { createRecipes } from './recipes.js';
import { createDeadLetters } from './deadletters.js';
import { createProgress } from './progress.js';
import { createPace } from './pace.js';

const TICK_MS = 1000; // ages, dishes per minute, elapsed times and the pace charts move even without frames
const CHART_TICK_MS = 5000;

const store = createStore();
const loginView = $('#login-view');
const appView = $('#app-view');
const connection = $('#connection');
const logoutButton = $('#logout');
const muteButton = $('#mute');
const langButton = $('#lang');
const authBadge = $('#auth-disabled');

const history = createHistory(appView);
const ui = {
  counters: createCounters(appView),
  board: createBoard(appView, { onOpen: (id) => history.open(id) }),
  stock: createStock($('#stock-list')),
  purchases: createPurchases(appView),
  recipes: createRecipes(appView),
  deadLetters: createDeadLetters(appView, { onOpen: (id) => history.open(id) }),
  progress: createProgress(appView),
  pace: createPace(appView),
  order: createOrderControl(appView, { onPlaced: (res) => { ui.progress.placed(res, store); dirty('placements'); } }),
};
const login = createLogin(loginView, { onLoggedIn: enter });

let feed = null;
let ticker = null;
let chartTicker = null;
let frame = 0;
let inApp = false;

// Rendering: one pass per animation frame, only the parts marked dirty.
function scheduleRender() {
  if (!frame) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  const d = store.dirty;
  const all = d.has('all');
  if (all || d.has('counts')) ui.counters.render(store);
  if (all || d.has('board')) ui.board(store);
  if (all || d.has('stock')) { ui.stock.render(store); ui.recipes.render(store); }
  if (all || d.has('purchases')) ui.purchases.render(store);
  if (all || d.has('placements')) ui.progress.render(store);
  // The charts move once a second (the tick), not with every frame.
  if (all || d.has('pace')) ui.pace.render(store);
  d.clear();
}

function dirty(...parts) {
  for (const p of parts) store.dirty.add(p);
  scheduleRender();
}

// The feed.
function onMessage(msg) {
  if (msg.type === 'snapshot') {
    applySnapshot(store, msg);
    ui.progress.resync(store, Date.parse(msg.at));
    store.dirty.add('placements');
    ui.deadLetters.changed();
    history.refreshSoon(); // after a reconnect, catch up with what was missed
  } else if (msg.type === 'events') {
    const failedBefore = store.counts.failed;
    const res = applyEvents(store, msg);
    if (res.delivered.length) {
      ui.counters.flash();
      beep();
    }
    if (ui.progress.onDone(res.done)) store.dirty.add('placements');
    history.onChanges(res.changed);
    if (msg.deadLetters?.length || store.counts.failed !== failedBefore) ui.deadLetters.changed();
  }
  scheduleRender();
}

function onState(state) {
  setAttr(connection, 'data-state', state);
  setText(connection, t(state));
  if (state === 'reconnecting') store.live = false;
}

async function onFailures(n) {
  // A socket that never opens may mean the session ended.
  if (n % 3 !== 0) return;
  try { await session.me(); } catch (err) { if (err.status === 401) leave('sessionExpired'); }
}

// Entering and leaving.
async function enter(me) {
  feed?.stop();
  clearInterval(ticker);
  clearInterval(chartTicker);
  inApp = true;
  show(loginView, false);
  show(appView, true);
  show(connection, true);
  show(logoutButton, !me?.authDisabled);
  show(authBadge, !!me?.authDisabled);
  resetStore(store);
  onState('reconnecting');
  feed = new Feed({ onMessage, onState, onFailures, onSessionEnded: () => leave('sessionExpired') });
  window.__comanda.feed = feed;
  feed.start();
  ticker = setInterval(() => dirty('board', 'counts', 'placements', 'pace'), TICK_MS);
  chartTicker = setInterval(() => dirty('purchases'), CHART_TICK_MS);
  history.load();
  ui.order.loadLimits();
  ui.deadLetters.load();
  kitchen.recipes().then((r) => {
    ui.recipes.set(r.recipes || []);
    ui.stock.setRecipes(r.recipes || []);
    dirty('stock');
  }).catch(() => {});
  // Until the feed's snapshot arrives, show what the APIs say.
  const [stats, stock, purchases] = await Promise.allSettled([orders.stats(), inventory.stock(), inventory.purchases(100)]);
  if (!inApp) return;
  bootstrap(store, { stats: stats.value, inventory: stock.value, purchases: purchases.value });
  scheduleRender();
}

function leave(reasonKey) {
  if (!inApp && reasonKey !== 'boot') return;
  inApp = false;
  feed?.stop();
  feed = null;
  window.__comanda.feed = null;
  clearInterval(ticker);
  clearInterval(chartTicker);
  resetStore(store);
  history.reset();
  ui.deadLetters.reset();
  ui.order.reset();
  ui.progress.reset();
  ui.stock.reset();
  show(appView, false);
  show(connection, false);
  show(logoutButton, false);
  show(authBadge, false);
  show(loginView, true);
  login.show(reasonKey === 'boot' ? null : reasonKey);
}

whenUnauthorized(() => leave('sessionExpired'));

logoutButton.addEventListener('click', async () => {
  try { await session.logout(); } catch { /* gone anyway */ }
  leave(null);
});

// Toggles.
function drawMute() {
  // The text says the state ("Sound on" / "Sound off"); a click flips it.
  setAttr(muteButton, 'data-muted', String(isMuted()));
  setText(muteButton, isMuted() ? t('soundOff') : t('soundOn'));
}
muteButton.addEventListener('click', () => { setMuted(!isMuted()); drawMute(); });
langButton.addEventListener('click', () => setLang(getLang() === 'en' ? 'es' : 'en'));
onLangChange(() => {
  applyStatic();
  drawMute();
  onState(feed?.state || 'reconnecting');
  login.relabel();
  history.relabel();
  ui.recipes.relabel();
  ui.deadLetters.relabel();
  ui.order.relabel();
  ui.purchases.relabel();
  ui.pace.relabel();
  dirty('all');
});

addEventListener('online', () => feed?.kick());
addEventListener('offline', () => feed?.drop());
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') feed?.kick(); });

// Automation and debugging hooks: the store and the live feed.
window.__comanda = { store, feed: null };

// Boot.
applyStatic();
drawMute();
unlockOnGesture();
session.me().then(enter, () => leave('boot'));
