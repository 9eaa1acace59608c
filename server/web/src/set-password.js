// "Set a password" from an emailed link: {url}/set-password#token=SECRET, for an
// invitation or a password reset alike. The secret is in the fragment, which browsers
// never send to a server, nor in a Referer; the page takes it out of the address bar at
// once (so that it is not left in the history, a bookmark or a screenshot), keeps it in
// this module alone, and sends it only in the body of two API calls:
//   POST /api/v1/account-links/check {"token"} -> whose link it is, or 410 when it has
//     expired, been used or was never made (one answer for all three);
//   POST /api/v1/account-links/use {"token", "password"} -> 204, then on to sign in.
// The password rule is the core's: the page says it up front and shows the core's
// refusal by the field.
import {
  PASSWORD_RULE, notePasswordSet, passwordPairErrors, untilWords,
} from './account-common.js';
import { apiSend } from './api.js';
import { $, show } from './dom.js';
import { FormErrors } from './errors.js';

const errors = new FormErrors();

// The secret from #token=..., the address bar left without it. A fragment far longer
// than any token is not sent at all.
function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return token && token.length <= 512 ? token : null;
}

const token = takeToken();
let link = null; // what the check said: { purpose, email, name, expires_at }

function view(which) {
  show($('checking'), false);
  for (const id of ['link-ok', 'link-gone', 'link-missing']) show($(id), id === which);
}

function heading(words) {
  $('heading').textContent = words;
  document.title = `${words} – halls`;
}

function gone() {
  heading('This link has expired or has already been used');
  view('link-gone');
}

function greet() {
  const until = untilWords(link.expires_at);
  if (link.purpose === 'invitation') {
    heading(`Welcome to halls, ${link.name}`);
    $('greeting').textContent = `You have been invited to halls, where the borough’s community rooms are booked. Set a password to sign in as ${link.email}.`;
    $('expiry').textContent = until ? `This invitation works until ${until}.` : '';
  } else {
    heading(`Set a password for ${link.email}`);
    $('greeting').textContent = 'Choose a new password. Setting it signs you out on every computer and phone where you are signed in.';
    $('expiry').textContent = until ? `This link works once, until ${until}.` : '';
  }
  show($('expiry'), Boolean(until));
  $('username').value = link.email;
  $('password-hint').textContent = PASSWORD_RULE;
  view('link-ok');
}

async function check() {
  if (!token) {
    heading('This link is not complete');
    view('link-missing');
    return;
  }
  try {
    link = await apiSend('POST', '/api/v1/account-links/check', { token });
  } catch (problem) {
    if (problem.status === 410) {
      gone();
      return;
    }
    show($('checking'), false);
    errors.show([[null, `Your link could not be checked: ${problem.detail}`]]);
    return;
  }
  greet();
}

async function save(event) {
  event.preventDefault();
  errors.clear();
  const found = passwordPairErrors('password', 'confirm');
  if (found.length) {
    errors.show(found);
    return;
  }
  const button = $('save');
  button.disabled = true;
  try {
    await apiSend('POST', '/api/v1/account-links/use', { token, password: $('password').value });
    notePasswordSet(link.email);
    location.assign('/sign-in?password=set');
    return;
  } catch (problem) {
    $('password').value = '';
    $('confirm').value = '';
    button.disabled = false;
    if (problem.status === 410) gone();
    else if (problem.status === 0 || problem.status >= 500) errors.show([[null, problem.detail]]);
    else errors.show([['password', problem.detail]]); // the core's password rule
  }
}

$('set-password').addEventListener('submit', save);
check();
