// Measures the live feed and the dashboard during a burst (issue 3's closing
// numbers): CLIENTS WebSocket clients through the gateway, one dashboard in
// headless Chromium, DISHES ordered at once. Prints and writes
// artifacts/feed-measure.json and a mid-burst screenshot. Not a test: it
// asserts nothing. Run it with `bash web/e2e/run.sh measure`.

import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, newPage, session, open, screenshot, BASE_URL, USER, PASSWORD, ARTIFACTS, requireSystem } from '../lib/browser.js';

const CLIENTS = Number(process.env.CLIENTS || 100);
const DISHES = Number(process.env.DISHES || 10_000);
const PROCESSES = Number(process.env.CLIENT_PROCESSES || 2);
const LIMIT_S = Number(process.env.MEASURE_LIMIT_S || 600);
const here = dirname(fileURLToPath(import.meta.url));

requireSystem();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, token, body) {
  const res = await fetch(BASE_URL + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return res.json();
}

const token = process.env.COMANDA_TOKEN || (await (await fetch(BASE_URL + '/api/login', {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASSWORD }),
})).json()).token;
const wsURL = BASE_URL.replace(/^http/, 'ws') + '/ws?token=' + encodeURIComponent(token);

// 1. The clients, spread over a few processes.
const children = [];
const tmp = mkdtempSync(join(tmpdir(), 'comanda-measure-'));
for (let p = 0; p < PROCESSES; p++) {
  const n = Math.floor(CLIENTS / PROCESSES) + (p < CLIENTS % PROCESSES ? 1 : 0);
  const out = join(tmp, `clients-${p}.json`);
  const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', join(here, 'clients.mjs'), wsURL, String(n), String(LIMIT_S + 60), out], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push({ child, done: new Promise((r) => child.on('exit', () => r(out))) });
}

// 2. The dashboard, with Chromium's own counters.
const browser = await launch();
const state = await session(browser);
const { context, page } = await newPage(browser, { storageState: state });
await open(page);
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
await sleep(2000); // every client has its snapshot

const before = await call('GET', '/api/orders/orders/stats', token);
await page.evaluate(() => {
  window.__perf = { frames: 0, worstGap: 0, last: performance.now() };
  const tick = (now) => {
    window.__perf.frames++;
    window.__perf.worstGap = Math.max(window.__perf.worstGap, now - window.__perf.last);
    window.__perf.last = now;
    if (!window.__perf.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
const m0 = await metrics();
const start = Date.now();
const placed = await call('POST', '/api/orders/orders', token, { quantity: DISHES });
console.error(`measure: ordered ${placed.quantity} dishes in ${Date.now() - start} ms`);

// 3. Wait for the burst to end; a screenshot in the middle.
let shot = null;
let end = 0;
for (;;) {
  const s = await call('GET', '/api/orders/orders/stats', token);
  const done = s.byStatus.delivered + s.byStatus.failed - before.byStatus.delivered - before.byStatus.failed;
  if (!shot && done >= DISHES / 2) shot = await screenshot(page, 'dashboard-mid-burst');
  if (done >= DISHES) { end = Date.now(); break; }
  if (Date.now() - start > LIMIT_S * 1000) { console.error('measure: the burst did not end in time'); end = Date.now(); break; }
  await sleep(250);
}
await sleep(1000); // the last frames
const m1 = await metrics();
const page1 = await page.evaluate(() => { window.__perf.stop = true; return window.__perf; });
const seconds = (end - start) / 1000;
for (const { child } of children) child.kill('SIGTERM');
const results = (await Promise.all(children.map((c) => c.done))).flatMap((out) => JSON.parse(readFileSync(out, 'utf8')));
rmSync(tmp, { recursive: true, force: true });
await browser.close();

// 4. Numbers.
const hist = new Map();
let frames = 0;
let bytes = 0;
let drops = 0;
for (const c of results) {
  for (const [at, b] of c.frames) if (at >= start && at <= end + 1000) { frames++; bytes += b; }
  for (const [d, n] of Object.entries(c.delays)) hist.set(Number(d), (hist.get(Number(d)) || 0) + n);
  if (c.closes.some((code) => code === 1013)) drops++;
}
const sorted = [...hist.entries()].sort((a, b) => a[0] - b[0]);
const total = sorted.reduce((a, [, n]) => a + n, 0);
const pct = (p) => {
  let seen = 0;
  for (const [d, n] of sorted) { seen += n; if (seen >= p * total) return d; }
  return null;
};
const span = seconds + 1;
const out = {
  clients: CLIENTS,
  dishes: DISHES,
  burstSeconds: seconds,
  dishesPerSecond: DISHES / seconds,
  delayMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: sorted.at(-1)?.[0] ?? null, items: total },
  perClient: { framesPerSecond: frames / results.length / span, bytesPerSecond: bytes / results.length / span },
  clientsDroppedAsTooSlow: drops,
  dashboard: {
    framesPerSecond: page1.frames / span,
    worstFrameGapMs: Math.round(page1.worstGap),
    // Share of one core the renderer's main thread was busy.
    cpu: (m1.TaskDuration - m0.TaskDuration) / span,
    scriptSeconds: m1.ScriptDuration - m0.ScriptDuration,
    layoutSeconds: m1.LayoutDuration - m0.LayoutDuration,
    heapMB: m1.JSHeapUsedSize / 2 ** 20,
    domNodes: m1.Nodes,
  },
  screenshot: shot,
};
mkdirSync(ARTIFACTS, { recursive: true });
writeFileSync(join(ARTIFACTS, 'feed-measure.json'), JSON.stringify(out, null, 2));
console.log(JSON.stringify(out, null, 2));
