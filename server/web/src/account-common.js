// What the account pages share (sign-in, forgot password, set password, my account,
// invite): the words of the password rule, the GOV.UK confirmation panel, a link's
// expiry in words, and the note that carries a newly set password's address to the
// sign-in page.
import { $, el } from './dom.js';
import { clockWords, dayWords, zoneParts } from './format.js';

// The rule the core applies (at least 12 characters; not the email address, not a
// common password), said up front so that nobody has to learn it from a refusal.
export const PASSWORD_RULE = 'Use at least 12 characters: a few unrelated words make a good one, '
  + 'and it can be as long as you like. It must not contain your email address or be a '
  + 'common password. Capitals, numbers and symbols are not needed.';

// "Tuesday 8 December 2026 at 3pm" for an RFC 3339 time, in the reader's own zone (an
// account has no venue to take one from). Midnight is "the end of" the day it closes:
// "Tuesday at midnight" is read as either end of Tuesday.
export function untilWords(iso) {
  const ts = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(ts)) return null;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/London';
  const p = zoneParts(ts, zone);
  if (p.hour === 0 && p.minute === 0) return `the end of ${dayWords(zoneParts(ts - 60, zone))}`;
  return `${dayWords(p)} at ${clockWords(p.hour, p.minute)}`;
}

// The GOV.UK confirmation pattern: the form (formId) goes, a green panel with title takes
// its place, then the paragraphs (nodes or text) that say what happens next. The page's
// title says it too, and the focus moves to the panel so that a screen reader hears it.
export function confirm(formId, title, body, next = []) {
  const panel = el('div', { class: 'govuk-panel govuk-panel--confirmation', id: 'confirmation', tabindex: '-1' },
    el('h1', { class: 'govuk-panel__title' }, title),
    body ? el('div', { class: 'govuk-panel__body' }, body) : null);
  const old = $('confirmation');
  if (old) old.remove();
  for (const h1 of document.querySelectorAll('main h1')) h1.remove();
  const errors = $('errors');
  if (errors) errors.classList.add('halls-hidden');
  $(formId).replaceWith(el('div', { id: formId }, panel,
    next.map((words) => (words instanceof Node ? words : el('p', { class: 'govuk-body' }, words)))));
  document.title = `${title} – halls`;
  panel.focus();
}

// After a password is set through a link: the sign-in page greets with a success banner
// and fills in the address. sessionStorage holds the address only, never the link.
const SET_FOR = 'halls-password-set-for';

export function notePasswordSet(email) {
  try {
    sessionStorage.setItem(SET_FOR, email || '');
  } catch {
    // Storage refused (private browsing): the sign-in page still shows the banner.
  }
}

// The address whose password was just set (or '' when not known), once; null when no
// password was set.
export function takePasswordSet() {
  try {
    const email = sessionStorage.getItem(SET_FOR);
    sessionStorage.removeItem(SET_FOR);
    return email;
  } catch {
    return null;
  }
}

// "Enter your new password again" and the like: the words of a form's own checks, which
// come before the API's (the API knows nothing of a confirmation box).
export function passwordPairErrors(newId, confirmId, found = []) {
  const password = $(newId).value;
  const again = $(confirmId).value;
  if (!password) found.push([newId, 'Enter a new password']);
  else if (!again) found.push([confirmId, 'Enter the new password again']);
  else if (password !== again) found.push([confirmId, 'The passwords do not match. Type the same password twice']);
  return found;
}
