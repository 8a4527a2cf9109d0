// login.js — the sign-in page.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { login } from '../api.js';

export const name = 'login';

export function render(main, { navigate }) {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' });
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-submit' }, t('login.submit'));
  const form = h('form', { class: 'card login-card', 'aria-labelledby': 'login-title',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      submit.disabled = true;
      try {
        await login(email.value.trim(), password.value);
        navigate('#/inbox');
      } catch (err) {
        error.textContent = err.status === 401 || err.status === 400 ? t('login.bad') : t('error.generic', { msg: err.message });
        password.select();
      } finally {
        submit.disabled = false;
      }
    } },
    h('h1', { id: 'login-title' }, t('login.title')),
    h('p', { class: 'muted' }, t('login.lead')),
    h('label', { for: 'email' }, t('login.email')), email,
    h('label', { for: 'password' }, t('login.password')), password,
    error, submit,
    h('p', { class: 'muted small' }, t('login.demo')));
  main.append(h('div', { class: 'login-wrap' }, form));
  email.focus();
}
