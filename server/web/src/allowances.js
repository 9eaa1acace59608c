// Allowances: the hours each group may book per period, with the use in the period shown
// (today's, or the one containing ?at=). A member sees their groups' allowances and use; a
// manager those at their venues, with a form to add, change or remove one (an admin also
// across the borough). Who sees the use and who may change what is the API's to decide.
import { apiGet, apiList, apiSend } from './api.js';
import { $, banner, el, param, show, summaryList } from './dom.js';
import { FormErrors } from './errors.js';
import { isAdmin, isManager, requireUser } from './layout.js';
import { myVenues } from './manager.js';

const errors = new FormErrors(
  { rooms: 'rooms', over: 'over' },
  {
    group_id: 'group', venue_id: 'venue', room_ids: 'rooms', hours: 'hours', minutes: 'hours',
    period: 'period', terms: 'terms', term: 'terms', over: 'over', note: 'note',
  },
);

const state = {
  user: null, venues: [], rooms: new Map(), groups: [], editing: null, removing: null, removeButton: null,
};
const PER = { week: 'a week', month: 'a month', term: 'a term', year: 'a year' };

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// "12 hours", "1.5 hours", "1 hour".
function hoursWords(minutes) {
  const h = Math.round((minutes / 60) * 100) / 100;
  return `${h} ${h === 1 ? 'hour' : 'hours'}`;
}

function venueName(id) {
  const v = state.venues.find((x) => x.id === id);
  return v ? v.name : `venue ${id}`;
}

function roomNames(ids) {
  return ids.map((id) => (state.rooms.get(id) || { name: `room ${id}` }).name);
}

function whereWords(a) {
  if (a.venue_id === null) return 'Every venue in the borough';
  const rooms = roomNames(a.room_ids);
  return rooms.length ? `${rooms.join(', ')} at ${venueName(a.venue_id)}` : `Every room at ${venueName(a.venue_id)}`;
}

function termsWords(a) {
  return a.terms.map((t) => `${t.name ? `${t.name}: ` : ''}${t.start} to ${t.end}`).join('; ');
}

// "10 of 12 hours used (December 2026)", with a bar, or why nothing is shown.
function useNode(a) {
  const u = a.use;
  if (!u) return 'Shown to the group and the venue\'s managers';
  if (!u.applies) return 'Does not apply on this date: it is outside every term';
  const used = Math.round((u.used_minutes / 60) * 100) / 100;
  const words = `${used} of ${hoursWords(u.limit_minutes)} used (${u.period})`;
  return el('span', {},
    el('span', { class: 'halls-allowance-use', id: `use-${a.id}` }, words),
    el('br'),
    el('progress', { max: u.limit_minutes, value: Math.min(u.used_minutes, u.limit_minutes), 'aria-label': words }));
}

function mayChange(a) {
  return isAdmin(state.user) || (a.venue_id !== null && isManager(state.user) && (state.user.venues || []).includes(a.venue_id));
}

function card(a) {
  const actions = [];
  if (mayChange(a)) {
    const change = el('button', { type: 'button', class: 'halls-card-action', id: `change-${a.id}` },
      'Change', el('span', { class: 'govuk-visually-hidden' }, ` the allowance of ${a.group_name}`));
    change.addEventListener('click', () => startEdit(a));
    const remove = el('button', { type: 'button', class: 'halls-card-action', id: `remove-${a.id}` },
      'Remove', el('span', { class: 'govuk-visually-hidden' }, ` the allowance of ${a.group_name}`));
    remove.addEventListener('click', () => askToRemove(a, remove));
    actions.push(change, remove);
  }
  const rows = [
    ['Where', whereWords(a)],
    ['Allowance', `${hoursWords(a.minutes)} ${PER[a.period]}`],
    ['Over it', a.over === 'refuse' ? 'A request is refused' : 'A request waits for a manager'],
    ['Use', useNode(a)],
  ];
  if (a.period === 'term') rows.splice(2, 0, ['Terms', termsWords(a)]);
  if (a.note) rows.push(['Note', a.note]);
  return el('div', { class: 'govuk-summary-card', id: `allowance-${a.id}` },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h3', { class: 'govuk-summary-card__title' }, a.group_name),
      actions.length ? el('ul', { class: 'govuk-summary-card__actions' },
        actions.map((b) => el('li', { class: 'govuk-summary-card__action' }, b))) : null),
    el('div', { class: 'govuk-summary-card__content' }, summaryList(rows)));
}

