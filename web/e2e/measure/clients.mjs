// N feed clients in one process (run with --experimental-websocket on Node
// 20). Each logs its frames (arrival, bytes) and measures, for every item
// carrying `t` (when its event entered Redis), the delay until it arrived
// here. Writes its results as JSON to <out> when told to stop (SIGTERM) or
// when its time is up.
//
//   node --experimental-websocket clients.mjs <ws url with ?token=> <n> <seconds> <out>

import { writeFileSync } from 'node:fs';

const [url, nArg, secondsArg, outPath] = process.argv.slice(2);
const n = Number(nArg);
const until = Date.now() + Number(secondsArg) * 1000;
const clients = [];

for (let i = 0; i < n; i++) {
  const c = { frames: [], snapshots: 0, closes: [], delays: {} }; // frames: [arrival ms, bytes]
  clients.push(c);
  const ws = new WebSocket(url);
  ws.onmessage = (ev) => {
    const now = Date.now();
    const text = typeof ev.data === 'string' ? ev.data : '';
    c.frames.push([now, Buffer.byteLength(text)]);
    const msg = JSON.parse(text);
    if (msg.type === 'snapshot') { c.snapshots++; return; }
    for (const key of ['orders', 'stock', 'purchases', 'deadLetters']) {
      for (const item of msg[key] || []) {
        if (!item.t) continue;
        const d = Math.max(0, now - item.t); // a histogram by millisecond
        c.delays[d] = (c.delays[d] || 0) + 1;
      }
    }
  };
  ws.onclose = (ev) => c.closes.push(ev.code);
  c.ws = ws;
}

function report() {
  const out = clients.map(({ frames, snapshots, closes, delays }) => ({ frames, snapshots, closes, delays }));
  writeFileSync(outPath, JSON.stringify(out)); // synchronous: exit does not cut it
  for (const c of clients) c.ws.close();
  process.exit(0);
}
process.on('SIGTERM', report);
setTimeout(report, Math.max(0, until - Date.now()));
