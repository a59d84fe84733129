// Sign-in with a token, shown when the server requires tokens (a data call answered 401). The
// token is kept in sessionStorage for this tab only and sent as `Authorization: Bearer`.

import {el} from '../dom.js';
import {t} from '../i18n.js';

export function render(root, context, reason) {
  const input = el('input', {id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off',
                             spellcheck: 'false'});
  const message = el('p', {class: 'form-error', role: 'alert'}, reason || '');
  root.replaceChildren(el('section', {class: 'signin', 'data-view': 'signin', 'aria-labelledby': 'signin-title'},
    el('h2', {id: 'signin-title'}, t('signin.title')),
    el('p', {}, t('signin.about')),
    el('form', {onsubmit: (event) => {
      event.preventDefault();
      context.sign_in(input.value);
    }}, el('p', {}, el('label', {for: 'token'}, t('signin.token')), ' ', input), el('button', {type: 'submit'}, t('signin.submit'))),
    message));
  input.focus();
  return {refresh: () => {}};
}
