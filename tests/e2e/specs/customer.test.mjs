// The customer view: reached from a ticket; an admin downloads everything
// stored about the customer, then erases their personal data after a
// confirmation that names them, and the view shows the tombstone. A
// supervisor may export but not erase; an agent may do neither.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE, USERS, launch, newPage, signIn, screenshot, needs, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const skip = !token ? 'needs POST /api/v1/auth/login'
  : await needs(['GET', '/customers/1/export', { token }], ['POST', '/customers/1/erase', { token, body: {} }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

/** A new customer with one e-mail ticket. */
async function newCustomer(name, body) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now()}@example.com`;
  const r = await api('POST', '/messages', { token, body: { channel: 'email', customer: { email, name },
    subject: 'Where is my parcel?', body } });
  assert.equal(r.status, 201, 'message taken in');
  return { ...r.data, email };
}

test('customer: export downloads the data, erase asks by name and leaves a tombstone', { skip, timeout: 90000 }, async () => {
  const body = 'My parcel 77-1234 never came, my flat is 12 Baker Street.';
  const c = await newCustomer('Harriet Vane', body);
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await signIn(page, USERS.admin);
  await page.goto(`${BASE}/#/ticket/${c.ticket_id}`);
  await page.click('#customer-link');
  await page.waitForSelector('#customer-heading:text("Harriet Vane")');
  assert.match(page.url(), new RegExp(`#/customer/${c.customer_id}$`));
  assert.match(await page.locator('#customer-identities').textContent(), new RegExp(c.email.replace(/\./g, '\\.')));
  assert.ok(await page.locator(`#customer-tickets .ticket-row[data-ticket-id="${c.ticket_id}"]`).count(), 'her ticket listed');

  // Export: the JSON the server holds about her, as a download.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-data')]);
  const doc = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
  assert.equal(doc.format, 'parley-export/v1');
  assert.equal(doc.customer.id, c.customer_id);
  assert.equal(doc.customer.erased, false);
  assert.deepEqual(doc.tickets.flatMap((x) => x.messages.map((m) => m.body)), [body]);
  assert.ok(doc.receipts === null || doc.receipts.length === doc.events.length, 'a receipt per event');
  assert.match(dl.suggestedFilename(), new RegExp(`parley-customer-${c.customer_id}\\.json`));
  await screenshot(page, 'customer', { fullPage: true });

  // Erase: the dialog names her and wants her number typed before it acts.
  await page.click('#erase-data');
  const dialog = page.locator('#erase-dialog');
  await dialog.waitFor();
  assert.match(await dialog.locator('#erase-title').textContent(), /Harriet Vane/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'erase-confirm', 'focus in the confirmation field');
  assert.ok(await page.locator('#erase-submit').isDisabled(), 'nothing to click before confirming');
  await page.fill('#erase-confirm', String(c.customer_id + 1));
  assert.ok(await page.locator('#erase-submit').isDisabled(), 'another number does not confirm');
  await screenshot(page, 'customer-erase-confirm');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'erase-data', 'focus back on the button');
  assert.equal((await api('GET', `/customers/${c.customer_id}`, { token })).data.erased, false, 'Escape erased nothing');

  await page.click('#erase-data');
  await page.fill('#erase-confirm', String(c.customer_id));
  await page.click('#erase-submit');
  await page.waitForSelector('#erased-notice');
  await page.waitForSelector('#customer-msg:text("1 ticket(s), 1 message(s)")');
  assert.equal(await page.locator('#customer-heading').textContent(), `Erased customer #${c.customer_id}`);
  const ids = await page.locator('#customer-identities').textContent();
  assert.doesNotMatch(ids, /example\.com/, 'no address left on screen');
  assert.equal(await page.locator('#erase-data').count(), 0, 'no second erasure offered');
  const server = (await api('GET', `/customers/${c.customer_id}`, { token })).data;
  assert.equal(server.erased, true);
  assert.equal(server.name, '[erased]');
  const tk = (await api('GET', `/tickets/${c.ticket_id}`, { token })).data;
  assert.deepEqual(tk.messages.map((m) => m.body), ['[erased]'], 'her message is a tombstone on the server');
  await screenshot(page, 'customer-erased', { fullPage: true });
  // Her ticket says so too.
  await page.locator(`#customer-tickets .ticket-row[data-ticket-id="${c.ticket_id}"] .ticket-link`).click();
  await page.waitForSelector('#customer-erased');
  assertNoErrors(assert, page);
});

test('customer: a supervisor may export but not erase, an agent neither', { skip, timeout: 60000 }, async () => {
  const c = await newCustomer('Bunter Mervyn', 'Just checking on my order, thanks.');
  for (const [who, mayExport] of [[USERS.supervisor, true], [USERS.agent, false]]) {
    const page = await newPage(browser);
    await signIn(page, who);
    await page.goto(`${BASE}/#/customer/${c.customer_id}`);
    await page.waitForSelector('#customer-heading:text("Bunter Mervyn")');
    assert.equal(await page.locator('#export-data').count(), mayExport ? 1 : 0, `${who}: export`);
    assert.equal(await page.locator('#erase-data').count(), 0, `${who}: no erase`);
    assertNoErrors(assert, page);
    await page.context().close();
  }
});
