// What the pages of a group's member share (sign-in, my bookings, request a booking or a
// series, calendar links): where to go after signing in, the venues and rooms once per
// page, the date and time boxes, which field a refusal is about, and what to show when
// a time is taken (what is in the way, and the nearest free times).
import { apiGet } from './api.js';
import { el } from './dom.js';
import { clockTime, clockWords, dateFromParts, dateWords, whenWords, zoneParts } from './format.js';

// A same-site path to go to after signing in, or null. Only "/x...": never an absolute
// URL, "//host" or "/\host" (which browsers read as another host), nor anything with a
// control character or space (a tab or newline inside "/\t/host" is dropped by the URL
// parser, leaving "//host"). The parsed result must still be on this origin.
export function safeNext(next) {
  if (typeof next !== 'string' || !/^\/(?![/\\])/.test(next)) return null;
  if (/[\u0000-\u0020\\\u007f]/.test(next)) return null;
  try {
    const url = new URL(next, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

// The page a user starts from after signing in.
export function homeFor(user) {
  if (user && user.role === 'admin') return '/admin';
  if (user && user.role === 'manager') return '/requests';
  return '/my-bookings';
}

// UTC seconds of an RFC 3339 time from the API.
export const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);

// Now, in UTC seconds, as the API's from/to take it ("2026-12-03T12:01:13Z").
export function isoSeconds(ts) {
  return `${new Date(ts * 1000).toISOString().slice(0, 19)}Z`;
}

// Every venue (id -> venue), asked once per page.
let venuesPromise = null;
export function venues() {
  if (!venuesPromise) {
    venuesPromise = apiGet('/api/v1/venues').then((list) => new Map(list.map((v) => [v.id, v])));
  }
  return venuesPromise;
}

// Every room (id -> room, with venue_name), asked once per page.
let roomsPromise = null;
export function rooms() {
  if (!roomsPromise) {
    roomsPromise = apiGet('/api/v1/rooms').then((list) => new Map(list.map((r) => [r.id, r])));
  }
  return roomsPromise;
}

// Group names (id -> name): the list anyone may read.
let groupsPromise = null;
export function groupNames() {
  if (!groupsPromise) {
    groupsPromise = apiGet('/api/v1/groups').then((list) => new Map(list.map((g) => [g.id, g.name])));
  }
  return groupsPromise;
}

// Fills a <select> with the rooms, one <optgroup> per venue (venues and rooms by name).
export function fillRoomSelect(select, roomMap) {
  const byVenue = new Map();
  for (const room of roomMap.values()) {
    const key = room.venue_name || `Venue ${room.venue_id}`;
    if (!byVenue.has(key)) byVenue.set(key, []);
    byVenue.get(key).push(room);
  }
  for (const venue of [...byVenue.keys()].sort()) {
    const group = el('optgroup', { label: venue });
    for (const room of byVenue.get(venue).sort((a, b) => a.name.localeCompare(b.name))) {
      group.append(el('option', { value: room.id }, `${room.name} (holds ${room.capacity})`));
    }
    select.append(group);
  }
}

// A GOV.UK date input whose boxes are PREFIX-day, -month and -year.
export function dateBoxes(prefix) {
  const box = (part) => document.getElementById(`${prefix}-${part}`);
  return {
    read: () => {
      const [d, m, y] = ['day', 'month', 'year'].map((p) => box(p).value.trim());
      return { empty: !d && !m && !y, date: dateFromParts(d, m, y) };
    },
    set: (date) => {
      const [y, m, d] = date.split('-');
      box('day').value = String(Number(d));
      box('month').value = String(Number(m));
      box('year').value = y;
    },
  };
}

// Reads a date input and the from and to boxes of a form: { found: [[field, words]],
// date, from, to } with date 'YYYY-MM-DD' and times 'HH:MM'. Fields: dateField, and
// the ids of the time boxes.
export function readWhen(dateField, datePrefix, fromId, toId, what = 'the date') {
  const found = [];
  const { empty, date } = dateBoxes(datePrefix).read();
  if (empty) found.push([dateField, `Enter ${what}`]);
  else if (!date) found.push([dateField, 'The date must be a real date, for example 8 12 2026']);
  const from = clockTime(document.getElementById(fromId).value);
  const to = clockTime(document.getElementById(toId).value);
  if (!from) found.push([fromId, 'Enter the start time, for example 18:30']);
  if (!to) found.push([toId, 'Enter the end time, for example 21:00']);
  else if (from && to <= from) found.push([toId, 'The end time must be after the start time']);
  return { found, date, from, to };
}

// "Tuesday 8 December 2026, 7pm to 9pm" for a date and two 'HH:MM' times as typed.
export function timeWords(date, from, to) {
  const words = (t) => clockWords(Number(t.slice(0, 2)), Number(t.slice(3, 5)));
  return `${dateWords(date)}, ${words(from)} to ${words(to)}`;
}

// Puts an instant pair into a date input and from/to boxes, in zone.
export function fillWhen(datePrefix, fromId, toId, startTs, endTs, zone) {
  const s = zoneParts(startTs, zone);
  dateBoxes(datePrefix).set(s.date);
  document.getElementById(fromId).value = s.time;
  document.getElementById(toId).value = zoneParts(endTs, zone).time;
}

// The form field a refusal is about: by its problem type first (the words of a rule
// seldom name the field: "Main Hall holds 150 people"), then by the API names its words
// quote (errors.fieldOf). byType: { 'over-capacity': 'attendees', ... }.
function fieldOf(problem, errors, byType) {
  const type = problem && problem.body && typeof problem.body.type === 'string'
    ? problem.body.type.replace('/problems/', '') : '';
  if (byType[type]) return byType[type];
  return errors.fieldOf((problem && problem.detail) || '');
}

export function showRefusal(problem, errors, byType) {
  errors.show([[fieldOf(problem, errors, byType), (problem && problem.detail) || String(problem)]]);
}

// The refusals about a booking's time, and where each points in a form with a date input
// (date) and time boxes (to).
export const TIME_TYPES = (date, to) => ({
  conflict: date,
  closed: date,
  'outside-opening-hours': date,
  'too-short-notice': date,
  'too-far-ahead': date,
  'end-before-start': to,
  'length-out-of-range': to,
});

// What is in the way of a refused time, and the nearest free times, as a node to put
// under the error summary. problem: the ApiProblem (its body's conflicts and
// suggestions); ask: { roomId, zone, date, from, to, attendees, otherRooms };
// use(roomId, startTs, endTs): called when the member takes a suggestion.
export async function conflictHelp(problem, ask, use) {
  const body = problem.body || {};
  const box = el('div', { class: 'halls-conflict', id: 'conflict-help' });
  const ids = Array.isArray(body.conflicts) ? body.conflicts.slice(0, 16) : [];
  if (problem.status === 409) {
    box.append(el('h2', { class: 'govuk-heading-m' }, 'What is in the way'));
    const found = await Promise.all(ids.map((id) => apiGet(`/api/v1/bookings/${id}`).catch(() => null)));
    const shown = found.filter(Boolean);
    if (shown.length) {
      box.append(el('ul', { class: 'govuk-list govuk-list--bullet' }, shown.map((b) => {
        const when = whenWords(b.start_ts || seconds(b.start), b.end_ts || seconds(b.end), ask.zone);
        const whose = b.group_name ? ` (${b.group_name})` : '';
        const state = b.status === 'pending' ? ', waiting for approval' : '';
        return el('li', {}, `${b.title}${whose}: ${b.room_name || 'this room'}, ${when}${state}`);
      })));
    } else {
      box.append(el('p', { class: 'govuk-body' }, 'Another group’s booking holds the room then.'));
    }
  }
  const suggestions = Array.isArray(body.suggestions) ? body.suggestions : [];
  const same = suggestions.filter((s) => s.room_id === ask.roomId);
  if (same.length) {
    box.append(el('h2', { class: 'govuk-heading-m' }, 'Free times in this room'),
      el('p', { class: 'govuk-body' }, 'The nearest times of the same length that you could ask for:'));
    box.append(el('div', { class: 'govuk-button-group halls-suggestions' }, same.map((s) => {
      const start = seconds(s.start);
      const end = seconds(s.end);
      const button = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary' },
        `Use ${whenWords(start, end, ask.zone)}`);
      button.addEventListener('click', () => use(ask.roomId, start, end));
      return button;
    })));
  }
  if (ask.otherRooms) {
    const others = await otherRooms(ask, suggestions);
    if (others.length) {
      box.append(el('h2', { class: 'govuk-heading-m' }, 'Other rooms free at that time'),
        el('ul', { class: 'govuk-list' }, others.map((room) => {
          const query = new URLSearchParams({ room: room.id, start: `${ask.date}T${ask.from}`, end: `${ask.date}T${ask.to}` });
          const link = el('a', { class: 'govuk-link', href: `/request?${query}` },
            `${room.name}, ${room.venue_name} (holds ${room.capacity})`);
          link.addEventListener('click', (event) => {
            event.preventDefault();
            use(room.id, null, null);
          });
          return el('li', {}, link);
        })));
    }
  }
  if (box.childElementCount === 0) return null;
  return box;
}

// Rooms free for the whole time asked, that hold the people: the venue's others that
// the refusal suggested first, then any free room (GET /api/v1/rooms), at most six.
async function otherRooms(ask, suggestions) {
  const all = await rooms();
  const out = new Map();
  for (const s of suggestions) {
    if (s.room_id !== ask.roomId && all.has(s.room_id)) out.set(s.room_id, all.get(s.room_id));
  }
  try {
    const free = await apiGet('/api/v1/rooms', {
      free_from: `${ask.date}T${ask.from}`,
      free_to: `${ask.date}T${ask.to}`,
      min_capacity: ask.attendees || undefined,
    });
    const here = all.get(ask.roomId);
    // The same venue's first: the group is likely to want to stay close.
    free.sort((a, b) => (b.venue_id === (here && here.venue_id)) - (a.venue_id === (here && here.venue_id)));
    for (const room of free) if (room.id !== ask.roomId && !out.has(room.id)) out.set(room.id, room);
  } catch {
    // The suggestions alone, then.
  }
  return [...out.values()].slice(0, 6);
}
