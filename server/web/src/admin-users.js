// The users, each with their email, role, what they run or belong to, a note when they
// have no password (a password is never shown), and links to change or remove them.
import { apiList } from './api.js';
import { $, el } from './dom.js';
import { FormErrors } from './errors.js';
import { adminOnly, allGroups, allVenues, recordTable, rowActions, showFlash } from './admin-common.js';

// "Manager of Hartley Road Community Centre", "Member of Tuesday Knitters", "Administrator".
function roleWords(user, venueName, groupName) {
  const names = (ids, lookup, what) => ids.map((id) => lookup.get(id) || `${what} ${id}`).join(', ');
  if (user.role === 'admin') return 'Administrator';
  if (user.role === 'manager') return `Manager of ${names(user.venues, venueName, 'Venue') || 'no venue'}`;
  return `Member of ${names(user.groups, groupName, 'Group') || 'no group'}`;
}

function draw(users, venues, groups) {
  if (!users.length) {
    $('list').replaceChildren(el('p', { class: 'govuk-body' }, 'There are no users yet.'));
    return;
  }
  const venueName = new Map(venues.map((v) => [v.id, v.name]));
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  $('list').replaceChildren(recordTable('Users',
    [['User'], ['Role'], ['Actions', 'hidden']],
    users.map((u) => [
      [u.name,
        el('span', { class: 'halls-cell-note halls-break' }, u.email),
        u.has_password ? null : el('span', { class: 'halls-cell-note' }, 'No password')],
      roleWords(u, venueName, groupName),
      rowActions(`/admin-user?id=${u.id}`, `/admin-remove?kind=user&id=${u.id}`, u.name),
    ])));
}

async function start() {
  if (!await adminOnly()) return;
  showFlash();
  try {
    const [users, venues, groups] = await Promise.all([
      apiList('/api/v1/users', {}, 10000), allVenues(), allGroups(),
    ]);
    draw(users.items.sort((a, b) => a.name.localeCompare(b.name, 'en-GB')), venues, groups);
  } catch (problem) {
    $('list').replaceChildren();
    new FormErrors().show([[null, `The users could not be loaded: ${problem.detail}`]]);
  }
}

start();
