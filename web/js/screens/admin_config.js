// admin_config.js — forms over the triage configuration (GET/PUT
// /config/triage, docs/triage.md): service standards (SLA per priority,
// business hours) and routing / wellbeing limits with escalation rules,
// plus the whole document as JSON for what the forms do not cover.
import { h, replace, announce } from '../dom.js';
import { t } from '../i18n.js';
import { get, put } from '../api.js';
import { priorityName } from '../format.js';

const PATH = '/config/triage';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const SLA_KEYS = ['first_minutes', 'next_minutes', 'resolve_minutes'];
const CUES = ['legal', 'regulator', 'press', 'cancel', 'review', 'profanity', 'insult'];

async function load(box) {
  try {
    return await get(PATH);
  } catch (e) {
    const notice = e.status === 404 || e.status === 405
      ? h('p', { class: 'notice' }, t('admin.unavailable', { route: `/api/v1${PATH}` }))
      : h('p', { class: 'form-error' }, e.message);
    replace(box, notice);
    return null;
  }
}

const num = (id, value, { min = 0, max, step = 1, label } = {}) =>
  h('input', { id, type: 'number', value: String(value ?? ''), min, max, step, required: true, 'aria-label': label, class: 'num' });
const check = (id, checked) => h('input', { id, type: 'checkbox', checked: !!checked });
function field(id, label, input, hint) {
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    hint ? h('p', { class: 'small muted', id: `${id}-hint` }, hint) : null);
}
const checkField = (input, label) => h('div', { class: 'field check' }, input, h('label', { for: input.id }, label));

/** A form that PUTs build() and says how it went; the server names a bad key. */
function configForm(id, build, ...children) {
  const msg = h('p', { role: 'status', class: 'small', id: `${id}-msg` });
  return h('form', { class: 'config-form', id, onsubmit: async (e) => {
    e.preventDefault();
    try {
      await put(PATH, build());
      msg.textContent = t('admin.saved');
      announce(t('admin.saved'));
    } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
  } }, children, h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.save')), msg);
}

/** Service standards: SLA minutes per priority, the business week, holidays. */
export async function renderStandards(box) {
  const cfg = await load(box);
  if (!cfg) return;
  const sla = {};
  const rows = ['urgent', 'high', 'normal', 'low'].map((p) => {
    sla[p] = {};
    return h('tr', {}, h('th', { scope: 'row' }, priorityName(p)), SLA_KEYS.map((k) => {
      sla[p][k] = num(`sla-${p}-${k}`, cfg.sla?.[p]?.[k], { min: 1, label: `${priorityName(p)}: ${t(`admin.sla.${k}`)}` });
      return h('td', {}, sla[p][k]);
    }));
  });
  const bh = cfg.business_hours || {};
  const enabled = check('bh-enabled', bh.enabled);
  const offset = num('bh-offset', bh.utc_offset_minutes ?? 0, { min: -840, max: 840 });
  const week = {};
  const dayRows = DAYS.map((d) => {
    const span = bh.week?.[d];
    week[d] = {
      open: check(`bh-${d}-open`, !!span),
      from: h('input', { id: `bh-${d}-from`, type: 'time', value: span?.[0] || '09:00', 'aria-label': `${t(`day.${d}`)}: ${t('admin.bh.from')}` }),
      to: h('input', { id: `bh-${d}-to`, type: 'time', value: span?.[1] || '18:00', 'aria-label': `${t(`day.${d}`)}: ${t('admin.bh.to')}` }),
    };
    return h('tr', {}, h('th', { scope: 'row' }, t(`day.${d}`)),
      h('td', {}, week[d].open, h('label', { for: `bh-${d}-open`, class: 'visually-hidden' }, `${t(`day.${d}`)}: ${t('admin.bh.open')}`)),
      h('td', {}, week[d].from), h('td', {}, week[d].to));
  });
  const holidays = h('input', { id: 'bh-holidays', value: (bh.holidays || []).join(', '), placeholder: '2026-12-31, 2027-01-01' });
  const pausePending = check('sla-pause-pending', cfg.pause_sla_while_pending);
  const build = () => {
    const out = { sla: {}, business_hours: { enabled: enabled.checked, utc_offset_minutes: Number(offset.value), week: {},
      holidays: holidays.value.split(/[\s,]+/).filter(Boolean) }, pause_sla_while_pending: pausePending.checked };
    for (const p of Object.keys(sla)) {
      out.sla[p] = {};
      for (const k of SLA_KEYS) out.sla[p][k] = Number(sla[p][k].value);
    }
    for (const d of DAYS) out.business_hours.week[d] = week[d].open.checked ? [week[d].from.value, week[d].to.value] : null;
    return out;
  };
  replace(box, h('h2', {}, t('admin.tab.standards')), h('p', { class: 'muted' }, t('admin.standards.lead')),
    configForm('standards-form', build,
      h('fieldset', {}, h('legend', {}, t('admin.sla.title')),
        h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'sla-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('admin.sla.priority')),
            SLA_KEYS.map((k) => h('th', { scope: 'col' }, t(`admin.sla.${k}`))))),
          h('tbody', {}, rows))),
        checkField(pausePending, t('admin.sla.pausepending'))),
      h('fieldset', {}, h('legend', {}, t('admin.bh.title')),
        checkField(enabled, t('admin.bh.enabled')),
        field('bh-offset', t('admin.bh.offset'), offset),
        h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'bh-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('admin.bh.day')), h('th', { scope: 'col' }, t('admin.bh.open')),
            h('th', { scope: 'col' }, t('admin.bh.from')), h('th', { scope: 'col' }, t('admin.bh.to')))),
          h('tbody', {}, dayRows))),
        field('bh-holidays', t('admin.bh.holidays'), holidays, t('admin.bh.holidayshint')))));
}

