// "My bookings": the bookings of the signed-in member's groups (GET /api/v1/bookings?group=
// for each), upcoming and from the last three months, each with its state, a series'
// dates together under the series (GET /api/v1/series?group=). An upcoming booking can
// be cancelled (after a confirmation) or moved to another time; a series' upcoming dates
// can be cancelled together.
import { apiGet, apiList, apiSend } from './api.js';
import { $, banner, el, show, summaryList, tag } from './dom.js';
import { FormErrors } from './errors.js';
import { clockWords, dateWords, dayWords, spanWords, statusColour, statusWords, whenWords, WEEKDAYS, zoneParts } from './format.js';
import { requireUser } from './layout.js';
import {
  conflictHelp, fillWhen, groupNames, isoSeconds, readWhen, seconds, showRefusal, TIME_TYPES,
  venues,
} from './member.js';

const PAST_DAYS = 92;
const errors = new FormErrors({ 'move-date': 'move-date-day' },
  { start: 'move-date', end: 'move-to', note: 'cancel-note' });

const state = {
  user: null,
  bookings: [], // every booking of the member's groups in the window, by start
  series: new Map(), // id -> series
  more: false,
  zones: new Map(), // venue id -> zone
  groups: new Map(), // group id -> name
  opener: null, // the button that opened the cancel or move view
};

const zoneOf = (b) => state.zones.get(b.venue_id) || 'Europe/London';
const now = () => Math.floor(Date.now() / 1000);
const startOf = (b) => b.start_ts || seconds(b.start);
const endOf = (b) => b.end_ts || seconds(b.end);

