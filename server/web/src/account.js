// "My account": the signed-in person's name and email, a change of name (PATCH
// /api/v1/users/me {"name"}), a change of password (POST /api/v1/users/me/password,
// which ends every other session and API token of theirs, never this one), and the
// emails they want (PATCH /api/v1/users/me {"notifications"}; /account#notifications is
// where every email's footer links).
import { PASSWORD_RULE, passwordPairErrors } from './account-common.js';
import { apiGet, apiSend } from './api.js';
import { $, banner, el, show, summaryList } from './dom.js';
import { FormErrors } from './errors.js';
import { isManager, requireUser } from './layout.js';
import { groupNames, venues } from './member.js';

// One set of errors per form; the page has one summary, so each submit clears them all.
const forms = {
  name: new FormErrors({}, { name: 'name' }),
  password: new FormErrors({}, {
    current_password: 'current-password', new_password: 'new-password',
    current: 'current-password', password: 'new-password',
  }),
  notices: new FormErrors({ notices: 'notice-requests' }, {
    reminder_hours: 'reminder-hours', notifications: 'notices',
  }),
};

let me = null; // the user as the API last gave it

function clearErrors() {
  for (const errors of Object.values(forms)) errors.clear();
}

// "Member of Tuesday Knitters", "Manager of Hartley Road Community Centre".
async function roleWords(user) {
  if (user.role === 'admin') return 'Administrator';
  try {
    if (user.role === 'manager') {
      const names = await venues();
      return `Venue manager of ${user.venues.map((id) => (names.get(id) || {}).name || `venue ${id}`).join(', ') || 'no venue yet'}`;
    }
    const names = await groupNames();
    return `Member of ${user.groups.map((id) => names.get(id) || `group ${id}`).join(', ') || 'no group yet'}`;
  } catch {
    return user.role === 'manager' ? 'Venue manager' : 'Member';
  }
}

async function drawDetails() {
  $('details').replaceChildren(summaryList([
    ['Name', me.name],
    ['Email address', el('span', { class: 'halls-break' }, me.email)],
    ['Role', await roleWords(me)],
  ]));
}

// ---- name ---------------------------------------------------------------------------

async function saveName(event) {
  event.preventDefault();
  clearErrors();
  const name = $('name').value.trim();
  if (!name) {
    forms.name.show([['name', 'Enter your name']]);
    return;
  }
  const button = $('save-name');
  button.disabled = true;
  try {
    me = await apiSend('PATCH', '/api/v1/users/me', { name });
    $('name').value = me.name;
    await drawDetails();
    banner(`Your name is now ${me.name}.`, 'success');
  } catch (problem) {
    forms.name.show([['name', problem.detail]]);
  } finally {
    button.disabled = false;
  }
}

// ---- password -----------------------------------------------------------------------

function clearPasswords() {
  for (const id of ['current-password', 'new-password', 'confirm-password']) $(id).value = '';
}

async function changePassword(event) {
  event.preventDefault();
  clearErrors();
  const found = [];
  if (!$('current-password').value) found.push(['current-password', 'Enter your current password']);
  passwordPairErrors('new-password', 'confirm-password', found);
  if (found.length) {
    forms.password.show(found);
    return;
  }
  const button = $('save-password');
  button.disabled = true;
  try {
    await apiSend('POST', '/api/v1/users/me/password', {
      current_password: $('current-password').value,
      new_password: $('new-password').value,
    });
    clearPasswords();
    banner('Your password has been changed. You have been signed out everywhere else.', 'success');
  } catch (problem) {
    clearPasswords();
    const errors = forms.password;
    const field = errors.fieldOf(problem.detail)
      || (problem.status === 400 || problem.status === 422 ? 'new-password' : null);
    errors.show([[field, problem.detail]]);
  } finally {
    button.disabled = false;
  }
}

// ---- notifications ------------------------------------------------------------------

// "2 hours before", "1 day before", "1 week before", "36 hours before".
function leadWords(hours) {
  const unit = (n, one) => `${n} ${one}${n === 1 ? '' : 's'} before`;
  if (hours % 168 === 0) return unit(hours / 168, 'week');
  if (hours % 24 === 0) return unit(hours / 24, 'day');
  return unit(hours, 'hour');
}

// The reminder lead time shown as it is, even one set elsewhere (the API takes any
// number of hours up to two weeks) that is not among the page's choices.
function chooseLead(hours) {
  const select = $('reminder-hours');
  if (![...select.options].some((o) => Number(o.value) === hours)) {
    const later = [...select.options].find((o) => Number(o.value) > hours);
    select.insertBefore(el('option', { value: hours }, leadWords(hours)), later || null);
  }
  select.value = String(hours);
}

// The GOV.UK conditional reveal (the pages load none of govuk-frontend's scripts): the
// lead time under "A booking is coming up", while it is ticked.
function revealLead() {
  $('reminders-more').classList.toggle('govuk-checkboxes__conditional--hidden', !$('notice-reminders').checked);
}

function noticeBoxes() {
  return [...document.querySelectorAll('input[name="notice"]')]
    .filter((box) => !box.closest('.halls-hidden'));
}

function fillNotices(user) {
  const wants = user.notifications || {};
  for (const box of document.querySelectorAll('input[name="notice"]')) box.checked = wants[box.value] !== false;
  chooseLead(wants.reminder_hours || 24);
  revealLead();
}

// What the boxes say, for the kinds this person can get (the daily digest is for
// managers; it stays as it was for anyone else).
function readNotices() {
  const notifications = {};
  for (const box of noticeBoxes()) notifications[box.value] = box.checked;
  notifications.reminder_hours = Number($('reminder-hours').value);
  return notifications;
}

async function saveNotices(event) {
  event.preventDefault();
  clearErrors();
  const button = $('save-notices');
  button.disabled = true;
  try {
    me = await apiSend('PATCH', '/api/v1/users/me', { notifications: readNotices() });
    fillNotices(me);
    banner('Your email choices have been saved.', 'success');
  } catch (problem) {
    forms.notices.showProblem(problem);
  } finally {
    button.disabled = false;
  }
}

// Words that fit the person: a manager hears of requests to decide, a member of their
// group's own.
function wordNotices(user) {
  if (isManager(user)) {
    $('notice-requests-hint').textContent = 'When a group asks for a room at a venue you look after, so that you can decide.';
    $('notice-closures-hint').textContent = 'When a closure falls on a booking you made for a group.';
  }
  show($('digest-item'), isManager(user));
}

// ---- the page -----------------------------------------------------------------------

function goToNotifications() {
  if (location.hash !== '#notifications') return;
  const heading = $('notifications');
  heading.scrollIntoView({ block: 'start' });
  heading.focus({ preventScroll: true });
}

async function start() {
  await requireUser();
  try {
    me = await apiGet('/api/v1/users/me');
  } catch (problem) {
    show($('loading'), false);
    forms.name.show([[null, `Your account could not be loaded: ${problem.detail}`]]);
    return;
  }
  await drawDetails();
  $('name').value = me.name;
  $('username').value = me.email;
  $('new-password-hint').textContent = PASSWORD_RULE;
  wordNotices(me);
  fillNotices(me);
  show($('loading'), false);
  show($('account'), true);
  $('name-form').addEventListener('submit', saveName);
  $('password-form').addEventListener('submit', changePassword);
  $('notices-form').addEventListener('submit', saveNotices);
  $('notice-reminders').addEventListener('change', revealLead);
  goToNotifications();
}

start();
