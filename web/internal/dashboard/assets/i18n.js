// English and Spanish. Static text in index.html is marked with data-i18n
// (textContent) and data-i18n-<attr> (an attribute); everything drawn later
// asks t(). The choice is remembered in localStorage.

const STRINGS = {
  en: {
    appTitle: 'Comanda',
    tagline: 'Free-lunch day, live',
    loginTitle: 'Manager login',
    username: 'User name',
    password: 'Password',
    login: 'Log in',
    loggingIn: 'Logging in…',
    logout: 'Log out',
    badCredentials: 'Wrong user name or password.',
    tooManyAttempts: 'Too many attempts; wait a minute and try again.',
    sessionExpired: 'Your session ended; please log in again.',
    networkError: 'The server is not answering; try again.',
    authDisabled: 'Login disabled (AUTH_DISABLED)',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    connectionLabel: 'Live feed connection',
    language: 'Español',
    languageLabel: 'Cambiar a español',
    soundOn: 'Sound on',
    soundOff: 'Sound off',
    muteLabel: 'Sound on delivery',
    orderTitle: 'Order dishes',
    quantity: 'Dishes',
    order: 'Order',
    ordering: 'Ordering…',
    quantityInvalid: 'Enter a whole number of dishes, at least 1.',
    orderPlaced: '{n} dishes ordered.',
    orderPlacedOne: '1 dish ordered.',
    orderFailed: 'Not ordered: {message}',
    orderUnsure: 'No answer from the server. Order the same quantity again to retry: it will not be ordered twice.',
    placementsTitle: 'Latest orders from this screen',
    noPlacements: 'Nothing ordered from this screen yet.',
    placementLabel: '{time} · {n} dishes',
    placementLabelOne: '{time} · 1 dish',
    placementStatus: '{done} of {total} delivered{failed}',
    batchFailed: ', {n} failed',
    elapsedRunning: '{t} so far',
    elapsedFinal: 'done in {t}',
    paceTitle: 'Deliveries, last 5 minutes',
    paceSummary: '{n} delivered, at most {peak} a second; placed to delivered: median {p50}, p95 {p95}',
    paceEmpty: 'Nothing delivered in the last 5 minutes.',
    rateChartTitle: 'Dishes delivered per second',
    rateChartLabel: 'Chart: dishes delivered per second over the last 5 minutes',
    latencyChartTitle: 'Placed to delivered, per 5 seconds',
    latencyChartLabel: 'Chart: time from placed to delivered over the last 5 minutes, median and 95th percentile per 5 seconds',
    seriesTime: 'Time',
    seriesDishes: 'Dishes',
    seriesP50: 'Median',
    seriesP95: '95th percentile',
    countersTitle: 'Today',
    placed: 'Placed',
    inProgress: 'In progress',
    delivered: 'Delivered',
    failed: 'Failed',
    perMinute: 'Dishes / minute',
    boardTitle: 'Kitchen',
    colQueued: 'Queued',
    colWaiting: 'Waiting for ingredients',
    colPreparing: 'Preparing',
    buyingNow: 'Buying: {list}',
    buyingNone: 'Nothing being bought',
    more: '+{n} more',
    emptyColumn: 'None',
    needs: 'needs {list}',
    stockTitle: 'Stock',
    low: 'low',
    buying: 'buying',
    onHandLabel: '{ingredient}: {n} on hand',
    purchasesTitle: 'Market purchases',
    purchasesSummary: 'Last 10 minutes: {calls} answers, {units} units bought, {zeros} with none',
    noneAvailable: 'none available',
    chartLabel: 'Units bought over the last 5 minutes, per 10 seconds',
    noPurchases: 'No purchases yet.',
    historyTitle: 'Order history',
    statusFilter: 'Status',
    allStatuses: 'All',
    searchId: 'Search by order id',
    search: 'Search',
    loadMore: 'Load more',
    refresh: 'Refresh',
    noOrders: 'No orders.',
    orderNotFound: 'No order has this id.',
    colOrder: 'Order',
    colRecipe: 'Recipe',
    colStatus: 'Status',
    colPlacedAt: 'Placed at',
    timelineTitle: 'Order {id}',
    close: 'Close',
    reason: 'Reason: {reason}',
    recipeTBD: 'recipe not picked yet',
    recipesTitle: 'Recipe book',
    canMake: 'stock covers {n}',
    deadLettersTitle: 'Dead letters',
    noDeadLetters: 'No dead letters.',
    replay: 'Replay',
    replayed: 'Replayed.',
    replayAll: 'Replay all',
    replayAllConfirm: 'Put every dead letter back on its stream ({n} listed)?',
    replayAllYes: 'Yes, replay all',
    replayingAll: 'Replaying…',
    replayedAll: 'Replayed {n}.',
    replayedSome: 'Replayed {n}; {failed} could not be: {reason}',
    cancel: 'Cancel',
    deliveries: '{n} deliveries',
    loadError: 'Could not load: {message}',
    s_placed: 'placed',
    s_queued: 'queued',
    s_waiting_ingredients: 'waiting for ingredients',
    s_preparing: 'preparing',
    s_delivered: 'delivered',
    s_failed: 'failed',
  },
  es: {
    appTitle: 'Comanda',
    tagline: 'Día de almuerzo gratis, en vivo',
    loginTitle: 'Acceso del gerente',
    username: 'Usuario',
    password: 'Contraseña',
    login: 'Entrar',
    loggingIn: 'Entrando…',
    logout: 'Salir',
    badCredentials: 'Usuario o contraseña incorrectos.',
    tooManyAttempts: 'Demasiados intentos; espera un minuto y vuelve a intentarlo.',
    sessionExpired: 'Tu sesión terminó; vuelve a entrar.',
    networkError: 'El servidor no responde; vuelve a intentarlo.',
    authDisabled: 'Acceso sin contraseña (AUTH_DISABLED)',
    live: 'En vivo',
    reconnecting: 'Reconectando…',
    connectionLabel: 'Conexión en vivo',
    language: 'English',
    languageLabel: 'Switch to English',
    soundOn: 'Sonido activado',
    soundOff: 'Sonido apagado',
    muteLabel: 'Sonido al entregar',
    orderTitle: 'Pedir platos',
    quantity: 'Platos',
    order: 'Pedir',
    ordering: 'Pidiendo…',
    quantityInvalid: 'Escribe un número entero de platos, al menos 1.',
    orderPlaced: '{n} platos pedidos.',
    orderPlacedOne: '1 plato pedido.',
    orderFailed: 'No se pidió: {message}',
    orderUnsure: 'El servidor no responde. Pide la misma cantidad otra vez para reintentar: no se pedirá dos veces.',
    placementsTitle: 'Últimos pedidos desde esta pantalla',
    noPlacements: 'Aún no se pidió nada desde esta pantalla.',
    placementLabel: '{time} · {n} platos',
    placementLabelOne: '{time} · 1 plato',
    placementStatus: '{done} de {total} entregados{failed}',
    batchFailed: ', {n} fallidos',
    elapsedRunning: '{t} hasta ahora',
    elapsedFinal: 'listo en {t}',
    paceTitle: 'Entregas, últimos 5 minutos',
    paceSummary: '{n} entregados, como mucho {peak} por segundo; de pedido a entregado: mediana {p50}, p95 {p95}',
    paceEmpty: 'Nada entregado en los últimos 5 minutos.',
    rateChartTitle: 'Platos entregados por segundo',
    rateChartLabel: 'Gráfico: platos entregados por segundo en los últimos 5 minutos',
    latencyChartTitle: 'De pedido a entregado, cada 5 segundos',
    latencyChartLabel: 'Gráfico: tiempo de pedido a entregado en los últimos 5 minutos, mediana y percentil 95 cada 5 segundos',
    seriesTime: 'Hora',
    seriesDishes: 'Platos',
    seriesP50: 'Mediana',
    seriesP95: 'Percentil 95',
    countersTitle: 'Hoy',
    placed: 'Pedidos',
    inProgress: 'En curso',
    delivered: 'Entregados',
    failed: 'Fallidos',
    perMinute: 'Platos / minuto',
    boardTitle: 'Cocina',
    colQueued: 'En cola',
    colWaiting: 'Esperando ingredientes',
    colPreparing: 'Preparando',
    buyingNow: 'Comprando: {list}',
    buyingNone: 'No se compra nada',
    more: '+{n} más',
    emptyColumn: 'Ninguno',
    needs: 'falta {list}',
    stockTitle: 'Existencias',
    low: 'bajo',
    buying: 'comprando',
    onHandLabel: '{ingredient}: {n} en existencia',
    purchasesTitle: 'Compras en el mercado',
    purchasesSummary: 'Últimos 10 minutos: {calls} respuestas, {units} unidades compradas, {zeros} sin producto',
    noneAvailable: 'no había',
    chartLabel: 'Unidades compradas en los últimos 5 minutos, cada 10 segundos',
    noPurchases: 'Aún no hay compras.',
    historyTitle: 'Historial de pedidos',
    statusFilter: 'Estado',
    allStatuses: 'Todos',
    searchId: 'Buscar por id de pedido',
    search: 'Buscar',
    loadMore: 'Ver más',
    refresh: 'Actualizar',
    noOrders: 'No hay pedidos.',
    orderNotFound: 'Ningún pedido tiene este id.',
    colOrder: 'Pedido',
    colRecipe: 'Receta',
    colStatus: 'Estado',
    colPlacedAt: 'Pedido a las',
    timelineTitle: 'Pedido {id}',
    close: 'Cerrar',
    reason: 'Motivo: {reason}',
    recipeTBD: 'receta aún sin elegir',
    recipesTitle: 'Recetario',
    canMake: 'alcanza para {n}',
    deadLettersTitle: 'Mensajes fallidos',
    noDeadLetters: 'No hay mensajes fallidos.',
    replay: 'Reintentar',
    replayed: 'Reintentado.',
    replayAll: 'Reintentar todos',
    replayAllConfirm: '¿Devolver todos los mensajes fallidos a su cola ({n} en la lista)?',
    replayAllYes: 'Sí, reintentar todos',
    replayingAll: 'Reintentando…',
    replayedAll: 'Reintentados: {n}.',
    replayedSome: 'Reintentados: {n}; {failed} no se pudieron: {reason}',
    cancel: 'Cancelar',
    deliveries: '{n} entregas',
    loadError: 'No se pudo cargar: {message}',
    s_placed: 'pedido',
    s_queued: 'en cola',
    s_waiting_ingredients: 'esperando ingredientes',
    s_preparing: 'preparando',
    s_delivered: 'entregado',
    s_failed: 'fallido',
  },
};

