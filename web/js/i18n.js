// i18n.js — the interface language (ru/en), remembered in localStorage.
import en from '../i18n/en.js';
import ru from '../i18n/ru.js';
import { h } from './dom.js';

const dicts = { en, ru };
const KEY = 'parley.lang';
const listeners = new Set();

function initial() {
  const url = new URLSearchParams(location.search).get('lang');
  if (url && dicts[url]) return url;
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch { /* storage disabled */ }
  if (saved && dicts[saved]) return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

let lang = initial();
document.documentElement.lang = lang;

export const languages = () => Object.keys(dicts);
export const getLang = () => lang;

/** t('inbox.title') or t('sla.left', {time: '2h'}); falls back to English, then the key. */
export function t(key, vars) {
  let s = dicts[lang][key] ?? dicts.en[key];
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (vars[name] ?? m));
  return s;
}

/** Like t(), but returns undefined when the key is unknown (for enum values from the server). */
export function tMaybe(key) {
  return dicts[lang][key] ?? dicts.en[key];
}

export function setLang(next) {
  if (!dicts[next] || next === lang) return;
  lang = next;
  try { localStorage.setItem(KEY, next); } catch { /* storage disabled */ }
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Fills every [data-i18n] element of root with its translation (static pages). */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  document.title = t(document.body.dataset.titleKey || 'app.name');
}

/** A labelled <select id="lang"> that switches the language. */
export function langSwitch() {
  const sel = h('select', { id: 'lang', class: 'lang-select', 'aria-label': t('lang.label'),
    onchange: (e) => setLang(e.target.value) },
    h('option', { value: 'en', selected: lang === 'en', lang: 'en' }, 'English'),
    h('option', { value: 'ru', selected: lang === 'ru', lang: 'ru' }, 'Русский'));
  onLangChange((l) => { sel.value = l; sel.setAttribute('aria-label', t('lang.label')); });
  return sel;
}
