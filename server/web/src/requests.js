// Requests: what waits for a decision at the venues the manager looks after, the longest
// waiting first. Each request shows what is in its way (the approved bookings and other
// requests the API names in its conflicts and conflicting_pending) and is
// approved, or declined with a reason the group sees. A series is one request, shown
// with its rule and its dates, and decided whole or from one of its dates on.
import { apiGet, apiList, apiSend } from './api.js';
import { $, banner, el, summaryList, tag } from './dom.js';
import { FormErrors } from './errors.js';
import { clockWords, dayWords, spanWords, statusWords, whenWords, zoneParts } from './format.js';
import {
  askedWords, groupWords, isoTime, managedVenues, ruleWords,
  seconds,
} from './manager.js';

const MOST = 1000; // requests shown from each venue; more is said, not fetched

const state = {
  venues: new Map(), // id -> venue
  errors: new FormErrors(),
};

function zoneOf(booking) {
  const venue = state.venues.get(booking.venue_id);
  return venue ? venue.timezone : 'Europe/London';
}

function plural(n, one, many) {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

// Every pending booking at the user's venues, and whether there were more than shown.
async function pendingBookings() {
  const lists = await Promise.all([...state.venues.keys()].map((venue) =>
    apiList('/api/v1/bookings', { venue, status: 'pending' }, MOST)));
  return { bookings: lists.flatMap((l) => l.items), more: lists.some((l) => l.more) };
}

// The requests: one per single booking, one per series (with its dates still pending),
// the longest waiting first.
async function requestItems(bookings) {
  const items = [];
  const series = new Map();
  for (const b of bookings) {
    if (b.series_id === null || b.series_id === undefined) {
      items.push({ kind: 'booking', key: `b${b.id}`, booking: b, dates: [b], asked: b.created_at });
    } else if (!series.has(b.series_id)) {
      series.set(b.series_id, b);
    }
  }
  const details = await Promise.all([...series.keys()].map((id) => apiGet(`/api/v1/series/${id}`)));
  for (const detail of details) {
    const dates = detail.occurrences.filter((o) => o.status === 'pending')
      .sort((a, b) => a.start_ts - b.start_ts);
    if (!dates.length) continue;
    items.push({
      kind: 'series',
      key: `s${detail.series.id}`,
      series: detail.series,
      booking: dates[0],
      dates,
      decided: detail.occurrences.length - dates.length,
      asked: detail.series.created_at,
    });
  }
  // Ids grow with every request made, so they order requests made in the same second.
  return items.sort((a, b) => seconds(a.asked) - seconds(b.asked) ||
    Math.min(...a.dates.map((d) => d.id)) - Math.min(...b.dates.map((d) => d.id)));
}

// "Quiz night (Hartley Road Residents' Association), 7pm to 10pm" and its state's tag.
function clashItem(other, zone, sameDay) {
  const when = sameDay ? spanWords(other.start_ts, other.end_ts, zone)
    : whenWords(other.start_ts, other.end_ts, zone);
  const words = other.id === null ? `Booked, ${when}` : `${other.title} (${groupWords(other)}), ${when}`;
  const label = other.status === 'approved' ? 'Approved' : 'Also waiting';
  return el('li', {}, tag(label, other.status === 'approved' ? 'green' : 'yellow'), ' ', words);
}

// What is in a date's way, as the API works it out for those who decide (the approved
// bookings too close to it, buffers counted, then the other requests for the same time).
function clashList(date, inTheWay, zone) {
  const clashing = [...(date.conflicts || []), ...(date.conflicting_pending || [])]
    .map((id) => inTheWay.get(id)).filter(Boolean);
  if (!clashing.length) return null;
  const day = zoneParts(date.start_ts, zone).date;
  return el('ul', { class: 'govuk-list halls-clashes' },
    clashing.map((o) => clashItem(o, zone, zoneParts(o.start_ts, zone).date === day)));
}

// Fills in what is in the way of each date of a request: the bookings the API names,
// each read once.
async function fillClashes(item) {
  const zone = zoneOf(item.dates[0]);
  const ids = new Set(item.dates.flatMap((d) => [...(d.conflicts || []), ...(d.conflicting_pending || [])]));
  const inTheWay = new Map();
  try {
    for (const b of await Promise.all([...ids].map((id) => apiGet(`/api/v1/bookings/${id}`)))) {
      inTheWay.set(b.id, b);
    }
  } catch (problem) {
    for (const date of item.dates) {
      $(`clash-${date.id}`).replaceChildren(`Could not be checked: ${problem.detail}`);
    }
    return;
  }
  for (const date of item.dates) {
    const list = clashList(date, inTheWay, zone);
    const free = item.kind === 'series' ? 'Nothing in the way' : 'Nothing: the room is free then';
    $(`clash-${date.id}`).replaceChildren(list || free);
  }
}

function dateItem(date, zone) {
  return el('li', { class: 'halls-request__date' },
    el('span', { class: 'halls-request__when' }, whenWords(date.start_ts, date.end_ts, zone)),
    el('div', { class: 'halls-request__clash', id: `clash-${date.id}` }, 'Checking…'));
}

function detailRows(item) {
  const b = item.booking;
  const zone = zoneOf(b);
  const rows = [
    ['Group', b.group_name || `Group ${b.group_id}`],
    ['Room', `${b.room_name}, ${b.venue_name}`],
  ];
  if (item.kind === 'series') {
    rows.push(['Repeats', ruleWords(item.series.rrule, zone)]);
  } else {
    rows.push(['When', whenWords(b.start_ts, b.end_ts, zone)]);
    // A provisional hold (docs/fair-access.md#holds-that-expire): until then no other
    // group can take the time, and the request lapses if it is still undecided.
    if (b.held_until_ts) {
      const p = zoneParts(b.held_until_ts, zone);
      rows.push(['Held until', `${dayWords(p)}, ${clockWords(p.hour, p.minute)}: no other group can take this time until then. Decide it by then, or the hold lapses.`]);
    }
  }
  rows.push(['People', String(b.attendees)]);
  rows.push(['Public', b.public ? 'Yes: residents see its title' : 'No: residents see only that the room is booked']);
  if (b.description) rows.push(['Description', b.description]);
  rows.push(['Asked for on', askedWords(item.asked, zone)]);
  if (item.kind === 'series') {
    const decided = item.decided ? ` (${plural(item.decided, 'other date', 'other dates')} decided already)` : '';
    rows.push([`Dates waiting${decided}`,
      el('ol', { class: 'govuk-list halls-request__dates' }, item.dates.map((d) => dateItem(d, zone)))]);
  } else {
    rows.push(['In the way', el('div', { id: `clash-${b.id}` }, 'Checking…')]);
  }
  return rows;
}

// The choice of dates a series decision applies to: all of them, or from one date on.
function fromChoice(item) {
  const zone = zoneOf(item.booking);
  const id = `from-${item.key}`;
  const options = [el('option', { value: '' }, `Every date waiting (${item.dates.length})`)];
  item.dates.slice(1).forEach((d, i) => {
    const left = item.dates.length - 1 - i;
    options.push(el('option', { value: isoTime(d.start_ts) },
      `From ${dayWords(zoneParts(d.start_ts, zone))} on (${plural(left, 'date', 'dates')})`));
  });
  return el('div', { class: 'govuk-form-group', id: `${id}-group` },
    el('label', { class: 'govuk-label govuk-label--s', for: id }, 'Dates to decide'),
    el('div', { class: 'govuk-hint', id: `${id}-hint` }, 'The dates before the one you choose stay waiting.'),
    el('p', { class: 'govuk-error-message halls-hidden', id: `${id}-error` }),
    el('select', { class: 'govuk-select', id, 'aria-describedby': `${id}-hint` }, options));
}

function decisionForm(item, title) {
  const key = item.key;
  const approve = el('button', { type: 'button', class: 'govuk-button', id: `approve-${key}` },
    'Approve', el('span', { class: 'govuk-visually-hidden' }, ` ${title}`));
  const decline = el('button', { type: 'button', class: 'govuk-button govuk-button--warning', id: `decline-${key}` },
    'Decline', el('span', { class: 'govuk-visually-hidden' }, ` ${title}`));
  approve.addEventListener('click', () => decide(item, 'approve'));
  decline.addEventListener('click', () => decide(item, 'decline'));
  return el('div', { class: 'halls-request__decision' },
    el('div', { class: 'govuk-form-group', id: `note-${key}-group` },
      el('label', { class: 'govuk-label govuk-label--s', for: `note-${key}` }, 'Reason (the group will see this)'),
      el('div', { class: 'govuk-hint', id: `note-${key}-hint` },
        'Optional. It goes to the group with your decision, whether you approve or decline.'),
      el('p', { class: 'govuk-error-message halls-hidden', id: `note-${key}-error` }),
      el('textarea', { class: 'govuk-textarea', id: `note-${key}`, rows: 3, 'aria-describedby': `note-${key}-hint` })),
    item.kind === 'series' ? fromChoice(item) : null,
    el('div', { class: 'govuk-form-group', id: `decide-${key}-group` },
      el('p', { class: 'govuk-error-message halls-hidden', id: `decide-${key}-error` }),
      el('div', { class: 'govuk-button-group' }, approve, decline)));
}

function itemSection(item) {
  const title = item.kind === 'series' ? item.series.title : item.booking.title;
  const kind = item.kind === 'series'
    ? `A series of ${plural(item.dates.length + item.decided, 'date', 'dates')}` : 'A single booking';
  return el('section', { class: 'halls-request', id: `request-${item.key}`, 'aria-labelledby': `title-${item.key}` },
    el('h2', { class: 'govuk-heading-m', id: `title-${item.key}` },
      el('span', { class: 'govuk-caption-m' }, kind), title),
    summaryList(detailRows(item)),
    decisionForm(item, title));
}

function render(items, more) {
  const count = items.length;
  $('requests-status').textContent = count === 0
    ? 'No requests are waiting. You are up to date.'
    : `${plural(count, 'request is', 'requests are')} waiting.${more ? ' Only the first ones are shown here; decide them to see the rest.' : ''}`;
  $('requests-list').replaceChildren(...items.map(itemSection));
  return Promise.all(items.map(fillClashes));
}

async function load() {
  try {
    const { bookings, more } = await pendingBookings();
    await render(await requestItems(bookings), more);
  } catch (problem) {
    $('requests-status').textContent = 'The requests could not be loaded.';
    state.errors.showProblem(problem);
  }
}

// "Quiz night (Hartley Road Residents' Association, approved, Friday 18 December 2026,
// 7pm to 10pm)" for each booking id, as far as the user may see it.
async function bookingsWords(ids, zone) {
  const words = await Promise.all(ids.map(async (id) => {
    try {
      const b = await apiGet(`/api/v1/bookings/${id}`);
      return `${b.title} (${groupWords(b)}, ${statusWords(b.status).toLowerCase()}, ${whenWords(b.start_ts, b.end_ts, zone)})`;
    } catch {
      return `booking ${id}`;
    }
  }));
  return words.join('; ');
}

async function refusalWords(refusal, zone) {
  const conflicts = Array.isArray(refusal.conflicts) ? refusal.conflicts : [];
  const inWay = conflicts.length ? ` In the way: ${await bookingsWords(conflicts, zone)}.` : '';
  return `${String(refusal.detail).replace(/\.$/, '')}.${inWay}`;
}

// What a decision did, as [heading, more words or null] for the success banner.
async function bookingDone(done, action, note) {
  const zone = zoneOf(done);
  const what = `“${done.title}” for ${groupWords(done)}`;
  const when = whenWords(done.start_ts, done.end_ts, zone);
  if (action === 'decline') {
    return [`Declined ${what}`, `${when}.${note ? ' The group will see your reason.' : ''}`];
  }
  const clashing = done.conflicting_pending || [];
  const also = clashing.length
    ? ` ${plural(clashing.length, 'other request now clashes', 'other requests now clash')} with it and can no longer be approved: ${await bookingsWords(clashing, zone)}.`
    : '';
  return [`Approved ${what}`, `${when}.${also}`];
}

async function seriesDone(item, done, action) {
  const zone = zoneOf(item.booking);
  const verb = action === 'approve' ? 'Approved' : 'Declined';
  const refused = done.refused || [];
  const heading = `${verb} ${plural(done.changed, 'date', 'dates')} of “${done.series.title}” for ${groupWords(item.booking)}`;
  if (!refused.length) return [heading, null];
  const each = await Promise.all(refused.map(async (r) =>
    `${dayWords(zoneParts(seconds(r.start), zone))}: ${await refusalWords(r, zone)}`));
  return [heading, `${plural(refused.length, 'date was', 'dates were')} not ${action}d and ${refused.length === 1 ? 'is' : 'are'} still waiting. ${each.join(' ')}`];
}

function setBusy(key, busy) {
  for (const id of [`approve-${key}`, `decline-${key}`, `override-${key}`]) {
    const button = $(id);
    if (button) button.disabled = busy;
  }
}

// An approval refused as over the group's allowance: the words are shown, and beside the
// buttons the manager may choose to approve over it (recorded in the audit log).
function offerOverride(item) {
  const key = item.key;
  if ($(`override-${key}`)) return;
  const title = item.booking.title;
  const button = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id: `override-${key}` },
    'Approve over the allowance', el('span', { class: 'govuk-visually-hidden' }, ` ${title}`));
  button.addEventListener('click', () => decide(item, 'approve', true));
  $(`approve-${key}`).parentElement.append(button);
}

