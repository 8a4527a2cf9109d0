// The language switch turns the whole interface Russian, and the choice is remembered.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, newPage, signIn, screenshot, needs, assertNoErrors } from '../lib/harness.mjs';

const skip = await needs(['POST', '/auth/login', { body: {} }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('language switch: English → Russian, remembered across reloads', { skip, timeout: 60000 }, async () => {
  const page = await newPage(browser, { lang: 'en' });
  await page.goto(`${BASE}/#/login`);
  assert.equal(await page.locator('#login-title').textContent(), 'Sign in to Parley');
  await page.selectOption('#lang', 'ru');
  await page.waitForSelector('#login-title:text("Вход в Parley")');
  assert.equal(await page.locator('label[for=password]').textContent(), 'Пароль');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  await signIn(page, USERS.agent);
  assert.equal(await page.locator('#inbox-title').textContent(), 'Входящие');
  assert.equal(await page.locator('#logout').textContent(), 'Выйти');
  await page.reload();
  await page.waitForSelector('#inbox-title');
  assert.equal(await page.locator('#inbox-title').textContent(), 'Входящие', 'choice remembered');
  await page.waitForSelector('.ticket-row');
  const tags = await page.locator('.ticket-row .row-tags').first().textContent();
  assert.doesNotMatch(tags, /\b(Anger|Urgent|High risk|left|Overdue)\b/, 'badges translated');
  await screenshot(page, 'inbox-ru');
  await page.selectOption('#lang', 'en');
  await page.waitForSelector('#inbox-title:text("Inbox")');
  assertNoErrors(assert, page);
});

test('customer pages switch language too', { timeout: 60000 }, async () => {
  const page = await newPage(browser, { lang: 'en' });
  await page.goto(`${BASE}/survey.html?t=none`);
  await page.waitForSelector('#survey-form h1');
  assert.equal(await page.locator('#survey-form h1').textContent(), 'How did we do?');
  await page.selectOption('#lang', 'ru');
  await page.waitForSelector('#survey-form h1:text("Как мы справились?")');
  assertNoErrors(assert, page);
});
