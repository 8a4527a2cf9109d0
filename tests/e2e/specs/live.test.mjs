// Live updates over Server-Sent Events: a new ticket appears in the inbox and
// a new customer message appears in the open ticket, without a reload.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, newPage, signIn, needs, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const skip = !token ? 'needs POST /api/v1/auth/login'
  : await needs(['POST', '/messages', { token, body: {} }], ['GET', '/events?probe=1', { token }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('a new message appears without reload (inbox and ticket view)', { skip, timeout: 60000 }, async () => {
  const stamp = Date.now();
  const customer = { email: `live${stamp}@example.com`, name: 'Live Customer' };
  const page = await newPage(browser);
  await signIn(page, USERS.agent);
  await page.waitForSelector('#live-state[data-state="open"]');
  let navigations = 0;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });

  const first = await api('POST', '/messages', { token, body: { channel: 'chat', customer, thread: `live-${stamp}`,
    subject: `Live ${stamp}`, body: 'Hello, is anybody there? My order has not arrived.' } });
  assert.equal(first.status, 201);
  await page.waitForSelector(`.ticket-row[data-ticket-id="${first.data.ticket_id}"]`, { timeout: 15000 });

  await page.click(`.ticket-row[data-ticket-id="${first.data.ticket_id}"] .ticket-link`);
  await page.waitForSelector('.msg-inbound');
  const before = await page.locator('.msg').count();
  navigations = 0;
  const text = `Second message ${stamp}: still waiting!`;
  const second = await api('POST', '/messages', { token, body: { channel: 'chat', customer, thread: `live-${stamp}`, body: text } });
  assert.equal(second.data.ticket_id, first.data.ticket_id, 'same conversation');
  await page.waitForFunction((t) => [...document.querySelectorAll('.msg-inbound .msg-body')].some((e) => e.textContent === t), text, { timeout: 15000 });
  assert.equal(await page.locator('.msg').count(), before + 1);
  assert.equal(navigations, 0, 'no reload');
  assertNoErrors(assert, page);
});
