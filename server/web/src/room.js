// A room: its facts, and a week of its busy and free times day by day (public titles,
// private bookings as "Booked", closures and closed hours said as such), with the
// previous and next weeks. A signed-in member may start a request from a free time.
import { apiGet, apiList } from './api.js';
import { $, el, idParam, summaryList, tag } from './dom.js';
import { addDays, dateWords, featureWords, mondayOf, spanWords, today, zoneParts } from './format.js';
import { isMember, currentUser } from './layout.js';
import {
  endOf, loadFailed, openingWords, parseHours, plural, startOf, weekDates, weekLinks, weekOf,
  weekWords, weekdayIndex, zoneInstant,
} from './resident.js';
import { feedOf, subscribeSection } from './subscribe.js';

const DAY = 24 * 60;
const QUARTER = 15 * 60;

// 90 -> "1 hour 30 minutes", 1440 -> "1 day"
function durationWords(minutes) {
  const days = Math.floor(minutes / DAY);
  const hours = Math.floor((minutes % DAY) / 60);
  const mins = minutes % 60;
  const parts = [];
  if (days) parts.push(plural(days, 'day'));
  if (hours) parts.push(plural(hours, 'hour'));
  if (mins) parts.push(plural(mins, 'minute'));
  return parts.join(' ') || 'no time';
}

const APPROVAL = {
  auto: 'No: a request is booked at once if the room is free',
  trusted: 'Only for some groups: groups the venue trusts are booked at once; a manager decides on others',
  manual: 'Yes: a manager at the venue decides on every request',
};

function facts(room, venue) {
  const buffers = room.setup_minutes || room.cleanup_minutes
    ? `${durationWords(room.setup_minutes)} before each booking to set up, and ${durationWords(room.cleanup_minutes)} after it to clear away`
    : 'None: bookings may follow each other straight away';
  return el('section', { 'aria-labelledby': 'facts-heading', id: 'facts' },
    el('h2', { class: 'govuk-heading-m', id: 'facts-heading' }, 'About this room'),
    room.description ? el('p', { class: 'govuk-body' }, room.description) : null,
    summaryList([
      ['Venue', el('a', { class: 'govuk-link', href: `/venue?id=${venue.id}` }, venue.name)],
      ['Address', venue.address || 'Not given'],
      ['Holds', `Up to ${plural(room.capacity, 'person', 'people')}`],
      ['Features', room.features.map(featureWords).join(', ') || 'None listed'],
      ['Access', venue.accessibility || 'Not described yet: ask the venue'],
      ['Time kept free around bookings', buffers],
      ['Length of a booking', `From ${durationWords(room.min_minutes)} to ${durationWords(room.max_minutes)}`],
      ['When to ask', `${room.notice_minutes ? `At least ${durationWords(room.notice_minutes)} ahead` : 'Any time before it starts'}, and no more than ${plural(room.horizon_days, 'day')} ahead`],
      ['Needs approval', APPROVAL[room.approval] || room.approval],
    ]));
}

// Every stretch of one day, in time order: bookings, closures, free times, and the time
// kept clear around bookings (what the venue's open hours leave that is neither busy nor
// free: the room's setup and cleanup, as avail.c computes it).
function daySlots(date, week) {
  const { zone, hours, availability, closures } = week;
  const dayStart = zoneInstant(date, 0, zone);
  const dayEnd = zoneInstant(date, DAY, zone);
  const within = (start, end) => start < dayEnd && end > dayStart;
  const clip = (kind, start, end, extra) =>
    ({ kind, start: Math.max(start, dayStart), end: Math.min(end, dayEnd), ...extra });
  const slots = [];
  for (const b of availability.busy) {
    if (within(startOf(b), endOf(b))) slots.push(clip('busy', startOf(b), endOf(b), { booking: b }));
  }
  for (const c of closures) {
    if (within(startOf(c), endOf(c))) slots.push(clip('closed', startOf(c), endOf(c), { closure: c }));
  }
  for (const f of availability.free) {
    if (within(startOf(f), endOf(f))) slots.push(clip('free', startOf(f), endOf(f)));
  }
  slots.sort((a, b) => a.start - b.start || a.end - b.end);
  const opens = hours[weekdayIndex(date)].map(([from, to]) => [zoneInstant(date, from, zone), zoneInstant(date, to, zone)]);
  const gaps = [];
  for (const [openStart, openEnd] of opens) {
    let cursor = openStart;
    for (const s of slots) {
      if (s.end <= cursor || s.start >= openEnd) continue;
      if (s.start > cursor) gaps.push({ kind: 'buffer', start: cursor, end: s.start });
      cursor = Math.max(cursor, s.end);
    }
    if (cursor < openEnd) gaps.push({ kind: 'buffer', start: cursor, end: openEnd });
  }
  slots.push(...gaps);
  for (const p of availability.pending || []) {
    if (within(startOf(p), endOf(p))) slots.push(clip('pending', startOf(p), endOf(p), { booking: p }));
  }
  slots.sort((a, b) => a.start - b.start || a.end - b.end);
  return slots.map((s) => ({ ...s, dayStart, dayEnd }));
}

