// The gateway's HTTP API, same origin, session in the HttpOnly cookie. Every
// error answer is {"error": {"code", "message"}}; callers get an ApiError
// carrying both.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};

// whenUnauthorized sets what happens when a call answers 401 (the session
// expired or was revoked): the app shows the login screen.
export function whenUnauthorized(fn) { onUnauthorized = fn; }

export async function api(path, { method = 'GET', body, signal, quiet401 = false, headers = {} } = {}) {
  const init = { method, signal, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'the server is not answering');
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const e = data?.error;
    const err = new ApiError(res.status, e?.code || 'http_' + res.status, e?.message || res.statusText || 'request failed');
    if (res.status === 401 && !quiet401) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const session = {
  me: () => api('/api/me', { quiet401: true }),
  login: (username, password) => api('/api/login', { method: 'POST', body: { username, password }, quiet401: true }),
  logout: () => api('/api/logout', { method: 'POST', quiet401: true }),
};

const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const str = s.toString();
  return str ? '?' + str : '';
};

// newKey returns a fresh idempotency key. crypto.randomUUID exists only in
// secure contexts (HTTPS, localhost); the dashboard may be served over plain
// HTTP on a LAN, where getRandomValues still is.
export function newKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const orders = {
  // place sends one placement under its idempotency key: sending it again
  // with the same key answers the same batch, never a second one.
  place: (quantity, key) => api('/api/orders/orders', { method: 'POST', body: { quantity }, headers: { 'Idempotency-Key': key } }),
  list: ({ status, limit = 50, cursor } = {}, signal) => api('/api/orders/orders' + q({ status, limit, cursor }), { signal }),
  get: (id, signal) => api('/api/orders/orders/' + encodeURIComponent(id), { signal }),
  stats: () => api('/api/orders/orders/stats'),
  limits: () => api('/api/orders/limits'),
  deadLetters: (limit = 50) => api('/api/orders/dead-letters' + q({ limit })),
  replay: (id) => api('/api/orders/dead-letters/' + encodeURIComponent(id) + '/replay', { method: 'POST' }),
  replayMany: (ids) => api('/api/orders/dead-letters/replay', { method: 'POST', body: { ids } }),
};

export const kitchen = {
  recipes: () => api('/api/kitchen/recipes'),
};

export const inventory = {
  stock: () => api('/api/inventory/inventory'),
  purchases: (limit = 100) => api('/api/inventory/purchases' + q({ limit })),
};
