// Closures: a venue's closures and its rooms', in words; add one (the whole venue or a
// room, from a day and time to a day and time, with a reason), then see the bookings it
// covers, which it does not cancel; remove one after saying yes to a question. A closure
// may instead follow a date set (closed all day on each of its dates): it is listed once.
import { apiGet, apiList, apiSend } from './api.js';
import { $, banner, el, show, summaryList, tag } from './dom.js';
import { FormErrors } from './errors.js';
import { addDays, clockTime, dateFromParts, statusColour, statusWords, whenWords } from './format.js';
import {
  chooseVenue, closureWords, liveBookings, managedVenues,
} from './manager.js';

// Where each field's message goes, and the API's names for them (its refusals quote them).
const errors = new FormErrors(
  { from: 'from-day', to: 'to-day' },
  { venue_id: 'where', room_id: 'where', start: 'from', end: 'to', reason: 'reason', date_set_id: 'date-set' },
);

const state = { venue: null, rooms: new Map(), removing: null, removeButton: null, sets: new Map() };

// A closure that follows a date set is listed once per day: one card for it, from its
// first day to come.
function oncePerClosure(items) {
  const seen = new Set();
  return items.filter((c) => {
    if (!c.date_set_id) return true;
    if (seen.has(c.id)) return false;
    seen.add(c.id);
    return true;
  });
}

function setWords(c) {
  const set = state.sets.get(c.date_set_id);
  const name = set ? `“${set.name}”` : `date set ${c.date_set_id}`;
  return `All day on every date of ${name}; next ${closureWords(c, zone())}`;
}

function zone() {
  return state.venue.timezone;
}

// "The whole venue" or the room's name.
function placeWords(closure) {
  if (closure.scope === 'venue') return `The whole venue (${state.venue.name})`;
  const room = state.rooms.get(closure.room_id);
  return room ? room.name : `Room ${closure.room_id}`;
}

// A GOV.UK summary card: a title, its rows, and actions (buttons) beside the title.
function card(title, rows, actions = []) {
  return el('div', { class: 'govuk-summary-card' },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h3', { class: 'govuk-summary-card__title' }, title),
      actions.length ? el('ul', { class: 'govuk-summary-card__actions' },
        actions.map((a) => el('li', { class: 'govuk-summary-card__action' }, a))) : null),
    el('div', { class: 'govuk-summary-card__content' }, summaryList(rows)));
}

function closureCard(c, removable) {
  const actions = [];
  if (removable) {
    const button = el('button', { type: 'button', class: 'halls-card-action', id: `remove-${c.id}` },
      'Remove', el('span', { class: 'govuk-visually-hidden' }, ` the closure “${c.reason}”`));
    button.addEventListener('click', () => askToRemove(c, button));
    actions.push(button);
  }
  const when = c.date_set_id ? setWords(c) : closureWords(c, zone());
  const node = card(placeWords(c), [['When', when], ['Reason', c.reason]], actions);
  node.id = `closure-${c.id}`;
  return node;
}

async function loadList() {
  const { items, more } = await apiList('/api/v1/closures', { venue: state.venue.id }, 1000);
  const now = Date.now() / 1000;
  const current = oncePerClosure(items.filter((c) => c.end_ts > now));
  const past = oncePerClosure(items.filter((c) => c.end_ts <= now && !c.date_set_id).reverse());
  $('list-status').textContent = current.length
    ? `${current.length === 1 ? 'One closure' : `${current.length} closures`} now or to come at ${state.venue.name}.${more ? ' Only the first ones are shown.' : ''}`
    : `${state.venue.name} has no closure now or to come.`;
  $('list-table').replaceChildren(...current.map((c) => closureCard(c, true)));
  $('past-summary').textContent = `Past closures (${past.length})`;
  $('past-table').replaceChildren(...past.map((c) => closureCard(c, false)));
  show($('past'), past.length > 0);
}

function fillPlaces(rooms) {
  $('where').replaceChildren(
    el('option', { value: 'venue' }, `The whole venue (${state.venue.name})`),
    ...rooms.map((r) => el('option', { value: `room-${r.id}` }, r.name)));
}

// A date input's three boxes: [date or null, message or null].
function readDate(prefix, what) {
  const day = $(`${prefix}-day`).value.trim();
  const month = $(`${prefix}-month`).value.trim();
  const year = $(`${prefix}-year`).value.trim();
  if (!day && !month && !year) return [null, `Enter the ${what}`];
  const date = dateFromParts(day, month, year);
  return date ? [date, null] : [null, `The ${what} must be a real date, for example 24 12 2026`];
}

// The form's values as the API takes them, and what is wrong with them.
function readForm() {
  const found = [];
  const set = $('date-set').value;
  if (set) {
    const reason = $('reason').value.trim();
    if (!reason) found.push(['reason', 'Enter the reason for the closure']);
    const where = $('where').value;
    const body = { date_set_id: Number(set), reason };
    if (where === 'venue') body.venue_id = state.venue.id;
    else body.room_id = Number(where.replace('room-', ''));
    return { found, body };
  }
  const [fromDate, fromWrong] = readDate('from', 'first day of the closure');
  const [toDate, toWrong] = readDate('to', 'last day of the closure');
  if (fromWrong) found.push(['from', fromWrong]);
  if (toWrong) found.push(['to', toWrong]);
  const fromText = $('from-time').value.trim();
  const toText = $('to-time').value.trim();
  const fromTime = fromText ? clockTime(fromText) : '00:00';
  const toTime = toText ? clockTime(toText) : null;
  if (!fromTime) found.push(['from-time', 'Enter the time it closes from as a time, for example 09:00']);
  if (toText && !toTime) found.push(['to-time', 'Enter the time it closes until as a time, for example 17:00']);
  const reason = $('reason').value.trim();
  if (!reason) found.push(['reason', 'Enter the reason for the closure']);
  const start = fromDate && fromTime && `${fromDate}T${fromTime}`;
  // No time on the last day: closed until that day ends, the next day's midnight.
  const end = toDate && (toText ? toTime && `${toDate}T${toTime}` : `${addDays(toDate, 1)}T00:00`);
  if (start && end && end <= start) found.push(['to', 'The closure must end after it starts']);
  const where = $('where').value;
  const body = { start, end, reason };
  if (where === 'venue') body.venue_id = state.venue.id;
  else body.room_id = Number(where.replace('room-', ''));
  return { found, body };
}

