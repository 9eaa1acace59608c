// "Are you sure you want to remove Hartley Road Community Centre?": the one confirmation
// step before DELETE of a venue, room, group or user. When the core refuses (the record is
// still referred to), its words are shown as they are.
import { apiGet, apiSend } from './api.js';
import { $, el, idParam, param, show, summaryList } from './dom.js';
import { FormErrors } from './errors.js';
import { adminOnly, goBack } from './admin-common.js';

const ROLE_WORDS = { admin: 'Administrator', manager: 'Venue manager', member: 'Member' };

// What each kind is called, where it lives in the API, the list it returns to, and the
// facts that tell one record from another of the same name.
const KINDS = {
  venue: {
    path: 'venues',
    list: () => '/admin-venues',
    facts: (v) => [['Address', v.address || 'None given']],
    warning: 'This cannot be undone. A venue with rooms, closures, managers or groups trusted there cannot be removed.',
  },
  room: {
    path: 'rooms',
    list: (r) => `/admin-rooms?venue=${r.venue_id}`,
    facts: (r) => [['Venue', r.venue_name || `Venue ${r.venue_id}`], ['Capacity', String(r.capacity)]],
    warning: 'This cannot be undone. A room with bookings on record cannot be removed.',
  },
  group: {
    path: 'groups',
    list: () => '/admin-groups',
    facts: (g) => [['Contact', g.contact || 'None given']],
    warning: 'This cannot be undone. A group with bookings or members cannot be removed.',
  },
  user: {
    path: 'users',
    list: () => '/admin-users',
    facts: (u) => [['Email', u.email], ['Role', ROLE_WORDS[u.role] || u.role]],
    warning: 'This cannot be undone. Their bookings stay on record, and they can no longer sign in.',
  },
};

const errors = new FormErrors();

async function start() {
  if (!await adminOnly()) return;
  const kind = KINDS[param('kind')];
  const id = idParam('id');
  if (!kind || !id) {
    $('heading').textContent = 'Nothing to remove';
    $('about').replaceChildren(el('p', { class: 'govuk-body' },
      'This address does not say what to remove. Go back to the list and choose Remove beside it.'));
    return;
  }
  let record;
  try {
    record = await apiGet(`/api/v1/${kind.path}/${id}`);
  } catch (problem) {
    $('heading').textContent = 'Nothing to remove';
    errors.show([[null, problem.detail]]);
    return;
  }
  const back = kind.list(record);
  $('back').href = back;
  $('back').textContent = 'Back to the list';
  $('cancel').href = back;
  $('heading').textContent = `Are you sure you want to remove ${record.name}?`;
  document.title = `Remove ${record.name} – halls`;
  $('about').replaceChildren(summaryList(kind.facts(record)));
  $('warning').textContent = kind.warning;
  show($('remove-form'), true);
  $('remove-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    try {
      await apiSend('DELETE', `/api/v1/${kind.path}/${id}`);
      goBack(back, `${record.name} has been removed`);
    } catch (problem) {
      errors.show([[null, problem.detail]]);
    }
  });
}

start();
