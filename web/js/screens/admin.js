// admin.js — the administration screens: users and roles, skills and
// languages, service standards, routing and wellbeing, knowledge base,
// canned responses, API keys, webhooks. A resource tab is a table with one
// form that creates or edits a row; a tab whose route the server does not
// offer shows a notice instead. Standards and routing: admin_config.js.
import { h, replace, announce } from '../dom.js';
import { t } from '../i18n.js';
import { get, request } from '../api.js';
import { when, emotionName, categoryName } from '../format.js';
import { renderStandards, renderRouting, renderJson } from './admin_config.js';

export const name = 'admin';

const ROLES = ['agent', 'supervisor', 'admin'];
const EMOTIONS = ['anger', 'frustration', 'anxiety', 'sadness', 'confusion', 'joy', 'neutral'];
const CATEGORIES = ['billing', 'delivery', 'returns', 'technical', 'account', 'retention', 'other'];
const LANGS = ['ru', 'en'];

/* Resource tabs. field: {name, type?, required?, options?, optionLabel?,
 * textarea?, list?, createOnly?, editOnly?, csv?, nullable?} */
const RESOURCES = {
  users: {
    path: '/users', key: 'users', edit: 'PATCH',
    columns: ['name', 'email', 'role', 'skills', 'languages', 'active'],
    label: (u) => u.name || u.email,
    fields: [
      { name: 'email', type: 'email', required: true, createOnly: true }, { name: 'name', required: true },
      { name: 'role', options: ROLES, optionLabel: (r) => t(`role.${r}`) },
      { name: 'password', type: 'password', required: true, minlength: 8, createOnly: true },
      { name: 'skills', hint: 'billing,delivery', list: 'admin-categories' }, { name: 'languages', hint: 'ru,en' },
      { name: 'active', type: 'checkbox', editOnly: true },
    ],
  },
  kb: {
    path: '/kb/articles', key: 'articles', edit: 'PUT', columns: ['title', 'language', 'category', 'updated_at'],
    label: (a) => a.title,
    fields: [{ name: 'title', required: true }, { name: 'language', options: LANGS },
      { name: 'category', list: 'admin-categories' }, { name: 'body', textarea: true, required: true }],
  },
  canned: {
    path: '/canned', key: 'responses', edit: 'PATCH', remove: true,
    columns: ['title', 'language', 'emotion', 'category', 'updated_at'],
    label: (c) => c.title,
    fields: [{ name: 'title', required: true }, { name: 'language', options: LANGS },
      { name: 'emotion', options: ['', ...EMOTIONS], optionLabel: (e) => (e ? emotionName(e) : t('admin.any')), nullable: true },
      { name: 'category', list: 'admin-categories', nullable: true },
      { name: 'body', textarea: true, required: true }],
  },
  apikeys: {
    path: '/apikeys', key: 'api_keys', columns: ['name', 'role', 'created_at'], secret: true,
    fields: [{ name: 'name', required: true },
      { name: 'role', options: ['integration', 'agent', 'supervisor', 'admin'], optionLabel: (r) => t(`role.${r}`) }],
  },
  webhooks: {
    path: '/webhooks', key: 'webhooks', columns: ['url', 'events', 'active', 'created_at'], secret: true, remove: true,
    label: (w) => w.url,
    fields: [{ name: 'url', type: 'url', required: true },
      { name: 'events', hint: 'ticket.created,message.inbound', csv: true }, { name: 'secret' }],
  },
};

const TABS = ['users', 'skills', 'standards', 'routing', 'kb', 'canned', 'apikeys', 'webhooks', 'config'];

export const unavailable = (route) => h('p', { class: 'notice' }, t('admin.unavailable', { route: `/api/v1${route}` }));
export const missing = (e) => e.status === 404 || e.status === 405 || e.status === 501;

function cell(c, v) {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? t('admin.yes') : t('admin.no');
  if (c === 'role' && v) return t(`role.${v}`);
  if (c === 'emotion') return v ? emotionName(v) : t('admin.any');
  if (c === 'category') return v ? categoryName(v) : t('admin.any');
  if (c.endsWith('_at') && v) return when(v);
  return v ?? '';
}

function listTable(items, spec, actions) {
  if (!items.length) return h('p', { class: 'muted' }, t('admin.empty'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, spec.columns.map((c) => h('th', { scope: 'col' }, t(`admin.field.${c}`))),
      actions ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('admin.actions'))) : null)),
    h('tbody', {}, items.map((it) => h('tr', { 'data-id': it.id },
      spec.columns.map((c) => h('td', {}, cell(c, it[c]))),
      actions ? h('td', { class: 'row-actions' }, actions(it)) : null)))));
}

