// "Sign in": the email and password go to POST /api/v1/session, which sets the session
// cookie; then on to the page that sent the person here (a same-site path only), or to
// where their role starts. After a password is set through an emailed link
// (/set-password sends the person here with ?password=set), a success banner says so.
import { takePasswordSet } from './account-common.js';
import { apiSend } from './api.js';
import { $, banner, el, param, show } from './dom.js';
import { FormErrors } from './errors.js';
import { currentUser } from './layout.js';
import { homeFor, safeNext } from './member.js';

const errors = new FormErrors({}, { email: 'email', password: 'password' });

function destination(user) {
  return safeNext(param('next')) || homeFor(user);
}

async function signIn(event) {
  event.preventDefault();
  errors.clear();
  const email = $('email').value.trim();
  const password = $('password').value;
  const found = [];
  if (!email) found.push(['email', 'Enter your email address']);
  if (!password) found.push(['password', 'Enter your password']);
  if (found.length) {
    errors.show(found);
    return;
  }
  const button = $('sign-in-button');
  button.disabled = true;
  try {
    const reply = await apiSend('POST', '/api/v1/session', { email, password, cookie: true });
    location.assign(destination(reply.user));
  } catch (problem) {
    $('password').value = '';
    errors.showProblem(problem);
    button.disabled = false;
  }
}

// Someone already signed in may go on, or sign in as someone else.
async function sayWho() {
  const user = await currentUser();
  if (!user) return;
  const box = $('signed-in');
  box.replaceChildren(
    el('p', { class: 'govuk-body' }, `You are signed in as ${user.name} (${user.email}).`),
    el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: destination(user) }, 'Continue'),
      ', or sign in below as someone else.'));
  show(box, true);
}

// Back from /set-password: the banner, and the address filled in when this tab knows it.
function welcomeBack() {
  const email = takePasswordSet();
  if (param('password') !== 'set') return;
  banner('Your password has been set. Sign in with it now.', 'success');
  if (email) $('email').value = email;
}

$('sign-in').addEventListener('submit', signIn);
welcomeBack();
sayWho();
