// "Find a room": reads the form, asks GET /api/v1/rooms which rooms fit, and shows them.
import { apiGet } from './api.js';
import { $, el, show } from './dom.js';
import { FormErrors } from './errors.js';
import { clockTime, dateFromParts, featureWords } from './format.js';

// Where each field's error goes, and which of the API's names belong to which field.
const errors = new FormErrors(
  { date: 'date-day', needs: 'need-step_free' },
  { free_from: 'from', free_to: 'to', min_capacity: 'people', feature: 'needs', venue: 'venue' },
);

// The form's values, checked as far as the page can; the API judges the rest.
function readForm() {
  const found = [];
  const day = $('date-day').value.trim();
  const month = $('date-month').value.trim();
  const year = $('date-year').value.trim();
  const date = dateFromParts(day, month, year);
  if (!day && !month && !year) found.push(['date', 'Enter the date you need the room']);
  else if (!date) found.push(['date', 'Date must be a real date, for example 27 3 2026']);
  const from = clockTime($('from').value);
  const to = clockTime($('to').value);
  if (!from) found.push(['from', 'Enter the time you need the room from, for example 18:30']);
  if (!to) found.push(['to', 'Enter the time you need the room until, for example 21:00']);
  else if (from && to <= from) found.push(['to', 'The end time must be after the start time']);
  const people = $('people').value.trim();
  if (people && !/^\d{1,6}$/.test(people)) {
    found.push(['people', 'Number of people must be a whole number, for example 12']);
  }
  const features = [...document.querySelectorAll('input[name="feature"]:checked')].map((c) => c.value);
  return {
    found,
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
  return el('td', { class: numeric ? 'govuk-table__cell govuk-table__cell--numeric' : 'govuk-table__cell' }, text);
}

function showRooms(rooms, params) {
  const rows = rooms.map((room) => {
    const when = new URLSearchParams({ id: room.id, date: params.free_from.slice(0, 10) });
    const name = el('th', { scope: 'row', class: 'govuk-table__header' },
      el('a', { class: 'govuk-link', href: `/room?${when}` }, room.name));
    const features = room.features.map(featureWords).join(', ') || 'None listed';
    const venue = el('a', { class: 'govuk-link', href: `/venue?id=${room.venue_id}` },
      room.venue_name || `Venue ${room.venue_id}`);
    return el('tr', { class: 'govuk-table__row' }, name, cell(venue),
      cell(String(room.capacity), true), cell(features));
  });
  $('results-body').replaceChildren(...rows);
  $('results-heading').textContent = rooms.length === 1 ? '1 room fits' : `${rooms.length} rooms fit`;
  show($('results-table'), rooms.length > 0);
  show($('results-none'), rooms.length === 0);
  show($('results'), true);
}

async function findRooms(event) {
  event.preventDefault();
  errors.clear();
  const { found, params } = readForm();
  if (found.length) {
    errors.show(found);
    return;
  }
  try {
    showRooms(await apiGet('/api/v1/rooms', params), params);
  } catch (problem) {
    show($('results'), false);
    errors.showProblem(problem);
  }
}

async function loadVenues() {
  const select = $('venue');
  try {
    for (const venue of await apiGet('/api/v1/venues')) {
      select.append(el('option', { value: venue.id }, venue.name));
    }
  } catch (problem) {
    errors.show([['venue', `The list of venues could not be loaded: ${problem.detail}`]]);
  }
}

$('find-room').addEventListener('submit', findRooms);
loadVenues();
