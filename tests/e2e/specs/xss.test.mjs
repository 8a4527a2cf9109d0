// A message containing <script> is shown as text, never run.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, newPage, signIn, screenshot, needs, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const skip = !token ? 'needs POST /api/v1/auth/login' : await needs(['POST', '/messages', { token, body: {} }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('a message with <script> in it is shown as text', { skip, timeout: 60000 }, async () => {
  const evil = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> hello <b>bold</b>`;
  const subject = `<img src=x onerror="window.__xss = 3">Subject`;
  const r = await api('POST', '/messages', { token, body: { channel: 'web', customer: { email: `xss${Date.now()}@example.com`, name: '<i>Mallory</i>' }, subject, body: evil } });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const page = await newPage(browser);
  await signIn(page, USERS.admin);
  await page.goto(`${BASE}/#/inbox?status=new,open,pending,resolved,closed`);
  await page.waitForSelector(`.ticket-row[data-ticket-id="${r.data.ticket_id}"]`);
  await page.goto(`${BASE}/#/ticket/${r.data.ticket_id}`);
  await page.waitForSelector('.msg-inbound .msg-body');
  assert.equal(await page.locator('.msg-inbound .msg-body').first().textContent(), evil);
  assert.match(await page.locator('#ticket-title').textContent(), /<img src=x/);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no script ran');
  assert.equal(await page.locator('.messages script, .messages img, .messages b, #ticket-title img').count(), 0);
  await screenshot(page, 'ticket-script-as-text');
  assertNoErrors(assert, page);
});
