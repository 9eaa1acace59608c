// The venue calendar: a week of every room at one of the manager's venues, in every
// state: approved bookings and requests still waiting, told apart by tag and word (not
// colour alone), closures, free times and the days the venue is shut. A table on a wide
// screen; on a phone, the same week as a list by day, room by room.
import { apiGet, apiList } from './api.js';
import { $, el, param, show, tag } from './dom.js';
import { FormErrors } from './errors.js';
import { addDays, dateWords, mondayOf, spanWords, today, zoneParts } from './format.js';
import {
  chooseVenue, closureWords, hoursWords, managedVenues, seconds, weekHours,
} from './manager.js';

const errors = new FormErrors();

// The date the page asks for (?date=YYYY-MM-DD), or today in the venue's zone.
function askedDate(zone) {
  const asked = param('date');
  if (asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) && !Number.isNaN(Date.parse(`${asked}T12:00:00Z`)) &&
      new Date(`${asked}T12:00:00Z`).toISOString().slice(0, 10) === asked) {
    return asked;
  }
  if (asked) errors.show([[null, `${asked} is not a date such as 2026-12-08, so this page shows this week.`]]);
  return today(zone);
}

// The instant a local date starts (its first minute) in zone, in UTC seconds.
function dayStart(date, zone) {
  const guess = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 1000;
  let ts = guess;
  for (let i = 0; i < 3; i++) {
    const p = zoneParts(ts, zone);
    const shown = Date.UTC(p.year, p.monthNumber - 1, p.day, p.hour, p.minute) / 1000;
    ts += guess - shown;
  }
  return ts;
}

function weekLink(venue, date) {
  return `/venue-calendar?${new URLSearchParams({ venue: venue.id, date })}`;
}

function shortDate(date) {
  const words = dateWords(date).split(' ');
  return `${words[1]} ${words[2]}`;
}

function drawNav(venue, monday) {
  const prev = addDays(monday, -7);
  const next = addDays(monday, 7);
  $('week-prev').href = weekLink(venue, prev);
  $('week-prev-label').textContent = `${shortDate(prev)} to ${shortDate(addDays(prev, 6))}`;
  $('week-next').href = weekLink(venue, next);
  $('week-next-label').textContent = `${shortDate(next)} to ${shortDate(addDays(next, 6))}`;
  show($('week-nav'), true);
  $('venue-form').elements.date.value = monday;
}

// One line of a room's day: a tag saying its state, then when and what.
function entry(kind, when, what, who) {
  const tags = { approved: ['Approved', 'green'], pending: ['Waiting', 'yellow'], closed: ['Closed', 'grey'] };
  const [words, colour] = tags[kind];
  return el('li', { class: `halls-entry halls-entry--${kind}` }, tag(words, colour), ' ',
    el('span', { class: 'halls-entry__when' }, when), ' ',
    el('span', { class: 'halls-entry__what' }, what),
    who ? el('span', { class: 'halls-entry__who' }, ` (${who})`) : null);
}

// A closure's part of one day, in words.
function closureEntry(c, from, to, zone) {
  const start = Math.max(c.start_ts, from);
  const end = Math.min(c.end_ts, to);
  const when = start === from && end === to ? 'All day' : spanWords(start, end, zone);
  const where = c.scope === 'venue' ? 'whole venue' : null;
  return { at: start, order: 0, node: entry('closed', when, c.reason, where) };
}

function bookingEntry(b, zone) {
  const who = b.group_name || null;
  const what = b.status === 'pending'
    ? el('a', { class: 'govuk-link', href: '/requests' }, b.title)
    : b.title;
  return { at: b.start_ts, order: 1, node: entry(b.status, spanWords(b.start_ts, b.end_ts, zone), what, who) };
}

// What one room holds on one day ([from, to) in UTC seconds): a list, or words saying
// the day is free or the venue shut.
function dayCell(room, closures, day, zone, hours) {
  const inDay = (s, e) => s < day.to && e > day.from;
  const entries = [
    ...closures.filter((c) => (c.scope === 'venue' || c.room_id === room.room_id) && inDay(c.start_ts, c.end_ts))
      .map((c) => closureEntry(c, day.from, day.to, zone)),
    ...room.busy.filter((b) => zoneParts(b.start_ts, zone).date === day.date).map((b) => bookingEntry(b, zone)),
    ...room.pending.filter((b) => zoneParts(b.start_ts, zone).date === day.date).map((b) => bookingEntry(b, zone)),
  ].sort((a, b) => a.at - b.at || a.order - b.order);
  const free = room.free.filter((f) => seconds(f.start) < day.to && seconds(f.end) > day.from)
    .map((f) => spanWords(Math.max(seconds(f.start), day.from), Math.min(seconds(f.end), day.to), zone));
  const parts = [];
  if (entries.length) parts.push(el('ul', { class: 'govuk-list halls-entries' }, entries.map((e) => e.node)));
  if (free.length) parts.push(el('p', { class: 'govuk-body-s halls-free' }, `Free ${free.join(', ')}`));
  else if (!entries.length) {
    const shut = hours && !hours[day.index].length;
    parts.push(el('p', { class: 'govuk-body-s halls-free' }, shut ? 'Outside opening hours' : 'No free time'));
  }
  return parts;
}

