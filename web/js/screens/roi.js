// roi.js — the return on conflict resolution (GET /roi): the result, costs
// and benefits as charts with every line's formula, and the inputs
// (GET/PUT /roi/inputs) editable — what the desk computed from its data is
// shown, and an entered value overrides it.
import { h, replace, announce } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { get, put } from '../api.js';
import { barChart, chartBlock } from '../charts.js';

export const name = 'roi';

const money = (v, cur) => (typeof v === 'number'
  ? new Intl.NumberFormat(getLang() === 'ru' ? 'ru-RU' : 'en-GB', { style: 'currency', currency: cur || 'RUB', maximumFractionDigits: 0 }).format(v)
  : '—');
const day = (iso) => (iso ? String(iso).slice(0, 10) : '');
const valueOf = (v) => (v && typeof v === 'object' ? v.value : v);

/** The inputs as rows: name, explanation, per-period or one value ("both"). */
function inputRows(report, fields) {
  const rows = new Map();
  for (const f of fields) rows.set(f.name, { name: f.name, explain: getLang() === 'ru' ? f.explain_ru : f.explain_en, both: false });
  for (const i of report?.inputs || []) {
    const row = rows.get(i.name) || { name: i.name, explain: i.explanation };
    if (i.period === 'both') row.both = true;
    row[i.period === 'baseline' ? 'baseline' : 'period'] = i;
    rows.set(i.name, row);
  }
  return [...rows.values()];
}

function resultCards(r) {
  const pct = typeof r.roi_percent === 'number' ? `${r.roi_percent > 0 ? '+' : ''}${Math.round(r.roi_percent * 10) / 10}%` : t('roi.undefined');
  const card = (id, label, value, cls) => h('div', { class: `kpi ${cls || ''}`, id }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, value));
  return h('div', { class: 'kpis' },
    card('roi-percent', t('roi.roi'), pct, typeof r.roi === 'number' ? (r.roi >= 0 ? 'good' : 'bad') : ''),
    card('roi-net', t('roi.net'), money(r.net, r.currency)),
    card('roi-costs', t('roi.costs'), money(r.costs_total, r.currency)),
    card('roi-benefits', t('roi.benefits'), money(r.benefits_total, r.currency)));
}

function breakdown(r) {
  const lines = [
    ...(r.benefits?.lines || []).map((l) => ({ ...l, side: 'benefit' })),
    ...(r.costs?.direct_lines || []).map((l) => ({ ...l, side: 'direct' })),
    ...(r.costs?.indirect_lines || []).map((l) => ({ ...l, side: 'indirect' })),
  ];
  const label = (l) => t(`roi.line.${l.name}`);
  const chart = barChart(lines.map((l) => ({ key: l.name, label: label(l), value: Math.abs(l.value), cls: l.side === 'benefit' ? 'bar-good' : 'bar-cost' })),
    { title: t('roi.breakdown'), format: (v) => money(v, r.currency), labelWidth: 200, valueWidth: 110 });
  return chartBlock(chart, {
    headers: [t('roi.col.line'), t('roi.col.kind'), t('roi.col.value'), t('roi.col.formula')],
    rows: lines.map((l) => [label(l), t(`roi.side.${l.side}`), money(l.value, r.currency), l.formula]),
    file: `parley-roi-${day(r.period?.from)}.csv`, labels: { show: t('roi.formulas'), csv: t('sup.csv') },
  });
}

function intangibles(r) {
  const list = r.intangible || [];
  if (!list.length) return null;
  const v = (x) => (typeof x === 'number' ? String(Math.round(x * 100) / 100) : '—');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'roi-intangible' },
    h('caption', {}, t('roi.intangible')),
    h('thead', {}, h('tr', {}, [t('roi.col.line'), t('roi.period'), t('roi.baseline'), t('roi.change')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, list.map((i) => h('tr', {}, h('th', { scope: 'row' }, t(`roi.line.${i.name}`)), h('td', {}, v(i.period)), h('td', {}, v(i.baseline)), h('td', {}, v(i.change)))))));
}

