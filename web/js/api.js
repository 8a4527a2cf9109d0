// api.js — the one place that talks to the Parley REST API (/api/v1).
//
// Sessions: if the server answers the login with a `csrf` field, it keeps
// the session in an HttpOnly cookie (scripts never see it) and we send the
// CSRF token in X-CSRF-Token on state-changing requests. Otherwise we fall
// back to the bearer token from the login answer, kept in sessionStorage.

export const BASE = '/api/v1';
const KEY = 'parley.session';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

let session = load();
const authListeners = new Set();

function load() {
  try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch { return null; }
}

function save(s) {
  session = s;
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s)); else sessionStorage.removeItem(KEY);
  } catch { /* storage disabled */ }
}

export const getSession = () => session;
export const onAuthLost = (fn) => authListeners.add(fn);

function headers(method, body) {
  const hd = { Accept: 'application/json' };
  if (body !== undefined) hd['Content-Type'] = 'application/json';
  if (session?.token) hd.Authorization = `Bearer ${session.token}`;
  if (session?.csrf && method !== 'GET') hd['X-CSRF-Token'] = session.csrf;
  return hd;
}

/** request('GET', '/tickets', undefined, {query}) → parsed JSON (or null for 204). */
export async function request(method, path, body, { query, auth = true, token } = {}) {
  let url = BASE + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, v);
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const hd = auth ? headers(method, body) : { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
  if (token) hd.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(url, { method, headers: hd, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    if (res.status === 401 && auth && session) { save(null); for (const fn of authListeners) fn(); }
    const err = data && data.error;
    throw new ApiError(res.status, err?.code, err?.message);
  }
  return data;
}

/** GET a file (a download) with the session: the Blob, or an ApiError naming the server's reason. */
export async function fetchBlob(path, query) {
  const qs = query ? `?${new URLSearchParams(query)}` : '';
  let res;
  try {
    res = await fetch(BASE + path + qs, { headers: headers('GET'), credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (!res.ok) {
    const err = (await res.json().catch(() => null))?.error;
    throw new ApiError(res.status, err?.code, err?.message);
  }
  return res.blob();
}

export const get = (path, query, opts) => request('GET', path, undefined, { ...opts, query });
export const post = (path, body, opts) => request('POST', path, body ?? {}, opts);
export const patch = (path, body, opts) => request('PATCH', path, body, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

/** GET that answers null when the route does not exist (404/405/501) — for optional features. */
export async function optional(path, query) {
  try {
    return await get(path, query);
  } catch (e) {
    if (e.status === 404 || e.status === 405 || e.status === 501) return null;
    throw e;
  }
}

export async function login(email, password) {
  const r = await request('POST', '/auth/login', { email, password }, { auth: false });
  const s = { role: r.role, email, name: r.user?.name || r.name || email,
    id: r.user?.id ?? r.user_id ?? null };
  if (r.csrf) s.csrf = r.csrf; else s.token = r.token;
  save(s);
  // Fill in the user's id and name when the server can tell us.
  try {
    const me = await get('/me');
    if (me) save({ ...s, id: me.id ?? s.id, name: me.name || s.name, role: me.role || s.role });
  } catch { /* optional route */ }
  return session;
}

export async function logout() {
  try { await post('/auth/logout', {}); } catch { /* ignore */ }
  save(null);
}

/**
 * Live events over SSE. onEvent(evt) gets the parsed JSON of each event
 * (with `type` filled from the SSE event name when the data lacks it).
 * Returns a function that closes the stream.
 */
export function liveEvents(onEvent, { path = '/events', token, onState } = {}) {
  let url = BASE + path;
  const tk = token || session?.token;
  if (tk) url += (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(tk);
  let es;
  try {
    es = new EventSource(url, { withCredentials: true });
  } catch {
    return () => {};
  }
  const handle = (name) => (e) => {
    let data = null;
    try { data = JSON.parse(e.data); } catch { data = { raw: e.data }; }
    if (data && typeof data === 'object' && !data.type && name !== 'message') data.type = name;
    onEvent(data || {});
  };
  es.addEventListener('message', handle('message'));
  for (const name of EVENT_NAMES) es.addEventListener(name, handle(name));
  es.addEventListener('open', () => onState && onState('open'));
  es.addEventListener('error', () => onState && onState(es.readyState === 2 ? 'closed' : 'reconnecting'));
  return () => es.close();
}

/** Named SSE events we listen to (unnamed `data:` events work too). */
export const EVENT_NAMES = [
  'ticket.created', 'ticket.status', 'ticket.priority', 'ticket.assignee', 'ticket.category',
  'ticket.updated', 'ticket.escalated', 'ticket.triaged', 'message.inbound', 'message.reply',
  'message.note', 'message.bot', 'chat.handoff', 'alert', 'alert.created', 'alert.raised', 'alert.acknowledged', 'customer.merged',
  'customer.created', 'user.created', 'apikey.created',
];
