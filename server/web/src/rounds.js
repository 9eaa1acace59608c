// Allocation rounds: every round, and one round in full (?round=N). Managers open a round
// and, after its deadline, allocate it; members apply for their group, putting the round's
// slots in order with buttons (no dragging needed); everyone reads a finished round's
// result, each explanation, the seed and its commitment, and can download the inputs and
// result to check them with `halls round verify`.
import { apiGet, apiSend } from './api.js';
import { $, banner, el, idParam, show, summaryList, tag } from './dom.js';
import { FormErrors } from './errors.js';
import { WEEKDAYS } from './format.js';
import { currentUser, isManager } from './layout.js';
import { myVenues } from './manager.js';

const errors = new FormErrors({ preferences: 'choices' }, {
  name: 'name', slots: 'slots', first_date: 'first_date', last_date: 'last_date',
  deadline: 'deadline', classes: 'classes', preferences: 'preferences', slot: 'slots',
});

const CLASS_CHOICES = [
  ['', 'None'],
  ['kind:charity', 'Charities'],
  ['kind:community', 'Community groups'],
  ['kind:school', 'Schools'],
  ['trusted', 'Groups trusted at the venue'],
];
const CLASS_SAYS = new Map(CLASS_CHOICES.map(([v, w]) => [v, w.toLowerCase()]));

function problemWords(e) {
  return e && e.detail ? e.detail : String(e);
}

// The list.

function roundCard(r) {
  const state = r.state === 'allocated' ? tag('Allocated', 'green')
    : r.accepting ? tag('Open for applications', 'blue') : tag('Closed, waiting to be allocated', 'yellow');
  return el('div', { class: 'govuk-summary-card', id: `round-${r.id}` },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h2', { class: 'govuk-summary-card__title' },
        el('a', { class: 'govuk-link', href: `/rounds?round=${r.id}` }, r.name))),
    el('div', { class: 'govuk-summary-card__content' }, summaryList([
      ['Venue', r.venue || `Venue ${r.venue_id}`],
      ['Season', `${r.first_date} to ${r.last_date}`],
      ['Deadline', r.deadline_words],
      ['State', state],
    ])));
}

async function drawList(user) {
  const rounds = await apiGet('/api/v1/rounds');
  $('list-status').textContent = rounds.length
    ? `${rounds.length === 1 ? 'One round' : `${rounds.length} rounds`}.`
    : 'No venue has opened a round yet.';
  $('round-list').replaceChildren(...rounds.map(roundCard));
  if (isManager(user)) await drawOpenForm(user);
}

// Opening a round.

const draft = { slots: [], rooms: new Map() };

function drawSlots() {
  $('slot-list').replaceChildren(...draft.slots.map((s, i) => {
    const remove = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2' },
      'Remove', el('span', { class: 'govuk-visually-hidden' }, ` slot ${i + 1}`));
    remove.addEventListener('click', () => { draft.slots.splice(i, 1); drawSlots(); });
    const room = draft.rooms.get(s.room_id);
    return el('li', {}, `${WEEKDAYS[s.weekday - 1]} ${s.start}–${s.end}, ${room ? room.name : s.room_id} `, remove);
  }));
}

async function fillRooms() {
  const venue = $('venue').value;
  const rooms = await apiGet('/api/v1/rooms', { venue });
  draft.rooms = new Map(rooms.map((r) => [r.id, r]));
  $('slot-room').replaceChildren(...rooms.map((r) => el('option', { value: r.id }, r.name)));
  draft.slots = [];
  drawSlots();
}

function addSlot() {
  const start = $('slot-start').value.trim();
  const end = $('slot-end').value.trim();
  if (!/^\d\d:\d\d$/.test(start) || !/^\d\d:\d\d$/.test(end) || end <= start) {
    errors.show([['slots', 'Give the slot a start and a later end, as 18:00 and 20:00']]);
    return;
  }
  errors.clear();
  draft.slots.push({ room_id: Number($('slot-room').value), weekday: Number($('slot-day').value), start, end });
  drawSlots();
}

function classOf(value) {
  if (value === 'trusted') return { trusted: true, says: CLASS_SAYS.get(value) };
  return { group_kinds: [value.slice(5)], says: CLASS_SAYS.get(value) };
}