async function decide(item, action, override = false) {
  const key = item.key;
  state.errors.clear();
  state.errors = new FormErrors({ [`decide-${key}`]: `approve-${key}` },
    { note: `note-${key}`, from: `from-${key}` });
  const note = $(`note-${key}`).value.trim();
  const body = note ? { note } : {};
  if (override) body.override_allowance = true;
  setBusy(key, true);
  let message;
  try {
    if (item.kind === 'booking') {
      const done = await apiSend('POST', `/api/v1/bookings/${item.booking.id}/${action}`, body);
      message = await bookingDone(done, action, note);
    } else {
      const from = $(`from-${key}`).value;
      if (from) body.from = from;
      const done = await apiSend('POST', `/api/v1/series/${item.series.id}/${action}`, body);
      if (done.changed === 0) {
        setBusy(key, false);
        const [, refused] = await seriesDone(item, done, action);
        state.errors.show([[`decide-${key}`, `Nothing changed. ${refused || ''}`]]);
        return;
      }
      message = await seriesDone(item, done, action);
    }
  } catch (problem) {
    setBusy(key, false);
    const conflicts = problem.body && problem.body.conflicts;
    const words = await refusalWords({ detail: problem.detail, conflicts }, zoneOf(item.booking));
    state.errors.show([[state.errors.fieldOf(problem.detail || '') || `decide-${key}`, words]]);
    if (action === 'approve' && item.kind === 'booking' && problem.body
        && problem.body.type === '/problems/over-allowance') offerOverride(item);
    return;
  }
  await load();
  const [heading, more] = message;
  const node = banner(heading, 'success');
  if (more) node.querySelector('.govuk-notification-banner__content').append(el('p', { class: 'govuk-body' }, more));
}

async function start() {
  try {
    const venues = await managedVenues();
    if (!venues) return;
    for (const v of venues) state.venues.set(v.id, v);
  } catch (problem) {
    $('requests-status').textContent = 'The requests could not be loaded.';
    state.errors.showProblem(problem);
    return;
  }
  await load();
}

start();