// A series' rule in words: "Every Tuesday and Thursday, 7pm to 9pm, 20 dates". The
// rules the pages make are weekly; any other is shown as it is stored.
const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
function listWords(items) {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function ruleWords(series) {
  const parts = Object.fromEntries(series.rrule.split(';').map((p) => p.split('=')));
  const zone = series.zone || 'Europe/London';
  const first = series.first_start_ts;
  const time = spanWords(first, first + series.duration_seconds, zone);
  let how;
  if (parts.FREQ === 'WEEKLY' && (!parts.BYDAY || /^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$/.test(parts.BYDAY))) {
    const days = parts.BYDAY ? parts.BYDAY.split(',').map((d) => WEEKDAYS[DAY_CODES.indexOf(d)])
      : [zoneParts(first, zone).weekday];
    const every = !parts.INTERVAL || parts.INTERVAL === '1' ? 'Every' : parts.INTERVAL === '2' ? 'Every other' : `Every ${parts.INTERVAL} weeks on`;
    how = `${every} ${listWords(days)}`;
  } else if (parts.FREQ === 'DAILY' && (!parts.INTERVAL || parts.INTERVAL === '1') && !parts.BYDAY) {
    how = 'Every day';
  } else {
    how = `Repeating (${series.rrule})`;
  }
  let end = '';
  if (parts.COUNT) end = `, ${parts.COUNT} dates`;
  else if (parts.UNTIL) {
    const u = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(parts.UNTIL);
    if (u) {
      const at = Date.UTC(Number(u[1]), Number(u[2]) - 1, Number(u[3]), Number(u[4] || 0), Number(u[5] || 0), Number(u[6] || 0)) / 1000;
      // UNTIL is stored as the instant that ends the local day: the day before it.
      end = `, until ${dateWords(zoneParts(at - 1, zone).date)}`;
    }
  }
  return `${how}, ${time}${end}`;
}

// A small button that looks like a link, for an action on one row.
function actionButton(words, hidden, onClick) {
  const button = el('button', { type: 'button', class: 'halls-link-button govuk-link' }, words,
    el('span', { class: 'govuk-visually-hidden' }, ` ${hidden}`));
  button.addEventListener('click', () => {
    state.opener = button;
    onClick();
  });
  return button;
}

function noteLine(b) {
  if (!b.note) return null;
  const lead = b.status === 'declined' ? 'The manager’s reason: '
    : b.status === 'cancelled' ? 'Reason given: ' : 'Note: ';
  return el('p', { class: 'govuk-body-s halls-note' }, lead, b.note);
}

// One booking as a summary list row. inSeries: its series' heading says what and where.
function bookingRow(b, inSeries) {
  const zone = zoneOf(b);
  const when = whenWords(startOf(b), endOf(b), zone);
  const upcoming = endOf(b) > now();
  const live = b.status === 'pending' || b.status === 'approved';
  const value = [];
  if (!inSeries) {
    value.push(el('p', { class: 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1' }, b.title));
    value.push(el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, `${b.room_name}, ${b.venue_name}`));
  }
  if (state.user.groups.length > 1 && !inSeries) {
    value.push(el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, `For ${b.group_name}`));
  }
  value.push(tag(statusWords(b.status), statusColour(b.status)));
  // A provisional hold (docs/fair-access.md#holds-that-expire): nobody else can take
  // the time until the venue decides, or until then.
  if (b.status === 'pending' && b.held_until_ts) {
    const p = zoneParts(b.held_until_ts, zone);
    value.push(el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1 govuk-!-margin-top-1' },
      `Held for you until ${dayWords(p)}, ${clockWords(p.hour, p.minute)}`));
  }
  const note = noteLine(b);
  if (note) value.push(note);
  const canAct = upcoming && live && startOf(b) > now();
  const row = el('div', { class: `govuk-summary-list__row${canAct ? '' : ' govuk-summary-list__row--no-actions'}`, 'data-booking': b.id },
    el('dt', { class: 'govuk-summary-list__key' }, when),
    el('dd', { class: 'govuk-summary-list__value' }, value));
  if (canAct) {
    const what = `${b.title}, ${when}`;
    row.append(el('dd', { class: 'govuk-summary-list__actions' },
      el('ul', { class: 'govuk-summary-list__actions-list' },
        el('li', { class: 'govuk-summary-list__actions-list-item' }, actionButton('Move', what, () => openMove(b))),
        el('li', { class: 'govuk-summary-list__actions-list-item' }, actionButton('Cancel', what, () => openCancel(b))))));
  }
  return row;
}

const list = (rows) => el('dl', { class: 'govuk-summary-list' }, rows);

function countsWords(items) {
  const order = ['pending', 'approved', 'declined', 'cancelled'];
  const words = order.map((s) => [s, items.filter((b) => b.status === s).length])
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${statusWords(s).toLowerCase()}`);
  return words.length ? `${listWords(words)}.` : '';
}

// The upcoming bookings: single ones first, then each series (by its next date).
function drawUpcoming(items) {
  const single = items.filter((b) => !b.series_id);
  const bySeries = new Map();
  for (const b of items.filter((x) => x.series_id)) {
    if (!bySeries.has(b.series_id)) bySeries.set(b.series_id, []);
    bySeries.get(b.series_id).push(b);
  }
  const parts = [];
  if (single.length) {
    parts.push(el('h3', { class: 'govuk-heading-m' }, 'Single bookings'), list(single.map((b) => bookingRow(b, false))));
  }
  for (const [id, dates] of bySeries) {
    const series = state.series.get(id);
    const first = dates[0];
    const title = series ? series.title : first.title;
    const section = el('section', { class: 'halls-series', 'aria-label': `Series: ${title}` },
      el('h3', { class: 'govuk-heading-m govuk-!-margin-bottom-1' }, title),
      el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, `${first.room_name}, ${first.venue_name}`),
      series ? el('p', { class: 'govuk-body-s' }, ruleWords(series)) : null);
    const live = dates.filter((b) => (b.status === 'pending' || b.status === 'approved') && startOf(b) > now());
    if (live.length > 1) {
      section.append(el('p', { class: 'govuk-body-s' },
        actionButton('Cancel all its upcoming dates', `of ${title}`, () => openCancelSeries(id, title, live))));
    }
    section.append(list(dates.map((b) => bookingRow(b, true))));
    parts.push(section);
  }
  return parts;
}

function drawPast(items) {
  return [list(items.slice().reverse().map((b) => bookingRow(b, false)))];
}

function render() {
  const want = $('show-state').value;
  const chosen = state.bookings.filter((b) => !want || b.status === want);
  const cut = now();
  const upcoming = chosen.filter((b) => endOf(b) > cut);
  const past = chosen.filter((b) => endOf(b) <= cut);
  const allUpcoming = state.bookings.filter((b) => endOf(b) > cut);
  $('upcoming-counts').textContent = countsWords(allUpcoming);
  $('upcoming-list').replaceChildren(...(upcoming.length ? drawUpcoming(upcoming)
    : [el('p', { class: 'govuk-body' }, want ? 'No upcoming bookings in this state.' : 'No upcoming bookings. ',
      want ? null : el('a', { class: 'govuk-link', href: '/request' }, 'Request a room'))]));
  $('past-list').replaceChildren(...(past.length ? drawPast(past)
    : [el('p', { class: 'govuk-body' }, 'No bookings in the last three months.')]));
  if (state.more) {
    $('past-list').append(el('p', { class: 'govuk-body-s' }, 'There are more bookings than this page shows.'));
  }
  show($('upcoming'), true);
  show($('past'), true);
}

async function load() {
  const from = isoSeconds(now() - PAST_DAYS * 86400);
  const [lists, series] = await Promise.all([
    Promise.all(state.user.groups.map((g) => apiList('/api/v1/bookings', { group: g, from }))),
    Promise.all(state.user.groups.map((g) => apiList('/api/v1/series', { group: g }))),
  ]);
  const seen = new Set();
  state.bookings = lists.flatMap((l) => l.items).filter((b) => !seen.has(b.id) && seen.add(b.id))
    .sort((a, b) => startOf(a) - startOf(b) || a.id - b.id);
  state.more = lists.some((l) => l.more);
  state.series = new Map(series.flatMap((l) => l.items).map((s) => [s.id, s]));
}

async function reload() {
  try {
    await load();
    render();
  } catch (problem) {
    errors.showProblem(problem);
  }
}

function showView(name) {
  errors.clear();
  // The last change's banner is about the list, not the view opened now.
  const old = $('banner');
  if (old) old.remove();
  show($('list-view'), name === 'list');
  show($('cancel-view'), name === 'cancel');
  show($('move-view'), name === 'move');
}

function backToList() {
  showView('list');
  if (state.opener && document.body.contains(state.opener)) state.opener.focus();
}

function describe(b) {
  return summaryList([
    ['What', b.title],
    ['When', whenWords(startOf(b), endOf(b), zoneOf(b))],
    ['Where', `${b.room_name}, ${b.venue_name}`],
    ['State', tag(statusWords(b.status), statusColour(b.status))],
  ]);
}

// Cancelling: one booking, or every upcoming date of a series.
let cancelling = null;

function openCancel(b) {
  cancelling = { kind: 'booking', booking: b };
  $('cancel-heading').textContent = 'Cancel this booking?';
  $('cancel-what').replaceChildren(describe(b));
  $('cancel-note').value = '';
  showView('cancel');
  $('cancel-heading').focus();
}

function openCancelSeries(id, title, live) {
  cancelling = { kind: 'series', id, title, from: startOf(live[0]), count: live.length, zone: zoneOf(live[0]) };
  $('cancel-heading').textContent = `Cancel all the upcoming dates of ${title}?`;
  $('cancel-what').replaceChildren(summaryList([
    ['What', title],
    ['Dates', `${live.length} upcoming dates, from ${whenWords(startOf(live[0]), endOf(live[0]), zoneOf(live[0]))}`],
    ['Where', `${live[0].room_name}, ${live[0].venue_name}`],
  ]));
  $('cancel-note').value = '';
  showView('cancel');
  $('cancel-heading').focus();
}

async function sendCancel(event) {
  event.preventDefault();
  errors.clear();
  const note = $('cancel-note').value.trim();
  const c = cancelling;
  try {
    let words;
    if (c.kind === 'booking') {
      const b = c.booking;
      await apiSend('POST', `/api/v1/bookings/${b.id}/cancel`, note ? { note } : undefined);
      words = `${b.title} on ${whenWords(startOf(b), endOf(b), zoneOf(b))} is cancelled.`;
    } else {
      const reply = await apiSend('POST', `/api/v1/series/${c.id}/cancel`,
        { from: isoSeconds(c.from), ...(note ? { note } : {}) });
      words = `${reply.changed} dates of ${c.title} are cancelled.`;
      if (reply.refused && reply.refused.length) words += ` ${reply.refused.length} could not be: ${reply.refused[0].detail}`;
    }
    showView('list');
    await reload();
    banner(words, 'success');
  } catch (problem) {
    errors.showProblem(problem);
  }
}

// Moving a booking to another time, in the same room.
let moving = null;

async function openMove(b) {
  moving = b;
  const room = await apiGet(`/api/v1/rooms/${b.room_id}`).catch(() => null);
  $('move-heading').textContent = `Move ${b.title}`;
  $('move-what').replaceChildren(describe(b));
  $('move-help').replaceChildren();
  fillWhen('move-date', 'move-from', 'move-to', startOf(b), endOf(b), zoneOf(b));
  const needsApproval = room && room.approval !== 'auto' && b.status === 'approved';
  $('move-approval').textContent = needsApproval
    ? 'The venue may need to approve the new time: until it does, the booking waits for approval again.'
    : 'The booking stays in the same room.';
  showView('move');
  $('move-heading').focus();
}

function useSuggestion(roomId, start, end) {
  fillWhen('move-date', 'move-from', 'move-to', start, end, zoneOf(moving));
  $('move-help').replaceChildren(el('p', { class: 'govuk-body', role: 'status' },
    `The form now asks for ${whenWords(start, end, zoneOf(moving))}. Check it and move the booking.`));
  errors.clear();
  $('move-form').querySelector('button[type="submit"]').focus();
}

async function sendMove(event) {
  event.preventDefault();
  errors.clear();
  $('move-help').replaceChildren();
  const b = moving;
  const { found, date, from, to } = readWhen('move-date', 'move-date', 'move-from', 'move-to', 'the new date');
  if (found.length) {
    errors.show(found);
    return;
  }
  try {
    const moved = await apiSend('PATCH', `/api/v1/bookings/${b.id}`, { start: `${date}T${from}`, end: `${date}T${to}` });
    showView('list');
    await reload();
    banner(`${moved.title} is now on ${whenWords(moved.start_ts, moved.end_ts, zoneOf(b))}: ${statusWords(moved.status).toLowerCase()}.`, 'success');
  } catch (problem) {
    showRefusal(problem, errors, TIME_TYPES('move-date', 'move-to'));
    const help = await conflictHelp(problem, { roomId: b.room_id, zone: zoneOf(b), otherRooms: false }, useSuggestion);
    if (help) $('move-help').replaceChildren(help);
  }
}

async function start() {
  // Asked while the session is: the page needs them whoever is signed in.
  const shared = Promise.all([venues(), groupNames()]);
  shared.catch(() => {}); // a failure is shown below, once awaited
  state.user = await requireUser();
  $('cancel-form').addEventListener('submit', sendCancel);
  $('cancel-back').addEventListener('click', backToList);
  $('move-form').addEventListener('submit', sendMove);
  $('move-back').addEventListener('click', backToList);
  $('show-state').addEventListener('change', render);
  if (!state.user.groups || state.user.groups.length === 0) {
    $('loading').remove();
    $('intro').textContent = 'You are not a member of any group, so you have no bookings here.';
    if (state.user.role !== 'member') {
      $('intro').append(' ', el('a', { class: 'govuk-link', href: '/requests' }, 'See the requests at your venues'), '.');
    }
    return;
  }
  try {
    const [venueMap, names] = await shared;
    for (const [id, v] of venueMap) state.zones.set(id, v.timezone);
    state.groups = names;
    const groups = state.user.groups.map((g) => names.get(g) || `group ${g}`);
    $('intro').textContent = `The bookings of ${listWords(groups)}, upcoming and from the last three months.`;
    await load();
    $('loading').remove();
    show($('actions'), true);
    show($('filter-group'), true);
    render();
  } catch (problem) {
    $('loading').remove();
    errors.showProblem(problem);
  }
}

start();
