// A venue: where it is, how to get in, its rooms, its opening hours and what is on in a
// week (public bookings only), its closures, and its calendar feed.
import { apiGet, apiList } from './api.js';
import { $, el, idParam, summaryList, table } from './dom.js';
import { addDays, dateWords, featureWords, mondayOf, spanWords, today, whenWords, zoneParts } from './format.js';
import {
  closureWhen, endOf, loadFailed, openingWords, parseHours, plural, startOf, weekDates, weekLinks,
  weekOf, weekWords, weekdayIndex, zoneInstant,
} from './resident.js';
import { feedOf, subscribeSection } from './subscribe.js';

const DAY = 24 * 60;

function section(id, heading, ...children) {
  return el('section', { 'aria-labelledby': `${id}-heading`, id },
    el('h2', { class: 'govuk-heading-m', id: `${id}-heading` }, heading), ...children);
}

function about(venue) {
  return [
    el('p', { class: 'govuk-body-l', id: 'address' }, venue.address || 'Address not given'),
    venue.description ? el('p', { class: 'govuk-body' }, venue.description) : null,
    section('access', 'Getting in and access',
      el('p', { class: 'govuk-body' }, venue.accessibility || 'The venue has not described its access yet: ask it before you go.')),
  ];
}

// A table whose caption only repeats the heading above it: kept for screen readers.
function hiddenCaption(node) {
  node.querySelector('caption').className = 'govuk-table__caption govuk-visually-hidden';
  return node;
}

function roomsSection(rooms, monday) {
  if (rooms.length === 0) return section('rooms', 'Rooms', el('p', { class: 'govuk-body' }, 'This venue has no rooms to book yet.'));
  const rows = rooms.map((room) => [
    el('a', { class: 'govuk-link', href: `/room?id=${room.id}&date=${monday}` }, room.name),
    String(room.capacity),
    room.features.map(featureWords).join(', ') || 'None listed',
  ]);
  return section('rooms', 'Rooms',
    el('div', { class: 'halls-scroll' }, hiddenCaption(table(`The venue’s ${plural(rooms.length, 'room')}`, ['Room', 'People#', 'Features'], rows))));
}

// One day's opening in words, with the venue's closures that day said in full.
function dayOpening(date, hours, closures, zone) {
  const start = zoneInstant(date, 0, zone);
  const end = zoneInstant(date, DAY, zone);
  const ranges = hours[weekdayIndex(date)];
  const shut = closures.filter((c) => c.scope === 'venue' && startOf(c) < end && endOf(c) > start);
  if (ranges.length === 0) return 'Closed';
  const whole = shut.find((c) => startOf(c) <= start && endOf(c) >= end);
  if (whole) return `Closed all day (${whole.reason})`;
  const words = [openingWords(ranges)];
  for (const c of shut) {
    words.push(`but closed ${spanWords(Math.max(startOf(c), start), Math.min(endOf(c), end), zone)} (${c.reason})`);
  }
  return words.join(', ');
}

function openingSection(venue, monday, closures) {
  const hours = parseHours(venue.hours);
  const now = today(venue.timezone);
  const rows = weekDates(monday).map((date) => {
    const key = el('span', {}, dayName(date), date === now ? el('strong', {}, ' (today)') : null);
    return [key, dayOpening(date, hours, closures, venue.timezone)];
  });
  return el('div', { id: 'hours' },
    el('h3', { class: 'govuk-heading-s' }, 'Opening hours'),
    summaryList(rows));
}

// "Monday 7 December"
function dayName(date) {
  const d = new Date(`${date}T12:00:00Z`);
  return d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
}

function whatsOn(bookings, zone) {
  const shown = bookings.filter((b) => b.public === true);
  const hidden = bookings.length - shown.length;
  const parts = [el('h3', { class: 'govuk-heading-s' }, 'What’s on')];
  if (shown.length === 0) parts.push(el('p', { class: 'govuk-body', id: 'whats-on-none' }, 'Nothing public is on this week.'));
  else {
    parts.push(el('div', { class: 'halls-scroll' }, hiddenCaption(table('Public bookings this week', ['When', 'What', 'Room'],
      shown.map((b) => [whenWords(startOf(b), endOf(b), zone), b.title,
        el('a', { class: 'govuk-link', href: `/room?id=${b.room_id}&date=${zoneParts(startOf(b), zone).date}` },
          b.room_name || `Room ${b.room_id}`)])))));
  }
  if (hidden > 0) {
    parts.push(el('p', { class: 'govuk-body' }, `${plural(hidden, 'other booking')} this week ${hidden === 1 ? 'is' : 'are'} private. Each room’s page shows when it is free.`));
  }
  return el('div', { id: 'whats-on' }, ...parts);
}

function weekSection(venue, monday, closures, bookings) {
  const current = monday === mondayOf(today(venue.timezone));
  return section('week', current ? 'This week' : `Week of ${dateWords(monday)}`,
    el('p', { class: 'govuk-body' }, weekWords(monday)),
    openingSection(venue, monday, closures),
    whatsOn(bookings, venue.timezone),
    weekLinks(monday, (date) => `/venue?id=${venue.id}&date=${date}`));
}

function closuresSection(closures, rooms, zone) {
  const now = Date.now() / 1000;
  const coming = closures.filter((c) => endOf(c) > now);
  if (coming.length === 0) {
    return section('closures', 'Closures', el('p', { class: 'govuk-body' }, 'No closures are planned.'));
  }
  const names = new Map(rooms.map((r) => [r.id, r.name]));
  return section('closures', 'Closures',
    el('ul', { class: 'govuk-list govuk-list--bullet' }, coming.map((c) => el('li', {},
      el('strong', {}, c.scope === 'venue' ? 'The whole venue' : (names.get(c.room_id) || `Room ${c.room_id}`)),
      `, ${closureWhen(c, zone)}: ${c.reason}`))));
}

async function load() {
  const id = idParam('id');
  if (!id) {
    loadFailed({ status: 404, detail: 'The address does not say which venue to show. Choose one from the list of venues.' }, 'Venue not found');
    return;
  }
  try {
    const venue = await apiGet(`/api/v1/venues/${id}`);
    const zone = venue.timezone;
    const monday = weekOf(zone);
    const window = { from: `${monday}T00:00`, to: `${addDays(monday, 7)}T00:00` };
    const [rooms, closures, bookings] = await Promise.all([
      apiGet('/api/v1/rooms', { venue: id }),
      apiList('/api/v1/closures', { venue: id }),
      apiList('/api/v1/bookings', { venue: id, status: 'approved', ...window }),
    ]);
    document.title = `${venue.name} – halls`;
    $('page-title').textContent = venue.name;
    $('page').replaceChildren(...about(venue), roomsSection(rooms, monday),
      weekSection(venue, monday, closures.items, bookings.items),
      closuresSection(closures.items, rooms, zone),
      subscribeSection(feedOf('venue', venue)));
  } catch (problem) {
    loadFailed(problem, 'Venue not found');
  }
}

load();
