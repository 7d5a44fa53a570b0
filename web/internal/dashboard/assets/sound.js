// A short beep on delivery (WebAudio, no files), at most a few a second,
// with a mute switch remembered in localStorage. Browsers start audio only
// after a user gesture, so the context is made on the first one.

const KEY = 'comanda.muted';
const MIN_GAP_MS = 400;
let ctx = null;
let last = 0;
let muted = read();

function read() {
  try { return localStorage.getItem(KEY) === '1'; } catch { return false; }
}

export function isMuted() { return muted; }

export function setMuted(on) {
  muted = on;
  try { localStorage.setItem(KEY, on ? '1' : '0'); } catch { /* storage off */ }
}

export function unlockOnGesture() {
  const unlock = () => {
    if (!ctx && globalThis.AudioContext) {
      try { ctx = new AudioContext(); } catch { ctx = null; }
    }
    if (ctx?.state === 'suspended') ctx.resume().catch(() => {});
  };
  addEventListener('pointerdown', unlock, { once: true, capture: true });
  addEventListener('keydown', unlock, { once: true, capture: true });
}

export function beep() {
  if (muted || !ctx || ctx.state !== 'running') return;
  const now = performance.now();
  if (now - last < MIN_GAP_MS) return;
  last = now;
  const t0 = ctx.currentTime;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'sine';
  osc.frequency.setValueAtTime(880, t0);
  osc.frequency.exponentialRampToValueAtTime(1320, t0 + 0.08);
  gain.gain.setValueAtTime(0.0001, t0);
  gain.gain.exponentialRampToValueAtTime(0.15, t0 + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.12);
  osc.connect(gain).connect(ctx.destination);
  osc.start(t0);
  osc.stop(t0 + 0.13);
}