// Data names (ingredients, recipes) are shown translated; unknown ones as
// they come.
const NAMES_ES = {
  tomato: 'tomate', lemon: 'limón', potato: 'papa', rice: 'arroz', ketchup: 'kétchup',
  lettuce: 'lechuga', onion: 'cebolla', cheese: 'queso', meat: 'carne', chicken: 'pollo',
  'rice with chicken': 'arroz con pollo', 'rice with meat': 'arroz con carne',
  burger: 'hamburguesa', 'french fries': 'papas fritas', pizza: 'pizza', salad: 'ensalada',
};

const KEY = 'comanda.lang';
const listeners = new Set();
let lang = initialLang();
let numberFmt = new Intl.NumberFormat(lang);
let timeFmt = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

function initialLang() {
  let saved = null;
  try { saved = globalThis.localStorage?.getItem(KEY); } catch { /* storage off */ }
  if (saved === 'en' || saved === 'es') return saved;
  const nav = globalThis.navigator?.language || 'en';
  return nav.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function getLang() { return lang; }

// keysOf lists a language's strings (every language has the same keys).
export function keysOf(l) { return Object.keys(STRINGS[l] || {}); }

export function setLang(next) {
  if (!STRINGS[next] || next === lang) return;
  lang = next;
  numberFmt = new Intl.NumberFormat(lang);
  timeFmt = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  numCache.clear();
  timeCache.clear();
  try { globalThis.localStorage?.setItem(KEY, lang); } catch { /* storage off */ }
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) { listeners.add(fn); }

export function t(key, vars) {
  let s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

export function name(n) { return lang === 'es' ? (NAMES_ES[n] ?? n) : n; }
export function statusName(s) { return t('s_' + s); }
// Intl formatting is slow next to a frame's budget: remember recent answers
// (the caches are emptied when the language changes).
const numCache = new Map();
const timeCache = new Map();
function remember(cache, key, make) {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size >= 2000) cache.clear();
    v = make();
    cache.set(key, v);
  }
  return v;
}
export function num(n) { return remember(numCache, n, () => numberFmt.format(n)); }
export function time(iso) {
  return remember(timeCache, iso, () => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
  });
}

// duration says how long ms is: "4.2 s" (tenths when asked, else whole
// seconds), "3 min 05 s" past a minute, numbers in the language's format.
const tenthsFmt = new Map();
export function duration(ms, tenths = false) {
  const total = Math.max(0, ms) / 1000;
  if (total < 60) {
    if (!tenths) return Math.floor(total) + ' s';
    let f = tenthsFmt.get(lang);
    if (!f) { f = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }); tenthsFmt.set(lang, f); }
    return f.format(Math.floor(total * 10) / 10) + ' s';
  }
  const s = Math.floor(total);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

// applyStatic fills every marked element under root in the current language.
export function applyStatic(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    const dataKey = 'i18n' + attr.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.dataset[dataKey]));
  }
}
