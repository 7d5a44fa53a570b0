// Accessibility basics, checked by axe-core on the login screen and on a
// busy dashboard (a played feed fills the board): labels, names, contrast,
// landmarks. Serious and critical findings fail the test.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { requireSystem, launch, newPage, session, until, value } from '../lib/browser.js';
import { FakeFeed } from '../lib/fakefeed.js';

const T = { timeout: 60_000 };
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function audit(page) {
  // The page's CSP refuses injected scripts: the context bypasses it (see
  // newPage below), for this audit only.
  await page.addScriptTag({ path: axePath });
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility', () => {
  let browser;
  let state;
  before(async () => {
    requireSystem();
    browser = await launch();
    state = await session(browser);
  });
  after(async () => { await browser?.close(); });

  it('has no serious problems on the login screen', T, async () => {
    const { context, page } = await newPage(browser, { bypassCSP: true });
    try {
      await page.goto('/');
      await page.getByTestId('login-submit').waitFor();
      assert.deepEqual(await audit(page), []);
    } finally {
      await context.close();
    }
  });

  for (const lang of ['en', 'es']) {
    it(`has no serious problems on a busy dashboard (${lang})`, T, async () => {
      const { context, page } = await newPage(browser, { bypassCSP: true, storageState: state, locale: lang === 'es' ? 'es-ES' : 'en-US' });
      try {
        const fake = new FakeFeed(300);
        fake.step(20);
        await page.routeWebSocket(/\/ws(\?.*)?$/, (ws) => ws.send(JSON.stringify(fake.snapshot())));
        await page.goto('/');
        await until(async () => (await value(page, 'count-in-progress')) === fake.counts.inProgress, { what: 'snapshot' });
        assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
        assert.deepEqual(await audit(page), []);
      } finally {
        await context.close();
      }
    });
  }
});