// What is over is history: free time and time kept clear are shown from now on only
// (free from the next quarter hour), bookings and closures as they were.
function fromNow(slots, now) {
  const next = Math.ceil(now / QUARTER) * QUARTER;
  const kept = [];
  for (const s of slots) {
    if (s.kind !== 'free' && s.kind !== 'buffer') kept.push(s);
    else if (s.end > next) kept.push({ ...s, start: Math.max(s.start, next) });
  }
  return kept;
}

function localTime(ts, zone) {
  const p = zoneParts(ts, zone);
  return `${p.date}T${p.time}`;
}

// A member's link to ask for a free time: from the earliest start the room's notice
// allows (on a quarter hour), for two hours or the room's shortest or longest booking,
// within the free time. The request page and the API judge the rest.
function requestLink(slot, week, dayText) {
  const { room, zone, now } = week;
  const earliest = Math.ceil((now + room.notice_minutes * 60) / QUARTER) * QUARTER;
  const start = Math.max(slot.start, earliest);
  const length = Math.min(Math.max(120, room.min_minutes), room.max_minutes) * 60;
  const end = Math.min(slot.end, start + length);
  if (end - start < room.min_minutes * 60 || start > now + room.horizon_days * 86400) return null;
  // Local times as the request page and the API read them; nothing here needs escaping.
  const href = `/request?room=${room.id}&start=${localTime(start, zone)}&end=${localTime(end, zone)}`;
  return el('a', { class: 'govuk-link halls-slot__action', href }, 'Request this time',
    el('span', { class: 'govuk-visually-hidden' }, `: ${dayText}, ${spanWords(start, end, zone)}`));
}

function slotItem(slot, week, dayText) {
  const { zone, room } = week;
  const allDay = slot.start === slot.dayStart && slot.end === slot.dayEnd;
  const when = el('span', { class: 'halls-slot__time' }, allDay ? 'All day' : spanWords(slot.start, slot.end, zone));
  const item = (kind, words, ...rest) => el('li', { class: `halls-slot halls-slot--${kind}` }, when, ' ', words, ...rest);
  if (slot.kind === 'busy') {
    const b = slot.booking;
    return item('busy', tag('Booked', 'grey'), b.public === true ? el('span', { class: 'halls-slot__title' }, b.title) : null);
  }
  if (slot.kind === 'pending') {
    const b = slot.booking;
    return item('pending', tag('Waiting for approval', 'yellow'),
      el('span', { class: 'halls-slot__title' }, b.public === true ? b.title : 'A private request'));
  }
  if (slot.kind === 'closed') {
    const c = slot.closure;
    return item('closed', tag('Closed', 'red'),
      el('span', { class: 'halls-slot__title' }, `${c.scope === 'venue' ? 'The venue is closed' : 'The room is closed'}: ${c.reason}`));
  }
  if (slot.kind === 'buffer') {
    return item('buffer', el('span', { class: 'halls-slot__title' }, 'Kept clear for setting up or clearing away'));
  }
  const short = slot.end - slot.start < room.min_minutes * 60;
  return item('free', tag('Free', 'green'),
    short ? el('span', { class: 'halls-slot__title' }, `Shorter than the shortest booking (${durationWords(room.min_minutes)})`) : null,
    week.member && !short ? requestLink(slot, week, dayText) : null);
}

