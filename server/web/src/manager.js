// What the venue managers' pages (requests, venue calendar, closures) share: who may use
// them, which venues are the manager's, and the words for a series' rule, a venue's
// opening hours and a closure.
import { apiGet, apiList } from './api.js';
import { $, el, idParam, show } from './dom.js';
import { clockWords, dateWords, dayWords, whenWords, zoneParts } from './format.js';
import { isAdmin, isManager, requireUser } from './layout.js';

// The signed-in manager or admin. Anyone else is told, in place of the page's content,
// that the page is for venue managers, and gets null.
export async function requireManager() {
  const user = await requireUser();
  if (isManager(user)) return user;
  const content = $('manager-content');
  if (content) show(content, false);
  $('main-content').querySelector('h1').after(
    el('div', { class: 'govuk-inset-text', id: 'not-manager' },
      el('p', { class: 'govuk-body' }, 'This page is for venue managers. ',
        `You are signed in as ${user.name}, who does not look after a venue.`),
      el('p', { class: 'govuk-body' }, 'To ask for a room, go to ',
        el('a', { class: 'govuk-link', href: '/request' }, 'Request a room'), ' or see ',
        el('a', { class: 'govuk-link', href: '/my-bookings' }, 'your bookings'), '.')));
  return null;
}

// The venues the user looks after (every venue for an admin), in id order.
export async function myVenues(user) {
  if (isAdmin(user)) return apiGet('/api/v1/venues');
  const ids = [...(user.venues || [])].sort((a, b) => a - b);
  return Promise.all(ids.map((id) => apiGet(`/api/v1/venues/${id}`)));
}

// The venue the page is about: ?venue=N when it is one of the user's, else the first.
// Fills the select id="venue" (shown only when there is a choice) and says when ?venue=
// names a venue that is not the user's.
export function chooseVenue(venues, errors) {
  const asked = idParam('venue');
  const venue = venues.find((v) => String(v.id) === asked) || venues[0];
  const select = $('venue');
  select.replaceChildren(...venues.map((v) => el('option', { value: v.id, selected: v === venue }, v.name)));
  show($('venue-form'), venues.length > 1);
  if (asked && String(venue.id) !== asked) {
    errors.show([[venues.length > 1 ? 'venue' : null,
      `You do not look after venue ${asked}, so this page shows ${venue.name}.`]]);
  }
  return venue;
}

// Says that the user looks after no venue yet (a manager an admin has not given one).
// The venues a manager's page is about, or null when the page has already said why there
// are none (not a manager, or a manager of no venue yet).
export async function managedVenues() {
  const user = await requireManager();
  if (!user) return null;
  const venues = await myVenues(user);
  if (venues.length) return venues;
  noVenues();
  return null;
}

export function noVenues() {
  $('manager-content').replaceChildren(
    el('p', { class: 'govuk-body', id: 'no-venues' },
      'You do not look after any venue yet. Ask an administrator to add you to your venue.'));
}

