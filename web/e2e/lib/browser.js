// Shared set-up of the browser tests: where the system is (run.sh starts it
// and exports COMANDA_*), one headless Chromium per test file, logging in,
// polling helpers, screenshots under <repo>/artifacts/screenshots/.

import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');

export const BASE_URL = process.env.COMANDA_URL || '';
export const USER = process.env.COMANDA_USER || 'manager';
export const PASSWORD = process.env.COMANDA_PASSWORD || '';
export const ARTIFACTS = process.env.COMANDA_ARTIFACTS || join(repo, 'artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function requireSystem() {
  if (!BASE_URL || !PASSWORD) {
    throw new Error('COMANDA_URL and COMANDA_PASSWORD are not set: run the browser tests with `bash web/e2e/run.sh`');
  }
}

// launch starts Chromium. Playwright gives every launch a fresh temporary
// profile (its own --user-data-dir, removed at close; it refuses the flag in
// args), and every test takes a fresh context on top of it.
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    timeout: 30_000,
  });
}

export async function newPage(browser, { locale = 'en-US', viewport = { width: 1440, height: 1000 }, ...options } = {}) {
  const context = await browser.newContext({ baseURL: BASE_URL, locale, viewport, ...options });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // Uncaught exceptions, and anything the Content Security Policy blocked.
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) errors.push(m.text()); });
  page.errors = errors;
  return { context, page };
}

// session returns a browser state (the session cookie) for contexts to start
// from. The gateway allows ten logins a minute from one address, so tests
// that are not about logging in share one session: run.sh logs in once and
// exports COMANDA_TOKEN; without it, this logs in through the API.
export async function session(browser, { own = false } = {}) {
  const token = own ? '' : process.env.COMANDA_TOKEN;
  if (token) {
    const { hostname } = new URL(BASE_URL);
    return { cookies: [{ name: 'comanda_session', value: token, domain: hostname, path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Strict' }], origins: [] };
  }
  const context = await browser.newContext({ baseURL: BASE_URL });
  try {
    const res = await context.request.post(BASE_URL + '/api/login', { data: { username: USER, password: PASSWORD } });
    if (res.status() !== 200) throw new Error(`logging in through the API: ${res.status()} ${await res.text()}`);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

// open shows the dashboard of a context that already has a session.
export async function open(page) {
  await page.goto('/');
  await page.getByTestId('order-quantity').waitFor({ state: 'visible' });
  await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
}

export async function login(page, { user = USER, password = PASSWORD } = {}) {
  await page.goto('/');
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

export async function loginAndWaitLive(page) {
  await login(page);
  await page.getByTestId('order-quantity').waitFor({ state: 'visible' });
  await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor();
}

// until polls fn until it returns a truthy value, or fails with what it
// last saw.
export async function until(fn, { timeout = 30_000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last && (typeof last !== 'object' || last.ok !== false)) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// value reads a number shown by a test id: its data-value, or the digits of
// its text.
export async function value(page, testid) {
  return page.getByTestId(testid).evaluate((el) => Number(el.dataset.value ?? el.dataset.onHand ?? el.textContent.replace(/\D/g, '')));
}

export async function stockShown(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid^="stock-"]')]
    .filter((el) => el.dataset.onHand !== undefined)
    .map((el) => [el.dataset.testid.slice('stock-'.length), Number(el.querySelector('[data-role="on-hand"]').textContent.replace(/\D/g, ''))])));
}

export async function screenshot(page, name) {
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name + '.png');
  await page.screenshot({ path, fullPage: true });
  return path;
}

// api calls the gateway with the context's cookies (context.request shares
// them), outside the page's network (so CDP offline emulation does not
// touch it).
export async function api(context, method, path, body) {
  const res = await context.request.fetch(BASE_URL + path, {
    method,
    data: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    timeout: 15_000,
  });
  let json = null;
  try { json = await res.json(); } catch { /* empty */ }
  return { status: res.status(), json };
}