// "Monday 7 December"
function dayName(date) {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
}

function dayItem(date, week) {
  const ranges = week.hours[weekdayIndex(date)];
  const dayText = dayName(date);
  const slots = fromNow(daySlots(date, week), week.now);
  const isToday = date === today(week.zone);
  const dayOver = zoneInstant(date, DAY, week.zone) <= week.now;
  const shut = slots.some((s) => s.kind === 'closed' && s.start === s.dayStart && s.end === s.dayEnd);
  let opening = ranges.length === 0
    ? `The venue is not open on ${dayText.split(' ')[0]}s.`
    : `The venue is ${shut ? 'normally ' : ''}open ${openingWords(ranges).replace(/^Open /, '')}.`;
  if (dayOver) opening += ' This day is over.';
  return el('li', { class: `halls-day${isToday ? ' halls-day--today' : ''}`, id: `day-${date}` },
    el('h3', { class: 'govuk-heading-s halls-day__name' }, dayText, isToday ? ' (today)' : ''),
    el('p', { class: 'govuk-body-s halls-day__opening' }, opening),
    slots.length
      ? el('ul', { class: 'govuk-list halls-slots' }, slots.map((s) => slotItem(s, week, dayText)))
      : el('p', { class: 'govuk-body-s' }, dayOver ? 'Nothing was booked.' : 'Nothing is free or booked.'));
}

function weekSection(week) {
  const { monday, room, zone } = week;
  const current = monday === mondayOf(today(zone));
  const free = week.availability.free.length;
  return el('section', { 'aria-labelledby': 'week-heading', id: 'week' },
    el('h2', { class: 'govuk-heading-m', id: 'week-heading' }, current ? 'This week' : `Week of ${dateWords(monday)}`),
    el('p', { class: 'govuk-body', id: 'week-dates' }, `${weekWords(monday)}. All times are the venue’s local time.`),
    free === 0 ? el('p', { class: 'govuk-body' }, 'The room has no free time this week.') : null,
    week.member ? null : el('p', { class: 'govuk-body' },
      'To ask for a free time, ', el('a', { class: 'govuk-link', href: `/sign-in?next=${encodeURIComponent(location.pathname + location.search)}` }, 'sign in'),
      ' as a member of a group.'),
    weekLinks(monday, (date) => `/room?id=${room.id}&date=${date}`, 'Weeks'),
    el('ol', { class: 'halls-week', 'aria-label': `${room.name}, ${weekWords(monday)}` },
      weekDates(monday).map((date) => dayItem(date, week))),
    weekLinks(monday, (date) => `/room?id=${room.id}&date=${date}`, 'Weeks, again'));
}

async function load() {
  const id = idParam('id');
  if (!id) {
    loadFailed({ status: 404, detail: 'The address does not say which room to show. Choose a venue, then one of its rooms.' }, 'Room not found');
    return;
  }
  try {
    const room = await apiGet(`/api/v1/rooms/${id}`);
    const venue = await apiGet(`/api/v1/venues/${room.venue_id}`);
    const zone = venue.timezone;
    const monday = weekOf(zone);
    const window = { from: `${monday}T00:00`, to: `${addDays(monday, 7)}T00:00` };
    const [availability, closures, user] = await Promise.all([
      apiGet(`/api/v1/rooms/${id}/availability`, window),
      apiList('/api/v1/closures', { room: id }),
      currentUser(),
    ]);
    const week = {
      room, venue, zone, monday, availability, closures: closures.items,
      hours: parseHours(venue.hours),
      now: Math.floor(Date.now() / 1000),
      member: isMember(user),
    };
    document.title = `${room.name}, ${venue.name} – halls`;
    $('page-title').textContent = room.name;
    $('venue-caption').textContent = venue.name;
    $('back').setAttribute('href', `/venue?id=${venue.id}`);
    $('back').textContent = venue.name;
    $('page').replaceChildren(facts(room, venue), weekSection(week), subscribeSection(feedOf('room', room, venue)));
  } catch (problem) {
    loadFailed(problem, 'Room not found');
  }
}

load();
