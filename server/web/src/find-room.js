// "Find a room": reads the form, asks GET /api/v1/rooms which rooms fit, and shows them.
import { apiGet } from './api.js';

// A time as people type it ("18:30", "7:00", "19.15") as HH:MM, or null. A text box, not
// <input type="time">, which some browsers show as 12-hour with AM/PM and cut short on a
// phone, as the GOV.UK pattern for times advises.
function clockTime(text) {
  const m = /^(\d{1,2})[:.](\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return `${m[1].padStart(2, '0')}:${m[2]}`;
}

const FEATURE_WORDS = {
  step_free: 'Step-free access',
  hearing_loop: 'Hearing loop',
  kitchen: 'Kitchen',
  stage: 'Stage',
  parking: 'Parking',
  projector: 'Projector',
  wifi: 'Wi-Fi',
  accessible_toilet: 'Accessible toilet',
  baby_change: 'Baby changing',
  piano: 'Piano',
  sports_floor: 'Sports floor',
  outdoor_space: 'Outdoor space',
};

// Which form field a refusal is about, from the query parameter its words name.
const PARAM_FIELDS = [
  ['free_from', 'from'],
  ['free_to', 'to'],
  ['min_capacity', 'people'],
  ['feature', 'needs'],
  ['venue', 'venue'],
];

// Where each field's error goes, and what a link in the summary moves focus to.
const FIELD_TARGETS = {
  date: 'date-day',
  from: 'from',
  to: 'to',
  people: 'people',
  needs: 'need-step_free',
  venue: 'venue',
};

const $ = (id) => document.getElementById(id);
const venueNames = new Map();

function show(el, visible) {
  el.classList.toggle('halls-hidden', !visible);
}

function clearErrors() {
  show($('errors'), false);
  $('error-list').replaceChildren();
  for (const field of Object.keys(FIELD_TARGETS)) {
    show($(`${field}-error`), false);
    $(`${field}-group`).classList.remove('govuk-form-group--error');
  }
  for (const input of document.querySelectorAll('.govuk-input--error, .govuk-select--error')) {
    input.classList.remove('govuk-input--error', 'govuk-select--error');
  }
}

// errors: [field or null, words]. A GOV.UK error summary, and each message by its field.
function showErrors(errors) {
  const list = $('error-list');
  for (const [field, words] of errors) {
    const item = document.createElement('li');
    if (field) {
      const link = document.createElement('a');
      link.href = `#${FIELD_TARGETS[field]}`;
      link.textContent = words;
      item.append(link);
      const message = $(`${field}-error`);
      const hidden = document.createElement('span');
      hidden.className = 'govuk-visually-hidden';
      hidden.textContent = 'Error: ';
      message.replaceChildren(hidden, words);
      show(message, true);
      $(`${field}-group`).classList.add('govuk-form-group--error');
      const input = $(FIELD_TARGETS[field]);
      if (input.classList.contains('govuk-input')) input.classList.add('govuk-input--error');
      if (input.classList.contains('govuk-select')) input.classList.add('govuk-select--error');
    } else {
      item.textContent = words;
    }
    list.append(item);
  }
  show($('errors'), true);
  $('errors').focus();
}

function pad(n, width) {
  return String(n).padStart(width, '0');
}

// The form's values, checked as far as the page can; the API judges the rest.
function readForm() {
  const errors = [];
  const day = $('date-day').value.trim();
  const month = $('date-month').value.trim();
  const year = $('date-year').value.trim();
  let date = null;
  if (!day && !month && !year) {
    errors.push(['date', 'Enter the date you need the room']);
  } else if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    errors.push(['date', 'Date must be a real date, for example 27 3 2026']);
  } else {
    const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (d.getUTCDate() !== Number(day) || d.getUTCMonth() !== Number(month) - 1) {
      errors.push(['date', 'Date must be a real date, for example 27 3 2026']);
    } else {
      date = `${year}-${pad(month, 2)}-${pad(day, 2)}`;
    }
  }
  const from = clockTime($('from').value);
  const to = clockTime($('to').value);
  if (!from) errors.push(['from', 'Enter the time you need the room from, for example 18:30']);
  if (!to) errors.push(['to', 'Enter the time you need the room until, for example 21:00']);
  else if (from && to <= from) errors.push(['to', 'The end time must be after the start time']);
  const people = $('people').value.trim();
  if (people && !/^\d{1,6}$/.test(people)) {
    errors.push(['people', 'Number of people must be a whole number, for example 12']);
  }
  const features = [...document.querySelectorAll('input[name="feature"]:checked')].map((c) => c.value);
  return {
    errors,
    params: {
      // Local times: the API reads them in each room's venue zone.
      free_from: date && `${date}T${from}`,
      free_to: date && `${date}T${to}`,
      min_capacity: people,
      feature: features.join(','),
      venue: $('venue').value,
    },
  };
}

function cell(text, numeric = false) {
  const td = document.createElement('td');
  td.className = numeric ? 'govuk-table__cell govuk-table__cell--numeric' : 'govuk-table__cell';
  td.textContent = text;
  return td;
}

function showRooms(rooms) {
  const rows = rooms.map((room) => {
    const tr = document.createElement('tr');
    tr.className = 'govuk-table__row';
    const name = document.createElement('th');
    name.scope = 'row';
    name.className = 'govuk-table__header';
    name.textContent = room.name;
    const features = room.features.map((f) => FEATURE_WORDS[f] || f).join(', ') || 'None listed';
    tr.append(name, cell(venueNames.get(room.venue_id) || `Venue ${room.venue_id}`),
      cell(String(room.capacity), true), cell(features));
    return tr;
  });
  $('results-body').replaceChildren(...rows);
  $('results-heading').textContent = rooms.length === 1 ? '1 room fits' : `${rooms.length} rooms fit`;
  show($('results-table'), rooms.length > 0);
  show($('results-none'), rooms.length === 0);
  show($('results'), true);
}

// The field a refusal's words are about, or null for the summary alone.
function fieldOf(detail) {
  for (const [param, field] of PARAM_FIELDS) if (detail.includes(param)) return field;
  return null;
}

async function findRooms(event) {
  event.preventDefault();
  clearErrors();
  const { errors, params } = readForm();
  if (errors.length) {
    showErrors(errors);
    return;
  }
  try {
    showRooms(await apiGet('/api/v1/rooms', params));
  } catch (problem) {
    show($('results'), false);
    showErrors([[fieldOf(problem.detail || ''), problem.detail || String(problem)]]);
  }
}

async function loadVenues() {
  const select = $('venue');
  try {
    const venues = await apiGet('/api/v1/venues');
    for (const venue of venues) {
      venueNames.set(venue.id, venue.name);
      const option = document.createElement('option');
      option.value = String(venue.id);
      option.textContent = venue.name;
      select.append(option);
    }
  } catch (problem) {
    showErrors([['venue', `The list of venues could not be loaded: ${problem.detail}`]]);
  }
}

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
$('errors').tabIndex = -1;
$('find-room').addEventListener('submit', findRooms);
loadVenues();
