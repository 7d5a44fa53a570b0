// The live feed client (docs/feed.md): connects to /ws, keeps the cursor of
// the last message applied, and reconnects with it after any drop, backing
// off with jitter. State is 'live' while a socket is open (a resumed feed
// with nothing missed sends nothing until something happens), 'reconnecting'
// otherwise. A socket that closes soon without a message counts as a failed
// attempt, so a feed that keeps refusing us backs off.

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;
const TOO_SLOW = 1013; // the server dropped us for falling behind (or the feed is unavailable)
const SESSION_ENDED = 1008; // the session was ended (a logout, maybe in another tab or browser)
const HEALTHY_MS = 5000; // open this long without a message still counts as a success

export class Feed {
  // onMessage(msg) applies a message; onState(state) reports 'live' or
  // 'reconnecting'; onFailures(n) is told how many connections in a row
  // failed (the app then checks the session); onSessionEnded() that the
  // server closed the feed because the session ended: the feed stops.
  constructor({ onMessage, onState, onFailures = () => {}, onSessionEnded = () => {}, url = defaultURL, WebSocketImpl = globalThis.WebSocket, random = Math.random, now = Date.now }) {
    this.onMessage = onMessage;
    this.onState = onState;
    this.onFailures = onFailures;
    this.onSessionEnded = onSessionEnded;
    this.url = url;
    this.WS = WebSocketImpl;
    this.random = random;
    this.now = now;
    this.cursor = null;
    this.socket = null;
    this.state = 'reconnecting';
    this.failures = 0;
    this.connects = 0;
    this.timer = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s) s.close(1000, 'bye');
  }

  // drop closes the socket as a network failure would; the feed reconnects.
  drop() {
    if (this.socket) this.socket.close(4000, 'dropped by the client');
  }

  // kick retries at once when a reconnect is waiting (the browser is back
  // online, or the tab became visible).
  kick() {
    if (this.stopped || this.socket || !this.timer) return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    this.timer = null;
    let ws;
    try {
      ws = new this.WS(this.url(this.cursor));
    } catch {
      this.scheduleReconnect(0);
      return;
    }
    this.socket = ws;
    this.connects++;
    let openedAt = null;
    let healthy = false;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      openedAt = this.now();
      this.setState('live');
    };
    ws.onmessage = (ev) => {
      if (this.socket !== ws) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (!msg || typeof msg !== 'object') return;
      healthy = true;
      this.failures = 0;
      if (msg.cursor) this.cursor = msg.cursor;
      this.setState('live');
      this.onMessage(msg);
    };
    ws.onclose = (ev) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.setState('reconnecting');
      if (this.stopped) return;
      if (ev.code === SESSION_ENDED) {
        this.stopped = true;
        this.onSessionEnded();
        return;
      }
      if (healthy || (openedAt !== null && this.now() - openedAt >= HEALTHY_MS)) {
        this.failures = 0;
      } else {
        this.failures++;
        this.onFailures(this.failures);
      }
      this.scheduleReconnect(ev.code);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  scheduleReconnect(code) {
    if (this.stopped || this.timer) return;
    const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, this.failures - 1));
    let delay = exp * (0.5 + this.random()); // ±50% jitter around the step
    if (code === TOO_SLOW && this.failures === 0) delay = BACKOFF_MIN_MS * this.random();
    this.timer = setTimeout(() => this.connect(), delay);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.onState(state);
  }
}

function defaultURL(cursor) {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${proto}://${location.host}/ws${cursor ? '?since=' + encodeURIComponent(cursor) : ''}`;
}
