// E-mail in the ticket view: an inbound mail's attachment downloads with its
// bytes; an agent's reply shows where its e-mail is (queued, sent, retrying,
// failed) and can be retried.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE, USERS, launch, newPage, signIn, screenshot, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const stamp = Date.now();
const ticketId = token ? await mail(stamp).catch(() => null) : null;
const detail = ticketId ? (await api('GET', `/tickets/${ticketId}`, { token })).data : null;
const skip = !token ? 'needs POST /api/v1/auth/login'
  : !ticketId ? 'needs POST /api/v1/channels/email'
    : !detail?.messages?.some((m) => m.attachments?.length) ? 'needs message attachments in GET /api/v1/tickets/{id}' : false;

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

async function mail(stamp) {
  const raw = [`From: Bob Mail <bob${stamp}@example.com>`, 'To: support@parley.local', `Subject: Invoice ${stamp}`,
    `Message-ID: <${stamp}@example.com>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=BB', '',
    '--BB', 'Content-Type: text/plain', '', 'Here is the invoice, please check it.',
    '--BB', 'Content-Type: text/plain; name=invoice.txt', 'Content-Disposition: attachment; filename=invoice.txt', '',
    `INVOICE ${stamp}`, '--BB--', ''].join('\r\n');
  const res = await fetch(`${BASE}/api/v1/channels/email`, { method: 'POST', body: raw,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'message/rfc822' } });
  if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
  return (await res.json()).ticket_id;
}

test('e-mail: attachments download, a reply shows its delivery and can be retried', { skip, timeout: 60000 }, async () => {
  const id = ticketId;
  const page = await newPage(browser);
  await signIn(page, USERS.admin);
  await page.goto(`${BASE}/#/ticket/${id}`);
  const link = page.locator('.msg-inbound .attachments a').first();
  await link.waitFor();
  assert.match(await link.textContent(), /invoice\.txt/);
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(fs.readFileSync(await dl.path(), 'utf8'), `INVOICE ${stamp}`);

  await page.fill('#draft', `Thank you, I am checking the invoice now. [${stamp}]`);
  await page.click('#send');
  const line = page.locator('.msg-reply .delivery').last();
  await line.waitFor();
  const msg = (await api('GET', `/tickets/${id}`, { token })).data.messages.filter((m) => m.kind === 'reply').pop();
  assert.equal(await line.getAttribute('data-status'), msg.delivery.status, 'the status the server reports');
  await screenshot(page, 'ticket-email');
  const retry = line.locator('button.retry');
  if (await retry.count()) {
    await retry.click();
    await page.waitForFunction(() => !document.querySelector('.msg-reply:last-of-type .delivery button.retry[disabled]'));
    const after = (await api('GET', `/tickets/${id}`, { token })).data.messages.filter((m) => m.kind === 'reply').pop();
    assert.ok(['queued', 'sent', 'retrying', 'failed'].includes(after.delivery.status));
  }
  assertNoErrors(assert, page);
});
