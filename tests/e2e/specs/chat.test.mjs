// A customer opens a chat, sees that the bot says it is a bot, and is handed to a human.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, newPage, screenshot, needs, assertNoErrors } from '../lib/harness.mjs';

const skip = await needs(['POST', '/chat', { body: { language: 'en', name: 'probe', body: 'probe' } }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('customer chat: the bot says it is a bot, then hands over to a human', { skip, timeout: 60000 }, async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 780 } });
  await page.goto(`${BASE}/chat.html`);
  await page.waitForSelector('#chat-start');
  await page.fill('#c-name', 'Test Customer');
  await page.fill('#c-first', 'How do I change my delivery address?');
  await page.click('#chat-start');
  await page.waitForSelector('#chat-log');
  assert.match(await page.locator('.bot-notice').textContent(), /bot/i);
  await page.waitForSelector('#chat-log .from-bot');
  await page.fill('#chat-input', 'This is not helping, I need a person');
  await page.click('#chat-send');
  // The answer to the POST is shown with the customer's line; if the server
  // handed over by itself, the button is already gone.
  await page.waitForFunction(() => [...document.querySelectorAll('#chat-log .mine .bubble-text')].some((e) => e.textContent.includes('I need a person')));
  // (The hand-over may arrive over SSE between the check and the click.)
  if (await page.locator('#talk-human').isVisible()) await page.click('#talk-human', { timeout: 3000 }).catch(() => {});
  await page.waitForFunction(() => document.querySelector('#chat-state').textContent.length > 0);
  assert.match(await page.locator('#chat-state').textContent(), /person|human/i);
  await screenshot(page, 'chat');
  assertNoErrors(assert, page);
});
