// admin.js — forms over the admin routes: users, API keys, webhooks,
// knowledge base, service standards / routing / wellbeing configuration.
// Each tab degrades to a notice when its route does not exist yet.
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, put, patch } from '../api.js';
import { when } from '../format.js';

export const name = 'admin';

const ROLES = ['agent', 'supervisor', 'admin', 'integration'];

const TABS = {
  users: {
    path: '/users', key: 'users',
    columns: ['name', 'email', 'role', 'skills', 'languages', 'active'],
    fields: [
      { name: 'email', type: 'email', required: true }, { name: 'name', required: true },
      { name: 'role', options: ROLES }, { name: 'password', type: 'password', required: true, minlength: 8 },
      { name: 'skills', hint: 'billing,delivery' }, { name: 'languages', hint: 'ru,en' },
    ],
  },
  apikeys: {
    path: '/apikeys', key: 'api_keys', columns: ['name', 'role', 'created_at'],
    fields: [{ name: 'name', required: true }, { name: 'role', options: ['integration', 'agent', 'supervisor', 'admin'] }],
    secret: true,
  },
  webhooks: {
    path: '/webhooks', key: 'webhooks', columns: ['url', 'events', 'active'],
    fields: [{ name: 'url', type: 'url', required: true }, { name: 'events', hint: 'ticket.created,message.inbound' }, { name: 'secret' }],
    secret: true,
  },
  kb: {
    path: '/kb/articles', key: 'articles', columns: ['title', 'language', 'category'],
    fields: [{ name: 'title', required: true }, { name: 'language', options: ['ru', 'en'] }, { name: 'category' },
      { name: 'body', textarea: true, required: true }],
  },
  config: { config: true },
};

function unavailable(path) {
  return h('p', { class: 'notice' }, t('admin.unavailable', { route: `/api/v1${path}` }));
}

function cell(c, v) {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? t('admin.yes') : t('admin.no');
  if (c === 'role' && v) return t(`role.${v}`);
  if (c === 'created_at' && v) return when(v);
  return v ?? '';
}