async function openRound(event) {
  event.preventDefault();
  errors.clear();
  const classes = ['class-1', 'class-2'].map((id) => $(id).value).filter(Boolean).map(classOf);
  const body = {
    venue_id: Number($('venue').value), name: $('name').value.trim(), slots: draft.slots,
    first_date: $('first_date').value.trim(), last_date: $('last_date').value.trim(),
    deadline: $('deadline').value.trim(), classes,
    outcome: $('approve').checked ? 'approved' : 'pending',
  };
  if (!body.slots.length) {
    errors.show([['slots', 'Add at least one weekly slot']]);
    return;
  }
  try {
    const r = await apiSend('POST', '/api/v1/rounds', body);
    location.assign(`/rounds?round=${r.id}&opened=1`);
  } catch (e) {
    errors.show([[fieldOf(e.detail), problemWords(e)]]);
  }
}

function fieldOf(words) {
  const w = String(words || '');
  for (const f of ['first_date', 'last_date', 'deadline', 'name', 'slot', 'class', 'preference']) {
    if (w.includes(f)) return f === 'slot' ? 'slots' : f === 'class' ? 'classes' : f === 'preference' ? 'preferences' : f;
  }
  return null;
}

async function drawOpenForm(user) {
  const venues = await myVenues(user);
  if (!venues.length) return;
  $('venue').replaceChildren(...venues.map((v) => el('option', { value: v.id }, v.name)));
  $('slot-day').replaceChildren(...WEEKDAYS.map((d, i) => el('option', { value: i + 1 }, d)));
  for (const id of ['class-1', 'class-2']) {
    $(id).replaceChildren(...CLASS_CHOICES.map(([v, w]) => el('option', { value: v }, w)));
  }
  $('venue').addEventListener('change', fillRooms);
  $('slot-add').addEventListener('click', addSlot);
  $('open-form').addEventListener('submit', openRound);
  await fillRooms();
  show($('open-form'), true);
}

// One round.

function detailsOf(r) {
  const rows = [
    ['Venue', r.venue || `Venue ${r.venue_id}`],
    ['Season', `${r.first_date} to ${r.last_date}, every week`],
    ['Deadline', r.deadline_words],
    ['Priority classes', el('ol', { class: 'govuk-list govuk-list--number' },
      [...r.classes.map((c) => el('li', {}, c.says)), el('li', {}, 'everyone else')])],
    ['Slots', el('ul', { class: 'govuk-list' }, r.slots.map((s) => el('li', {}, s.words)))],
    ['The series made', r.outcome === 'approved' ? 'Approved at once' : 'Wait for the manager’s approval'],
    ['Commitment (SHA-256 of the seed)', el('code', { class: 'halls-code' }, r.commitment)],
    ['Seed', r.seed ? el('code', { class: 'halls-code' }, r.seed) : 'Published when the deadline has passed'],
  ];
  if (r.seed_source) rows.push(['How the seed was made', r.seed_source]);
  return summaryList(rows);
}

const apply = { round: null, choices: [], appId: null };

function moveButton(words, hidden, fn) {
  const b = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2' },
    words, el('span', { class: 'govuk-visually-hidden' }, ` ${hidden}`));
  b.addEventListener('click', fn);
  return b;
}

function drawChoices() {
  const slots = new Map(apply.round.slots.map((s) => [s.id, s]));
  $('choices').replaceChildren(...apply.choices.map((id, i) => {
    const words = slots.get(id).words;
    return el('li', { id: `choice-${id}` }, words,
      i > 0 ? moveButton('Up', words, () => { swap(i, i - 1); }) : null,
      i < apply.choices.length - 1 ? moveButton('Down', words, () => { swap(i, i + 1); }) : null,
      moveButton('Remove', words, () => { apply.choices.splice(i, 1); drawChoices(); }));
  }));
  if (!apply.choices.length) $('choices').append(el('li', {}, 'None yet: add slots from the list below.'));
  $('others').replaceChildren(...apply.round.slots.filter((s) => !apply.choices.includes(s.id)).map((s) =>
    el('li', { id: `other-${s.id}` }, s.words, moveButton('Add', s.words, () => { apply.choices.push(s.id); drawChoices(); }))));
}

function swap(i, j) {
  [apply.choices[i], apply.choices[j]] = [apply.choices[j], apply.choices[i]];
  drawChoices();
}

async function loadApplication() {
  const group = Number($('group').value);
  const mine = await apiGet(`/api/v1/rounds/${apply.round.id}/applications`);
  const app = mine.find((a) => a.group_id === group);
  apply.appId = app ? app.id : null;
  apply.choices = app ? [...app.preferences] : [];
  $('apply-button').textContent = app ? 'Save the changes' : 'Send the application';
  $('apply-status').textContent = app ? 'Your group has applied; you can change the order until the deadline.' : '';
  drawChoices();
}

