// customer.js — one customer: who they are (identities, churn risk), every
// conversation on every channel, and their data rights: an export of all
// that is stored about them (GET /customers/{id}/export, supervisor and
// admin) and the erasure of their personal data (POST /customers/{id}/erase,
// admin, after a confirmation that names them). An erased customer is
// shown as what is left: a tombstone with the time of the erasure.
import { h, replace, announce } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { get, post, fetchBlob, getSession } from '../api.js';
import { download } from '../charts.js';
import { when } from '../format.js';
import { ticketRow } from './inbox.js';
import { riskFactors } from './ticket.js';

export const name = 'customer';

const identityName = (kind) => (t(`identity.${kind}`) === `identity.${kind}` ? kind : t(`identity.${kind}`));

/** The confirmation step: the admin types the customer's number to enable the button.
 *  Cancelled, it gives the focus back to the button that opened it. */
function eraseDialog(c, opener, onErased) {
  const who = c.name || `#${c.id}`;
  const input = h('input', { id: 'erase-confirm', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': 'erase-text' });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'erase-error' });
  const submit = h('button', { type: 'submit', class: 'btn btn-erase', id: 'erase-submit', disabled: true }, t('cust.erase.do', { name: who }));
  const cancel = h('button', { type: 'button', class: 'btn', id: 'erase-cancel' }, t('cust.erase.cancel'));
  const dialog = h('dialog', { class: 'erase-dialog', id: 'erase-dialog', 'aria-labelledby': 'erase-title' });
  const close = () => { dialog.close(); dialog.remove(); };
  const cancelled = () => { close(); opener.focus(); };
  input.addEventListener('input', () => { submit.disabled = input.value.trim() !== String(c.id); });
  cancel.addEventListener('click', cancelled);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); cancelled(); });
  const form = h('form', { method: 'dialog', onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const r = await post(`/customers/${c.id}/erase`, { confirm: Number(input.value.trim()) });
      close();
      onErased(r);
    } catch (err) {
      error.textContent = t('error.generic', { msg: err.message });
      submit.disabled = false;
    }
  } },
  h('h2', { id: 'erase-title' }, t('cust.erase.title', { name: who })),
  h('p', { id: 'erase-text' }, t('cust.erase.text', { name: who })),
  h('label', { for: 'erase-confirm' }, t('cust.erase.type', { id: c.id })), input, error,
  h('div', { class: 'dialog-actions' }, cancel, submit));
  dialog.append(form);
  document.body.append(dialog);
  dialog.showModal();
  input.focus();
}

export function render(main, { params }) {
  const id = params[0];
  const role = getSession()?.role;
  const head = h('div', { class: 'screen-head' }, h('h1', { id: 'customer-heading' }, t('customer.title')));
  const about = h('section', { class: 'panel', id: 'customer-about', 'aria-labelledby': 'about-title' });
  const rights = h('section', { class: 'panel', id: 'customer-rights', 'aria-labelledby': 'rights-title' });
  const tickets = h('section', { class: 'panel', id: 'customer-tickets', 'aria-labelledby': 'ctickets-title' });
  const msg = h('p', { class: 'small', role: 'status', id: 'customer-msg' });
  main.append(h('div', { class: 'customer-screen' }, head, h('div', { class: 'grid-2' }, about, rights), tickets));

  async function exportData() {
    try {
      const blob = await fetchBlob(`/customers/${id}/export`);
      download(`parley-customer-${id}.json`, blob, 'application/json');
      msg.textContent = t('cust.exported');
    } catch (err) {
      msg.textContent = t('error.generic', { msg: err.message });
    }
  }

  function paint(c) {
    const erased = Boolean(c.erased);
    replace(head, h('h1', { id: 'customer-heading', tabindex: -1 }, erased ? t('cust.erased.heading', { id: c.id }) : c.name || `#${c.id}`),
      erased ? h('span', { class: 'chip chip-erased' }, t('cust.erased.chip')) : null);
    replace(about, h('h2', { id: 'about-title' }, t('cust.about')),
      erased ? h('p', { class: 'tombstone', id: 'erased-notice' }, t('cust.erased.text', { when: when(c.erased_at) })) : null,
      c.merged_into ? h('p', { class: 'notice', id: 'merged-notice' }, t('cust.merged'), ' ',
        h('a', { href: `#/customer/${c.merged_into}` }, `#${c.merged_into}`)) : null,
      h('dl', { class: 'facts' },
        h('dt', {}, t('cust.number')), h('dd', {}, `#${c.id}`),
        c.tier ? [h('dt', {}, t('cust.tier')), h('dd', {}, c.tier)] : null,
        c.language ? [h('dt', {}, t('cust.language')), h('dd', {}, c.language.toUpperCase())] : null,
        h('dt', {}, t('cust.since')), h('dd', {}, when(c.created_at))),
      c.identities?.length ? [h('h3', {}, t('cust.identities')),
        h('ul', { class: 'identities', id: 'customer-identities' }, c.identities.map((i) => h('li', {}, `${identityName(i.kind)}: ${i.value}`)))] : null,
      typeof c.churn_risk === 'number' ? h('p', { id: 'churn-risk', class: c.churn_risk >= 0.5 ? 'churn-high' : '' },
        h('strong', {}, t('risk.churn', { p: Math.round(c.churn_risk * 100) }))) : null,
      typeof c.churn_risk === 'number' ? riskFactors({ factors: c.churn_factors }, 'churn-factors') : null);

    const mayExport = role === 'admin' || role === 'supervisor';
    const mayErase = role === 'admin' && !erased && !c.merged_into;
    replace(rights, h('h2', { id: 'rights-title' }, t('cust.rights')),
      mayExport ? [h('p', { class: 'small muted' }, t('cust.export.lead')),
        h('button', { type: 'button', class: 'btn', id: 'export-data', onclick: exportData }, '⬇ ', t('cust.export'))]
        : h('p', { class: 'small muted' }, t('cust.rights.staff')),
      mayErase ? [h('p', { class: 'small muted' }, t('cust.erase.lead')),
        h('button', { type: 'button', class: 'btn btn-danger', id: 'erase-data',
          onclick: (e) => eraseDialog(c, e.currentTarget, (r) => {
            const text = t('cust.erased.done', { tickets: r.tickets, messages: r.messages });
            load().then(() => { msg.textContent = text; announce(text); document.getElementById('customer-heading').focus(); });
          }) }, t('cust.erase'))] : null,
      msg);

    const list = c.tickets || [];
    replace(tickets, h('h2', { id: 'ctickets-title' }, t('cust.tickets', { n: list.length })),
      list.length ? h('ul', { class: 'ticket-list' }, list.map(ticketRow)) : h('p', { class: 'muted' }, t('customer.noother')));
  }

  async function load() {
    try {
      paint(await get(`/customers/${id}`, { lang: getLang() }));
    } catch (err) {
      replace(head, h('h1', { id: 'customer-heading' }, t('cust.notfound')));
      replace(about, h('p', { class: 'form-error' }, err.message));
      rights.hidden = true;
      tickets.hidden = true;
    }
  }
  load();
  return null;
}
