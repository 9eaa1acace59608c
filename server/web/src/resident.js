// What the resident's pages (venues, a venue, a room, what's on) share and the shared
// modules do not have: opening hours in words, local times turned into instants in a
// venue's zone, closures in words, and the week a page shows.
import { el, param } from './dom.js';
import { WEEKDAYS, addDays, clockWords, dateFromParts, dateWords, mondayOf, today, whenWords, zoneParts } from './format.js';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// A venue's stored hours ("mon-fri 09:00-22:00; sat 09:00-18:00; sun closed", the form
// docs/data-model.md gives) as seven lists, Monday first, of [from, to] in minutes after
// midnight. A day not named, or named "closed", has none. A clause the page cannot read
// is left out rather than guessed at (the API keeps the hours valid).
export function parseHours(hours) {
  const week = DAY_NAMES.map(() => []);
  for (const clause of String(hours || '').split(';')) {
    const m = /^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(.+?)\s*$/i.exec(clause);
    if (!m) continue;
    const first = DAY_NAMES.indexOf(m[1].toLowerCase());
    const last = m[2] ? DAY_NAMES.indexOf(m[2].toLowerCase()) : first;
    if (first < 0 || last < 0) continue;
    const ranges = [];
    if (m[3].toLowerCase() !== 'closed') {
      for (const range of m[3].split(',')) {
        const r = /^\s*(\d{2}):(\d{2})-(\d{2}):(\d{2})\s*$/.exec(range);
        if (r) ranges.push([Number(r[1]) * 60 + Number(r[2]), Number(r[3]) * 60 + Number(r[4])]);
      }
    }
    // A later clause for a day replaces an earlier one; ranges wrap round the week.
    for (let d = first; ; d = (d + 1) % 7) {
      week[d] = ranges;
      if (d === last) break;
    }
  }
  return week;
}

function minutesWords(minutes) {
  return minutes >= 24 * 60 ? 'midnight' : clockWords(Math.floor(minutes / 60), minutes % 60);
}

// One day's opening in words: "9am to 10pm", "9am to 12:30pm and 1:30pm to 9pm",
// "Open all day" or "Closed".
export function openingWords(ranges) {
  if (ranges.length === 0) return 'Closed';
  if (ranges.length === 1 && ranges[0][0] === 0 && ranges[0][1] >= 24 * 60) return 'Open all day';
  return ranges.map(([from, to]) => `${minutesWords(from)} to ${minutesWords(to)}`).join(' and ');
}

// Monday = 0 ... Sunday = 6 for a calendar date 'YYYY-MM-DD'.
export function weekdayIndex(date) {
  return (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
}

// The instant (UTC seconds) of a local wall-clock time in zone: a date and minutes after
// its midnight (24:00 is the next midnight). A time that the clocks skip comes out an
// hour on, as the venue's clock would show it.
export function zoneInstant(date, minutes, zone) {
  const [y, mo, d] = date.split('-').map(Number);
  const wanted = Date.UTC(y, mo - 1, d, 0, minutes) / 1000;
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = zoneParts(guess, zone);
    const shown = Date.UTC(p.year, p.monthNumber - 1, p.day, p.hour, p.minute) / 1000;
    if (shown === wanted) break;
    guess += wanted - shown;
  }
  return guess;
}

// Seconds from an API time ("2026-12-08T19:00:00+00:00"); a busy slot has no start_ts.
export function seconds(text) {
  return Math.floor(Date.parse(text) / 1000);
}

export function startOf(item) {
  return item.start_ts ?? seconds(item.start);
}

export function endOf(item) {
  return item.end_ts ?? seconds(item.end);
}

// A closure in words: whole days as days ("Thursday 24 December 2026 to Sunday 27
// December 2026"), anything else as times.
export function closureWhen(closure, zone) {
  const start = startOf(closure);
  const end = endOf(closure);
  const s = zoneParts(start, zone);
  const e = zoneParts(end, zone);
  if (s.time === '00:00' && e.time === '00:00') {
    const lastDay = addDays(e.date, -1);
    return lastDay === s.date ? `${dateWords(s.date)}, all day` : `${dateWords(s.date)} to ${dateWords(lastDay)}`;
  }
  return whenWords(start, end, zone);
}

// ?date= when it is a real date 'YYYY-MM-DD' (from 1970 to 2199, as the API takes), else
// today in zone.
export function dateParam(zone) {
  const asked = param('date');
  const m = asked && /^(\d{4})-(\d{2})-(\d{2})$/.exec(asked);
  const real = m && dateFromParts(m[3], m[2], m[1]) === asked && m[1] >= '1970' && m[1] < '2200';
  return real ? asked : today(zone);
}

// The week a page shows: the Monday of ?date=, or of today in zone.
export function weekOf(zone) {
  return mondayOf(dateParam(zone));
}

// The seven dates of the week starting monday.
export function weekDates(monday) {
  return WEEKDAYS.map((_, i) => addDays(monday, i));
}

// "Monday 7 December to Sunday 13 December 2026"
export function weekWords(monday) {
  return `${dateWords(monday)} to ${dateWords(addDays(monday, 6))}`;
}

// GOV.UK pagination with "Previous week" and "Next week" links to href(date), side by
// side; the weeks' dates are read out with them. label names the navigation (two on
// one page need two names).
export function weekLinks(monday, href, label = 'Weeks') {
  const link = (date, words, rel) => el('div', { class: `govuk-pagination__${rel}` },
    el('a', { class: 'govuk-link govuk-pagination__link', href: href(date), rel },
      el('span', { class: 'govuk-pagination__link-title' }, words,
        el('span', { class: 'govuk-visually-hidden' }, `: ${weekWords(date)}`))));
  return el('nav', { class: 'govuk-pagination halls-week-links', 'aria-label': label },
    link(addDays(monday, -7), 'Previous week', 'prev'),
    link(addDays(monday, 7), 'Next week', 'next'));
}

// "3 rooms", "1 room"
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// When a page cannot be shown (no such venue, the service away): its heading says so and
// the API's own words follow; what the page had drawn is cleared.
export function loadFailed(problem, missing) {
  const detail = (problem && problem.detail) || String(problem);
  document.getElementById('page-title').textContent =
    problem && problem.status === 404 ? missing : 'Sorry, there is a problem';
  document.getElementById('page').replaceChildren(el('p', { class: 'govuk-body' }, detail));
}
