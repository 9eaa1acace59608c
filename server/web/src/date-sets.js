// Date sets: the sets a manager may use (the borough's and their venues'), each with its
// dates; make one (name, whose, dates typed one a line), import one from an .ics file read
// in the browser, change a set's dates, remove one nothing uses. The rules are the
// server's (docs/fair-access.md#date-sets): this page only sends what was typed.
import { apiGet, apiSend } from './api.js';
import { $, banner, el, show, summaryList } from './dom.js';
import { FormErrors } from './errors.js';
import { dateWords } from './format.js';
import { isAdmin } from './layout.js';
import { myVenues, noVenues, requireManager } from './manager.js';

const errors = new FormErrors({ file: 'file' }, { name: 'name', dates: 'dates', ics: 'file' });
const state = { user: null, venues: [], sets: [], editing: null };

const venueName = (id) => {
  const v = state.venues.find((x) => x.id === id);
  return v ? v.name : `Venue ${id}`;
};

const mayChange = (s) => (s.venue_id === null ? isAdmin(state.user) : state.venues.some((v) => v.id === s.venue_id));

// "2026-12-25 Christmas Day" lines as the API's dates, or the first line that is not one.
function readDates(text) {
  const dates = [];
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const m = /^(\d{4}-\d{2}-\d{2})(?:\s+(.+))?$/.exec(line);
    if (!m) return { wrong: `Line ${i + 1} (“${line.slice(0, 40)}”) is not a date as year-month-day, for example 2026-12-25` };
    dates.push(m[2] ? { date: m[1], label: m[2] } : m[1]);
  }
  return { dates };
}

const datesText = (s) => s.dates.map((d) => (d.label ? `${d.date} ${d.label}` : d.date)).join('\n');

function setCard(s) {
  const actions = [];
  if (mayChange(s)) {
    const edit = el('button', { type: 'button', class: 'halls-card-action', id: `edit-${s.id}` },
      'Change dates', el('span', { class: 'govuk-visually-hidden' }, ` of ${s.name}`));
    edit.addEventListener('click', () => startEdit(s));
    const rm = el('button', { type: 'button', class: 'halls-card-action', id: `remove-${s.id}` },
      'Remove', el('span', { class: 'govuk-visually-hidden' }, ` ${s.name}`));
    rm.addEventListener('click', () => removeSet(s));
    actions.push(edit, rm);
  }
  const first = s.dates[0];
  const last = s.dates[s.dates.length - 1];
  const rows = [
    ['For', s.venue_id === null ? 'The whole borough' : venueName(s.venue_id)],
    ['Dates', s.count ? `${s.count} ${s.count === 1 ? 'day' : 'days'}, ${dateWords(first.date)} to ${dateWords(last.date)}` : 'None yet'],
  ];
  const list = el('details', { class: 'govuk-details' },
    el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, `The dates of ${s.name}`)),
    el('div', { class: 'govuk-details__text' },
      el('ul', { class: 'govuk-list' }, ...s.dates.map((d) => el('li', {}, d.label ? `${dateWords(d.date)}: ${d.label}` : dateWords(d.date))))));
  return el('div', { class: 'govuk-summary-card', id: `set-${s.id}` },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h3', { class: 'govuk-summary-card__title' }, s.name),
      actions.length ? el('ul', { class: 'govuk-summary-card__actions' },
        actions.map((a) => el('li', { class: 'govuk-summary-card__action' }, a))) : null),
    el('div', { class: 'govuk-summary-card__content' }, summaryList(rows), s.count ? list : null));
}

async function loadList() {
  const seen = new Map();
  for (const v of state.venues) {
    for (const s of await apiGet('/api/v1/date-sets', { venue: v.id })) seen.set(s.id, s);
  }
  if (isAdmin(state.user)) for (const s of await apiGet('/api/v1/date-sets')) seen.set(s.id, s);
  state.sets = [...seen.values()].sort((a, b) => a.id - b.id);
  $('list-status').textContent = state.sets.length
    ? `${state.sets.length === 1 ? 'One date set' : `${state.sets.length} date sets`}.`
    : 'There are no date sets yet.';
  $('list').replaceChildren(...state.sets.map(setCard));
}

function fillWhose() {
  const options = state.venues.map((v) => el('option', { value: v.id }, v.name));
  if (isAdmin(state.user)) options.unshift(el('option', { value: '' }, 'The whole borough'));
  $('whose').replaceChildren(...options);
  $('import-whose').replaceChildren(...options.map((o) => o.cloneNode(true)));
}

