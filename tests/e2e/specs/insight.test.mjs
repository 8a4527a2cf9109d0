// Reports and ROI: a supervisor charts a metric, drills from a point to the
// tickets behind it, downloads the server's CSV; edits the ROI inputs and
// sees the ROI recomputed with every line's formula.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE, USERS, launch, newPage, signIn, screenshot, needs, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.supervisor);
const skipReports = !token ? 'needs POST /api/v1/auth/login' : await needs(['GET', '/reports?metric=created', { token }]);
const skipRoi = !token ? 'needs POST /api/v1/auth/login' : await needs(['GET', '/roi', { token }], ['GET', '/roi/inputs', { token }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('reports: a metric over time, a point drills to its tickets, CSV from the server', { skip: skipReports, timeout: 90000 }, async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
  await signIn(page, USERS.supervisor);
  await page.click('a[href="#/reports"]');
  await page.waitForSelector('#report-chart .dot');
  // The last day with tickets created: the demo's conversations.
  const dots = page.locator('#report-chart .dot');
  const n = await dots.count();
  let target = null;
  for (let i = n - 1; i >= 0 && !target; i--) if (!/: 0$/.test(await dots.nth(i).getAttribute('aria-label'))) target = dots.nth(i);
  assert.ok(target, 'a day with tickets');
  await target.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#report-drill #drill-inbox');
  const links = await page.locator('#report-drill .drill-list a').count();
  const shown = Number((await target.getAttribute('aria-label')).split(': ').pop());
  assert.equal(links, shown, 'as many tickets behind the point as it counts');
  await screenshot(page, 'reports', { fullPage: true });
  await page.click('#drill-inbox');
  await page.waitForSelector('.ticket-row');
  assert.equal(await page.locator('.ticket-row').count(), shown, 'the inbox lists exactly those tickets');

  // By channel: one bar per channel, the numbers as a table, the server's CSV.
  await page.goto(`${BASE}/#/reports`);
  await page.waitForSelector('#report-chart .dot');
  await page.selectOption('#r-group', 'channel');
  await page.click('#report-form button[type=submit]');
  await page.waitForSelector('#report-chart .bar');
  await page.locator('#report-chart .chart-data summary').click();
  assert.ok(await page.locator('#report-chart .chart-table tbody tr').count() >= await page.locator('#report-chart .bar').count());
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#report-csv')]);
  const csv = fs.readFileSync(await dl.path(), 'utf8');
  assert.match(csv.split(/\r?\n/)[0], /^period_start,period_end,group,key,label,created/);
  assertNoErrors(assert, page);
});

test('ROI: inputs entered in the form recompute the ROI, every line with its formula', { skip: skipRoi, timeout: 90000 }, async () => {
  const before = (await api('GET', '/roi/inputs', { token })).data.inputs;
  const page = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
  await signIn(page, USERS.supervisor);
  try {
    await page.click('a[href="#/roi"]');
    await page.waitForSelector('#roi-form');
    await page.fill('#roi-hourly_cost', '800');
    await page.fill('#roi-technology-period', '150000');
    await page.fill('#roi-technology-baseline', '100000');
    await page.fill('#roi-clv', '25000');
    await page.click('#roi-save');
    await page.waitForFunction(() => /recomputed|пересчитан/.test(document.querySelector('#roi-msg')?.textContent || ''));
    const inputs = (await api('GET', '/roi/inputs', { token })).data.inputs;
    assert.equal(inputs.assumptions.hourly_cost, 800);
    assert.equal(inputs.period.technology, 150000);
    assert.equal(inputs.baseline.technology, 100000);
    const roi = (await api('GET', '/roi', { token })).data;
    assert.ok(roi.costs_total >= 150000, 'technology counted in the costs');
    assert.match(await page.locator('#roi-costs .kpi-value').textContent(), /150[\s,.\u00a0\u202f]?000/);
    assert.equal(await page.locator('#roi-hourly_cost').inputValue(), '800', 'the entered value stays in the form');
    await page.locator('.chart-data summary').click();
    assert.match(await page.locator('.chart-table').textContent(), /staff_hours × hourly_cost/);
    await screenshot(page, 'roi', { fullPage: true });
  } finally {
    await api('PUT', '/roi/inputs', { token, body: before && Object.keys(before).length ? before : { period: {}, baseline: {}, assumptions: {} } });
  }
  assertNoErrors(assert, page);
});
