// Add a room (/admin-room, or /admin-room?venue=N for a venue chosen already) or change one
// (/admin-room?id=N): POST /api/v1/rooms, or PATCH /api/v1/rooms/N with only what changed.
import { apiGet, apiSend } from './api.js';
import { $, el, idParam, show } from './dom.js';
import { FormErrors } from './errors.js';
import { FEATURES, featureWords } from './format.js';
import {
  adminOnly, allVenues, changedFields, checkedValues, fillCheckboxes, formChanges, formUnavailable, goBack, numberField,
  radioValue, textField,
} from './admin-common.js';

const NUMBERS = ['capacity', 'setup_minutes', 'cleanup_minutes', 'min_minutes', 'max_minutes',
  'notice_minutes', 'horizon_days', 'max_occurrences', 'hold_hours', 'offer_hours'];

// The group kinds a waitlist may serve first, in the order the API takes them.
const KINDS = [
  { value: 'charity', words: 'Charities' },
  { value: 'community', words: 'Community groups' },
  { value: 'school', words: 'Schools' },
  { value: 'commercial', words: 'Commercial hirers' },
  { value: 'council', words: 'Council services' },
];

// What a new room starts with: the defaults the API and `halls room add` give (cli.md),
// shown so that the administrator sees what will be stored. Capacity has none worth
// having, so it starts blank.
const NEW_ROOM = {
  name: '', description: '', features: [], approval: 'manual', setup_minutes: 0,
  cleanup_minutes: 0, min_minutes: 30, max_minutes: 720, notice_minutes: 0, horizon_days: 365,
  max_occurrences: 104, hold_hours: 0, hold_lapse: 'release', offer_hours: 24, waitlist_priority: [],
};

// Each field by the API's name for it; min_minutes before max_minutes, so that "min_minutes
// (300) is more than max_minutes (60)" is shown by the shortest booking.
const errors = new FormErrors(
  {
    features: 'feature-step_free', approval: 'approval-manual', hold_lapse: 'hold_lapse-release',
    waitlist_priority: 'priority-charity',
  },
  {
    venue_id: 'venue', venue: 'venue', name: 'name', description: 'description',
    capacity: 'capacity', features: 'features', feature: 'features', approval: 'approval',
    setup_minutes: 'setup_minutes', cleanup_minutes: 'cleanup_minutes',
    min_minutes: 'min_minutes', max_minutes: 'max_minutes', notice_minutes: 'notice_minutes',
    horizon_days: 'horizon_days', max_occurrences: 'max_occurrences', hold_hours: 'hold_hours',
    hold_lapse: 'hold_lapse', offer_hours: 'offer_hours', waitlist_priority: 'waitlist_priority',
  },
);

const id = idParam('id');
let room = null; // the room as loaded, when changing one

function fillForm(r, venues) {
  const venueId = String(r.venue_id ?? idParam('venue') ?? '');
  const select = $('venue');
  select.replaceChildren(
    venueId ? null : el('option', { value: '' }, 'Choose a venue'),
    ...venues.map((v) => el('option', { value: v.id, selected: String(v.id) === venueId }, v.name)));
  $('name').value = r.name;
  $('description').value = r.description;
  for (const field of NUMBERS) $(field).value = r[field] ?? '';
  fillCheckboxes($('features'), 'feature', 'feature', FEATURES.map((f) => ({ value: f, words: featureWords(f) })), r.features);
  const approval = document.querySelector(`input[name="approval"][value="${r.approval}"]`);
  if (approval) approval.checked = true;
  const lapse = document.querySelector(`input[name="hold_lapse"][value="${r.hold_lapse}"]`);
  if (lapse) lapse.checked = true;
  // The room's own order first, then the kinds it does not name.
  const chosen = r.waitlist_priority || [];
  const kinds = [...chosen.map((k) => KINDS.find((x) => x.value === k)).filter(Boolean),
    ...KINDS.filter((x) => !chosen.includes(x.value))];
  fillCheckboxes($('waitlist_priority'), 'priority', 'priority', kinds, chosen);
}

// The form as the API's fields. A blank number is left to the API's default when adding;
// when changing, it is sent blank, and the API says what it needs.
function readForm() {
  const wanted = {
    venue_id: $('venue').value ? Number($('venue').value) : undefined,
    name: textField('name'),
    description: textField('description'),
    features: checkedValues('feature'),
    approval: radioValue('approval'),
    hold_lapse: radioValue('hold_lapse'),
    waitlist_priority: checkedValues('priority'),
  };
  for (const field of NUMBERS) wanted[field] = numberField(field) ?? (room ? '' : undefined);
  return wanted;
}

async function save(event) {
  event.preventDefault();
  errors.clear();
  const wanted = readForm();
  try {
    if (!room) {
      const made = await apiSend('POST', '/api/v1/rooms', wanted);
      goBack(`/admin-rooms?venue=${made.venue_id}`, `${made.name} has been added`);
      return;
    }
    const patch = changedFields(room, wanted);
    if (Object.keys(patch).length === 0) {
      goBack(`/admin-rooms?venue=${room.venue_id}`, `Nothing was changed in ${room.name}`);
      return;
    }
    const saved = await apiSend('PATCH', `/api/v1/rooms/${room.id}`, patch);
    goBack(`/admin-rooms?venue=${saved.venue_id}`, `${saved.name} has been changed`);
  } catch (problem) {
    errors.showProblem(problem);
  }
}

async function start() {
  // The form is shown only once it holds what was loaded: typing into it earlier would
  // be overwritten, and a submit before the handler is attached would leave the page.
  show($('room-form'), false);
  if (!await adminOnly()) return;
  let venues;
  try {
    [venues, room] = await Promise.all([allVenues(), id ? apiGet(`/api/v1/rooms/${id}`) : null]);
  } catch (problem) {
    formUnavailable('room-form', id ? 'Room not found' : 'The venues could not be loaded', errors, problem);
    return;
  }
  if (room) {
    formChanges(room.name);
  }
  const venueId = room ? room.venue_id : idParam('venue');
  if (venueId) {
    $('back').href = `/admin-rooms?venue=${venueId}`;
    $('cancel').href = `/admin-rooms?venue=${venueId}`;
  }
  fillForm(room || NEW_ROOM, venues);
  $('room-form').addEventListener('submit', save);
  show($('room-form'), true);
}

start();