/** Routing and wellbeing limits, and when to escalate to a supervisor. */
export async function renderRouting(box) {
  const cfg = await load(box);
  if (!cfg) return;
  const r = cfg.routing || {};
  const e = cfg.escalation || {};
  const maxHostile = num('rt-max-hostile', r.max_hostile_in_a_row, { min: 1, max: 1000 });
  const pauseMin = num('rt-pause', r.pause_after_intense_minutes, { min: 0, max: 1440 });
  const hostile = num('rt-hostile', r.hostile_threshold, { min: 0, max: 1, step: 0.05 });
  const intense = num('rt-intense', r.intense_threshold, { min: 0, max: 1, step: 0.05 });
  const angerOn = check('esc-anger', e.anger_rising?.enabled);
  const angerAt = num('esc-anger-threshold', e.anger_rising?.threshold, { min: 0, max: 1, step: 0.05 });
  const slaOn = check('esc-sla', e.sla_breach?.enabled);
  const slaWindow = num('esc-sla-window', e.sla_breach?.window_minutes, { min: 0, max: 10080 });
  const cuesOn = check('esc-cues', e.cues?.enabled);
  const cueBoxes = CUES.map((c) => check(`esc-cue-${c}`, (e.cues?.cues || []).includes(c)));
  const build = () => ({
    routing: { max_hostile_in_a_row: Number(maxHostile.value), pause_after_intense_minutes: Number(pauseMin.value),
      hostile_threshold: Number(hostile.value), intense_threshold: Number(intense.value) },
    escalation: {
      anger_rising: { enabled: angerOn.checked, threshold: Number(angerAt.value) },
      sla_breach: { enabled: slaOn.checked, window_minutes: Number(slaWindow.value) },
      cues: { enabled: cuesOn.checked, cues: CUES.filter((c, i) => cueBoxes[i].checked) },
    },
  });
  replace(box, h('h2', {}, t('admin.tab.routing')), h('p', { class: 'muted' }, t('admin.routing.lead')),
    configForm('routing-form', build,
      h('fieldset', {}, h('legend', {}, t('admin.wellbeing.title')),
        field('rt-max-hostile', t('admin.wellbeing.maxhostile'), maxHostile, t('admin.wellbeing.maxhostilehint')),
        field('rt-pause', t('admin.wellbeing.pause'), pauseMin),
        field('rt-hostile', t('admin.wellbeing.hostile'), hostile, t('admin.wellbeing.thresholdhint')),
        field('rt-intense', t('admin.wellbeing.intense'), intense)),
      h('fieldset', {}, h('legend', {}, t('admin.esc.title')),
        checkField(angerOn, t('admin.esc.anger')), field('esc-anger-threshold', t('admin.esc.angerthreshold'), angerAt),
        checkField(slaOn, t('admin.esc.sla')), field('esc-sla-window', t('admin.esc.slawindow'), slaWindow),
        checkField(cuesOn, t('admin.esc.cues')),
        h('div', { class: 'cue-list' }, cueBoxes.map((b, i) => checkField(b, t(`cue.${CUES[i]}`)))))));
}

/** The whole configuration as JSON (categories, priority points, …). */
export async function renderJson(box) {
  const cfg = await load(box);
  if (!cfg) return;
  const area = h('textarea', { id: 'config-json', rows: 24, class: 'mono', spellcheck: 'false' }, JSON.stringify(cfg, null, 2));
  const msg = h('p', { role: 'status', class: 'small' });
  replace(box, h('h2', {}, t('admin.tab.config')), h('p', { class: 'muted' }, t('admin.config.lead')),
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      let body;
      try { body = JSON.parse(area.value); } catch (err) { msg.textContent = t('admin.config.badjson', { msg: err.message }); return; }
      try { await put(PATH, body); msg.textContent = t('admin.saved'); } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
    } },
    h('label', { for: 'config-json' }, t('admin.config.label')), area,
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('admin.save')), msg));
}
