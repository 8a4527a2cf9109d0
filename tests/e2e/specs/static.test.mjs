// Checks of web/ that need no browser: CSP-friendly markup, no HTML injection
// sinks, and both dictionaries complete.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const WEB = path.resolve(new URL('.', import.meta.url).pathname, '../../../web');
const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p); else files.push(p);
  }
})(WEB);
const read = (p) => fs.readFileSync(p, 'utf8');
const js = files.filter((f) => f.endsWith('.js'));
const html = files.filter((f) => f.endsWith('.html'));

test('no HTML injection sinks in the UI code', () => {
  for (const f of js) {
    const src = read(f);
    assert.doesNotMatch(src, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, f);
    assert.doesNotMatch(src, /setAttribute\(\s*['"](style|on\w+)['"]/, f);
  }
});

test('pages have no inline script, handlers or styles (CSP script-src/style-src self)', () => {
  for (const f of html) {
    const src = read(f);
    assert.doesNotMatch(src, /<script(?![^>]*\bsrc=)[^>]*>/, `${f}: inline <script>`);
    assert.doesNotMatch(src, /\son[a-z]+\s*=/i, `${f}: inline event handler`);
    assert.doesNotMatch(src, /\sstyle\s*=|<style/i, `${f}: inline style`);
    assert.doesNotMatch(src, /https?:\/\//, `${f}: external resource`);
  }
  for (const f of js) assert.doesNotMatch(read(f), /from\s+['"]https?:/, `${f}: module from another origin`);
});

test('ru and en dictionaries have the same keys, and every t() key exists', async () => {
  const en = (await import(path.join(WEB, 'i18n/en.js'))).default;
  const ru = (await import(path.join(WEB, 'i18n/ru.js'))).default;
  assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort());
  for (const [k, v] of Object.entries(ru)) assert.ok(v && typeof v === 'string', `ru ${k}`);
  const used = new Set();
  for (const f of js) for (const m of read(f).matchAll(/\bt\('([a-z][\w.]*)'/g)) used.add(m[1]);
  for (const f of html) for (const m of read(f).matchAll(/data-(?:i18n|title-key)="([^"]+)"/g)) used.add(m[1]);
  const missing = [...used].filter((k) => k.includes('.') && !(k in en));
  assert.deepEqual(missing, []);
});
