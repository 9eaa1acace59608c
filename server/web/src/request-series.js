// "Request a weekly series": a rule builder (the days of the week, from and to, the first
// date, and an end on a date or after a number of times) made into an RFC 5545 rule;
// "Preview the dates" asks POST /api/v1/series/preview, which judges every date as the
// request would, and shows each date's status; "Send request" asks POST /api/v1/series,
// leaving out (exdates) the dates that do not fit when the member chooses to. The
// room's venue's date sets (and the borough's) can be ticked to skip their dates.
import { apiGet, apiSend } from './api.js';
import { $, el, idParam, show, table, tag } from './dom.js';
import { FormErrors } from './errors.js';
import { dateWords, whenWords, WEEKDAYS } from './format.js';
import { isManager, requireUser } from './layout.js';
import {
  dateBoxes, fillRoomSelect, groupNames, readWhen, rooms, showRefusal, TIME_TYPES,
} from './member.js';

const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

const errors = new FormErrors(
  { first: 'first-day', until: 'until-day', days: 'day-MO', public: 'public-yes', ends: 'ends-until' },
  {
    BYDAY: 'days', COUNT: 'ends', UNTIL: 'ends', room_id: 'room', group_id: 'group', title: 'title',
    attendees: 'attendees', exdates: 'skip', start: 'first', end: 'to', rrule: 'days', public: 'public',
    skip_date_sets: 'sets',
  },
);
const BY_TYPE = {
  ...TIME_TYPES('first', 'to'),
  'over-capacity': 'attendees',
  forbidden: 'group',
  'not-found': 'room',
  'too-many-occurrences': 'ends',
};

const state = { rooms: new Map(), preview: null, sentBody: null, setsVenue: null };

const roomId = () => Number($('room').value) || null;

function weekdayCode(date) {
  const d = new Date(`${date}T12:00:00Z`);
  return DAY_CODES[(d.getUTCDay() + 6) % 7];
}

// The form as a series request (without exdates), or the fields to fix.
function readForm() {
  const found = [];
  if (!$('group').value) found.push(['group', 'Choose the group the series is for']);
  if (!roomId()) found.push(['room', 'Choose a room']);
  const title = $('title').value.trim();
  if (!title) found.push(['title', 'Enter what the series is for']);
  const people = $('attendees').value.trim();
  if (people && !/^\d{1,9}$/.test(people)) found.push(['attendees', 'Number of people must be a whole number, for example 12']);
  const publicChoice = document.querySelector('input[name="public"]:checked');
  if (!publicChoice) found.push(['public', 'Choose whether residents may see the title']);
  const when = readWhen('first', 'first', 'from', 'to', 'the first date');
  found.push(...when.found);
  let days = [...document.querySelectorAll('input[name="day"]:checked')].map((c) => c.value);
  if (when.date) {
    const firstDay = weekdayCode(when.date);
    if (days.length === 0) days = [firstDay];
    else if (!days.includes(firstDay)) {
      found.push(['days', `The first date is a ${WEEKDAYS[DAY_CODES.indexOf(firstDay)]}: tick it too, or choose a first date on a day you ticked`]);
    }
  }
  days.sort((a, b) => DAY_CODES.indexOf(a) - DAY_CODES.indexOf(b));
  let end = null;
  const ends = document.querySelector('input[name="ends"]:checked');
  if (!ends) found.push(['ends', 'Choose when the series ends']);
  else if (ends.value === 'until') {
    const until = dateBoxes('until').read();
    if (until.empty) found.push(['until', 'Enter the last date']);
    else if (!until.date) found.push(['until', 'The last date must be a real date, for example 30 6 2027']);
    else if (when.date && until.date < when.date) found.push(['until', 'The last date must be on or after the first date']);
    else end = `UNTIL=${until.date.replace(/-/g, '')}`;
  } else {
    const count = $('count').value.trim();
    if (!/^\d{1,4}$/.test(count) || Number(count) < 1) found.push(['count', 'Enter how many times, as a whole number, for example 12']);
    else end = `COUNT=${Number(count)}`;
  }
  const body = {
    room_id: roomId(),
    group_id: Number($('group').value),
    title,
    public: publicChoice ? publicChoice.value === 'yes' : false,
    start: `${when.date}T${when.from}`,
    end: `${when.date}T${when.to}`,
    rrule: `FREQ=WEEKLY;BYDAY=${days.join(',')};${end}`,
  };
  if (people) body.attendees = Number(people);
  const sets = [...document.querySelectorAll('input[name="skipset"]:checked')].map((c) => Number(c.value));
  if (sets.length) body.skip_date_sets = sets;
  return { found, body };
}

