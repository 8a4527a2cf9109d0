// The ticket view suggests canned responses and articles for the ticket's
// emotion, category and language; inserting one puts it in the reply box
// and the tone check runs on it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { USERS, launch, newPage, signIn, screenshot, needs, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.admin);
const list = token ? await api('GET', '/tickets?status=new,open,pending&limit=100', { token }) : { data: null };
const angry = (list.data?.tickets || []).find((t) => t.emotion === 'anger');
const skip = !token ? 'needs POST /api/v1/auth/login'
  : !angry ? 'needs an angry ticket in the demo data'
    : await needs(['GET', `/tickets/${angry.id}/guidance`, { token }], ['POST', '/tone-check', { token, body: { text: 'x', language: 'en' } }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('ticket: suggested canned responses fit the emotion; inserting one runs the tone check', { skip, timeout: 60000 }, async () => {
  const bundle = (await api('GET', `/tickets/${angry.id}/guidance?language=en`, { token })).data;
  assert.ok(bundle.canned.length, 'the demo has canned responses for an angry ticket');
  const page = await newPage(browser);
  await signIn(page, USERS.agent);
  await page.goto(`${new URL(page.url()).origin}/#/ticket/${angry.id}`);
  await page.waitForSelector('#canned-list li');
  const first = page.locator('#canned-list li').first();
  assert.equal(await first.getAttribute('data-emotion'), 'anger', 'a response for anger comes first');
  assert.equal(await first.locator('strong').textContent(), bundle.canned[0].title);
  if (bundle.articles.length) assert.ok(await page.locator('#articles li').count(), 'articles shown');
  await first.locator('button').click();
  assert.equal(await page.inputValue('#draft'), bundle.canned[0].body);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'draft', 'focus moves to the reply box');
  await page.waitForSelector('#tone-result .tone-ok, #tone-result #tone-flags');
  await page.locator('#composer').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 120));
  await screenshot(page, 'ticket-suggestions');
  // A defensive addition to the inserted text is flagged.
  await page.fill('#draft', `${bundle.canned[0].body}\nBut that's not our fault.`);
  await page.click('#check-tone');
  await page.waitForSelector('#tone-flags li');
  assertNoErrors(assert, page);
});
