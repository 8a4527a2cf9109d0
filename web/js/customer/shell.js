// shell.js — the frame of the customer pages: brand, language switch, re-render on switch.
import { h, replace } from '../dom.js';
import { t, langSwitch, onLangChange, translateStatic } from '../i18n.js';

export function mountCustomerPage(renderBody) {
  const main = document.getElementById('main');
  let cleanup = null;
  const paint = () => {
    if (cleanup) cleanup();
    translateStatic();
    const body = h('div', { class: 'customer-body' });
    replace(main, h('header', { class: 'customer-head' },
      h('img', { src: 'img/logo.svg', alt: '', width: 28, height: 28 }),
      h('span', { class: 'brand-name' }, t('customer.brand')), h('span', { class: 'spacer' }), langSwitch()), body);
    cleanup = renderBody(body) || null;
  };
  onLangChange(paint);
  paint();
}

export const param = (name) => new URLSearchParams(location.search).get(name);
