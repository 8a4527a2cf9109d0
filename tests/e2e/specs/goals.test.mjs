// SMART goals: a supervisor adds a goal from the form and sees its progress,
// projection and state as the server evaluates them; deletes it again.
import test from 'node:test';
import assert from 'node:assert/strict';
import { BASE, USERS, launch, newPage, signIn, screenshot, needs, api, apiToken, assertNoErrors } from '../lib/harness.mjs';

const token = await apiToken(USERS.supervisor);
const skip = !token ? 'needs POST /api/v1/auth/login' : await needs(['GET', '/goals', { token }]);

let browser;
test.before(async () => { browser = await launch(); });
test.after(async () => { await browser?.close(); });

test('goals: added from the form, progress and projection shown, deleted', { skip, timeout: 60000 }, async () => {
  const page = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
  await signIn(page, USERS.supervisor);
  await page.click('a[href="#/goals"]');
  await page.waitForSelector('#goal-form');
  const title = `Fewer new tickets ${Date.now()}`;
  await page.fill('#g-title', title);
  await page.selectOption('#g-metric', 'created');
  await page.fill('#g-change', '-20');
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  await page.fill('#g-bfrom', iso(Date.now() - 3 * 86400000));
  await page.fill('#g-bto', iso(Date.now() + 86400000));
  await page.fill('#g-start', iso(Date.now() - 3 * 86400000));
  await page.click('#goal-submit');
  await page.waitForFunction((t) => [...document.querySelectorAll('#goals-list h3')].some((e) => e.textContent === t), title);
  const goal = (await api('GET', '/goals', { token })).data.goals.find((g) => g.goal.title === title);
  assert.ok(goal, 'the server has the goal');
  assert.equal(goal.goal.target.relative, -0.2);
  const card = page.locator(`#goals-list li[data-goal-id="${goal.id}"]`);
  const st = goal.status;
  const want = st.achieved ? 'achieved' : !st.judged ? 'early' : st.on_track ? 'ontrack' : 'offtrack';
  assert.equal(await card.getAttribute('data-state'), want);
  assert.match(await card.locator('svg').getAttribute('aria-label'), new RegExp(`${Math.round(Math.min(1, st.progress || 0) * 100)}%`));
  await screenshot(page, 'goals', { fullPage: true });
  const del = card.locator('.btn-danger');
  await del.click();
  await del.click();
  await card.waitFor({ state: 'detached' });
  assert.equal((await api('GET', `/goals/${goal.id}`, { token })).status, 404);
  assertNoErrors(assert, page);
});
