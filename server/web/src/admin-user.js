// Add a user (/admin-user) or change one (/admin-user?id=N): POST /api/v1/users, or PATCH
// /api/v1/users/N with only what changed. A password is sent when one is typed and never
// shown back: the API keeps only its hash and says only whether there is one.
import { apiGet, apiSend } from './api.js';
import { $, idParam, show } from './dom.js';
import { FormErrors } from './errors.js';
import {
  adminOnly, allGroups, allVenues, changedFields, checkedValues, fillCheckboxes, formChanges, formUnavailable, goBack,
  radioValue, textField,
} from './admin-common.js';

const NEW_USER = { name: '', email: '', role: 'member', venues: [], groups: [] };

// The API's words for each field; email first, since its refusals quote the address
// ("such as name@example.org"), and venue and group in the singular too ("a manager
// needs at least one venue", "there is no group 99").
const errors = new FormErrors(
  { role: 'role-member', venues: 'venues-first', groups: 'groups-first' },
  {
    email: 'email', password: 'password', venues: 'venues', venue: 'venues', groups: 'groups',
    group: 'groups', role: 'role', name: 'name',
  },
);

const id = idParam('id');
let user = null; // the user as loaded, when changing one

// The GOV.UK conditional reveal, done here (the pages load none of govuk-frontend's
// scripts): a manager's venues under "Venue manager", a member's groups under "Member".
function revealForRole() {
  for (const radio of document.querySelectorAll('input[name="role"][aria-controls]')) {
    $(radio.getAttribute('aria-controls')).classList.toggle('govuk-radios__conditional--hidden', !radio.checked);
  }
}

// The first box of a list takes the list's error (which box it is depends on the data).
function pointErrorsAt(list) {
  const first = document.querySelector(`input[name="${list}"]`);
  if (first) errors.targets[list] = first.id;
}

function fillForm(u, venues, groups) {
  $('name').value = u.name;
  $('email').value = u.email;
  const role = document.querySelector(`input[name="role"][value="${u.role}"]`);
  if (role) role.checked = true;
  fillCheckboxes($('venues'), 'venues', 'venue', venues.map((v) => ({ value: v.id, words: v.name })), u.venues);
  fillCheckboxes($('groups'), 'groups', 'group', groups.map((g) => ({ value: g.id, words: g.name })), u.groups);
  pointErrorsAt('venues');
  pointErrorsAt('groups');
  revealForRole();
}

// The form as the API's fields. Only the list the role uses is kept: a manager's groups
// and a member's venues would do nothing, so they are emptied rather than left hidden.
function readForm() {
  const role = radioValue('role');
  const password = $('password').value;
  return {
    name: textField('name'),
    email: textField('email'),
    role,
    venues: role === 'manager' ? checkedValues('venues', true) : [],
    groups: role === 'member' ? checkedValues('groups', true) : [],
    // Sent as typed: spaces may be part of it. Blank sends nothing (no password, or the
    // old one kept).
    password: password === '' ? undefined : password,
  };
}

async function save(event) {
  event.preventDefault();
  errors.clear();
  const wanted = readForm();
  try {
    if (!user) {
      const made = await apiSend('POST', '/api/v1/users', wanted);
      goBack('/admin-users', `${made.name} has been added`);
      return;
    }
    const patch = changedFields(user, wanted);
    if (Object.keys(patch).length === 0) {
      goBack('/admin-users', `Nothing was changed for ${user.name}`);
      return;
    }
    const saved = await apiSend('PATCH', `/api/v1/users/${user.id}`, patch);
    goBack('/admin-users', `${saved.name} has been changed`);
  } catch (problem) {
    errors.showProblem(problem);
  } finally {
    // Whatever happened, the password is not kept on the page.
    $('password').value = '';
  }
}

async function start() {
  // The form is shown only once it holds what was loaded: typing into it earlier would
  // be overwritten, and a submit before the handler is attached would leave the page.
  show($('user-form'), false);
  if (!await adminOnly()) return;
  let venues;
  let groups;
  try {
    [venues, groups, user] = await Promise.all([
      allVenues(), allGroups(), id ? apiGet(`/api/v1/users/${id}`) : null,
    ]);
  } catch (problem) {
    formUnavailable('user-form', id ? 'User not found' : 'The venues and groups could not be loaded', errors, problem);
    return;
  }
  if (user) {
    formChanges(user.name);
    $('password-label').textContent = 'New password';
    $('password-hint').textContent = user.has_password
      ? 'Leave it blank to keep their password. A new one signs them out everywhere, and they sign in again with it.'
      : 'They have no password now. Leave it blank to keep it that way.';
  }
  fillForm(user || NEW_USER, venues, groups);
  for (const radio of document.querySelectorAll('input[name="role"]')) radio.addEventListener('change', revealForRole);
  $('user-form').addEventListener('submit', save);
  show($('user-form'), true);
}

start();