// A date's status as a tag: the ones that fit, and why the others do not.
const REFUSED = {
  '/problems/conflict': ['Conflict', 'red'],
  '/problems/closed': ['Closed', 'grey'],
  '/problems/outside-opening-hours': ['Outside opening hours', 'orange'],
  '/problems/too-short-notice': ['Too soon', 'yellow'],
  '/problems/too-far-ahead': ['Too far ahead', 'yellow'],
};

function statusCell(d) {
  if (d.outcome === 'pending' || d.outcome === 'approved') {
    return [tag('Free', 'green'), el('p', { class: 'govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0' },
      d.outcome === 'approved' ? 'Booked at once' : 'Needs approval')];
  }
  if (d.outcome === 'left-out') return [tag('Left out', 'grey')];
  if (d.outcome === 'skipped') {
    return [tag('Skipped', 'grey'), el('p', { class: 'govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0' },
      d.label ? `${d.date_set}: ${d.label}` : d.date_set)];
  }
  const [words, colour] = REFUSED[d.type] || ['Cannot be booked', 'red'];
  return [tag(words, colour), el('p', { class: 'govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0' }, d.detail)];
}

const plural = (n, one, many) => (n === 1 ? one : many);

function showPreview(pv) {
  const rows = pv.dates.map((d) => [whenWords(d.start_ts, d.end_ts, pv.zone), statusCell(d)]);
  const dates = table('Every date of the series', ['Date', 'Status'], rows);
  // The heading above says what the table is; the caption is for screen readers.
  dates.querySelector('caption').className = 'govuk-table__caption govuk-visually-hidden';
  $('preview-table').replaceChildren(el('div', { class: 'halls-scroll' }, dates));
  const total = pv.dates.length;
  let words = `${total} ${plural(total, 'date', 'dates')}: ${pv.fit} ${plural(pv.fit, 'fits', 'fit')}`;
  if (pv.refused) words += ` and ${pv.refused} ${plural(pv.refused, 'does not', 'do not')}`;
  if (pv.skipped) words += `; ${pv.skipped} ${plural(pv.skipped, 'is', 'are')} skipped`;
  $('preview-summary').textContent = `${words}.`;
  show($('skip-group'), pv.refused > 0);
  $('skip').checked = false;
  $('skip-label').textContent = `Leave out the ${pv.refused} ${plural(pv.refused, 'date that does', 'dates that do')} not fit`;
  show($('stale'), false);
  show($('preview'), true);
  $('preview').focus();
}

async function preview(event) {
  if (event) event.preventDefault();
  errors.clear();
  const { found, body } = readForm();
  if (found.length) {
    errors.show(found);
    return;
  }
  try {
    state.preview = await apiSend('POST', '/api/v1/series/preview', body);
    state.sentBody = JSON.stringify(body);
    showPreview(state.preview);
  } catch (problem) {
    show($('preview'), false);
    showRefusal(problem, errors, BY_TYPE);
  }
}

function showDone(reply) {
  const dates = reply.occurrences;
  const first = dates[0];
  const pending = dates.filter((b) => b.status === 'pending').length;
  $('done-title').textContent = pending ? 'Series requested' : 'Series booked';
  $('done-body').replaceChildren(
    el('p', {}, `${reply.series.title}: ${first.room_name}, ${first.venue_name}`),
    el('p', {}, `${dates.length} ${plural(dates.length, 'date', 'dates')}, from ${dateWords(first.start.slice(0, 10))}`));
  $('done-next').textContent = pending
    ? `${pending} ${plural(pending, 'date is', 'dates are')} waiting for approval. A manager of ${first.venue_name} will approve or decline them, and you will see their answer in My bookings.`
    : 'The room approves bookings at once: every date is yours.';
  show($('series-view'), false);
  show($('done'), true);
  $('done').focus();
}

