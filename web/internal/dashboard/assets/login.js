// The login screen. A wrong password keeps it, with the reason; the session
// itself is the HttpOnly cookie the gateway sets.

import { $, setText, show } from './dom.js';
import { session } from './api.js';
import { t } from './i18n.js';

const KNOWN = { invalid_credentials: 'badCredentials', too_many_attempts: 'tooManyAttempts', network: 'networkError' };

export function createLogin(root, { onLoggedIn }) {
  const form = $('#login-form', root);
  const user = $('#login-username', root);
  const pass = $('#login-password', root);
  const submit = $('#login-submit', root);
  const error = $('#login-error', root);
  let note = null; // [key] or [null, server message]

  function say(key, message) {
    note = key || message ? [key, message] : null;
    const text = key ? t(key) : message || '';
    setText(error, text);
    show(error, !!text);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!user.value || !pass.value) {
      say('badCredentials');
      (user.value ? pass : user).focus();
      return;
    }
    submit.disabled = true;
    setText(submit, t('loggingIn'));
    try {
      const me = await session.login(user.value, pass.value);
      pass.value = '';
      say(null);
      onLoggedIn(me);
    } catch (err) {
      say(KNOWN[err.code] || null, err.message);
      pass.select();
    } finally {
      submit.disabled = false;
      setText(submit, t('login'));
    }
  });

  return {
    show(reasonKey) {
      say(reasonKey || null);
      (user.value ? pass : user).focus();
    },
    relabel() {
      if (note) say(...note);
      if (!submit.disabled) setText(submit, t('login'));
    },
  };
}
