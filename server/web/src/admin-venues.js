// The venues, each with its opening hours, its rooms and the links to change or remove it.
import { apiList } from './api.js';
import { $, el } from './dom.js';
import { FormErrors } from './errors.js';
import { adminOnly, allVenues, recordTable, rowActions, showFlash } from './admin-common.js';
import { hoursWords } from './admin-hours.js';

// "3 rooms", to the list of them, under the venue's name.
function roomsLink(venue, rooms) {
  const n = rooms.filter((r) => r.venue_id === venue.id).length;
  return el('span', { class: 'halls-cell-note' },
    el('a', { class: 'govuk-link', href: `/admin-rooms?venue=${venue.id}` },
      `${n} ${n === 1 ? 'room' : 'rooms'}`, el('span', { class: 'govuk-visually-hidden' }, ` at ${venue.name}`)));
}

function draw(venues, rooms) {
  if (!venues.length) {
    $('list').replaceChildren(el('p', { class: 'govuk-body' }, 'There are no venues yet.'));
    return;
  }
  $('list').replaceChildren(recordTable('Venues',
    [['Venue'], ['Opening hours'], ['Actions', 'hidden']],
    venues.map((v) => [
      [el('a', { class: 'govuk-link', href: `/venue?id=${v.id}` }, v.name), roomsLink(v, rooms)],
      v.timezone === 'Europe/London' ? hoursWords(v.hours) : `${hoursWords(v.hours)} (${v.timezone} time)`,
      rowActions(`/admin-venue?id=${v.id}`, `/admin-remove?kind=venue&id=${v.id}`, v.name),
    ])));
}

async function start() {
  if (!await adminOnly()) return;
  showFlash();
  try {
    const [venues, rooms] = await Promise.all([allVenues(), apiList('/api/v1/rooms', {}, 10000)]);
    draw(venues, rooms.items);
  } catch (problem) {
    $('list').replaceChildren();
    new FormErrors().show([[null, `The venues could not be loaded: ${problem.detail}`]]);
  }
}

start();