function gridTable(venue, avail, closures, days, hours) {
  const zone = venue.timezone;
  const head = el('tr', { class: 'govuk-table__row' },
    el('th', { scope: 'col', class: 'govuk-table__header' }, 'Room'),
    days.map((d) => el('th', { scope: 'col', class: 'govuk-table__header halls-week-head' },
      el('span', { class: 'halls-week-head__name' }, dateWords(d.date).split(' ')[0]), ' ',
      el('span', { class: 'halls-week-head__date' }, shortDate(d.date)))));
  const rows = [];
  if (hours) {
    rows.push(el('tr', { class: 'govuk-table__row halls-hours-row' },
      el('th', { scope: 'row', class: 'govuk-table__header' }, 'Opening hours'),
      days.map((d) => el('td', { class: 'govuk-table__cell' }, hoursWords(hours[d.index])))));
  }
  for (const room of avail.rooms) {
    rows.push(el('tr', { class: 'govuk-table__row' },
      el('th', { scope: 'row', class: 'govuk-table__header' }, room.room_name),
      days.map((d) => el('td', { class: 'govuk-table__cell halls-cell', 'data-room': room.room_id, 'data-date': d.date },
        dayCell(room, closures, d, zone, hours)))));
  }
  return el('table', { class: 'govuk-table halls-week-table' },
    el('caption', { class: 'govuk-table__caption govuk-visually-hidden' },
      `${venue.name}: every room, week of ${dateWords(days[0].date)}`),
    el('thead', { class: 'govuk-table__head' }, head),
    el('tbody', { class: 'govuk-table__body' }, rows));
}

function dayList(venue, avail, closures, days, hours) {
  const zone = venue.timezone;
  return days.map((d) => el('section', { class: 'halls-week-day', 'aria-labelledby': `day-${d.date}` },
    el('h3', { class: 'govuk-heading-s', id: `day-${d.date}` }, dateWords(d.date)),
    hours ? el('p', { class: 'govuk-body-s' }, `Opening hours: ${hoursWords(hours[d.index])}`) : null,
    el('dl', { class: 'govuk-summary-list' }, avail.rooms.map((room) =>
      el('div', { class: 'govuk-summary-list__row' },
        el('dt', { class: 'govuk-summary-list__key' }, room.room_name),
        el('dd', { class: 'govuk-summary-list__value' }, dayCell(room, closures, d, zone, hours)))))));
}

// The venue's closures that touch the week, in words, for the status line.
function closureSummary(closures, zone) {
  if (!closures.length) return '';
  return ` ${closures.length === 1 ? 'One closure' : `${closures.length} closures`} this week: ${
    closures.map((c) => `${c.reason} (${closureWords(c, zone)})`).join('; ')}.`;
}

async function drawWeek(venue) {
  const zone = venue.timezone;
  const monday = mondayOf(askedDate(zone));
  drawNav(venue, monday);
  $('week-heading').textContent = `${venue.name}, week of ${dateWords(monday)}`;
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => {
    const date = addDays(monday, i);
    return { index: i, date, from: dayStart(date, zone), to: dayStart(addDays(date, 1), zone) };
  });
  const [avail, listed] = await Promise.all([
    apiGet(`/api/v1/venues/${venue.id}/availability`, { from: `${monday}T00:00`, to: `${addDays(monday, 7)}T00:00` }),
    apiList('/api/v1/closures', { venue: venue.id }, 1000),
  ]);
  const closures = listed.items.filter((c) => c.start_ts < days[6].to && c.end_ts > days[0].from);
  const hours = weekHours(venue.hours);
  const booked = avail.rooms.reduce((n, r) => n + r.busy.length, 0);
  const waiting = avail.rooms.reduce((n, r) => n + r.pending.length, 0);
  $('week-status').textContent = `${booked} approved ${booked === 1 ? 'booking' : 'bookings'} and ${waiting} ${
    waiting === 1 ? 'request' : 'requests'} waiting in ${avail.rooms.length} ${avail.rooms.length === 1 ? 'room' : 'rooms'}.${
    closureSummary(closures, zone)}`;
  $('week-grid').replaceChildren(gridTable(venue, avail, closures, days, hours));
  $('week-list').replaceChildren(...dayList(venue, avail, closures, days, hours));
  show($('week'), true);
}

async function start() {
  try {
    const venues = await managedVenues();
    if (!venues) return;
    await drawWeek(chooseVenue(venues, errors));
  } catch (problem) {
    $('week-status').textContent = 'The week could not be loaded.';
    errors.showProblem(problem);
  }
}

start();
