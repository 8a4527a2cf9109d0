// charts.js — small hand-written SVG charts. Every mark is keyboard-focusable
// and clicking (or Enter) on it calls onSelect — the drill-down.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function activate(el, label, onSelect) {
  if (!onSelect) return el;
  el.setAttribute('tabindex', '0');
  el.setAttribute('role', 'link');
  el.setAttribute('aria-label', label);
  el.classList.add('clickable');
  el.addEventListener('click', onSelect);
  el.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(); } });
  return el;
}

/** Horizontal bars: items [{key, label, value, cls?}] — good for categories and channels. */
export function barChart(items, { onSelect, format = String, title, labelWidth = 120, valueWidth = 50 } = {}) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowH = 28, labelW = labelWidth, width = labelW + 250 + valueWidth, barW = 250;
  const chars = Math.floor(labelW / 7);
  const svg = s('svg', { viewBox: `0 0 ${width} ${Math.max(rowH, items.length * rowH)}`, class: 'chart bar-chart',
    role: 'group', 'aria-label': title || '' });
  items.forEach((it, i) => {
    const y = i * rowH;
    const w = Math.max(2, (it.value / max) * barW);
    const g = s('g', { class: `bar ${it.cls || ''}`, 'data-key': it.key },
      s('title', {}, `${it.label}: ${format(it.value)}`),
      s('text', { x: labelW - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'axis-label' }, it.label.length > chars ? `${it.label.slice(0, chars - 1)}…` : it.label),
      s('rect', { x: labelW, y: y + 5, width: w, height: rowH - 10, rx: 3 }),
      s('text', { x: labelW + w + 6, y: y + rowH / 2 + 4, class: 'value-label' }, format(it.value)));
    activate(g, `${it.label}: ${format(it.value)}`, onSelect && (() => onSelect(it)));
    svg.append(g);
  });
  return svg;
}

/** A line over time: points [{x: ms, y, label?}], with dots that drill down. */
export function lineChart(points, { onSelect, format = String, title, yMin } = {}) {
  const width = 460, height = 180, pad = { l: 64, r: 14, t: 12, b: 26 };
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart line-chart', role: 'group', 'aria-label': title || '' });
  if (!points.length) return svg;
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs) || x0 + 1;
  const y0 = yMin ?? Math.min(0, ...ys), y1 = Math.max(...ys, y0 + 1);
  const X = (v) => (x1 === x0 ? (pad.l + width - pad.r) / 2 : pad.l + ((v - x0) / (x1 - x0)) * (width - pad.l - pad.r));
  const Y = (v) => height - pad.b - ((v - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  for (const v of [y0, (y0 + y1) / 2, y1]) {
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: 'grid' }),
      s('text', { x: pad.l - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis-label' }, format(v)));
  }
  svg.append(s('polyline', { points: points.map((p) => `${X(p.x)},${Y(p.y)}`).join(' '), class: 'line' }));
  const fmtDay = (ms) => new Date(ms).toISOString().slice(5, 10);
  svg.append(s('text', { x: pad.l, y: height - 6, class: 'axis-label' }, fmtDay(x0)),
    s('text', { x: width - pad.r, y: height - 6, 'text-anchor': 'end', class: 'axis-label' }, fmtDay(x1)));
  for (const p of points) {
    const label = `${p.label || fmtDay(p.x)}: ${format(p.y)}`;
    const dot = s('circle', { cx: X(p.x), cy: Y(p.y), r: 5, class: 'dot' }, s('title', {}, label));
    activate(dot, label, onSelect && (() => onSelect(p)));
    svg.append(dot);
  }
  return svg;
}

/** A stacked 100% bar with a legend — the mix of emotions. */
export function mixBar(items, { onSelect, title } = {}) {
  const total = items.reduce((a, i) => a + i.value, 0) || 1;
  const bar = h('div', { class: 'mix-bar', role: 'group', 'aria-label': title || '' });
  const legend = h('ul', { class: 'mix-legend' });
  for (const it of items) {
    if (!it.value) continue;
    const pct = Math.round((it.value / total) * 100);
    const seg = h('span', { class: `mix-seg emo-${it.key} w-${Math.max(1, Math.min(100, pct))}`, title: `${it.label}: ${pct}%` });
    bar.append(seg);
    const item = h('button', { type: 'button', class: 'legend-item', 'data-key': it.key, onclick: () => onSelect && onSelect(it) },
      h('span', { class: `swatch emo-${it.key}`, 'aria-hidden': 'true' }), `${it.label} — ${it.value} (${pct}%)`);
    legend.append(h('li', {}, item));
  }
  return h('div', { class: 'mix' }, bar, legend);
}

/** RFC 4180 CSV text of rows (arrays of cells). */
export function csvText(rows) {
  const esc = (v) => { const str = v === undefined || v === null ? '' : String(v); return /[",\n\r]/.test(str) ? `"${str.replace(/"/g, '""')}"` : str; };
  return rows.map((r) => r.map(esc).join(',')).join('\r\n') + '\r\n';
}

/** Starts a download of text as file `name`. */
export function download(name, text, type = 'text/csv;charset=utf-8') {
  const a = h('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * A chart with its text alternative and export: the chart, a collapsible
 * table of the same numbers (for screen readers and for reading exact
 * values), and a CSV download of that table.
 * data: {headers: [..], rows: [[..], ..], file: 'name.csv', labels: {show, csv}}
 */
export function chartBlock(chart, { headers, rows, file, labels }) {
  const table = h('table', { class: 'table chart-table' },
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => (i === 0 ? h('th', { scope: 'row' }, v) : h('td', {}, v)))))));
  const csv = h('button', { type: 'button', class: 'btn btn-small chart-csv', onclick: () => download(file, csvText([headers, ...rows])) },
    '⬇ ', labels.csv);
  return h('div', { class: 'chart-block' }, chart,
    h('div', { class: 'chart-tools' }, h('details', { class: 'chart-data' }, h('summary', {}, labels.show), h('div', { class: 'table-wrap' }, table)), csv));
}
