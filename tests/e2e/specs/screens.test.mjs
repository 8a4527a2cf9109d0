// Screenshots of the remaining main screens, on a laptop and a phone, with a
// basic accessibility check: every form control has a label.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, newPage, signIn, screenshot, needs, assertNoErrors } from '../lib/harness.mjs';

const skip = await needs(['POST', '/auth/login', { body: {} }]);
const skipNew = skip || await needs(['GET', '/ledger/checkpoint'], ['GET', '/alerts']);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

async function unlabelled(page) {
  return page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)));
}

/** Elements whose text is below WCAG AA contrast (4.5:1) against their own background. */
async function lowContrast(page, selector) {
  return page.evaluate((sel) => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bad = [];
    for (const el of document.querySelectorAll(sel)) {
      let node = el, bg = null;
      while (node && node.nodeType === 1) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) { bg = c; break; }
        node = node.parentElement;
      }
      bg = bg || [255, 255, 255];
      const fg = rgb(getComputedStyle(el).color);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < 4.5) bad.push(`${el.className}: ${el.textContent.trim().slice(0, 30)} (${ratio.toFixed(2)})`);
    }
    return bad;
  }, selector);
}

test('badges, chips and muted text have AA contrast', { skip, timeout: 60000 }, async () => {
  const page = await newPage(browser);
  await signIn(page, USERS.agent);
  await page.waitForSelector('.ticket-row');
  assert.deepEqual(await lowContrast(page, '.badge, .prio, .risk, .sla, .channel, .chip, .muted, .ticket-link, .nav-link, .btn'), []);
  await page.locator('.ticket-row .ticket-link').first().click();
  await page.waitForSelector('.msg-inbound');
  assert.deepEqual(await lowContrast(page, '.badge, .chip, .msg-kind, .muted, .guidance li, .btn, label'), []);
});

test('admin pages and phone layout', { skip, timeout: 90000 }, async () => {
  const page = await newPage(browser);
  await signIn(page, USERS.admin);
  await page.goto(`${BASE}/#/admin/users`);
  await page.waitForSelector('#admin-users h2');
  await page.waitForSelector('#admin-users table, #admin-users .notice, #admin-users .muted');
  assert.deepEqual(await unlabelled(page), []);
  await screenshot(page, 'admin-users');
  await page.goto(`${BASE}/#/admin/config`);
  await page.waitForSelector('#admin-config textarea, #admin-config .notice');
  await screenshot(page, 'admin-config');
  assertNoErrors(assert, page);

  const phone = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(phone, USERS.agent);
  await phone.waitForSelector('.ticket-row, .inbox p[role=status]');
  assert.deepEqual(await unlabelled(phone), []);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await screenshot(phone, 'inbox-phone');
  // Keyboard: Tab reaches the first ticket link.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await phone.keyboard.press('Tab');
    reached = await phone.evaluate(() => document.activeElement?.classList.contains('ticket-link'));
  }
  assert.ok(reached, 'tickets reachable by keyboard');
  assertNoErrors(assert, phone);
});

test('customer survey and status pages render', { timeout: 60000 }, async () => {
  const page = await newPage(browser, { viewport: { width: 420, height: 860 } });
  await page.goto(`${BASE}/survey.html?t=demo`);
  await page.waitForSelector('#survey-form');
  assert.equal(await page.locator('.csat-option').count(), 5);
  assert.deepEqual(await unlabelled(page), []);
  await page.check('#score-5');
  await screenshot(page, 'survey');
  await page.goto(`${BASE}/status.html?t=demo`);
  await page.waitForSelector('#status-title');
  await screenshot(page, 'status');
  assertNoErrors(assert, page);
});

test('customer, alerts and ledger screens: labelled, AA contrast, no horizontal scrolling on a phone', { skip: skipNew, timeout: 90000 }, async () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const page = await newPage(browser, { viewport });
    await signIn(page, USERS.admin);
    for (const [hash, ready] of [['#/customer/1', '#export-data'], ['#/alerts', '#alert-cards li'], ['#/ledger', '#witness-table, #witnesses p']]) {
      await page.goto(`${BASE}/${hash}`);
      await page.waitForSelector(ready);   // drawn from the server's answer
      assert.deepEqual(await unlabelled(page), [], `${hash}: every control labelled`);
      assert.deepEqual(await lowContrast(page, '.chip, .muted, .btn, label, .alert-kind, .facts dt, .hash'), [], `${hash}: contrast`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${hash} at ${viewport.width}px: no horizontal scrolling (overflow ${overflow}px)`);
    }
    if (viewport.width < 500) await screenshot(page, 'ledger-phone', { fullPage: true });
    assertNoErrors(assert, page);
    await page.context().close();
  }
});
