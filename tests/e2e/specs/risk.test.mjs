// Risk scores: the inbox shows each open ticket's chance of escalating, the
// ticket view what drives it and the chance of a low rating, the customer
// panel the churn risk with its reasons.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, newPage, signIn, screenshot, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const list = token ? (await api('GET', '/tickets?status=new,open,pending&limit=100', { token })).data?.tickets || [] : [];
const scored = list.find((x) => typeof x.risk?.escalation === 'number' && !x.escalated && x.risk.factors?.length);
const skip = !token ? 'needs POST /api/v1/auth/login'
  : !scored ? 'needs ticket risk scores (serve --risk-model; tests/e2e/run.sh trains one)' : false;

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('risk: escalation chance in the inbox, its drivers and the churn risk on the ticket', { skip, timeout: 60000 }, async () => {
  const page = await newPage(browser);
  await signIn(page, USERS.admin);
  const row = page.locator(`.ticket-row[data-ticket-id="${scored.id}"]`);
  await row.waitFor();
  // The chance grows while the customer waits: the inbox shows a value
  // between the one read before the page loaded and the one read after.
  const shown = Number((await row.locator('.risk').textContent()).match(/(\d+)%/)?.[1]);
  const later = (await api('GET', `/tickets/${scored.id}?lang=en`, { token })).data.risk.escalation;
  const lo = Math.round(Math.min(scored.risk.escalation, later) * 100);
  const hi = Math.round(Math.max(scored.risk.escalation, later) * 100);
  assert.ok(shown >= lo && shown <= hi, `inbox shows ${shown}%, the API ${lo}–${hi}%`);
  await row.locator('.ticket-link').click();
  await page.waitForSelector('#risk-factors li');
  const detail = (await api('GET', `/tickets/${scored.id}?lang=en`, { token })).data;
  const labels = await page.locator('#risk-factors li').allTextContents();
  assert.equal(labels.length, detail.risk.factors.length);
  for (const f of detail.risk.factors) assert.ok(labels.some((l) => l.includes(f.label)), `factor ${f.label} shown`);
  const customer = (await api('GET', `/customers/${detail.customer_id}?lang=en`, { token })).data;
  if (typeof customer.churn_risk === 'number') {
    await page.waitForSelector('#churn-risk');
    assert.match(await page.locator('#churn-risk').textContent(), new RegExp(`${Math.round(customer.churn_risk * 100)}%`));
  }
  await page.locator('#triage').scrollIntoViewIfNeeded();
  await screenshot(page, 'ticket-risk');
  assertNoErrors(assert, page);
});
