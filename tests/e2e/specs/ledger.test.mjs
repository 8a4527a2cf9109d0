// The tamper-evident log in the browser: the latest checkpoint as the log
// signed it; a witness registered from the form co-signs (`parley witness`)
// and its cosignature is shown; a receipt downloaded and verified in the
// browser, a tampered one refused; each event of a ticket has its receipt.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BASE, USERS, launch, newPage, signIn, screenshot, needs, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const skip = !token ? 'needs POST /api/v1/auth/login'
  : await needs(['GET', '/ledger/checkpoint'], ['GET', '/ledger/witnesses'], ['GET', '/ledger/receipts/1', { token }]);
const BIN = process.env.PARLEY_BIN;
const WITNESS = 'witness.e2e.example';

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

const checkpoint = async (q = '') => (await fetch(`${BASE}/api/v1/ledger/checkpoint${q}`)).text();

test('ledger: the signed checkpoint, a witness registered and co-signing, receipts checked in the browser', { skip, timeout: 120000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-ledger-'));
  const page = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
  await signIn(page, USERS.admin);
  await page.click('nav a[href="#/ledger"]');
  await page.waitForSelector('#cp-facts');
  // What the page shows is a checkpoint the log signed: same root for that size.
  const size = Number(await page.locator('#cp-facts .cp-size').textContent());
  const note = await checkpoint(`?size=${size}`);
  const [origin, , root] = note.split('\n');
  assert.equal(await page.locator('#cp-facts .cp-root').textContent(), root);
  assert.equal(await page.locator(`#cp-signatures li[data-role="log"][data-signer="${origin}"]`).count(), 1, "the log's signature listed");

  if (BIN) {
    const keyFile = path.join(tmp, 'w.key');
    execFileSync(BIN, ['ledger', 'keygen', '--name', WITNESS, '--out', keyFile]);
    await page.fill('#witness-key', fs.readFileSync(`${keyFile}.pub`, 'utf8').trim());
    await page.click('#witness-submit');
    await page.waitForSelector(`#witness-table tr[data-witness="${WITNESS}"]`);
    assert.ok((await api('GET', '/ledger/witnesses')).data.witnesses.some((w) => w.name === WITNESS), 'registered on the server');
    const out = execFileSync(BIN, ['witness', '--url', BASE, '--key', keyFile], { encoding: 'utf8' });
    assert.match(out, /co-signed/);
    await page.reload();
    const sig = page.locator(`#cp-signatures li[data-signer="${WITNESS}"], #cosigned-signatures li[data-signer="${WITNESS}"]`);
    await sig.first().waitFor();
    assert.equal(await sig.first().getAttribute('data-role'), 'witness');
    assert.match(await sig.first().textContent(), /registered witness/);
  }

  // A receipt for a customer's message, downloaded and verified here.
  const tk = (await api('GET', '/tickets/1', { token })).data;
  const ev = tk.events.find((e) => e.type === 'message.inbound');
  await page.fill('#receipt-event', String(ev.id));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#receipt-download')]);
  const file = await dl.path();
  const receipt = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(receipt.format, 'parley-receipt/v1');
  await page.waitForSelector('#receipt-checks[data-result="verified"]');
  assert.equal(await page.locator('#receipt-checks li.ok').count(), 5, 'format, signature, size, leaf and inclusion all hold');
  await screenshot(page, 'ledger', { fullPage: true });

  // The same receipt with one byte of the event changed, or moved to another leaf: refused.
  const bytes = Buffer.from(receipt.event, 'base64');
  bytes[bytes.length - 12] ^= 1;
  const edited = path.join(tmp, 'edited.json');
  fs.writeFileSync(edited, JSON.stringify({ ...receipt, event: bytes.toString('base64') }));
  await page.setInputFiles('#receipt-file', edited);
  await page.waitForSelector('#receipt-checks[data-result="failed"]');
  assert.equal(await page.locator('#receipt-checks li.bad').getAttribute('data-check'), 'leaf');
  const moved = path.join(tmp, 'moved.json');
  fs.writeFileSync(moved, JSON.stringify({ ...receipt, leaf_index: receipt.leaf_index ^ 1 }));
  await page.setInputFiles('#receipt-file', moved);
  await page.waitForSelector('#receipt-checks li.bad[data-check="inclusion"]');
  assert.match(await page.locator('#receipt-msg').textContent(), /does NOT verify/);
  // And the original file verifies again.
  await page.setInputFiles('#receipt-file', file);
  await page.waitForSelector('#receipt-checks[data-result="verified"]');
  fs.rmSync(tmp, { recursive: true, force: true });
  assertNoErrors(assert, page);
});

test('ticket: every event has a receipt to download', { skip, timeout: 60000 }, async () => {
  const page = await newPage(browser);
  await signIn(page, USERS.agent);
  const tk = (await api('GET', '/tickets/1', { token })).data;
  await page.goto(`${BASE}/#/ticket/1`);
  await page.locator('summary', { hasText: /history|events/i }).first().click();
  const ev = tk.events[0];
  const button = page.locator(`.events li[data-event-id="${ev.id}"] button.receipt`);
  assert.match(await button.getAttribute('aria-label'), new RegExp(`event ${ev.id}`));
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const receipt = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
  const server = (await api('GET', `/ledger/receipts/${ev.id}`, { token })).data;
  assert.equal(receipt.leaf_hash, server.leaf_hash, "the event's own receipt");
  assert.equal(await page.locator('.events button.receipt').count(), tk.events.length, 'one per event');
  assertNoErrors(assert, page);
});
