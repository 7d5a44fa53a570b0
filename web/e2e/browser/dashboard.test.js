// The dashboard against the real system (run.sh starts it): login, a live
// order of 20 dishes, history and timeline, a dropped feed that reconnects
// and catches up, refusals, Spanish. The system is shared by the tests of
// this file, so every check is relative to what was there before.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireSystem, launch, newPage, session, open, login, loginAndWaitLive, until, value, stockShown, screenshot, api,
} from '../lib/browser.js';

const T = { timeout: 60_000 };

const topPurchase = (page) => page.evaluate(() => document.querySelector('[data-testid="purchases"] li:not([hidden])')?.dataset.purchaseId ?? null);

describe('dashboard', () => {
  let browser;
  let state; // a shared session for the tests that are not about logging in
  before(async () => {
    requireSystem();
    browser = await launch();
    state = await session(browser);
  });
  after(async () => { await browser?.close(); });

  async function fresh(opts) {
    const p = await newPage(browser, opts);
    return p;
  }

  it('refuses a wrong password and stays on the login screen', T, async () => {
    const { context, page } = await fresh();
    try {
      await login(page, { password: 'not-the-password' });
      const error = page.getByTestId('login-error');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.textContent(), /wrong user name or password/i);
      assert.ok(await page.getByTestId('login-submit').isVisible(), 'still on the login screen');
      assert.equal(await page.getByTestId('order-quantity').isVisible(), false, 'the dashboard is not shown');
      const me = await api(context, 'GET', '/api/me');
      assert.equal(me.status, 401, 'no session was opened');
      await screenshot(page, 'login-refused');
    } finally {
      await context.close();
    }
  });

  it('answers 401 to the API without a session', T, async () => {
    const { context, page } = await fresh();
    try {
      await page.goto('/');
      // A plain fetch from a page of a fresh context: no cookie.
      const got = await page.evaluate(async () => {
        const out = {};
        for (const [method, path, body] of [
          ['GET', '/api/orders/orders/stats'],
          ['GET', '/api/inventory/inventory'],
          ['GET', '/api/kitchen/recipes'],
          ['POST', '/api/orders/orders', '{"quantity":1}'],
        ]) {
          const res = await fetch(path, { method, body, headers: body ? { 'Content-Type': 'application/json' } : {} });
          out[method + ' ' + path] = { status: res.status, body: await res.json() };
        }
        return out;
      });
      for (const [call, res] of Object.entries(got)) {
        assert.equal(res.status, 401, call);
        assert.equal(res.body?.error?.code, 'unauthorized', call);
      }
      await page.getByTestId('login-submit').waitFor({ state: 'visible' });
    } finally {
      await context.close();
    }
  });

  it('orders 20 dishes and watches them delivered, stock and purchases moving, without reloading', T, async () => {
    const { context, page } = await fresh();
    try {
      let navigations = 0;
      page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
      await loginAndWaitLive(page);
      const navigationsAtStart = navigations;
      const delivered0 = await until(async () => {
        const stats = await api(context, 'GET', '/api/orders/orders/stats');
        const shown = await value(page, 'count-delivered');
        return shown === stats.json.byStatus.delivered && stats.json.inProgress === 0 ? { ok: true, shown } : { ok: false, shown, stats: stats.json };
      }, { what: 'a quiet system' });
      const stock0 = await until(async () => {
        const s = await stockShown(page);
        return Object.keys(s).length === 10 ? s : null;
      }, { what: 'ten stock bars' });
      const purchase0 = await topPurchase(page);
      // Watch the in-progress counter and the board while it happens.
      await page.evaluate(() => {
        window.__seen = { inProgress: 0, cards: 0, flash: false };
        const watch = () => {
          window.__seen.flash ||= /flash/.test(document.querySelector('[data-testid="count-delivered"]').className);
          window.__seen.inProgress = Math.max(window.__seen.inProgress, Number(document.querySelector('[data-testid="count-in-progress"]').dataset.value));
          window.__seen.cards = Math.max(window.__seen.cards, document.querySelectorAll('.cards li:not([hidden])').length);
        };
        new MutationObserver(watch).observe(document.querySelector('#app-view'), { subtree: true, childList: true, characterData: true, attributes: true });
      });

      await page.getByTestId('order-quantity').fill('20');
      const placing = page.waitForResponse((r) => r.url().endsWith('/api/orders/orders') && r.request().method() === 'POST');
      await page.getByTestId('order-submit').click();
      const placed = await placing;
      const { orderIds } = await placed.json();
      assert.equal(orderIds.length, 20);
      assert.match(placed.request().headers()['idempotency-key'] || '', /^[0-9a-f-]{36}$/, 'the placement carries an idempotency key');
      await until(async () => /20 dishes ordered/i.test(await page.getByTestId('order-feedback').textContent()), { what: 'order feedback', timeout: 10_000 });

      await until(async () => (await value(page, 'count-delivered')) >= delivered0.shown + 20, { what: 'count-delivered to grow by 20', timeout: 45_000 });
      assert.equal(await value(page, 'count-delivered'), delivered0.shown + 20);
      await until(async () => (await value(page, 'count-in-progress')) === 0, { what: 'nothing in progress' });
      await until(async () => /20 of 20 delivered/.test(await page.getByTestId('placement').first().getByTestId('placement-status').textContent()), { what: 'the placement\'s progress' });
      const seen = await page.evaluate(() => window.__seen);
      assert.ok(seen.inProgress >= 1, `the in-progress counter moved (max ${seen.inProgress})`);
      assert.ok(seen.cards >= 1, `cards appeared on the kitchen board (max ${seen.cards})`);
      assert.ok(seen.flash, 'deliveries flashed the delivered counter');

      // Stock: the bars moved, and settle on what the warehouse says.
      const inventory = await until(async () => {
        const inv = await api(context, 'GET', '/api/inventory/inventory');
        const want = Object.fromEntries(inv.json.ingredients.map((i) => [i.ingredient, i.onHand]));
        const shown = await stockShown(page);
        return JSON.stringify(shown) === JSON.stringify(want) ? want : { ok: false, shown, want };
      }, { what: 'stock bars to match the inventory API' });
      assert.notDeepEqual(inventory, stock0, 'the stock changed');
      for (const [ingredient, onHand] of Object.entries(inventory)) {
        assert.ok((await page.getByTestId('stock-' + ingredient).textContent()).includes(String(onHand)), `stock-${ingredient} shows ${onHand}`);
      }
      const bars = await page.locator('[data-testid^="stock-"] .fill').evaluateAll((els) => els.map((e) => e.style.transform));
      assert.equal(bars.length, 10);
      assert.ok(bars.every((b) => /^scaleX\(\d(\.\d+)?\)$/.test(b)), `every bar has a length: ${bars}`);

      // Purchases: 20 dishes need more than 5 units of something.
      // The market may still be answering: the top settles on the newest.
      await until(async () => {
        const id = await topPurchase(page);
        const purchases = await api(context, 'GET', '/api/inventory/purchases?limit=1');
        return id && id !== purchase0 && id === purchases.json.purchases[0].id ? id : null;
      }, { what: 'the newest purchase on top' });

      // The history shows them too, delivered, without a reload.
      const rows = page.locator(orderIds.map((id) => `[data-testid="order-row-${id}"] [data-status="delivered"]`).join(', '));
      await until(async () => (await rows.count()) === 20, { what: 'the 20 orders delivered in the history' });

      assert.equal(navigations, navigationsAtStart, 'the page never reloaded');
      assert.deepEqual(page.errors, []);
      await screenshot(page, 'delivered-20');
    } finally {
      await context.close();
    }
  });

  it('refuses a bad quantity with the server\'s message, and orders nothing', T, async () => {
    const { context, page } = await fresh({ storageState: state });
    try {
      await open(page);
      const before = (await api(context, 'GET', '/api/orders/orders/stats')).json.total;
      const feedback = page.getByTestId('order-feedback');
      await page.getByTestId('order-quantity').fill('20000');
      await page.getByTestId('order-submit').click();
      await until(async () => /quantity must be a whole number between 1 and 10000/.test(await feedback.textContent()), { what: 'the server\'s message' });
      assert.match(await feedback.getAttribute('class'), /error/);
      await page.getByTestId('order-quantity').fill('0');
      await page.getByTestId('order-submit').click();
      await until(async () => /at least 1/.test(await feedback.textContent()), { what: 'the client\'s check' });
      assert.equal((await api(context, 'GET', '/api/orders/orders/stats')).json.total, before, 'nothing was ordered');
    } finally {
      await context.close();
    }
  });

  it('shows an order\'s timeline when it is clicked in the history, filters and searches', T, async () => {
    const { context, page } = await fresh({ storageState: state });
    try {
      await open(page);
      const placed = await api(context, 'POST', '/api/orders/orders', { quantity: 2 });
      assert.equal(placed.status, 202);
      const [id] = placed.json.orderIds;
      await until(async () => {
        const o = await api(context, 'GET', '/api/orders/orders/' + id);
        return o.json.status === 'delivered';
      }, { what: 'the order delivered' });

      // The history refreshes itself from the feed: the new order shows up.
      const row = page.getByTestId('order-row-' + id);
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await until(async () => (await row.locator('[data-status]').getAttribute('data-status')) === 'delivered', { what: 'row delivered' });
      await row.click();
      const timeline = page.getByTestId('timeline');
      await timeline.waitFor({ state: 'visible' });
      await until(async () => (await timeline.getAttribute('data-order-id')) === id, { what: 'timeline of the order' });
      const want = (await api(context, 'GET', '/api/orders/orders/' + id)).json;
      const steps = await timeline.locator('[data-testid="timeline-steps"] li').evaluateAll((els) => els.map((e) => e.dataset.status));
      assert.deepEqual(steps, want.timeline.map((s) => s.status));
      assert.equal(steps.at(-1), 'delivered');
      assert.deepEqual(steps.slice(0, 2), ['placed', 'queued']);
      await screenshot(page, 'timeline');

      // Filter by status: every row shown has it.
      await page.getByTestId('history-status').selectOption('delivered');
      await until(async () => {
        const statuses = await page.locator('[data-testid="order-history"] tbody tr:not([hidden]) [data-status]').evaluateAll((els) => els.map((e) => e.dataset.status));
        return statuses.length > 0 && statuses.every((s) => s === 'delivered');
      }, { what: 'only delivered rows' });

      // Search by the full id: exactly that row.
      await page.getByTestId('history-search').fill(placed.json.orderIds[1]);
      await page.getByTestId('history-search').press('Enter');
      await until(async () => {
        const ids = await page.locator('[data-testid="order-history"] tbody tr:not([hidden])').evaluateAll((els) => els.map((e) => e.dataset.testid));
        return ids.length === 1 && ids[0] === 'order-row-' + placed.json.orderIds[1];
      }, { what: 'the one searched row' });
      // An unknown id says so.
      await page.getByTestId('history-search').fill('00000000-0000-0000-0000-000000000000');
      await page.getByTestId('history-search').press('Enter');
      await until(async () => /no order has this id/i.test(await page.getByTestId('history-message').textContent()), { what: 'not found message' });
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  it('reconnects after the feed drops and catches up with what happened meanwhile', T, async () => {
    const { context, page } = await fresh({ storageState: state });
    try {
      const sockets = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      await open(page);
      const d1 = await until(async () => {
        const stats = await api(context, 'GET', '/api/orders/orders/stats');
        const shown = await value(page, 'count-delivered');
        return shown === stats.json.byStatus.delivered && stats.json.inProgress === 0 ? { ok: true, shown } : { ok: false, shown };
      }, { what: 'a quiet system' });
      await page.evaluate(() => {
        const el = document.querySelector('[data-testid="connection-state"]');
        window.__states = [el.dataset.state];
        new MutationObserver(() => window.__states.push(el.dataset.state)).observe(el, { attributes: true, attributeFilter: ['data-state'] });
      });

      // Cut the page's network (the test's own API calls go around it) and
      // drop the socket, as a lost connection would.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const offline = (on) => cdp.send('Network.emulateNetworkConditions', { offline: on, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await offline(true);
      await page.evaluate(() => window.__comanda.feed.drop());
      await page.locator('[data-testid="connection-state"][data-state="reconnecting"]').waitFor();
      assert.match(await page.getByTestId('connection-state').textContent(), /reconnecting/i);

      // Meanwhile, 15 more dishes are ordered and delivered.
      const placed = await api(context, 'POST', '/api/orders/orders', { quantity: 15 });
      assert.equal(placed.status, 202);
      await until(async () => {
        const s = await api(context, 'GET', '/api/orders/orders/stats');
        return s.json.byStatus.delivered >= d1.shown + 15 && s.json.inProgress === 0;
      }, { what: 'the 15 dishes delivered', timeout: 45_000 });
      assert.equal(await value(page, 'count-delivered'), d1.shown, 'nothing arrived while offline');
      assert.equal(await page.getByTestId('connection-state').getAttribute('data-state'), 'reconnecting');
      await screenshot(page, 'reconnecting');

      await offline(false);
      await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 20_000 });
      assert.match(await page.getByTestId('connection-state').textContent(), /live/i);
      await until(async () => (await value(page, 'count-delivered')) === d1.shown + 15, { what: 'caught up to +15', timeout: 20_000 });
      const states = await page.evaluate(() => window.__states);
      assert.deepEqual([states[0], states.at(-1)], ['live', 'live']);
      assert.ok(states.includes('reconnecting'), `went through reconnecting: ${states}`);
      assert.ok(sockets.length >= 2, 'a new socket was opened');
      assert.match(sockets.at(-1), /[?&]since=./, 'the reconnect resumes from the last cursor');
      assert.deepEqual(page.errors, []);
      await screenshot(page, 'reconnected');
    } finally {
      await context.close();
    }
  });

  it('switches to Spanish and remembers it', T, async () => {
    const { context, page } = await fresh();
    try {
      await page.goto('/');
      await page.getByTestId('lang-toggle').click();
      assert.equal(await page.getByTestId('login-submit').textContent(), 'Entrar');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
      await login(page); // reloads the page: the choice is remembered
      await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
      assert.equal(await page.getByTestId('order-submit').textContent(), 'Pedir');
      assert.match(await page.getByTestId('connection-state').textContent(), /en vivo/i);
      assert.match(await page.locator('#counters-title').textContent(), /Hoy/);
      assert.match(await page.getByTestId('board-waiting').textContent(), /Esperando ingredientes/);
      assert.match(await page.getByTestId('recipes').textContent(), /arroz con pollo/);
      await screenshot(page, 'spanish');
      await page.getByTestId('lang-toggle').click();
      assert.equal(await page.getByTestId('order-submit').textContent(), 'Order');
      assert.match(await page.getByTestId('connection-state').textContent(), /live/i);
      assert.match(await page.getByTestId('recipes').textContent(), /rice with chicken/);
    } finally {
      await context.close();
    }
  });

  it('goes back to the login screen when the session ends elsewhere', T, async () => {
    const own = await session(browser, { own: true }); // this test ends its session: not the shared one
    const { context, page } = await fresh({ storageState: own });
    try {
      await open(page);
      const out = await api(context, 'POST', '/api/logout');
      assert.equal(out.status, 204);
      await page.getByTestId('order-quantity').fill('1');
      await page.getByTestId('order-submit').click();
      await page.getByTestId('login-submit').waitFor({ state: 'visible' });
      assert.match(await page.getByTestId('login-error').textContent(), /session ended/i);
      assert.equal(await page.getByTestId('order-quantity').isVisible(), false);
    } finally {
      await context.close();
    }
  });

  it('leaves the live view by itself when the session is logged out in another browser', T, async () => {
    const own = await session(browser, { own: true });
    const { context, page } = await fresh({ storageState: own });
    const { context: other } = await fresh({ storageState: own });
    try {
      await open(page);
      await page.getByTestId('connection-state').waitFor({ state: 'visible' });
      // The other browser holds the same session and ends it; this page
      // does nothing: its feed is closed by the server (1008).
      const out = await api(other, 'POST', '/api/logout');
      assert.equal(out.status, 204);
      await page.getByTestId('login-submit').waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await page.getByTestId('login-error').textContent(), /session ended/i);
    } finally {
      await other.close();
      await context.close();
    }
  });

  it('refuses paths that leave the service\'s API, with a JSON error', T, async () => {
    const { context, page } = await fresh({ storageState: state });
    try {
      await open(page);
      const got = await page.evaluate(async () => {
        const out = {};
        for (const path of ['/api/orders/..%2f..%2fmetrics', '/api/orders/%2e%2e/ready', '/api/inventory/..%5c..%5cdocumentation/index.html']) {
          const res = await fetch(path);
          out[path] = { status: res.status, body: await res.json().catch(() => null) };
        }
        out.ok = (await fetch('/api/orders/orders/stats')).status;
        return out;
      });
      assert.equal(got.ok, 200, 'the legitimate path still works');
      // A browser resolves a dot segment it can read (%2e%2e) itself, so
      // that request arrives as another path, which no service serves.
      for (const [path, res] of Object.entries(got)) {
        if (path === 'ok') continue;
        assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
        assert.ok(['invalid_path', 'not_found'].includes(res.body?.error?.code), `${path}: ${JSON.stringify(res.body)}`);
      }
      assert.equal(got['/api/orders/..%2f..%2fmetrics'].status, 400);
    } finally {
      await context.close();
    }
  });

  it('mutes the delivery sound and remembers it', T, async () => {
    const { context, page } = await fresh({ storageState: state });
    try {
      await open(page);
      const mute = page.getByTestId('mute-toggle');
      assert.equal(await mute.getAttribute('data-muted'), 'false');
      assert.equal(await mute.textContent(), 'Sound on');
      await mute.click();
      assert.equal(await mute.getAttribute('data-muted'), 'true');
      assert.equal(await mute.textContent(), 'Sound off');
      await open(page);
      assert.equal(await mute.getAttribute('data-muted'), 'true', 'remembered across a reload');
      await mute.click();
      assert.equal(await mute.getAttribute('data-muted'), 'false');
    } finally {
      await context.close();
    }
  });

  it('logs out: back to the login screen, and the session no longer works', T, async () => {
    const { context, page } = await fresh();
    try {
      await loginAndWaitLive(page);
      assert.equal((await api(context, 'GET', '/api/me')).status, 200);
      const cookies = await context.cookies();
      await page.getByTestId('logout').click();
      await page.getByTestId('login-submit').waitFor({ state: 'visible' });
      assert.equal(await page.getByTestId('connection-state').isVisible(), false);
      assert.equal((await api(context, 'GET', '/api/me')).status, 401, 'the cookie is cleared');
      // The old token itself was revoked, not only forgotten by the browser.
      await context.addCookies(cookies);
      assert.equal((await api(context, 'GET', '/api/me')).status, 401, 'the old session is revoked');
      assert.equal((await api(context, 'GET', '/api/orders/orders/stats')).status, 401);
    } finally {
      await context.close();
    }
  });
});
