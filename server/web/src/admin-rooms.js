// The rooms, of every venue or of one (/admin-rooms?venue=N), with links to change or
// remove each. Two columns and the actions, so that the list fits a phone: the venue
// and how requests are approved go under the room's name.
import { apiList } from './api.js';
import { $, el, idParam } from './dom.js';
import { FormErrors } from './errors.js';
import { adminOnly, allVenues, recordTable, rowActions, showFlash } from './admin-common.js';

const APPROVAL = {
  manual: 'A manager approves requests',
  auto: 'Requests approved at once',
  trusted: 'Trusted groups approved at once',
};

function draw(rooms, venue) {
  if (!rooms.length) {
    $('list').replaceChildren(el('p', { class: 'govuk-body' },
      venue ? `${venue.name} has no rooms yet.` : 'There are no rooms yet.'));
    return;
  }
  $('list').replaceChildren(recordTable(venue ? `Rooms at ${venue.name}` : 'Rooms',
    [['Room'], ['People', 'numeric'], ['Actions', 'hidden']],
    rooms.map((r) => [
      [el('a', { class: 'govuk-link', href: `/room?id=${r.id}` }, r.name),
        el('span', { class: 'halls-cell-note' }, r.venue_name || `Venue ${r.venue_id}`),
        el('span', { class: 'halls-cell-note' }, APPROVAL[r.approval] || r.approval)],
      String(r.capacity),
      rowActions(`/admin-room?id=${r.id}`, `/admin-remove?kind=room&id=${r.id}`, r.name),
    ])));
}

async function start() {
  if (!await adminOnly()) return;
  showFlash();
  const venueId = idParam('venue');
  try {
    const [venues, rooms] = await Promise.all([
      allVenues(),
      apiList('/api/v1/rooms', { venue: venueId }, 10000),
    ]);
    const select = $('venue');
    select.append(...venues.map((v) => el('option', { value: v.id, selected: String(v.id) === venueId }, v.name)));
    const venue = venues.find((v) => String(v.id) === venueId);
    if (venue) {
      $('heading').textContent = `Rooms at ${venue.name}`;
      $('add').href = `/admin-room?venue=${venue.id}`;
      $('add').textContent = `Add a room at ${venue.name}`;
    }
    const byName = (a, b) => (a.venue_name || '').localeCompare(b.venue_name || '', 'en-GB') ||
      a.name.localeCompare(b.name, 'en-GB');
    draw(rooms.items.sort(byName), venue);
  } catch (problem) {
    $('list').replaceChildren();
    new FormErrors().show([[null, `The rooms could not be loaded: ${problem.detail}`]]);
  }
}

start();