async function sendApplication() {
  errors.clear();
  const base = `/api/v1/rounds/${apply.round.id}/applications`;
  try {
    if (apply.appId) await apiSend('PATCH', `${base}/${apply.appId}`, { preferences: apply.choices });
    else await apiSend('POST', base, { group_id: Number($('group').value), preferences: apply.choices });
    banner('Your application is saved. You can change it until the deadline.', 'success');
    await loadApplication();
  } catch (e) {
    errors.show([['preferences', problemWords(e)]]);
  }
}

async function drawApply(user, r) {
  const groups = await apiGet('/api/v1/groups');
  const mine = groups.filter((g) => (user.groups || []).includes(g.id));
  if (!mine.length) return;
  apply.round = r;
  $('group').replaceChildren(...mine.map((g) => el('option', { value: g.id }, g.name)));
  $('group').addEventListener('change', loadApplication);
  $('apply-button').addEventListener('click', sendApplication);
  await loadApplication();
  show($('apply-box'), true);
}

async function allocate(r) {
  errors.clear();
  try {
    await apiSend('POST', `/api/v1/rounds/${r.id}/allocate`);
    location.assign(`/rounds?round=${r.id}&allocated=1`);
  } catch (e) {
    errors.show([[null, problemWords(e)]]);
  }
}

async function drawResult(r) {
  const res = await apiGet(`/api/v1/rounds/${r.id}/result`);
  const slots = new Map(r.slots.map((s) => [s.id, s.words]));
  // One card per application, in the order taken (a table would not fit a phone).
  const cards = res.allocation.applications.map((a) => el('div', { class: 'govuk-summary-card', id: `result-${a.application_id}` },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h3', { class: 'govuk-summary-card__title' }, `${a.place}. ${a.group}`)),
    el('div', { class: 'govuk-summary-card__content' }, summaryList([
      ['Priority class', String(a.class)],
      ['Slot given', a.slot_id ? slots.get(a.slot_id) : 'None'],
      ['Why', a.explanation],
    ]))));
  $('result-box').replaceChildren(
    el('h2', { class: 'govuk-heading-m' }, 'The result'),
    el('p', { class: 'govuk-body' }, res.allocation.rules),
    el('h3', { class: 'govuk-heading-s' }, 'Every application, in the order it was taken'),
    ...cards,
    el('ul', { class: 'govuk-list' }, res.series.map((s) => el('li', {}, s.words))),
    el('h3', { class: 'govuk-heading-s' }, 'Check it yourself'),
    el('p', { class: 'govuk-body' }, 'Download the ',
      el('a', { class: 'govuk-link', href: `/api/v1/rounds/${r.id}/inputs`, download: `round-${r.id}-inputs.json` }, 'inputs'),
      ' and the ',
      el('a', { class: 'govuk-link', href: `/api/v1/rounds/${r.id}/result`, download: `round-${r.id}-result.json` }, 'result'),
      ', then run ', el('code', { class: 'halls-code' }, `halls round verify --inputs round-${r.id}-inputs.json --result round-${r.id}-result.json`),
      '. It checks that the seed’s SHA-256 is the commitment published when the round opened, and re-runs the allocation.'));
  show($('result-box'), true);
}

async function drawRound(user, id) {
  show($('list-view'), false);
  show($('round-view'), true);
  const r = await apiGet(`/api/v1/rounds/${id}`);
  $('heading').textContent = r.name;
  document.title = `${r.name} – halls`;
  $('round-details').replaceChildren(detailsOf(r));
  if (new URLSearchParams(location.search).get('opened')) banner('The round is open. Its commitment is published; the seed will be, after the deadline.', 'success');
  if (new URLSearchParams(location.search).get('allocated')) banner('The round is allocated: the series are made and the result is published.', 'success');
  if (r.state === 'allocated') {
    await drawResult(r);
    return;
  }
  if (user && r.accepting) await drawApply(user, r);
  const manages = user && (user.role === 'admin' || (user.venues || []).includes(r.venue_id));
  if (manages && !r.accepting) {
    $('allocate-button').addEventListener('click', () => allocate(r));
    show($('allocate-box'), true);
  }
}

async function main() {
  const user = await currentUser();
  const id = idParam('round');
  try {
    if (id) await drawRound(user, id);
    else await drawList(user);
  } catch (e) {
    errors.show([[null, problemWords(e)]]);
  }
}

main();