const whose = (id) => ($(id).value ? Number($(id).value) : null);

async function addSet(event) {
  event.preventDefault();
  errors.clear();
  const found = [];
  const name = $('name').value.trim();
  if (!name) found.push(['name', 'Enter a name for the set, for example School holidays']);
  const { dates, wrong } = readDates($('dates').value);
  if (wrong) found.push(['dates', wrong]);
  if (found.length) {
    errors.show(found);
    return;
  }
  $('add-button').disabled = true;
  try {
    const set = await apiSend('POST', '/api/v1/date-sets', { name, venue_id: whose('whose'), dates });
    $('add-form').reset();
    await loadList();
    banner(`Made the date set “${set.name}” with ${set.count} ${set.count === 1 ? 'date' : 'dates'}`, 'success');
  } catch (problem) {
    errors.showProblem(problem);
  } finally {
    $('add-button').disabled = false;
  }
}

async function importSet(event) {
  event.preventDefault();
  errors.clear();
  const file = $('file').files[0];
  if (!file) {
    errors.show([['file', 'Choose an .ics file to import']]);
    return;
  }
  const body = { ics: await file.text(), venue_id: whose('import-whose') };
  const name = $('import-name').value.trim();
  if (name) body.name = name;
  $('import-button').disabled = true;
  try {
    const { date_set: set, import: report } = await apiSend('POST', '/api/v1/date-sets/import', body);
    $('import-form').reset();
    await loadList();
    const node = banner(`Imported “${set.name}”: ${report.added} ${report.added === 1 ? 'date' : 'dates'}`, 'success');
    if (report.skipped) {
      node.querySelector('.govuk-notification-banner__content').append(
        el('p', { class: 'govuk-body' }, `${report.skipped} ${report.skipped === 1 ? 'event was' : 'events were'} left out:`),
        el('ul', { class: 'govuk-list govuk-list--bullet' }, ...report.notes.map((n) => el('li', {}, n))));
    }
  } catch (problem) {
    errors.showProblem(problem);
  } finally {
    $('import-button').disabled = false;
  }
}

function startEdit(s) {
  errors.clear();
  state.editing = s;
  $('edit-heading').textContent = `Change the dates of ${s.name}`;
  $('edit-dates').value = datesText(s);
  show($('edit'), true);
  $('edit').focus();
}

function stopEdit() {
  const s = state.editing;
  state.editing = null;
  show($('edit'), false);
  if (s && $(`edit-${s.id}`)) $(`edit-${s.id}`).focus();
}

async function saveEdit(event) {
  event.preventDefault();
  errors.clear();
  const s = state.editing;
  if (!s) return;
  const { dates, wrong } = readDates($('edit-dates').value);
  if (wrong) {
    errors.show([['edit-dates', wrong]]);
    return;
  }
  $('edit-save').disabled = true;
  try {
    const set = await apiSend('PATCH', `/api/v1/date-sets/${s.id}`, { dates });
    stopEdit();
    await loadList();
    banner(`Saved ${set.count} ${set.count === 1 ? 'date' : 'dates'} for “${set.name}”; closures that follow it follow its new dates`, 'success');
  } catch (problem) {
    errors.show([['edit-dates', problem.detail]]);
  } finally {
    $('edit-save').disabled = false;
  }
}

async function removeSet(s) {
  errors.clear();
  try {
    await apiSend('DELETE', `/api/v1/date-sets/${s.id}`);
    await loadList();
    banner(`Removed the date set “${s.name}”`, 'success');
  } catch (problem) {
    errors.showProblem(problem);
  }
}

async function start() {
  try {
    state.user = await requireManager();
    if (!state.user) return;
    state.venues = await myVenues(state.user);
    if (!state.venues.length && !isAdmin(state.user)) {
      noVenues();
      return;
    }
    fillWhose();
    await loadList();
  } catch (problem) {
    $('list-status').textContent = 'The date sets could not be loaded.';
    errors.showProblem(problem);
  }
}

$('add-form').addEventListener('submit', addSet);
$('import-form').addEventListener('submit', importSet);
$('edit-form').addEventListener('submit', saveEdit);
$('edit-cancel').addEventListener('click', stopEdit);
start();
