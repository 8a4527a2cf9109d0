// A supervisor sees a complaint-spike alert and drills into its tickets, on
// the console and on the alerts screen (sample tickets, acknowledgement,
// history); the charts drill down to the tickets behind them.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import en from '../../../web/i18n/en.js';
import {
  BASE, USERS, PASSWORD, launch, newPage, signIn, screenshot, needs, api, apiToken, assertNoErrors,
} from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const skipConsole = !token ? 'needs POST /api/v1/auth/login' : await needs(['GET', '/tickets', { token }]);
const skipSpike = skipConsole || await needs(['GET', '/alerts', { token }], ['POST', '/messages', { token, body: {} }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('supervisor console: live queue, agent load, charts with drill-down to tickets', { skip: skipConsole, timeout: 60000 }, async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 1100 } });
  await signIn(page, USERS.supervisor);
  await page.click('a[href="#/supervisor"]');
  await page.waitForSelector('#chart-category .bar');
  assert.ok(await page.locator('#queue .ticket-row').count(), 'live queue shown');
  assert.ok(await page.locator('#load table').count(), 'agent load shown');
  await screenshot(page, 'supervisor', { fullPage: true });
  // Every chart has its numbers as a table (the text alternative) and a CSV of them.
  for (const id of ['chart-category', 'chart-channel', 'chart-emotions']) {
    await page.locator(`#${id} .chart-data summary`).click();
    const rows = await page.locator(`#${id} .chart-table tbody tr`).count();
    assert.ok(rows > 0, `${id}: data table`);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`#${id} .chart-csv`)]);
    const text = fs.readFileSync(await dl.path(), 'utf8');
    assert.equal(text.trim().split(/\r\n/).length, rows + 1, `${id}: CSV has a header and one line per row`);
  }
  const bars = await page.locator('#chart-category .bar').count();
  assert.equal(await page.locator('#chart-category .chart-table tbody tr').count(), bars, 'one table row per bar');
  const bar = page.locator('#chart-category .bar').first();
  const key = await bar.getAttribute('data-key');
  await bar.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#inbox-title');
  await page.waitForSelector('.ticket-row, .inbox p[role=status]');
  assert.match(page.url(), new RegExp(`category=${encodeURIComponent(key)}`));
  assertNoErrors(assert, page);
});

/** An open complaint-spike alert: a burst of angry billing complaints from different customers. */
async function openSpike() {
  const stamp = Date.now();
  for (let i = 0; i < 25; i++) {
    await api('POST', '/messages', { token, body: { channel: 'email', customer: { email: `spike${stamp}.${i}@example.com`, name: `Spike ${i}` },
      subject: 'Charged twice again', body: `You charged my card twice! This is outrageous, I want my money back now. (${i})` } });
  }
  let spike = null;
  for (let i = 0; i < 40 && !spike; i++) {
    const r = await api('GET', '/alerts', { token });
    spike = (r.data?.alerts || []).find((a) => a.kind === 'spike');
    if (!spike) await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(spike, 'the server raised a complaint-spike alert');
  return spike;
}

test('supervisor sees a complaint-spike alert and drills into its tickets', { skip: skipSpike, timeout: 120000 }, async () => {
  await openSpike();
  const page = await newPage(browser);
  await signIn(page, USERS.supervisor);
  await page.goto(`${BASE}/#/supervisor`);
  const alert = page.locator('.alert[data-kind*="spike"]').first();
  await alert.waitFor();
  await screenshot(page, 'supervisor-spike');
  await alert.locator('a.drill').click();
  await page.waitForSelector('.ticket-row');
  assert.ok(await page.locator('.ticket-row').count() > 0, 'tickets behind the spike listed');
  assertNoErrors(assert, page);
});

test('alerts screen: the spike with its sample tickets, acknowledged, then in the history', { skip: skipSpike, timeout: 120000 }, async () => {
  const open = (await api('GET', '/alerts', { token })).data.alerts;
  const spike = open.find((a) => a.kind === 'spike') || await openSpike();
  const page = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
  await signIn(page, USERS.supervisor);
  await page.click('nav a[href="#/alerts"]');
  const card = page.locator(`.alert-card[data-alert-id="${spike.id}"]`);
  await card.waitFor();
  assert.equal(await page.locator('.alert-card').count(), open.length, 'one card per open alert');
  assert.equal(await card.getAttribute('data-kind'), 'spike');
  const title = await card.locator('.alert-title').textContent();
  // the category by the name the UI gives it (web/i18n/en.js), else its label in words
  const name = en[`category.${spike.category}`] || spike.category.replace(/_/g, ' ');
  assert.ok(title.toLowerCase().includes(name.toLowerCase()), `names the category "${name}": ${title}`);
  assert.match(title, new RegExp(`${Math.round(spike.observed * 10) / 10} negative messages`), 'says how many');
  // The tickets behind it, right there.
  await card.locator('button.samples').click();
  await card.locator('.alert-samples .ticket-row').first().waitFor();
  const shown = await card.locator('.alert-samples .ticket-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.ticketId)));
  assert.deepEqual(shown.sort((a, b) => a - b), [...spike.ticket_ids].sort((a, b) => a - b), 'exactly the sample tickets');
  await screenshot(page, 'alerts', { fullPage: true });
  // Acknowledged from the keyboard: it leaves the open list and the server records who.
  await card.locator('button.ack').focus();
  await page.keyboard.press('Enter');
  await card.waitFor({ state: 'detached' });
  const me = (await api('POST', '/auth/login', { body: { email: USERS.supervisor, password: PASSWORD } })).data.user;
  const all = (await api('GET', '/alerts?status=all', { token })).data.alerts;
  const done = all.find((a) => a.id === spike.id);
  assert.equal(done.acknowledged_by, me.id, 'acknowledged by the supervisor');
  await page.selectOption('#alerts-status', 'all');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-acked'), 'yes');
  assert.match(await card.locator('.acked').textContent(), new RegExp(`Acknowledged by ${me.name}`));
  assert.equal(await card.locator('button.ack').count(), 0, 'no second acknowledgement offered');
  // And the drill-down to the inbox lists the same tickets.
  await card.locator('a.drill').click();
  await page.waitForSelector('.ticket-row');
  const inbox = await page.locator('.ticket-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.ticketId)));
  assert.deepEqual(inbox.sort((a, b) => a - b), [...spike.ticket_ids].sort((a, b) => a - b));
  assertNoErrors(assert, page);
});
