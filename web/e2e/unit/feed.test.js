// The feed client's reconnection rules, on a fake WebSocket and fake timers.

import { describe, it, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Feed } from '../../internal/dashboard/assets/feed.js';

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.closed = null;
    FakeSocket.all.push(this);
  }
  open() { this.onopen?.(); }
  send(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  close(code = 1005, reason = '') { this.serverClose(code, reason); }
  serverClose(code, reason = '') {
    if (this.closed) return;
    this.closed = { code, reason };
    this.onclose?.({ code, reason });
  }
}

describe('feed', () => {
  let now;
  beforeEach(() => {
    FakeSocket.all = [];
    now = 0;
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => mock.timers.reset());

  function feed(extra = {}) {
    const got = { messages: [], states: [], failures: [] };
    const f = new Feed({
      url: (cursor) => '/ws' + (cursor ? '?since=' + cursor : ''),
      WebSocketImpl: FakeSocket,
      random: () => 0.5,
      now: () => now,
      onMessage: (m) => got.messages.push(m),
      onState: (s) => got.states.push(s),
      onFailures: (n) => got.failures.push(n),
      ...extra,
    });
    return { f, got };
  }
  const last = () => FakeSocket.all.at(-1);

  it('goes live on open and reconnects with the last cursor after a drop', () => {
    const { f, got } = feed();
    f.start();
    assert.equal(last().url, '/ws');
    last().open();
    last().send({ type: 'snapshot', cursor: 'c:1' });
    last().send({ type: 'events', cursor: 'c:2' });
    assert.deepEqual(got.states, ['live']);
    last().serverClose(1006);
    assert.deepEqual(got.states, ['live', 'reconnecting']);
    assert.equal(FakeSocket.all.length, 1, 'waits before reconnecting');
    mock.timers.tick(250);
    assert.equal(FakeSocket.all.length, 2);
    assert.equal(last().url, '/ws?since=c:2');
    last().open();
    assert.deepEqual(got.states, ['live', 'reconnecting', 'live']);
    assert.deepEqual(got.messages.map((m) => m.cursor), ['c:1', 'c:2']);
  });

  it('backs off while connections keep failing, and reports the failures', () => {
    const { f, got } = feed();
    f.start();
    const delays = [];
    for (let i = 0; i < 6; i++) {
      const before = FakeSocket.all.length;
      last().serverClose(1006); // refused before opening
      let waited = 0;
      while (FakeSocket.all.length === before) { mock.timers.tick(50); waited += 50; }
      delays.push(waited);
    }
    assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 5000]);
    assert.deepEqual(got.failures, [1, 2, 3, 4, 5, 6]);
    // A message resets the back-off.
    last().open();
    last().send({ type: 'snapshot', cursor: 'c:9' });
    last().serverClose(1006);
    mock.timers.tick(250);
    assert.equal(last().url, '/ws?since=c:9');
  });

  it('reconnects quickly when dropped as too slow (1013)', () => {
    const { f } = feed({ random: () => 0.2 });
    f.start();
    last().open();
    last().send({ type: 'snapshot', cursor: 'c:1' });
    last().serverClose(1013, 'too slow');
    mock.timers.tick(50);
    assert.equal(FakeSocket.all.length, 2);
  });

  it('counts a socket that stayed open a while as healthy even without messages', () => {
    const { f, got } = feed();
    f.start();
    last().open();
    now += 6000;
    last().serverClose(1006);
    assert.deepEqual(got.failures, []);
  });

  it('stops for good on stop(), and drop() closes like a lost connection', () => {
    const { f, got } = feed();
    f.start();
    last().open();
    f.drop();
    assert.equal(last().closed.code, 4000);
    assert.equal(got.states.at(-1), 'reconnecting');
    mock.timers.tick(500);
    assert.equal(FakeSocket.all.length, 2);
    f.stop();
    assert.equal(FakeSocket.all[1].closed.code, 1000);
    mock.timers.tick(10_000);
    assert.equal(FakeSocket.all.length, 2);
  });

  it('stops and says so when the server ends the session (1008)', () => {
    let ended = 0;
    const { f } = feed({ onSessionEnded: () => ended++ });
    f.start();
    last().open();
    last().send({ type: 'snapshot', cursor: 'a:1' });
    last().serverClose(1008, 'session ended');
    assert.equal(ended, 1);
    mock.timers.tick(10_000);
    assert.equal(FakeSocket.all.length, 1, 'no reconnection with an ended session');
  });

  it('ignores frames that are not JSON objects', () => {
    const { f, got } = feed();
    f.start();
    last().open();
    last().onmessage({ data: 'not json' });
    last().onmessage({ data: '42' });
    assert.deepEqual(got.messages, []);
  });
});