/** The value of an input as the API wants it. */
function valueOf(f, input) {
  if (f.type === 'checkbox') return input.checked;
  const v = input.value.trim();
  if (f.csv) return v ? v.split(',').map((x) => x.trim()).filter(Boolean) : [];
  return v;
}

function makeInput(f, id) {
  if (f.type === 'checkbox') return h('input', { id, name: f.name, type: 'checkbox' });
  if (f.options) {
    return h('select', { id, name: f.name }, f.options.map((o) => h('option', { value: o }, f.optionLabel ? f.optionLabel(o) : o)));
  }
  if (f.textarea) return h('textarea', { id, name: f.name, rows: 6, required: f.required });
  return h('input', { id, name: f.name, type: f.type || 'text', required: f.required, minlength: f.minlength,
    placeholder: f.hint, list: f.list });
}

/**
 * One form that creates a row, or edits the row given to edit(row).
 * onDone() refreshes the list.
 */
function rowForm(key, spec, onDone) {
  const inputs = {};
  const boxes = {};
  let editing = null;
  const title = h('h3', {}, t('admin.add'));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: `${key}-submit` }, t('admin.create'));
  const cancel = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => reset() }, t('admin.cancel'));
  const msg = h('p', { role: 'status', class: 'small', id: `${key}-msg` });
  const fields = spec.fields.map((f) => {
    const id = `a-${f.name}`;
    const input = makeInput(f, id);
    inputs[f.name] = input;
    const label = h('label', { for: id }, t(`admin.field.${f.name}`));
    boxes[f.name] = f.type === 'checkbox' ? h('div', { class: 'field check' }, input, label) : h('div', { class: 'field' }, label, input);
    return boxes[f.name];
  });
  const show = () => {
    for (const f of spec.fields) {
      const hide = (editing && f.createOnly) || (!editing && f.editOnly);
      boxes[f.name].hidden = hide;
      if (f.required && f.type !== 'checkbox') inputs[f.name].required = !hide;
    }
  };
  const reset = () => {
    editing = null;
    form.reset();
    title.textContent = t('admin.add');
    submit.textContent = t('admin.create');
    cancel.hidden = true;
    show();
  };
  const form = h('form', { class: 'admin-form', id: `${key}-form`, onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    for (const f of spec.fields) {
      if (boxes[f.name].hidden || (f.type === 'password' && !inputs[f.name].value)) continue;
      const v = valueOf(f, inputs[f.name]);
      if (v === '' && f.nullable && editing) body[f.name] = null;
      else if (v !== '' || f.type === 'checkbox') body[f.name] = v;
    }
    try {
      const r = editing ? await request(spec.edit, `${spec.path}/${editing.id}`, body) : await request('POST', spec.path, body);
      const done = editing ? t('admin.saved') : t('admin.created');
      reset();
      replace(msg, done);
      const secret = r?.secret ?? r?.key;
      if (spec.secret && secret) msg.append(' ', t('admin.secret'), ' ', h('code', { class: 'secret' }, secret));
      announce(done);
      onDone();
    } catch (err) {
      msg.textContent = t('error.generic', { msg: err.message });
    }
  } },
  title, fields,
  h('datalist', { id: 'admin-categories' }, CATEGORIES.map((c) => h('option', { value: c }))),
  h('div', { class: 'row-actions' }, submit, cancel), msg);
  show();
  form.edit = (row) => {
    editing = row;
    for (const f of spec.fields) {
      const v = row[f.name];
      if (f.type === 'checkbox') inputs[f.name].checked = v !== false;
      else if (f.type !== 'password') inputs[f.name].value = Array.isArray(v) ? v.join(',') : v ?? '';
    }
    title.textContent = t('admin.editing', { name: spec.label(row) });
    submit.textContent = t('admin.save');
    cancel.hidden = false;
    msg.textContent = '';
    show();
    form.scrollIntoView({ block: 'nearest' });
    inputs[spec.fields.find((f) => !f.createOnly).name].focus();
  };
  return form;
}

/** A delete button that asks once more before deleting. */
function deleteButton(spec, row, onDone, msg) {
  const btn = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `${t('admin.delete')} ${spec.label(row)}` }, t('admin.delete'));
  btn.addEventListener('click', async () => {
    if (btn.dataset.confirm !== 'yes') {
      btn.dataset.confirm = 'yes';
      btn.textContent = t('admin.confirmdelete');
      return;
    }
    try {
      await request('DELETE', `${spec.path}/${row.id}`);
      announce(t('admin.deleted'));
      onDone();
    } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
  });
  return btn;
}

