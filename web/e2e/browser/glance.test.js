// The day at a glance, against the real system: ordering dishes puts points
// on the pace charts (the dishes-per-second series sums to the dishes
// delivered; the placed→delivered quantiles match the placement's time) and
// fills the placement's progress bar to N of N with a final elapsed time, in
// English and Spanish; on a played feed, a placement with a failed dish.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireSystem, launch, newPage, session, open, until, value, screenshot } from '../lib/browser.js';

const T = { timeout: 90_000 };
const attrs = (loc) => loc.evaluate((el) => ({ ...el.dataset, ...Object.fromEntries([...el.attributes].filter((a) => a.name.startsWith('aria-')).map((a) => [a.name, a.value])) }));

async function order(page, n) {
  await page.getByTestId('order-quantity').fill(String(n));
  const placing = page.waitForResponse((r) => r.url().endsWith('/api/orders/orders') && r.request().method() === 'POST');
  await page.getByTestId('order-submit').click();
  return (await placing).json();
}

describe('the day at a glance', () => {
  let browser;
  let state;
  before(async () => {
    requireSystem();
    browser = await launch();
    state = await session(browser);
  });
  after(async () => { await browser?.close(); });

  it('charts the dishes delivered and their times, and shows each placement reaching N of N', T, async () => {
    const { context, page } = await newPage(browser, { storageState: state, locale: 'en-US' });
    try {
      await open(page);
      const delivered0 = await value(page, 'count-delivered');
      const placed = await order(page, 12);
      assert.equal(placed.orderIds.length, 12);
      const row = page.locator(`[data-testid="placement"][data-batch-id="${placed.batchId}"]`);
      await row.waitFor();
      assert.match(await row.locator('.placement-label').textContent(), /· 12 dishes$/);
      const bar = row.getByTestId('placement-bar');
      assert.equal(await bar.getAttribute('role'), 'progressbar');
      assert.equal(await bar.getAttribute('aria-valuemax'), '12');

      const done = await until(async () => {
        const a = await attrs(row);
        return a.done === 'true' ? a : { ok: false, ...a };
      }, { what: 'the placement done', timeout: 60_000 });
      assert.equal(done.delivered, '12');
      assert.equal(done.failed, '0');
      assert.equal(await bar.getAttribute('aria-valuenow'), '12');
      assert.equal(await bar.getAttribute('aria-valuetext'), '12 of 12 delivered');
      assert.equal(await row.getByTestId('placement-status').textContent(), '12 of 12 delivered');
      const elapsed = Number(done.elapsedMs);
      assert.ok(elapsed > 0, `elapsed ${elapsed} ms`);
      assert.match(await row.getByTestId('placement-elapsed').textContent(), /^done in \d+\.\d s$/);
      // Final: the clock has stopped.
      await page.waitForTimeout(1500);
      assert.equal(Number(await row.getAttribute('data-elapsed-ms')), elapsed, 'the final time no longer moves');

      // The charts: every dish this page saw delivered is one point's worth,
      // and each has its placed→delivered time.
      const rate = page.getByTestId('rate-chart');
      const latency = page.getByTestId('latency-chart');
      const sums = await until(async () => {
        const seen = (await value(page, 'count-delivered')) - delivered0;
        const sum = Number(await rate.getAttribute('data-sum'));
        const samples = Number(await latency.getAttribute('data-samples'));
        return seen >= 12 && sum === seen && samples === seen ? { sum, samples } : { ok: false, seen, sum, samples };
      }, { what: 'the charts to count every delivery' });
      assert.ok(sums.sum >= 12);
      assert.equal(await rate.getAttribute('data-points'), '300', 'one point a second over five minutes');
      assert.ok(Number(await rate.getAttribute('data-peak')) >= 1);
      assert.ok(Number(await latency.getAttribute('data-points')) >= 1, 'at least one 5-second bucket has quantiles');
      const p50 = Number(await latency.getAttribute('data-p50-ms'));
      const p95 = Number(await latency.getAttribute('data-p95-ms'));
      assert.ok(p50 > 0 && p50 <= p95, `p50 ${p50} ≤ p95 ${p95}`);
      if (sums.sum === 12) {
        // Only this placement: its slowest dish is its elapsed time.
        assert.ok(Math.abs(p95 - elapsed) <= 50, `p95 ${p95} ms is the placement's ${elapsed} ms`);
      }
      assert.ok(await rate.locator('canvas').count() >= 1, 'uPlot drew the chart');
      assert.match(await page.getByTestId('pace-summary').textContent(), /delivered, at most \d+ a second; placed to delivered: median [\d.]+ s, p95 [\d.]+ s/);

      // Newest first, and at most ten.
      const second = await order(page, 2);
      const batches = [second.batchId];
      for (let i = 0; i < 9; i++) batches.unshift((await order(page, 1)).batchId);
      await until(async () => (await page.locator('[data-testid="placement"]:not([hidden])').count()) === 10, { what: 'ten placements' });
      const shown = await page.locator('[data-testid="placement"]:not([hidden])').evaluateAll((els) => els.map((e) => e.dataset.batchId));
      assert.deepEqual(shown, batches, 'the latest ten, newest first');
      assert.ok(!shown.includes(placed.batchId), 'the eleventh from the top is gone');
      await until(async () => (await page.locator('[data-testid="placement"]:not([hidden])[data-done="true"]').count()) === 10, { what: 'all ten done', timeout: 60_000 });

      // Spanish: the same panels, relabelled.
      await page.getByTestId('lang-toggle').click();
      assert.match(await page.locator('#pace-title').textContent(), /Entregas, últimos 5 minutos/);
      assert.match(await page.locator('#placements-title').textContent(), /Últimos pedidos/);
      assert.match(await rate.getAttribute('aria-label'), /platos entregados por segundo/);
      assert.match(await latency.getAttribute('aria-label'), /de pedido a entregado/);
      const top = page.locator('[data-testid="placement"]:not([hidden])').first();
      assert.match(await top.locator('.placement-label').textContent(), /· 1 plato$/);
      assert.equal(await top.getByTestId('placement-status').textContent(), '1 de 1 entregados');
      assert.match(await top.getByTestId('placement-elapsed').textContent(), /^listo en \d+,\d s$/);
      await until(async () => /entregados, como mucho \d+ por segundo; de pedido a entregado: mediana [\d,]+ s/.test(await page.getByTestId('pace-summary').textContent()), { what: 'the summary in Spanish' });
      assert.match(await page.locator('#rate-chart .u-legend').textContent(), /Platos/);
      await screenshot(page, 'glance-es');
      await page.getByTestId('lang-toggle').click();
      assert.match(await page.locator('#pace-title').textContent(), /Deliveries, last 5 minutes/);
      assert.match(await page.locator('#rate-chart .u-legend').textContent(), /Dishes/);
      assert.deepEqual(page.errors, []);
      await screenshot(page, 'glance');
    } finally {
      await context.close();
    }
  });

  it('shows a placement\'s failed dishes on a played feed', T, async () => {
    const { context, page } = await newPage(browser, { storageState: state });
    try {
      let socket = null;
      let seq = 0;
      const now = () => new Date().toISOString();
      const frame = (orders) => JSON.stringify({ type: 'events', cursor: 'mock:' + ++seq, at: now(), counts: { placed: 3, inProgress: 0, delivered: 2, failed: 1 }, orders, stock: [], buying: [], purchases: [], deadLetters: [] });
      await page.routeWebSocket(/\/ws(\?.*)?$/, (ws) => {
        socket = ws;
        ws.send(JSON.stringify({ type: 'snapshot', cursor: 'mock:0', at: now(), counts: { placed: 0, inProgress: 0, delivered: 0, failed: 0 }, orders: [], stock: [], buying: [], purchases: [], deadLetters: [] }));
      });
      await page.goto('/');
      await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
      const placed = await order(page, 3);
      const [a, b, c] = placed.orderIds;
      const t = Date.now();
      const placedAt = placed.placedAt;
      socket.send(frame([
        { id: a, stage: 'delivered', recipe: 'pizza', at: now(), t, placedAt },
        { id: b, stage: 'failed', reason: 'unknown ingredient', at: now(), t },
      ]));
      const row = page.locator(`[data-testid="placement"][data-batch-id="${placed.batchId}"]`);
      await until(async () => (await row.getAttribute('data-failed')) === '1', { what: 'the failed dish counted' });
      assert.equal(await row.getAttribute('data-done'), 'false');
      assert.match(await row.getByTestId('placement-elapsed').textContent(), /so far$/);
      socket.send(frame([{ id: c, stage: 'delivered', recipe: 'salad', at: now(), t: t + 1, placedAt }]));
      await until(async () => (await row.getAttribute('data-done')) === 'true', { what: 'the placement done' });
      assert.equal(await row.getByTestId('placement-status').textContent(), '2 of 3 delivered, 1 failed');
      assert.equal(await row.getByTestId('placement-bar').getAttribute('aria-valuenow'), '2');
      const fills = await row.locator('.fill').evaluateAll((els) => els.map((e) => e.style.transform));
      assert.match(fills[1], /scaleX\(0\.333/, `the failed part is a third: ${fills}`);
      await until(async () => (await page.getByTestId('rate-chart').getAttribute('data-sum')) === '2', { what: 'two deliveries charted' });
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });
});
