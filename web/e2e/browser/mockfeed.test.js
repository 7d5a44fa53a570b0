// The dashboard on a feed the test plays itself (Playwright's
// routeWebSocket stands in for /ws; everything else is the real system):
// 10,000 dishes in flight, resuming with the cursor after a 1013, dead
// letters and their Replay button, tablet layouts.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireSystem, launch, newPage, session, until, value, screenshot, ARTIFACTS } from '../lib/browser.js';
import { FakeFeed } from '../lib/fakefeed.js';

const T = { timeout: 60_000 };
const WS = /\/ws(\?.*)?$/;
const ONE_REPLAY = /^\/api\/orders\/dead-letters\/[^/]+\/replay$/;
const BULK_REPLAY = '/api/orders/dead-letters/replay';

describe('dashboard on a played feed', () => {
  let browser;
  let state;
  before(async () => {
    requireSystem();
    browser = await launch();
    state = await session(browser);
  });
  after(async () => { await browser?.close(); });

  it('stays responsive with 10,000 dishes in flight and draws only what is visible', T, async (t) => {
    const { context, page } = await newPage(browser, { storageState: state });
    try {
      const fake = new FakeFeed(10_000);
      let socket = null;
      await page.routeWebSocket(WS, (ws) => {
        socket = ws;
        ws.send(JSON.stringify(fake.snapshot()));
      });
      await page.goto('/');
      await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
      await until(async () => (await value(page, 'count-in-progress')) === 10_000, { what: '10,000 in progress' });
      assert.equal(await page.getByTestId('count-in-progress').textContent(), '10,000');
      assert.match(await page.getByTestId('board-waiting').textContent(), /Buying: tomato, cheese/);
      assert.match(await page.getByTestId('board-waiting').locator('.needs').first().textContent(), /tomato ×2/);

      // Play 50 frames of 1,200 changes each (one every 100 ms) while the
      // page counts its animation frames and long tasks.
      await page.evaluate(() => {
        window.__perf = { frames: 0, longTasks: 0, longest: 0, worstGap: 0 };
        let last = performance.now();
        const tick = (now) => {
          window.__perf.frames++;
          window.__perf.worstGap = Math.max(window.__perf.worstGap, now - last);
          last = now;
          if (!window.__perf.stop) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) { window.__perf.longTasks++; window.__perf.longest = Math.max(window.__perf.longest, e.duration); }
        }).observe({ type: 'longtask' });
        window.__perf.start = performance.now();
      });
      for (let i = 0; i < 50; i++) {
        socket.send(JSON.stringify(fake.step(300)));
        await new Promise((r) => setTimeout(r, 100));
      }
      const perf = await page.evaluate(() => {
        window.__perf.stop = true;
        const p = window.__perf;
        const seconds = (performance.now() - p.start) / 1000;
        return { seconds, fps: p.frames / seconds, worstFrameGapMs: p.worstGap, longTasks: p.longTasks, longestTaskMs: p.longest, domElements: document.getElementsByTagName('*').length };
      });
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'dashboard-10k-perf.json'), JSON.stringify(perf, null, 2));
      t.diagnostic(`10,000 in flight, 12,000 changes/s: ${JSON.stringify(perf)}`);

      await until(async () => (await value(page, 'count-delivered')) === fake.counts.delivered, { what: 'delivered count' });
      assert.equal(await value(page, 'count-in-progress'), fake.counts.inProgress);
      // The pace charts counted every delivery, each with its time from placed.
      await until(async () => Number(await page.getByTestId('rate-chart').getAttribute('data-sum')) === fake.counts.delivered, { what: 'the deliveries charted' });
      assert.equal(Number(await page.getByTestId('latency-chart').getAttribute('data-samples')), fake.counts.delivered);
      // Only what is visible is drawn: at most 50 cards a column, and the rest counted.
      for (const col of ['board-queued', 'board-waiting', 'board-preparing']) {
        const cards = await page.getByTestId(col).locator('.cards > li:not([hidden])').count();
        assert.ok(cards > 0 && cards <= 50, `${col}: ${cards} cards`);
        assert.match(await page.getByTestId(col).locator('.more').textContent(), /^\+[\d,]+ more$/);
      }
      const shown = await Promise.all(['board-queued', 'board-waiting', 'board-preparing'].map((c) => page.getByTestId(c).locator('.count').textContent()));
      const total = shown.reduce((a, s) => a + Number(s.replace(/\D/g, '')), 0);
      assert.equal(total, fake.counts.inProgress, 'the columns count every order in flight');
      assert.ok(perf.domElements < 3000, `DOM stays small: ${perf.domElements} elements`);
      // Purchases: newest first, zero answers marked.
      const rows = await page.getByTestId('purchases').locator('li:not([hidden])').evaluateAll((els) => els.map((e) => [e.dataset.purchaseId, e.classList.contains('zero')]));
      assert.equal(rows[0][0], 'p-50');
      assert.equal(rows.length, 50);
      assert.deepEqual(rows.filter(([, zero]) => zero).map(([id]) => id).slice(0, 2), ['p-48', 'p-44']);
      assert.deepEqual(page.errors, []);
      await screenshot(page, 'board-10k');
    } finally {
      await context.close();
    }
  });

  it('resumes with its cursor after a 1013 and takes a fresh snapshot when the server sends one', T, async () => {
    const { context, page } = await newPage(browser, { storageState: state });
    try {
      const fake = new FakeFeed(30);
      const urls = [];
      let socket = null;
      await page.routeWebSocket(WS, (ws) => {
        urls.push(ws.url());
        socket = ws;
        if (urls.length === 1) ws.send(JSON.stringify(fake.snapshot()));
      });
      await page.goto('/');
      await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
      socket.send(JSON.stringify(fake.step(2)));
      await until(async () => (await value(page, 'count-delivered')) === 2, { what: 'first frame applied' });
      const cursor = fake.cursor();

      await page.evaluate(() => {
        const el = document.querySelector('[data-testid="connection-state"]');
        window.__states = [];
        new MutationObserver(() => window.__states.push(el.dataset.state)).observe(el, { attributes: true, attributeFilter: ['data-state'] });
      });
      socket.close({ code: 1013, reason: 'too slow' });
      await until(() => urls.length === 2, { what: 'a reconnect' });
      assert.equal(new URL(urls[1]).searchParams.get('since'), cursor);
      // The server no longer knows the cursor: a fresh snapshot replaces all.
      const other = new FakeFeed(4);
      other.counts.delivered = 500;
      other.counts.placed += 500;
      socket.send(JSON.stringify(other.snapshot()));
      await until(async () => (await value(page, 'count-delivered')) === 500, { what: 'the new snapshot' });
      assert.equal(await value(page, 'count-in-progress'), 4);
      const ids = await page.locator('.cards > li:not([hidden])').evaluateAll((els) => els.map((e) => e.dataset.orderId));
      assert.deepEqual(ids.sort(), [...other.orders.keys()].sort());
      const states = await page.evaluate(() => window.__states);
      assert.deepEqual(states, ['reconnecting', 'live']);
    } finally {
      await context.close();
    }
  });

  it('lists dead letters with their reason and replays one', T, async () => {
    const { context, page } = await newPage(browser, { storageState: state });
    try {
      const fake = new FakeFeed(0);
      let socket = null;
      await page.routeWebSocket(WS, (ws) => { socket = ws; ws.send(JSON.stringify(fake.snapshot())); });
      let letters = [
        { id: '1795440000000-0', orderId: '019a-order-a', group: 'inventory', type: 'kitchen.ingredients-requested', reason: 'unknown ingredient "saffron"', deliveries: 5, at: new Date().toISOString() },
        { id: '1795440000001-0', orderId: '019a-order-b', group: 'kitchen', type: 'order.placed', reason: 'decoding envelope: unexpected end of JSON input', deliveries: 1, at: new Date().toISOString() },
      ];
      const replayed = [];
      await page.route((url) => ONE_REPLAY.test(url.pathname), async (route) => {
        const id = decodeURIComponent(route.request().url().split('/').at(-2));
        replayed.push([route.request().method(), id]);
        const d = letters.find((l) => l.id === id);
        letters = letters.filter((l) => l.id !== id);
        await route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify(d) });
      });
      await page.route((url) => url.pathname === '/api/orders/dead-letters', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ deadLetters: letters }) }));
      await page.goto('/');
      const list = page.getByTestId('dead-letters');
      await page.getByTestId('dead-letter-1795440000000-0').waitFor();
      assert.match(await list.textContent(), /unknown ingredient "saffron"/);
      assert.match(await list.textContent(), /decoding envelope/);
      await page.getByTestId('replay-1795440000000-0').click();
      await page.getByTestId('dead-letter-1795440000000-0').waitFor({ state: 'detached' });
      assert.deepEqual(replayed, [['POST', '1795440000000-0']]);
      assert.match(await page.locator('#dead-message').textContent(), /Replayed/);
      assert.equal(await list.locator('li').count(), 1);
      // A new dead letter in the feed makes the list read again.
      letters.push({ id: '1795440000002-0', orderId: '019a-order-c', group: 'orders', type: 'kitchen.dish-delivered', reason: 'store unavailable', deliveries: 5, at: new Date().toISOString() });
      const frame = fake.step(0);
      frame.counts.failed = 1;
      frame.deadLetters = [{ orderId: '019a-order-c', group: 'orders', type: 'kitchen.dish-delivered', reason: 'store unavailable', at: new Date().toISOString() }];
      socket.send(JSON.stringify(frame));
      await page.getByTestId('dead-letter-1795440000002-0').waitFor({ timeout: 10_000 });
      await screenshot(page, 'dead-letters');
    } finally {
      await context.close();
    }
  });

  it('replays every dead letter after a confirmation', T, async () => {
    const { context, page } = await newPage(browser, { storageState: state });
    try {
      const fake = new FakeFeed(0);
      await page.routeWebSocket(WS, (ws) => { ws.send(JSON.stringify(fake.snapshot())); });
      let letters = ['1795440000010-0', '1795440000011-0', '1795440000012-0'].map((id, i) => (
        { id, orderId: '019a-order-' + i, group: 'inventory', type: 'kitchen.ingredients-requested', reason: 'no saffron ' + i, deliveries: 5, at: new Date().toISOString() }));
      const bulk = [];
      await page.route((url) => url.pathname === BULK_REPLAY, async (route) => {
        const { ids } = route.request().postDataJSON();
        bulk.push(ids);
        // The last one keeps failing to replay: it stays, with its reason.
        const stuck = '1795440000012-0';
        const replayed = letters.filter((l) => ids.includes(l.id) && l.id !== stuck);
        letters = letters.filter((l) => !replayed.includes(l));
        await route.fulfill({ contentType: 'application/json', body: JSON.stringify({
          replayed: replayed.map((l) => ({ id: l.id, orderId: l.orderId, stream: 'comanda:kitchen', group: l.group, type: l.type, orderReopened: true })),
          notReplayed: ids.includes(stuck) ? [{ id: stuck, code: 'dead_letter_unreplayable', message: 'this dead letter names no stream' }] : [],
          more: false,
        }) });
      });
      await page.route((url) => url.pathname === '/api/orders/dead-letters', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ deadLetters: letters }) }));
      await page.goto('/');
      await page.getByTestId('dead-letter-1795440000012-0').waitFor();
      // Cancelling sends nothing.
      await page.getByTestId('replay-all').click();
      const confirmation = page.getByTestId('replay-all-confirmation');
      await confirmation.waitFor();
      assert.match(await confirmation.textContent(), /every dead letter.*3 listed/);
      await page.getByTestId('replay-all-cancel').click();
      await confirmation.waitFor({ state: 'hidden' });
      assert.deepEqual(bulk, []);
      await page.getByTestId('replay-all').click();
      await page.getByTestId('replay-all-yes').click();
      await page.getByTestId('dead-letter-1795440000010-0').waitFor({ state: 'detached' });
      await until(async () => /Replayed 2; 1 could not be: this dead letter names no stream/.test(await page.locator('#dead-message').textContent()), { what: 'replay-all report' });
      // One bulk call with every listed id; the refused one is not sent again.
      assert.deepEqual(bulk, [['1795440000010-0', '1795440000011-0', '1795440000012-0']]);
      assert.equal(await page.getByTestId('dead-letters').locator('li').count(), 1);
      await screenshot(page, 'dead-letters-replay-all');
    } finally {
      await context.close();
    }
  });

  it('sends every placement with a fresh idempotency key, and the same key when it retries one', T, async () => {
    const { context, page } = await newPage(browser, { storageState: state });
    try {
      const fake = new FakeFeed(0);
      await page.routeWebSocket(WS, (ws) => { ws.send(JSON.stringify(fake.snapshot())); });
      const sent = [];
      let drops = 1;
      await page.route((url) => url.pathname === '/api/orders/orders', async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        sent.push(route.request().headers()['idempotency-key']);
        // The first placement never gets its answer: the network failed.
        if (drops-- > 0) return route.abort('failed');
        return route.continue();
      });
      await page.goto('/');
      await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
      await page.getByTestId('order-quantity').fill('2');
      await page.getByTestId('order-submit').click();
      await until(async () => /2 dishes ordered/i.test(await page.getByTestId('order-feedback').textContent()), { what: 'placement after a retry' });
      assert.equal(sent.length, 2, 'one retry');
      assert.match(sent[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(sent[1], sent[0], 'the retry carries the same key');
      // The next placement is a new one, under a new key.
      await page.getByTestId('order-submit').click();
      await until(async () => sent.length === 3, { what: 'second placement' });
      assert.notEqual(sent[2], sent[0]);
    } finally {
      await context.close();
    }
  });

  for (const [label, viewport] of [['tablet-landscape', { width: 1024, height: 768 }], ['tablet-portrait', { width: 768, height: 1024 }], ['laptop', { width: 1366, height: 768 }]]) {
    it(`fits a ${label} screen (${viewport.width}×${viewport.height}) without sideways scrolling`, T, async () => {
      const { context, page } = await newPage(browser, { viewport, storageState: state });
      try {
        const fake = new FakeFeed(600);
        await page.routeWebSocket(WS, (ws) => ws.send(JSON.stringify(fake.snapshot())));
        await page.goto('/');
        await until(async () => (await value(page, 'count-in-progress')) === 600, { what: 'snapshot' });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
        // Every section is on screen side by side or stacked, none squeezed to nothing.
        const widths = await page.locator('#app-view > section').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
        assert.ok(widths.every((w) => w >= 250), `section widths: ${widths}`);
        await screenshot(page, label);
      } finally {
        await context.close();
      }
    });
  }
});
