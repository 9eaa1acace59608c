// "Forgot your password?": POST /api/v1/password-resets {"email"}. The API answers 202
// whether or not an account uses the address, so the page always says the same thing
// after it: a person cannot learn from here who has an account. A refusal that says
// nothing about accounts (a malformed address, too many tries, the service away) is
// shown by the field, since then no link was sent.
import { confirm } from './account-common.js';
import { apiSend } from './api.js';
import { $, el } from './dom.js';
import { FormErrors } from './errors.js';

const errors = new FormErrors({}, { email: 'email' });

function sent() {
  confirm('forgot', 'Check your email',
    'If an account uses that address, we have sent a link. It works for one hour.', [
      'Open the link in the email to set a new password. It works once: if you need another, ask again.',
      'If nothing arrives within a few minutes, look in your junk or spam folder, and check that you gave the address you sign in with.',
      el('p', { class: 'govuk-body' },
        el('a', { class: 'govuk-link', href: '/forgot-password' }, 'Ask for another link'), ' or ',
        el('a', { class: 'govuk-link', href: '/sign-in' }, 'go back to sign in'), '.'),
    ]);
}

async function ask(event) {
  event.preventDefault();
  errors.clear();
  const email = $('email').value.trim();
  if (!email) {
    errors.show([['email', 'Enter your email address']]);
    return;
  }
  const button = $('send');
  button.disabled = true;
  try {
    await apiSend('POST', '/api/v1/password-resets', { email });
    sent();
  } catch (problem) {
    // Shown by the field: the only thing on this form it can be about.
    errors.show([['email', problem.detail]]);
    button.disabled = false;
  }
}

$('forgot').addEventListener('submit', ask);