// An instant (UTC seconds) as the API reads it: RFC 3339 in UTC.
export function isoTime(ts) {
  return new Date(ts * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The instant an RFC 3339 time from the API names, in UTC seconds.
export function seconds(text) {
  return Math.floor(Date.parse(text) / 1000);
}

// "Thursday 3 December 2026 at 12:01pm": when something was asked for.
export function askedWords(text, zone) {
  const p = zoneParts(seconds(text), zone);
  return `${dayWords(p)} at ${clockWords(p.hour, p.minute)}`;
}

const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const ORDINALS = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth', '-1': 'last', '-2': 'second to last' };

function listWords(words) {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function ordinalDay(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th';
  return `${n}${suffix}`;
}

// A BYDAY entry ("TU", "2TU", "-1FR") in words, or null.
function byDayWords(entry) {
  const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(entry);
  if (!m) return null;
  const name = DAY_NAMES[DAY_CODES.indexOf(m[2])];
  if (!m[1]) return name;
  const ordinal = ORDINALS[String(Number(m[1]))];
  return ordinal ? `${ordinal} ${name}` : null;
}

// UNTIL (a date, or a UTC time) as the venue's date in words.
function untilWords(until, zone) {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(until);
  if (!m) return null;
  if (!m[4]) return dateWords(`${m[1]}-${m[2]}-${m[3]}`);
  const ts = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
  return dayWords(zoneParts(ts, zone));
}

// How often, from the rule's FREQ, INTERVAL and BY parts; null when the words would not
// say the rule exactly.
function repeatWords(parts) {
  const every = Number(parts.INTERVAL || 1);
  const unit = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month' }[parts.FREQ];
  if (!unit || !(every >= 1)) return null;
  let words = every === 1 ? `Every ${unit}` : `Every ${every} ${unit}s`;
  if (parts.BYSETPOS) return null;
  if (parts.BYDAY) {
    const days = parts.BYDAY.split(',').map(byDayWords);
    if (days.includes(null)) return null;
    words += ` on ${parts.FREQ === 'MONTHLY' && /\d/.test(parts.BYDAY) ? 'the ' : ''}${listWords(days)}`;
  }
  if (parts.BYMONTHDAY) {
    const days = parts.BYMONTHDAY.split(',').map(Number);
    if (days.some((d) => !(d >= 1 && d <= 31))) return null;
    words += `${parts.BYDAY ? ' that falls' : ''} on the ${listWords(days.map(ordinalDay))}`;
  }
  return words;
}

// A series' RFC 5545 rule in words ("Every week on Tuesday, 6 times"), or the rule
// itself when the words would not say it exactly.
export function ruleWords(rrule, zone) {
  const parts = {};
  for (const part of String(rrule).split(';')) {
    const [name, value] = part.split('=');
    if (name && value !== undefined) parts[name.toUpperCase()] = value.toUpperCase();
  }
  const repeat = repeatWords(parts);
  let end = null;
  if (parts.COUNT && /^\d+$/.test(parts.COUNT)) end = parts.COUNT === '1' ? 'once' : `${Number(parts.COUNT)} times`;
  else if (parts.UNTIL) end = untilWords(parts.UNTIL, zone) && `until ${untilWords(parts.UNTIL, zone)}`;
  return repeat && end ? `${repeat}, ${end}` : `Repeats by the rule ${rrule}`;
}

const HOURS_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// A venue's opening hours ("mon-fri 09:00-22:00; sat 10:00-16:00; sun closed") as seven
// lists (Monday first) of [from, to] minutes, as the core reads them: a later clause for
// a day replaces an earlier one, and a day named in none is closed. null when the text
// cannot be read (the page then says nothing about hours).
export function weekHours(text) {
  const week = [[], [], [], [], [], [], []];
  let clauses = 0;
  for (const clause of String(text).split(';')) {
    if (!clause.trim()) continue;
    const m = /^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(.*?)\s*$/i.exec(clause);
    if (!m) return null;
    const first = HOURS_DAYS.indexOf(m[1].toLowerCase());
    const last = m[2] ? HOURS_DAYS.indexOf(m[2].toLowerCase()) : first;
    if (first < 0 || last < 0) return null;
    const spans = [];
    if (!/^closed$/i.test(m[3])) {
      for (const span of m[3].split(',')) {
        const t = /^\s*(\d\d):(\d\d)-(\d\d):(\d\d)\s*$/.exec(span);
        if (!t) return null;
        spans.push([Number(t[1]) * 60 + Number(t[2]), Number(t[3]) * 60 + Number(t[4])]);
      }
      spans.sort((a, b) => a[0] - b[0]);
    }
    for (let d = first; ; d = (d + 1) % 7) {
      week[d] = spans;
      if (d === last) break;
    }
    clauses++;
  }
  return clauses ? week : null;
}

function minuteWords(minutes) {
  return minutes === 1440 ? 'midnight' : clockWords(Math.floor(minutes / 60), minutes % 60);
}

// One day's opening hours in words: "9am to 10pm", "9am to 1pm and 2pm to 6pm", "Closed".
export function hoursWords(spans) {
  if (!spans.length) return 'Closed';
  if (spans.length === 1 && spans[0][0] === 0 && spans[0][1] === 1440) return 'Open all day';
  return listWords(spans.map(([from, to]) => `${minuteWords(from)} to ${minuteWords(to)}`));
}

// When a closure runs, in the venue's zone: whole days said as days.
export function closureWords(closure, zone) {
  const s = zoneParts(closure.start_ts, zone);
  const e = zoneParts(closure.end_ts, zone);
  const midnights = s.hour === 0 && s.minute === 0 && e.hour === 0 && e.minute === 0;
  if (!midnights) return whenWords(closure.start_ts, closure.end_ts, zone);
  const lastDay = zoneParts(closure.end_ts - 1, zone);
  if (lastDay.date === s.date) return `All day on ${dayWords(s)}`;
  return `From ${dayWords(s)} to ${dayWords(lastDay)}, all day`;
}

// Every pending or approved booking that overlaps [startTs, endTs) in a room or a whole
// venue ({ room: id } or { venue: id }), as far as the user may see them, in start order.
export async function liveBookings(where, startTs, endTs, max = 500) {
  const { items, more } = await apiList('/api/v1/bookings',
    { ...where, from: isoTime(startTs), to: isoTime(endTs) }, max);
  return {
    bookings: items.filter((b) => b.status === 'pending' || b.status === 'approved'),
    more,
  };
}

// "Tuesday Knitters" or, for a slot whose group the user may not see, "another group".
export function groupWords(booking) {
  return booking.group_name || 'another group';
}
