// What's on: the public bookings across the borough (or at one venue) for 7 days from a
// date, grouped by day, each with its time in words, its room and its venue.
import { apiGet, apiList } from './api.js';
import { $, el, idParam } from './dom.js';
import { FormErrors } from './errors.js';
import { addDays, dateFromParts, dateWords, spanWords, whenWords, zoneParts } from './format.js';
import { dateParam, endOf, plural, startOf } from './resident.js';

// The API reads from and to in Europe/London when no venue is named (docs/api.md, Times).
const BOROUGH_ZONE = 'Europe/London';
const DAYS = 7;
const MOST = 500;

const errors = new FormErrors({ date: 'date-day' }, { venue: 'venue', from: 'date', to: 'date' });

function address(venueId, date) {
  const query = new URLSearchParams();
  if (venueId) query.set('venue', venueId);
  query.set('date', date);
  return `/whats-on?${query}`;
}

function eventItem(b, zone, date) {
  const sameDay = zoneParts(startOf(b), zone).date === date && zoneParts(endOf(b) - 1, zone).date === date;
  const when = sameDay ? spanWords(startOf(b), endOf(b), zone) : whenWords(startOf(b), endOf(b), zone);
  return el('li', { class: 'halls-event' },
    el('h3', { class: 'govuk-heading-s halls-event__title' }, b.title),
    el('p', { class: 'govuk-body halls-event__where' },
      el('span', { class: 'halls-event__time' }, when), ', ',
      el('a', { class: 'govuk-link', href: `/room?id=${b.room_id}&date=${date}` }, b.room_name || `Room ${b.room_id}`),
      ', ',
      el('a', { class: 'govuk-link', href: `/venue?id=${b.venue_id}&date=${date}` }, b.venue_name || `Venue ${b.venue_id}`)));
}

// The 7 days from first, each with its public bookings (by the day each starts, in its
// venue's zone; one that began before the first day is listed on the first day).
function byDay(bookings, first, zones) {
  const days = new Map();
  for (let i = 0; i < DAYS; i++) days.set(addDays(first, i), []);
  for (const b of bookings) {
    const zone = zones.get(b.venue_id) || BOROUGH_ZONE;
    let date = zoneParts(startOf(b), zone).date;
    if (date < first) date = first;
    if (days.has(date)) days.get(date).push(b);
  }
  return days;
}

function showDays(bookings, first, venueId, zones, more) {
  const parts = [];
  const total = bookings.length;
  parts.push(el('p', { class: 'govuk-body', id: 'summary' },
    `${plural(total, 'public booking')} from ${dateWords(first)} to ${dateWords(addDays(first, DAYS - 1))}.`));
  if (more) parts.push(el('p', { class: 'govuk-body' }, `Only the first ${MOST} are shown: choose a venue to see fewer.`));
  for (const [date, list] of byDay(bookings, first, zones)) {
    parts.push(el('section', { class: 'halls-whats-on-day', 'aria-labelledby': `day-${date}`, id: `on-${date}` },
      el('h2', { class: 'govuk-heading-m', id: `day-${date}` }, dateWords(date)),
      list.length
        ? el('ul', { class: 'govuk-list halls-events' }, list.map((b) => eventItem(b, zones.get(b.venue_id) || BOROUGH_ZONE, date)))
        : el('p', { class: 'govuk-body' }, 'Nothing public is on.')));
  }
  const link = (date, words, rel) => el('div', { class: `govuk-pagination__${rel}` },
    el('a', { class: 'govuk-link govuk-pagination__link', href: address(venueId, date), rel },
      el('span', { class: 'govuk-pagination__link-title' }, words,
        el('span', { class: 'govuk-visually-hidden' }, `: from ${dateWords(date)}`))));
  parts.push(el('nav', { class: 'govuk-pagination halls-week-links', 'aria-label': 'Days' },
    link(addDays(first, -DAYS), 'Previous 7 days', 'prev'),
    link(addDays(first, DAYS), 'Next 7 days', 'next')));
  $('results').replaceChildren(...parts);
}

function fillForm(venues, venueId, first) {
  const select = $('venue');
  for (const v of venues) select.append(el('option', { value: v.id, selected: String(v.id) === venueId }, v.name));
  const [year, month, day] = first.split('-');
  $('date-day').value = String(Number(day));
  $('date-month').value = String(Number(month));
  $('date-year').value = year;
}

function submitted(event) {
  event.preventDefault();
  errors.clear();
  const day = $('date-day').value.trim();
  const month = $('date-month').value.trim();
  const year = $('date-year').value.trim();
  const date = dateFromParts(day, month, year);
  if (!date || year < '1970' || year >= '2200') {
    errors.show([['date', 'The date must be a real date, for example 8 12 2026']]);
    return;
  }
  location.assign(address($('venue').value, date));
}

async function load() {
  const venueId = idParam('venue');
  let venues = [];
  try {
    venues = await apiGet('/api/v1/venues');
  } catch (problem) {
    errors.show([['venue', `The list of venues could not be loaded: ${problem.detail}`]]);
  }
  const zones = new Map(venues.map((v) => [v.id, v.timezone]));
  const zone = (venueId && zones.get(Number(venueId))) || BOROUGH_ZONE;
  const first = dateParam(zone);
  fillForm(venues, venueId, first);
  try {
    const { items, more } = await apiList('/api/v1/bookings', {
      venue: venueId, status: 'approved', from: `${first}T00:00`, to: `${addDays(first, DAYS)}T00:00`,
    }, MOST);
    showDays(items.filter((b) => b.public === true), first, venueId, zones, more);
  } catch (problem) {
    $('results').replaceChildren();
    errors.showProblem(problem);
  }
}

$('filter').addEventListener('submit', submitted);
load();