export function render(main) {
  const head = h('div', { id: 'roi-result' });
  const chartBox = h('section', { class: 'panel', 'aria-labelledby': 'roi-breakdown-title' });
  const formBox = h('section', { class: 'panel', 'aria-labelledby': 'roi-inputs-title' });
  main.append(h('div', { class: 'roi' },
    h('div', { class: 'screen-head' }, h('h1', {}, t('roi.title'))),
    h('p', { class: 'muted' }, t('roi.lead')), head, chartBox, formBox));

  async function load() {
    let report, inputs;
    try {
      [report, inputs] = await Promise.all([get('/roi', { lang: getLang() }), get('/roi/inputs')]);
    } catch (err) {
      replace(head, h('p', { class: err.status === 404 ? 'notice' : 'form-error' },
        err.status === 404 ? t('admin.unavailable', { route: '/api/v1/roi' }) : t('error.generic', { msg: err.message })));
      return;
    }
    replace(head, resultCards(report),
      h('p', { class: 'small muted' }, t('roi.periods', { from: day(report.period?.from), to: day(report.period?.to),
        bfrom: day(report.baseline?.from), bto: day(report.baseline?.to) })),
      report.missing_inputs ? h('p', { class: 'notice', id: 'roi-missing' }, t('roi.missing', { n: report.missing_inputs })) : null,
      h('p', { class: 'small' }, report.formula || ''));
    replace(chartBox, h('h2', { id: 'roi-breakdown-title' }, t('roi.breakdown')), breakdown(report), intangibles(report));
    paintForm(report, inputs);
  }

  function paintForm(report, inputs) {
    const entered = inputs?.inputs || {};
    const rows = inputRows(report, inputs?.fields || []);
    const boxes = {};
    const dateIn = (id, v) => h('input', { id, type: 'date', value: day(v) });
    const pFrom = dateIn('roi-from', entered.period?.from), pTo = dateIn('roi-to', entered.period?.to);
    const bFrom = dateIn('roi-bfrom', entered.baseline?.from), bTo = dateIn('roi-bto', entered.baseline?.to);
    const currency = h('input', { id: 'roi-currency', value: entered.currency || report.currency || 'RUB', maxlength: 3, pattern: '[A-Z]{3}' });
    const numIn = (id, current, computed, label) => h('input', { id, type: 'number', step: 'any', value: current ?? '', 'aria-label': label,
      placeholder: typeof computed === 'number' ? String(Math.round(computed * 100) / 100) : '' });
    const source = (i) => (i ? h('span', { class: `chip src-${i.source}`, title: i.note || '' }, t(`roi.source.${i.source}`)) : null);
    const msg = h('p', { role: 'status', class: 'small', id: 'roi-msg' });
    const body = rows.map((r) => {
      const label = t(`roi.line.${r.name}`);
      if (r.both) {
        boxes[r.name] = { both: numIn(`roi-${r.name}`, valueOf(entered.assumptions?.[r.name]), r.period?.value, label) };
        return h('tr', { 'data-name': r.name }, h('th', { scope: 'row' }, label, h('p', { class: 'small muted' }, r.explain)),
          h('td', { colspan: 2 }, boxes[r.name].both), h('td', {}, source(r.period)));
      }
      boxes[r.name] = {
        period: numIn(`roi-${r.name}-period`, valueOf(entered.period?.[r.name]), r.period?.value, `${label}: ${t('roi.period')}`),
        baseline: numIn(`roi-${r.name}-baseline`, valueOf(entered.baseline?.[r.name]), r.baseline?.value, `${label}: ${t('roi.baseline')}`),
      };
      return h('tr', { 'data-name': r.name }, h('th', { scope: 'row' }, label, h('p', { class: 'small muted' }, r.explain)),
        h('td', {}, boxes[r.name].period), h('td', {}, boxes[r.name].baseline),
        h('td', {}, source(r.period), r.baseline && r.baseline.source !== r.period?.source ? [' ', source(r.baseline)] : null));
    });
    const build = () => {
      const out = { currency: currency.value.trim().toUpperCase(), period: {}, baseline: {}, assumptions: {} };
      if (pFrom.value) out.period.from = `${pFrom.value}T00:00:00Z`;
      if (pTo.value) out.period.to = `${pTo.value}T00:00:00Z`;
      if (bFrom.value) out.baseline.from = `${bFrom.value}T00:00:00Z`;
      if (bTo.value) out.baseline.to = `${bTo.value}T00:00:00Z`;
      const keep = (obj, name, input, old) => {
        if (input.value === '') return;
        const v = Number(input.value);
        obj[name] = old && typeof old === 'object' ? { ...old, value: v } : v;   // keep an entered note
      };
      for (const [n, b] of Object.entries(boxes)) {
        if (b.both) keep(out.assumptions, n, b.both, entered.assumptions?.[n]);
        else { keep(out.period, n, b.period, entered.period?.[n]); keep(out.baseline, n, b.baseline, entered.baseline?.[n]); }
      }
      return out;
    };
    replace(formBox, h('h2', { id: 'roi-inputs-title' }, t('roi.inputs')), h('p', { class: 'small muted' }, t('roi.inputslead')),
      h('form', { id: 'roi-form', onsubmit: async (e) => {
        e.preventDefault();
        try {
          await put('/roi/inputs', build());
          announce(t('admin.saved'));
          await load();
          document.getElementById('roi-msg').textContent = t('roi.recomputed');
        } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
      } },
      h('div', { class: 'roi-dates' },
        h('fieldset', {}, h('legend', {}, t('roi.period')), h('label', { for: 'roi-from' }, t('reports.from')), pFrom, h('label', { for: 'roi-to' }, t('reports.to')), pTo),
        h('fieldset', {}, h('legend', {}, t('roi.baseline')), h('label', { for: 'roi-bfrom' }, t('reports.from')), bFrom, h('label', { for: 'roi-bto' }, t('reports.to')), bTo),
        h('div', {}, h('label', { for: 'roi-currency' }, t('roi.currency')), currency)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table roi-inputs' },
        h('thead', {}, h('tr', {}, [t('roi.col.input'), t('roi.period'), t('roi.baseline'), t('roi.col.source')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, body))),
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'roi-save' }, t('roi.save')), msg));
  }

  load();
  return null;
}
