// harness.mjs — shared helpers for the e2e specs: Debian's chromium through
// playwright-core, the server's URL, API probes, sign-in and screenshots.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const BASE = process.env.PARLEY_URL || 'http://127.0.0.1:8080';
export const PASSWORD = process.env.PARLEY_DEMO_PASSWORD || 'parley-demo';
export const USERS = {
  admin: 'admin@parley.local', supervisor: 'olga@parley.local', agent: 'anna@parley.local',
  agentEn: 'john@parley.local', agentBoth: 'maria@parley.local',
};
const SHOTS = process.env.PARLEY_SCREENSHOTS || path.resolve(new URL('.', import.meta.url).pathname, '../../../docs/screenshots');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records console errors and CSP violations (checked by assertNoErrors). */
export async function newPage(browser, { lang = 'en', viewport = { width: 1280, height: 860 } } = {}) {
  const context = await browser.newContext({ viewport, locale: lang === 'ru' ? 'ru-RU' : 'en-GB' });
  await context.addInitScript((l) => { try { if (!localStorage.getItem('parley.lang')) localStorage.setItem('parley.lang', l); } catch { /* */ } }, lang);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to|SyntaxError|TypeError|ReferenceError/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export function assertNoErrors(assert, page) {
  assert.deepEqual(page.errors, [], 'no script errors or CSP violations');
}

/** HTTP status of a request to the API (to skip scenarios whose route is absent). */
export async function probe(method, route, { token, body } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const res = await fetch(`${BASE}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    await res.body?.cancel().catch(() => {});   // e.g. an SSE stream
    return res.status;
  } catch {
    return 0;
  }
}

/** True when the route exists (anything but 404/405/501 and network failure). */
export const exists = (status) => status !== 0 && status !== 404 && status !== 405 && status !== 501;

export async function api(method, route, { token, body } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${BASE}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, data };
}

export async function apiToken(email = USERS.admin) {
  const r = await api('POST', '/auth/login', { body: { email, password: PASSWORD } });
  return r.data?.token;
}

export async function signIn(page, email) {
  await page.goto(`${BASE}/#/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('#inbox-title');
}

export async function screenshot(page, name, { fullPage = false } = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** Skip reason when one of the routes is missing, or false. */
export async function needs(...checks) {
  for (const [method, route, opts] of checks) {
    const st = await probe(method, route, opts);
    if (!exists(st)) return `needs ${method} /api/v1${route} (server answered ${st || 'nothing'})`;
  }
  return false;
}
