// Venues: every venue, with its address, a line on access and how many rooms it has.
import { apiGet } from './api.js';
import { $, el } from './dom.js';
import { loadFailed, plural } from './resident.js';

function venueItem(venue, rooms) {
  return el('li', { class: 'halls-venue' },
    el('h2', { class: 'govuk-heading-m' },
      el('a', { class: 'govuk-link', href: `/venue?id=${venue.id}` }, venue.name)),
    el('dl', { class: 'govuk-summary-list govuk-summary-list--no-border' },
      row('Address', venue.address || 'Not given'),
      row('Access', venue.accessibility || 'Not described yet: ask the venue'),
      row('Rooms', plural(rooms, 'room'))));
}

function row(key, value) {
  return el('div', { class: 'govuk-summary-list__row' },
    el('dt', { class: 'govuk-summary-list__key' }, key),
    el('dd', { class: 'govuk-summary-list__value' }, value));
}

async function load() {
  try {
    const [venues, rooms] = await Promise.all([apiGet('/api/v1/venues'), apiGet('/api/v1/rooms')]);
    const count = new Map();
    for (const room of rooms) count.set(room.venue_id, (count.get(room.venue_id) || 0) + 1);
    $('venues').replaceChildren(...venues.map((v) => venueItem(v, count.get(v.id) || 0)));
    $('venues-loading').textContent = venues.length === 0 ? 'There are no venues yet.' : plural(venues.length, 'venue');
  } catch (problem) {
    loadFailed(problem, 'Venues');
  }
}

load();
