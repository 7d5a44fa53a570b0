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

export async function api(path, { method = 'GET', body, signal, quiet401 = false } = {}) {
  const init = { method, signal, credentials: 'same-origin', headers: { Accept: 'application/json' } };
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

export const orders = {
  place: (quantity) => api('/api/orders/orders', { method: 'POST', body: { quantity } }),
  list: ({ status, limit = 50, cursor } = {}, signal) => api('/api/orders/orders' + q({ status, limit, cursor }), { signal }),
  get: (id, signal) => api('/api/orders/orders/' + encodeURIComponent(id), { signal }),
  stats: () => api('/api/orders/orders/stats'),
  limits: () => api('/api/orders/limits'),
  deadLetters: (limit = 50) => api('/api/orders/dead-letters' + q({ limit })),
  replay: (id) => api('/api/orders/dead-letters/' + encodeURIComponent(id) + '/replay', { method: 'POST' }),
};

export const kitchen = {
  recipes: () => api('/api/kitchen/recipes'),
};

export const inventory = {
  stock: () => api('/api/inventory/inventory'),
  purchases: (limit = 100) => api('/api/inventory/purchases' + q({ limit })),
};
