// app.js — the agent/supervisor/admin single-page app: top bar and hash router.
import { h, replace, $ } from './dom.js';
import { t, langSwitch, onLangChange, translateStatic } from './i18n.js';
import { getSession, logout, onAuthLost } from './api.js';
import * as loginScreen from './screens/login.js';
import * as inboxScreen from './screens/inbox.js';
import * as ticketScreen from './screens/ticket.js';
import * as supervisorScreen from './screens/supervisor.js';
import * as adminScreen from './screens/admin.js';
import * as reportsScreen from './screens/reports.js';
import * as roiScreen from './screens/roi.js';
import * as goalsScreen from './screens/goals.js';
import * as customerScreen from './screens/customer.js';
import * as alertsScreen from './screens/alerts.js';
import * as ledgerScreen from './screens/ledger.js';

const routes = [
  { re: /^#\/login$/, screen: loginScreen, public: true },
  { re: /^#\/inbox$/, screen: inboxScreen },
  { re: /^#\/ticket\/(\d+)$/, screen: ticketScreen },
  { re: /^#\/customer\/(\d+)$/, screen: customerScreen },
  { re: /^#\/supervisor$/, screen: supervisorScreen, roles: ['supervisor', 'admin'] },
  { re: /^#\/alerts$/, screen: alertsScreen, roles: ['supervisor', 'admin'] },
  { re: /^#\/reports$/, screen: reportsScreen, roles: ['supervisor', 'admin'] },
  { re: /^#\/roi$/, screen: roiScreen, roles: ['supervisor', 'admin'] },
  { re: /^#\/goals$/, screen: goalsScreen, roles: ['supervisor', 'admin'] },
  { re: /^#\/ledger$/, screen: ledgerScreen },
  { re: /^#\/admin(?:\/(\w+))?$/, screen: adminScreen, roles: ['admin'] },
];

let cleanup = null;

/** Splits "#/inbox?category=billing" into the path and its query. */
function parseHash() {
  const raw = location.hash || '#/inbox';
  const [path, qs] = raw.split('?');
  return { path, query: new URLSearchParams(qs || '') };
}

export function navigate(hash) {
  if (location.hash === hash) render(); else location.hash = hash;
}

function topbar(active) {
  const s = getSession();
  const link = (hash, key) => h('a', { href: hash, class: 'nav-link',
    'aria-current': active === hash ? 'page' : null }, t(key));
  const nav = s ? h('nav', { 'aria-label': t('nav.label'), class: 'nav' },
    link('#/inbox', 'nav.inbox'),
    ['supervisor', 'admin'].includes(s.role) && link('#/supervisor', 'nav.supervisor'),
    ['supervisor', 'admin'].includes(s.role) && link('#/alerts', 'nav.alerts'),
    ['supervisor', 'admin'].includes(s.role) && link('#/reports', 'nav.reports'),
    ['supervisor', 'admin'].includes(s.role) && link('#/roi', 'nav.roi'),
    ['supervisor', 'admin'].includes(s.role) && link('#/goals', 'nav.goals'),
    link('#/ledger', 'nav.ledger'),
    s.role === 'admin' && link('#/admin', 'nav.admin')) : null;
  const user = s ? h('div', { class: 'user' },
    h('span', { class: 'user-name' }, s.name || s.email, ' · ', t(`role.${s.role}`)),
    h('button', { type: 'button', class: 'btn btn-ghost', id: 'logout',
      onclick: async () => { await logout(); navigate('#/login'); } }, t('nav.logout'))) : null;
  return [
    h('a', { href: '#/inbox', class: 'brand' },
      h('img', { src: 'img/logo.svg', alt: '', width: 28, height: 28 }), h('span', {}, 'Parley')),
    nav, h('div', { class: 'spacer' }), langSwitch(), user,
  ];
}

function render() {
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } cleanup = null; }
  const { path, query } = parseHash();
  const session = getSession();
  let match = null, route = null;
  for (const r of routes) { match = path.match(r.re); if (match) { route = r; break; } }
  if (!route) { navigate(session ? '#/inbox' : '#/login'); return; }
  if (!route.public && !session) { navigate('#/login'); return; }
  if (route.public && session) { navigate('#/inbox'); return; }
  if (route.roles && !route.roles.includes(session.role)) { navigate('#/inbox'); return; }
  translateStatic();
  const active = path.startsWith('#/ticket') || path.startsWith('#/customer') ? '#/inbox' : path.startsWith('#/admin') ? '#/admin' : path;
  replace($('#topbar'), topbar(active));
  const main = $('#main');
  main.className = `screen-${route.screen.name || 'x'}`;
  replace(main);
  cleanup = route.screen.render(main, { params: match.slice(1), query, navigate }) || null;
}

window.addEventListener('hashchange', render);
onLangChange(render);
onAuthLost(() => navigate('#/login'));
render();
