// Add a venue (/admin-venue) or change one (/admin-venue?id=N): POST /api/v1/venues, or
// PATCH /api/v1/venues/N with only what changed.
import { apiGet, apiSend } from './api.js';
import { $, el, idParam, show } from './dom.js';
import { FormErrors } from './errors.js';
import { adminOnly, changedFields, formChanges, formUnavailable, goBack, textField } from './admin-common.js';
import { DAYS, drawHoursForm, formatHours, hoursFieldOf, parseHours, readHoursForm } from './admin-hours.js';

// Zones a borough's venues are likely to be in, the UK's first; a venue already in
// another zone keeps it (it is added to the list).
const ZONES = [
  ['Europe/London', 'United Kingdom (Europe/London)'],
  ['Europe/Dublin', 'Ireland (Europe/Dublin)'],
  ['Europe/Jersey', 'Jersey (Europe/Jersey)'],
  ['Europe/Guernsey', 'Guernsey (Europe/Guernsey)'],
  ['Europe/Isle_of_Man', 'Isle of Man (Europe/Isle_of_Man)'],
  ['Europe/Gibraltar', 'Gibraltar (Europe/Gibraltar)'],
  ['Europe/Lisbon', 'Portugal (Europe/Lisbon)'],
  ['Europe/Paris', 'France (Europe/Paris)'],
  ['Europe/Brussels', 'Belgium (Europe/Brussels)'],
  ['Europe/Amsterdam', 'Netherlands (Europe/Amsterdam)'],
  ['Europe/Berlin', 'Germany (Europe/Berlin)'],
  ['Europe/Madrid', 'Spain (Europe/Madrid)'],
  ['Europe/Rome', 'Italy (Europe/Rome)'],
  ['Europe/Stockholm', 'Sweden (Europe/Stockholm)'],
  ['Europe/Warsaw', 'Poland (Europe/Warsaw)'],
  ['Europe/Helsinki', 'Finland (Europe/Helsinki)'],
  ['Europe/Athens', 'Greece (Europe/Athens)'],
  ['America/New_York', 'US Eastern (America/New_York)'],
  ['America/Chicago', 'US Central (America/Chicago)'],
  ['America/Los_Angeles', 'US Pacific (America/Los_Angeles)'],
  ['America/Toronto', 'Canada Eastern (America/Toronto)'],
  ['Asia/Kolkata', 'India (Asia/Kolkata)'],
  ['Australia/Sydney', 'Australia Eastern (Australia/Sydney)'],
  ['Pacific/Auckland', 'New Zealand (Pacific/Auckland)'],
  ['UTC', 'Coordinated Universal Time (UTC)'],
];

// The API's names for the venue's values, in the order its refusals are matched.
const errors = new FormErrors(
  { hours: 'hours-mon-0-from', ...Object.fromEntries(DAYS.map((d) => [`hours-${d}`, `hours-${d}-0-from`])) },
  { name: 'name', address: 'address', description: 'description', accessibility: 'accessibility', email: 'email', timezone: 'timezone' },
);

const id = idParam('id');
let venue = null; // the venue as loaded, when changing one

function fillZones(current) {
  const zones = ZONES.some(([zone]) => zone === current) ? ZONES : [...ZONES, [current, current]];
  $('timezone').replaceChildren(...zones.map(([zone, words]) =>
    el('option', { value: zone, selected: zone === current }, words)));
}

function fillForm(v) {
  $('name').value = v.name;
  $('address').value = v.address;
  $('description').value = v.description;
  $('accessibility').value = v.accessibility;
  $('email').value = v.email || '';
  fillZones(v.timezone);
  drawHoursForm($('hours-days'), parseHours(v.hours));
}

// The form as the API's fields, and what the page could not read.
function readForm() {
  const { week, found } = readHoursForm();
  return {
    found,
    wanted: {
      name: textField('name'),
      address: textField('address'),
      description: textField('description'),
      accessibility: textField('accessibility'),
      email: textField('email'),
      timezone: $('timezone').value,
      // All days blank sends "", which the API refuses in its words ("opening hours are
      // empty"): a venue shut for a time has a closure instead.
      hours: formatHours(week),
    },
  };
}

function showRefusal(problem) {
  const detail = problem.detail || String(problem);
  if (/^opening hours/.test(detail)) errors.show([[hoursFieldOf(detail), detail]]);
  else errors.showProblem(problem);
}

async function save(event) {
  event.preventDefault();
  errors.clear();
  const { found, wanted } = readForm();
  if (found.length) {
    errors.show(found);
    return;
  }
  try {
    if (!venue) {
      const made = await apiSend('POST', '/api/v1/venues', wanted);
      goBack('/admin-venues', `${made.name} has been added`);
      return;
    }
    const patch = changedFields(venue, wanted);
    // The API writes hours its own way ("mon-fri ..."): compare the weeks, not the text.
    if (formatHours(parseHours(venue.hours)) === wanted.hours) delete patch.hours;
    if (Object.keys(patch).length === 0) {
      goBack('/admin-venues', `Nothing was changed at ${venue.name}`);
      return;
    }
    const saved = await apiSend('PATCH', `/api/v1/venues/${venue.id}`, patch);
    goBack('/admin-venues', `${saved.name} has been changed`);
  } catch (problem) {
    showRefusal(problem);
  }
}

async function start() {
  // The form is shown only once it holds what was loaded: typing into it earlier would
  // be overwritten, and a submit before the handler is attached would leave the page.
  show($('venue-form'), false);
  if (!await adminOnly()) return;
  if (id) {
    try {
      venue = await apiGet(`/api/v1/venues/${id}`);
    } catch (problem) {
      formUnavailable('venue-form', 'Venue not found', errors, problem);
      return;
    }
    formChanges(venue.name);
    fillForm(venue);
  } else {
    fillZones('Europe/London');
    drawHoursForm($('hours-days'), parseHours(''));
  }
  $('venue-form').addEventListener('submit', save);
  show($('venue-form'), true);
}

start();