async function send(event) {
  event.preventDefault();
  errors.clear();
  const { found, body } = readForm();
  if (found.length || JSON.stringify(body) !== state.sentBody) {
    show($('preview'), false);
    show($('stale'), true);
    if (found.length) errors.show(found);
    return;
  }
  const ask = { ...body };
  if ($('skip').checked) {
    ask.exdates = state.preview.dates.filter((d) => d.outcome === 'refused').map((d) => d.start);
  }
  $('send').disabled = true;
  try {
    showDone(await apiSend('POST', '/api/v1/series', ask));
  } catch (problem) {
    if (problem.body && Array.isArray(problem.body.dates)) {
      // Dates that do not fit, not left out (or no longer fitting since the preview):
      // the dates as they are now, and the refusal by the choice to leave them out.
      try {
        state.preview = await apiSend('POST', '/api/v1/series/preview', body);
        showPreview(state.preview);
      } catch {
        // The refusal says enough.
      }
      errors.show([[state.preview && state.preview.refused ? 'skip' : null, problem.detail]]);
    } else {
      showRefusal(problem, errors, BY_TYPE);
    }
  } finally {
    $('send').disabled = false;
  }
}

// A change after the preview makes it stale: it must be made again before sending.
function formChanged() {
  if (!$('preview').classList.contains('halls-hidden')) {
    show($('preview'), false);
    show($('stale'), true);
  }
  const first = dateBoxes('first').read();
  $('days-hint-day').textContent = first.date ? ` (${WEEKDAYS[DAY_CODES.indexOf(weekdayCode(first.date))]})` : '';
}

// The GOV.UK conditional reveal of the radios, without govuk-frontend's script.
function revealEnds() {
  for (const radio of document.querySelectorAll('input[name="ends"]')) {
    const more = $(radio.getAttribute('aria-controls'));
    more.classList.toggle('govuk-radios__conditional--hidden', !radio.checked);
  }
}

// The date sets the room's venue may use, as checkboxes (none: the choice is hidden).
async function loadSets() {
  const room = state.rooms.get(roomId());
  const venue = room ? room.venue_id : null;
  if (venue === state.setsVenue) return;
  state.setsVenue = venue;
  const sets = venue ? await apiGet('/api/v1/date-sets', { venue }).catch(() => []) : [];
  $('sets').replaceChildren(...sets.map((s) => el('div', { class: 'govuk-checkboxes__item' },
    el('input', { class: 'govuk-checkboxes__input', id: `skipset-${s.id}`, name: 'skipset', type: 'checkbox', value: String(s.id) }),
    el('label', { class: 'govuk-label govuk-checkboxes__label', for: `skipset-${s.id}` },
      `${s.name} (${s.count} ${plural(s.count, 'day', 'days')})`))));
  show($('sets-group'), sets.length > 0);
}

function setRoom(id, fixed) {
  $('room').value = id ? String(id) : '';
  const room = state.rooms.get(id);
  show($('room-fixed'), Boolean(fixed && room));
  show($('room-group'), !(fixed && room));
  if (fixed && room) $('room-fixed-name').textContent = `${room.name}, ${room.venue_name} (holds ${room.capacity})`;
  $('single-link').setAttribute('href', id ? `/request?${new URLSearchParams({ room: id })}` : '/request');
  loadSets();
}

async function fillGroups(user) {
  const names = await groupNames();
  let ids = user.groups || [];
  if (ids.length === 0 && isManager(user)) ids = [...names.keys()];
  const select = $('group');
  for (const id of ids) select.append(el('option', { value: id }, names.get(id) || `Group ${id}`));
  if (ids.length === 1) {
    select.value = String(ids[0]);
    show($('group-group'), false);
    $('group-fixed').textContent = `For ${names.get(ids[0]) || `group ${ids[0]}`}.`;
    show($('group-fixed'), true);
  }
  if (ids.length === 0) {
    errors.show([['group', 'You are not a member of any group, so you cannot ask for a room. Ask the person who looks after halls to add you to your group.']]);
    $('preview-button').disabled = true;
  }
}

async function start() {
  // Asked while the session is: the form needs them whoever is signed in.
  const lists = Promise.all([rooms(), groupNames()]);
  lists.catch(() => {}); // a failure is shown below, once awaited
  const user = await requireUser();
  $('series').addEventListener('submit', preview);
  $('send-form').addEventListener('submit', send);
  $('series').addEventListener('input', formChanged);
  $('series').addEventListener('change', formChanged);
  for (const radio of document.querySelectorAll('input[name="ends"]')) radio.addEventListener('change', revealEnds);
  $('room').addEventListener('change', loadSets);
  $('room-change').addEventListener('click', () => {
    setRoom(roomId(), false);
    $('room').focus();
  });
  try {
    [state.rooms] = await lists;
    fillRoomSelect($('room'), state.rooms);
    await fillGroups(user);
    const id = Number(idParam('room'));
    if (id && state.rooms.has(id)) setRoom(id, true);
  } catch (problem) {
    errors.showProblem(problem);
  }
}

start();