function hitCard(b) {
  return card(b.title, [
    ['Group', b.group_name || 'Another group'],
    ['Room', b.room_name],
    ['When', whenWords(b.start_ts, b.end_ts, zone())],
    ['State', tag(statusWords(b.status), statusColour(b.status))],
  ]);
}

// The bookings a new closure covers, as far as the manager may see them.
async function showHits(closure) {
  if (closure.date_set_id) {
    $('hits-words').textContent = 'Groups with bookings on the days of the set have been told by email. The closure does not cancel their bookings: see them in the venue calendar.';
    $('hits-table').replaceChildren();
    show($('hits'), true);
    return;
  }
  const where = closure.scope === 'venue' ? { venue: closure.venue_id } : { room: closure.room_id };
  let words;
  let cards = [];
  try {
    const { bookings, more } = await liveBookings(where, closure.start_ts, closure.end_ts);
    if (!bookings.length) {
      words = 'No booking falls in this closure.';
    } else {
      words = `${bookings.length === 1 ? 'One booking falls' : `${bookings.length} bookings fall`} in this closure${
        more ? ' (the first ones are shown)' : ''}. The closure does not cancel ${bookings.length === 1 ? 'it' : 'them'
      }: move or cancel ${bookings.length === 1 ? 'it' : 'each one'}, so that the group is told.`;
      cards = bookings.map(hitCard);
    }
  } catch (problem) {
    words = `The bookings during this closure could not be listed: ${problem.detail}`;
  }
  $('hits-words').textContent = words;
  $('hits-table').replaceChildren(...cards);
  show($('hits'), true);
}

async function addClosure(event) {
  event.preventDefault();
  errors.clear();
  show($('hits'), false);
  const { found, body } = readForm();
  if (found.length) {
    errors.show(found);
    return;
  }
  $('add-button').disabled = true;
  let closure;
  try {
    closure = await apiSend('POST', '/api/v1/closures', body);
  } catch (problem) {
    errors.showProblem(problem);
    return;
  } finally {
    $('add-button').disabled = false;
  }
  $('add-closure').reset();
  await showHits(closure);
  await loadList().catch((problem) => errors.showProblem(problem));
  const node = banner(`Closed ${closure.scope === 'venue' ? state.venue.name : `the ${placeWords(closure)}`}`, 'success');
  node.querySelector('.govuk-notification-banner__content').append(
    el('p', { class: 'govuk-body' }, `${closure.date_set_id ? setWords(closure) : closureWords(closure, zone())}: ${closure.reason}.`));
}

async function loadSets() {
  const sets = await apiGet('/api/v1/date-sets', { venue: state.venue.id });
  for (const s of sets) state.sets.set(s.id, s);
  $('date-set').append(...sets.filter((s) => s.count > 0).map((s) => el('option', { value: s.id }, `${s.name} (${s.count} days)`)));
}

function showConfirm(visible) {
  show($('confirm'), visible);
  show($('closures'), !visible);
  show($('add-closure'), !visible);
}

function askToRemove(closure, button) {
  errors.clear();
  show($('hits'), false);
  state.removing = closure;
  state.removeButton = button.id;
  $('confirm-details').replaceChildren(summaryList([
    ['What is closed', placeWords(closure)],
    ['When', closure.date_set_id ? setWords(closure) : closureWords(closure, zone())],
    ['Reason', closure.reason],
  ]));
  showConfirm(true);
  $('confirm-heading').focus();
}

function keep() {
  showConfirm(false);
  const button = $(state.removeButton);
  state.removing = null;
  if (button) button.focus();
}

async function remove() {
  const closure = state.removing;
  if (!closure) return;
  $('confirm-remove').disabled = true;
  try {
    await apiSend('DELETE', `/api/v1/closures/${closure.id}`);
  } catch (problem) {
    errors.showProblem(problem);
    return;
  } finally {
    $('confirm-remove').disabled = false;
  }
  state.removing = null;
  showConfirm(false);
  await loadList().catch((problem) => errors.showProblem(problem));
  const node = banner(`Removed the closure “${closure.reason}”`, 'success');
  node.querySelector('.govuk-notification-banner__content').append(
    el('p', { class: 'govuk-body' }, `${placeWords(closure)}: ${closureWords(closure, zone())}. It can be booked at these times again.`));
}

async function start() {
  try {
    const venues = await managedVenues();
    if (!venues) return;
    state.venue = chooseVenue(venues, errors);
    const rooms = await apiGet('/api/v1/rooms', { venue: state.venue.id });
    for (const r of rooms) state.rooms.set(r.id, r);
    fillPlaces(rooms);
    await loadSets();
    await loadList();
  } catch (problem) {
    $('list-status').textContent = 'The closures could not be loaded.';
    errors.showProblem(problem);
  }
}

$('add-closure').addEventListener('submit', addClosure);
$('confirm-remove').addEventListener('click', remove);
$('confirm-keep').addEventListener('click', keep);
start();
