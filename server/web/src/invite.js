// "Invite someone": POST /api/v1/invitations {"email", "name", "role", "venues",
// "groups"} -> 201 {"user", "expires_at"}, and the core emails them a link to set their
// own password. An administrator invites anyone, in any role; a venue manager invites
// members for groups (the core decides which groups a manager may invite for, and its
// refusal is shown by the field). Anyone else is told whom the page is for.
import { confirm, untilWords } from './account-common.js';
import { apiSend } from './api.js';
import { $, el, show } from './dom.js';
import { FormErrors } from './errors.js';
import { isAdmin, isManager, requireUser } from './layout.js';
import { allGroups, allVenues, checkedValues, fillCheckboxes, radioValue, textField } from './admin-common.js';

const errors = new FormErrors(
  { role: 'role-member', venues: 'venues-first', groups: 'groups-first' },
  {
    email: 'email', venues: 'venues', venue: 'venues', groups: 'groups', group: 'groups',
    role: 'role', name: 'name',
  },
);

let inviter = null;
let groupName = new Map(); // id -> name, for the API's refusals

function notForYou(user) {
  $('main-content').replaceChildren(
    el('h1', { class: 'govuk-heading-l' }, 'This page is for administrators and venue managers'),
    el('p', { class: 'govuk-body' }, `You are signed in as ${user.name}. Only an administrator, or the manager of a venue, can invite people to halls.`),
    el('p', { class: 'govuk-body' }, 'If someone in your group needs to book rooms, ask the manager of the venue you use, or the person who looks after halls for your council.'),
    el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/' }, 'Find a room')));
}

// The GOV.UK conditional reveal, done here: a manager's venues under "Venue manager", a
// member's groups under "Member".
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

// A manager invites members only: the role goes, and the groups stand on their own,
// with the core's rule for which groups said up front.
function membersOnly() {
  $('groups-legend').textContent = 'Groups they will book for';
  $('groups-hint').textContent = 'Select all that apply. You can invite members of groups that are trusted at, '
    + 'or have booked, a venue you look after.';
  $('role-group').replaceWith($('groups-group'));
  $('intro').textContent = 'Invite a member of a group that uses your venues. We will email them a link to set '
    + 'their own password and sign in. The link works once, for 7 days.';
}

function readForm() {
  const role = isAdmin(inviter) ? radioValue('role') : 'member';
  const wanted = { name: textField('name'), email: textField('email'), role };
  if (role === 'manager') wanted.venues = checkedValues('venues', true);
  if (role === 'member') wanted.groups = checkedValues('groups', true);
  return wanted;
}

function sent(reply) {
  const until = untilWords(reply.expires_at);
  const again = [el('a', { class: 'govuk-link', href: '/invite' }, 'Invite someone else')];
  if (isAdmin(inviter)) again.push(' or ', el('a', { class: 'govuk-link', href: '/admin-users' }, 'go back to the users'));
  show($('back'), false);
  confirm('invite', 'Invitation sent', el('span', { class: 'halls-break' }, `We have emailed ${reply.user.email}`), [
    `${reply.user.name} can now set their own password with the link in the email. `
      + `The link expires in 7 days${until ? `, on ${until}` : ''}, and works only once.`,
    'If it expires before they use it, invite them again, or they can ask for a new link with “Forgot your password?” '
      + 'on the sign-in page.',
    el('p', { class: 'govuk-body' }, ...again, '.'),
  ]);
}

async function send(event) {
  event.preventDefault();
  errors.clear();
  const wanted = readForm();
  const found = [];
  if (!wanted.name) found.push(['name', 'Enter their full name']);
  if (!wanted.email) found.push(['email', 'Enter their email address']);
  if (found.length) {
    errors.show(found);
    return;
  }
  const button = $('send');
  button.disabled = true;
  try {
    sent(await apiSend('POST', '/api/v1/invitations', wanted));
  } catch (problem) {
    errors.showProblem(withGroupName(problem));
    button.disabled = false;
  }
}

// The API names a group by its id ("group 3 is neither"): the name is added, as the
// form shows groups by name.
function withGroupName(problem) {
  const detail = (problem && problem.detail) || String(problem);
  return { detail: detail.replace(/\bgroup ([0-9]+)\b/, (all, id) => (groupName.has(Number(id))
    ? `${all} (${groupName.get(Number(id))})` : all)) };
}

async function start() {
  inviter = await requireUser();
  if (!isManager(inviter)) {
    notForYou(inviter);
    return;
  }
  let venues;
  let groups;
  try {
    [venues, groups] = await Promise.all([allVenues(), allGroups()]);
  } catch (problem) {
    show($('invite-page'), true);
    $('invite').replaceChildren(el('h1', { class: 'govuk-heading-l' }, 'Invite someone'));
    errors.show([[null, `The venues and groups could not be loaded: ${problem.detail}`]]);
    return;
  }
  groupName = new Map(groups.map((g) => [g.id, g.name]));
  fillCheckboxes($('groups'), 'groups', 'group', groups.map((g) => ({ value: g.id, words: g.name })));
  fillCheckboxes($('venues'), 'venues', 'venue', venues.map((v) => ({ value: v.id, words: v.name })));
  pointErrorsAt('groups');
  pointErrorsAt('venues');
  if (isAdmin(inviter)) {
    show($('back'), true);
    revealForRole();
    for (const radio of document.querySelectorAll('input[name="role"]')) radio.addEventListener('change', revealForRole);
  } else {
    membersOnly();
  }
  show($('invite-page'), true);
  $('invite').addEventListener('submit', send);
}

start();