function listTable(items, columns, onEdit) {
  if (!items.length) return h('p', { class: 'muted' }, t('admin.empty'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, t(`admin.field.${c}`))),
      onEdit ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('admin.edit'))) : null)),
    h('tbody', {}, items.map((it) => h('tr', {}, columns.map((c) => h('td', {}, cell(c, it[c]))),
      onEdit ? h('td', {}, h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('admin.edit')} ${it.name || it.email || it.id}`,
        onclick: () => onEdit(it) }, t('admin.edit'))) : null)))));
}

/** Edit a user's role, skills, languages and whether they are active (PATCH /users/{id}). */
function userEditor(u, box, onSaved) {
  const role = h('select', { id: 'e-role' }, ROLES.map((r) => h('option', { value: r, selected: r === u.role }, t(`role.${r}`))));
  const skills = h('input', { id: 'e-skills', value: Array.isArray(u.skills) ? u.skills.join(',') : u.skills || '' });
  const langs = h('input', { id: 'e-languages', value: Array.isArray(u.languages) ? u.languages.join(',') : u.languages || '' });
  const active = h('input', { id: 'e-active', type: 'checkbox', checked: u.active !== false });
  const msg = h('p', { role: 'status', class: 'small' });
  replace(box, h('form', { class: 'admin-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await patch(`/users/${u.id}`, { role: role.value, skills: skills.value.trim(), languages: langs.value.trim(), active: active.checked });
      msg.textContent = t('admin.saved');
      onSaved();
    } catch (err) {
      msg.textContent = err.status === 404 || err.status === 405 ? t('admin.unavailable', { route: `PATCH /api/v1/users/${u.id}` }) : t('error.generic', { msg: err.message });
    }
  } },
  h('h3', {}, t('admin.edituser', { name: u.name || u.email })),
  h('div', { class: 'field' }, h('label', { for: 'e-role' }, t('admin.field.role')), role),
  h('div', { class: 'field' }, h('label', { for: 'e-skills' }, t('admin.field.skills')), skills),
  h('div', { class: 'field' }, h('label', { for: 'e-languages' }, t('admin.field.languages')), langs),
  h('div', { class: 'field check' }, active, h('label', { for: 'e-active' }, t('admin.field.active'))),
  h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.save')), msg));
  role.focus();
}

function createForm(tab, onCreated) {
  const inputs = {};
  const msg = h('p', { role: 'status', class: 'small' });
  const form = h('form', { class: 'admin-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    for (const f of tab.fields) {
      const v = inputs[f.name].value.trim();
      if (v) body[f.name] = ['events'].includes(f.name) ? v.split(',').map((x) => x.trim()) : v;
    }
    try {
      const r = await post(tab.path, body);
      form.reset();
      replace(msg, t('admin.created'));
      const secret = r?.secret ?? r?.key ?? r?.token;
      if (tab.secret && secret) msg.append(' ', t('admin.secret'), ' ', h('code', { class: 'secret' }, secret));
      onCreated();
    } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
  } },
  h('h3', {}, t('admin.add')),
  tab.fields.map((f) => {
    const id = `a-${f.name}`;
    const input = f.options ? h('select', { id, name: f.name }, f.options.map((o) => h('option', { value: o }, t(`role.${o}`) === `role.${o}` ? o : t(`role.${o}`))))
      : f.textarea ? h('textarea', { id, name: f.name, rows: 6, required: f.required })
        : h('input', { id, name: f.name, type: f.type || 'text', required: f.required, minlength: f.minlength, placeholder: f.hint });
    inputs[f.name] = input;
    return h('div', { class: 'field' }, h('label', { for: id }, t(`admin.field.${f.name}`)), input);
  }),
  h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.create')), msg);
  return form;
}

async function renderConfig(box) {
  // Service standards (SLA per priority, business hours), routing and wellbeing
  // limits live in the triage configuration JSON (docs/triage.md).
  const paths = ['/config/triage', '/config'];
  let cfg = null, path = null;
  for (const p of paths) {
    try { cfg = await get(p); path = p; break; } catch (e) { if (e.status !== 404 && e.status !== 405) throw e; }
  }
  if (!path) { replace(box, unavailable(paths[0])); return; }
  const area = h('textarea', { id: 'config-json', rows: 24, class: 'mono', spellcheck: 'false' }, JSON.stringify(cfg, null, 2));
  const msg = h('p', { role: 'status', class: 'small' });
  replace(box, h('p', { class: 'muted' }, t('admin.config.lead')),
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      let body;
      try { body = JSON.parse(area.value); } catch (err) { msg.textContent = t('admin.config.badjson', { msg: err.message }); return; }
      try { await put(path, body); msg.textContent = t('admin.saved'); } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
    } },
    h('label', { for: 'config-json' }, t('admin.config.label')), area,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.save')), msg));
}

export function render(main, { params }) {
  const current = TABS[params[0]] ? params[0] : 'users';
  const box = h('div', { class: 'panel', id: `admin-${current}` });
  main.append(h('div', { class: 'admin' },
    h('div', { class: 'screen-head' }, h('h1', {}, t('admin.title'))),
    h('nav', { class: 'tabs', 'aria-label': t('admin.sections') }, Object.keys(TABS).map((k) =>
      h('a', { href: `#/admin/${k}`, class: 'tab', 'aria-current': k === current ? 'page' : null }, t(`admin.tab.${k}`)))),
    box));
  const tab = TABS[current];
  if (tab.config) { renderConfig(box).catch((e) => replace(box, h('p', { class: 'form-error' }, e.message))); return null; }
  const listBox = h('div');
  const editBox = h('div');
  const refresh = async () => {
    try {
      const r = await get(tab.path);
      const onEdit = current === 'users' ? (u) => userEditor(u, editBox, refresh) : null;
      replace(listBox, listTable(r?.[tab.key] || r?.items || (Array.isArray(r) ? r : []), tab.columns, onEdit));
    } catch (e) {
      replace(listBox, e.status === 404 || e.status === 405 ? unavailable(tab.path) : h('p', { class: 'form-error' }, e.message));
    }
  };
  replace(box, h('h2', {}, t(`admin.tab.${current}`)), listBox, editBox, createForm(tab, refresh));
  refresh();
  return null;
}