function renderResource(box, key) {
  const spec = RESOURCES[key];
  const listBox = h('div', { id: `${key}-list` });
  const msg = h('p', { role: 'status', class: 'small' });
  let form = null;
  const refresh = async () => {
    let r;
    try {
      r = await get(spec.path);
    } catch (e) {
      replace(listBox, missing(e) ? unavailable(spec.path) : h('p', { class: 'form-error' }, e.message));
      if (form) form.hidden = missing(e);
      return;
    }
    const items = r?.[spec.key] || (Array.isArray(r) ? r : []);
    const actions = spec.edit || spec.remove ? (it) => [
      spec.edit ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('admin.edit')} ${spec.label(it)}`,
        onclick: () => form.edit(it) }, t('admin.edit')) : null,
      spec.remove ? deleteButton(spec, it, refresh, msg) : null] : null;
    replace(listBox, listTable(items, spec, actions));
  };
  form = rowForm(key, spec, refresh);
  replace(box, h('h2', {}, t(`admin.tab.${key}`)), key === 'canned' ? h('p', { class: 'muted' }, t('admin.canned.lead')) : null,
    listBox, msg, form);
  return refresh();
}

/** Who covers which skill and language: the routing's view of the team. */
async function renderSkills(box) {
  let users;
  try { users = (await get('/users'))?.users || []; } catch (e) {
    replace(box, missing(e) ? unavailable('/users') : h('p', { class: 'form-error' }, e.message));
    return;
  }
  const split = (v) => (Array.isArray(v) ? v : String(v || '').split(',')).map((x) => x.trim()).filter(Boolean);
  const staff = users.filter((u) => u.active !== false && u.role !== 'integration');
  const skills = [...new Set(staff.flatMap((u) => split(u.skills)))].sort();
  const langs = [...new Set(staff.flatMap((u) => split(u.languages)))].sort();
  const cols = [...skills.map((s) => ['skill', s]), ...langs.map((l) => ['lang', l])];
  const gaps = cols.filter(([kind, v]) => !staff.some((u) => u.role === 'agent' && split(kind === 'skill' ? u.skills : u.languages).includes(v)));
  replace(box, h('h2', {}, t('admin.tab.skills')), h('p', { class: 'muted' }, t('admin.skills.lead')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table matrix', id: 'skills-matrix' },
      h('caption', { class: 'visually-hidden' }, t('admin.tab.skills')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('admin.field.name')),
        cols.map(([kind, v]) => h('th', { scope: 'col' }, kind === 'skill' ? categoryName(v) : v.toUpperCase())))),
      h('tbody', {}, staff.map((u) => h('tr', {}, h('th', { scope: 'row' }, u.name || u.email, ' ', h('span', { class: 'muted small' }, t(`role.${u.role}`))),
        cols.map(([kind, v]) => {
          const has = split(kind === 'skill' ? u.skills : u.languages).includes(v);
          return h('td', { class: has ? 'has' : 'hasnt' }, has ? '✓' : h('span', { class: 'visually-hidden' }, t('admin.no')), has ? h('span', { class: 'visually-hidden' }, t('admin.yes')) : null);
        })))))),
    gaps.length ? h('p', { class: 'notice', id: 'skills-gaps' }, t('admin.skills.gaps', { list: gaps.map(([, v]) => v).join(', ') }))
      : h('p', { class: 'small' }, t('admin.skills.covered')),
    h('p', {}, h('a', { href: '#/admin/users' }, t('admin.skills.edit'))));
}

const RENDER = {
  skills: renderSkills, standards: renderStandards, routing: renderRouting, config: renderJson,
};

export function render(main, { params }) {
  const current = TABS.includes(params[0]) ? params[0] : 'users';
  const box = h('div', { class: 'panel', id: `admin-${current}` });
  main.append(h('div', { class: 'admin' },
    h('div', { class: 'screen-head' }, h('h1', {}, t('admin.title'))),
    h('nav', { class: 'tabs', 'aria-label': t('admin.sections') }, TABS.map((k) =>
      h('a', { href: `#/admin/${k}`, class: 'tab', 'aria-current': k === current ? 'page' : null }, t(`admin.tab.${k}`)))),
    box));
  const run = RENDER[current] || ((b) => renderResource(b, current));
  Promise.resolve(run(box)).catch((e) => replace(box, h('p', { class: 'form-error' }, e.message)));
  return null;
}