// The allowances the user is shown: those at their venues (every one, for an admin), and
// those of their groups, once each.
async function fetchAllowances() {
  const at = param('at') || undefined;
  const asks = [];
  if (isAdmin(state.user)) asks.push({});
  else {
    for (const v of state.user.venues || []) asks.push({ venue: v });
    for (const g of state.user.groups || []) asks.push({ group: g });
  }
  const seen = new Map();
  for (const lists of await Promise.all(asks.map((q) => apiGet('/api/v1/allowances', { ...q, at })))) {
    for (const a of lists) seen.set(a.id, a);
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}

async function loadRooms(venueIds) {
  await Promise.all([...new Set(venueIds)].filter((v) => v !== null).map(async (v) => {
    for (const r of await apiGet('/api/v1/rooms', { venue: v })) state.rooms.set(r.id, r);
  }));
}

async function loadList() {
  const list = await fetchAllowances();
  await loadRooms(list.map((a) => a.venue_id));
  $('list-status').textContent = list.length
    ? `${plural(list.length, 'allowance', 'allowances')}.`
    : 'No allowance applies to you or your venues.';
  $('list-cards').replaceChildren(...list.map(card));
}

// The form.

function fillRooms(venueId, ticked = []) {
  const rooms = [...state.rooms.values()].filter((r) => r.venue_id === venueId);
  $('rooms-boxes').replaceChildren(...rooms.map((r, i) => el('div', { class: 'govuk-checkboxes__item' },
    el('input', {
      class: 'govuk-checkboxes__input', type: 'checkbox', id: i === 0 ? 'rooms' : `room-${r.id}`,
      name: 'rooms', value: r.id, checked: ticked.includes(r.id),
    }),
    el('label', { class: 'govuk-label govuk-checkboxes__label', for: i === 0 ? 'rooms' : `room-${r.id}` }, r.name))));
  show($('rooms-group'), rooms.length > 0);
}

async function fillForm() {
  const mine = isAdmin(state.user) ? state.venues : state.venues.filter((v) => (state.user.venues || []).includes(v.id));
  const options = mine.map((v) => el('option', { value: v.id }, v.name));
  if (isAdmin(state.user)) options.push(el('option', { value: 'borough' }, 'Every venue in the borough'));
  $('venue').replaceChildren(...options);
  const { items } = await apiList('/api/v1/groups', {}, 1000);
  state.groups = items;
  $('group').replaceChildren(...items.map((g) => el('option', { value: g.id }, g.name)));
  await loadRooms(mine.map((v) => v.id));
  venueChanged();
  show($('allowance-form'), mine.length > 0);
}

function venueChanged() {
  const v = $('venue').value;
  fillRooms(v === 'borough' ? null : Number(v));
}

// "2026-09-01 to 2026-12-18 Autumn term" a line: [terms, message or null].
function readTerms() {
  const terms = [];
  for (const line of $('terms').value.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = /^(\d{4}-\d{2}-\d{2})\s+to\s+(\d{4}-\d{2}-\d{2})\s*(.*)$/.exec(line);
    if (!m) return [null, `Write each term as its first and last days, for example “2026-09-01 to 2026-12-18 Autumn term”, not “${line}”`];
    terms.push(m[3] ? { start: m[1], end: m[2], name: m[3] } : { start: m[1], end: m[2] });
  }
  return [terms, null];
}

function readForm() {
  const found = [];
  const body = {};
  const hours = Number($('hours').value.trim());
  if (!$('hours').value.trim() || !(hours > 0)) found.push(['hours', 'Enter the hours as a number, for example 12']);
  else body.hours = hours;
  body.period = $('period').value;
  const [terms, wrong] = readTerms();
  if (wrong) found.push(['terms', wrong]);
  else if (body.period === 'term') {
    if (!terms.length) found.push(['terms', 'Enter the terms of an allowance per term']);
    body.terms = terms;
  } else if (terms.length) found.push(['terms', 'Terms are for an allowance per term: choose “Term”, or leave them empty']);
  body.over = document.querySelector('input[name="over"]:checked').value;
  body.room_ids = [...document.querySelectorAll('input[name="rooms"]:checked')].map((b) => Number(b.value));
  const note = $('note').value.trim();
  body.note = note || null;
  if (!state.editing) {
    body.group_id = Number($('group').value);
    const v = $('venue').value;
    body.venue_id = v === 'borough' ? null : Number(v);
  }
  return { found, body };
}

function startEdit(a) {
  errors.clear();
  state.editing = a;
  $('form-heading').textContent = `Change the allowance of ${a.group_name}`;
  $('save-button').textContent = 'Save changes';
  show($('cancel-button'), true);
  show($('venue-group'), false);
  show($('group-group'), false);
  fillRooms(a.venue_id, a.room_ids);
  $('hours').value = String(Math.round((a.minutes / 60) * 100) / 100);
  $('period').value = a.period;
  $('terms').value = a.terms.map((t) => `${t.start} to ${t.end}${t.name ? ` ${t.name}` : ''}`).join('\n');
  $(a.over === 'refuse' ? 'over' : 'over-approval').checked = true;
  $('note').value = a.note || '';
  $('form-heading').focus();
}

function stopEdit() {
  state.editing = null;
  $('allowance-form').reset();
  $('form-heading').textContent = 'Add an allowance';
  $('save-button').textContent = 'Add allowance';
  show($('cancel-button'), false);
  show($('venue-group'), true);
  show($('group-group'), true);
  venueChanged();
}

async function save(event) {
  event.preventDefault();
  errors.clear();
  const { found, body } = readForm();
  if (found.length) {
    errors.show(found);
    return;
  }
  const editing = state.editing;
  $('save-button').disabled = true;
  let saved;
  try {
    saved = editing
      ? await apiSend('PATCH', `/api/v1/allowances/${editing.id}`, body)
      : await apiSend('POST', '/api/v1/allowances', body);
  } catch (problem) {
    errors.showProblem(problem);
    return;
  } finally {
    $('save-button').disabled = false;
  }
  stopEdit();
  await loadList().catch((problem) => errors.showProblem(problem));
  banner(`${editing ? 'Changed' : 'Added'} the allowance of ${saved.group_name}: ${hoursWords(saved.minutes)} ${PER[saved.period]}`, 'success');
}

function showConfirm(visible) {
  show($('confirm'), visible);
  show($('allowances'), !visible);
  show($('allowance-form'), !visible);
}

function askToRemove(a, button) {
  errors.clear();
  state.removing = a;
  state.removeButton = button.id;
  $('confirm-details').replaceChildren(summaryList([
    ['Group', a.group_name],
    ['Where', whereWords(a)],
    ['Allowance', `${hoursWords(a.minutes)} ${PER[a.period]}`],
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
  const a = state.removing;
  if (!a) return;
  $('confirm-remove').disabled = true;
  try {
    await apiSend('DELETE', `/api/v1/allowances/${a.id}`);
  } catch (problem) {
    errors.showProblem(problem);
    return;
  } finally {
    $('confirm-remove').disabled = false;
  }
  state.removing = null;
  showConfirm(false);
  await loadList().catch((problem) => errors.showProblem(problem));
  banner(`Removed the allowance of ${a.group_name}`, 'success');
}

async function start() {
  try {
    state.user = await requireUser();
    $('at').value = param('at') || '';
    state.venues = await apiGet('/api/v1/venues');
    if (isManager(state.user)) {
      state.venues = isAdmin(state.user) ? state.venues : await myVenues(state.user);
    }
    await loadList();
    if (isManager(state.user)) await fillForm();
  } catch (problem) {
    $('list-status').textContent = 'The allowances could not be loaded.';
    errors.showProblem(problem);
  }
}

$('allowance-form').addEventListener('submit', save);
$('venue').addEventListener('change', venueChanged);
$('cancel-button').addEventListener('click', () => { stopEdit(); errors.clear(); });
$('confirm-remove').addEventListener('click', remove);
$('confirm-keep').addEventListener('click', keep);
start();
