// "Request a room": one booking for one of the member's groups (POST /api/v1/bookings).
// A room and a time may come in the query (/request?room=2&start=2026-12-08T19:00&end=
// 2026-12-08T21:00), from a room's week or a suggestion. When the time is taken, the page
// shows what is in the way (as far as the member may see it) and the nearest free times,
// in this room and in others that fit; taking one puts it into the form to send.
import { apiSend } from './api.js';
import { $, el, idParam, param, show } from './dom.js';
import { FormErrors } from './errors.js';
import { whenWords } from './format.js';
import { isManager, requireUser } from './layout.js';
import { joinWaitlistBox } from './waitlist-join.js';
import {
  conflictHelp, fillRoomSelect, fillWhen, groupNames, readWhen, rooms, showRefusal, TIME_TYPES,
  timeWords, venues,
} from './member.js';

const errors = new FormErrors(
  { date: 'date-day', public: 'public-yes' },
  { room_id: 'room', group_id: 'group', title: 'title', attendees: 'attendees', start: 'date', end: 'to', public: 'public' },
);
// Where a refusal of each kind points (its words seldom name the field).
const BY_TYPE = {
  ...TIME_TYPES('date', 'to'),
  'over-capacity': 'attendees',
  forbidden: 'group',
  'not-found': 'room',
};

const state = { rooms: new Map(), zones: new Map() };

const roomId = () => Number($('room').value) || null;
const zoneFor = (id) => {
  const room = state.rooms.get(id);
  return (room && state.zones.get(room.venue_id)) || 'Europe/London';
};

function readForm() {
  const found = [];
  if (!$('group').value) found.push(['group', 'Choose the group the booking is for']);
  if (!roomId()) found.push(['room', 'Choose a room']);
  const when = readWhen('date', 'date', 'from', 'to', 'the date you need the room');
  found.push(...when.found);
  const title = $('title').value.trim();
  if (!title) found.push(['title', 'Enter what the booking is for']);
  const people = $('attendees').value.trim();
  if (people && !/^\d{1,9}$/.test(people)) found.push(['attendees', 'Number of people must be a whole number, for example 12']);
  const publicChoice = document.querySelector('input[name="public"]:checked');
  if (!publicChoice) found.push(['public', 'Choose whether residents may see the title']);
  const body = {
    room_id: roomId(),
    group_id: Number($('group').value),
    title,
    start: `${when.date}T${when.from}`,
    end: `${when.date}T${when.to}`,
    public: publicChoice ? publicChoice.value === 'yes' : false,
  };
  if (people) body.attendees = Number(people);
  return { found, body, when, people: people ? Number(people) : 0 };
}

function setRoom(id, fixed) {
  $('room').value = id ? String(id) : '';
  const room = state.rooms.get(id);
  show($('room-fixed'), Boolean(fixed && room));
  show($('room-group'), !(fixed && room));
  if (fixed && room) $('room-fixed-name').textContent = `${room.name}, ${room.venue_name} (holds ${room.capacity})`;
  const query = id ? `?${new URLSearchParams({ room: id })}` : '';
  $('series-link').setAttribute('href', `/request-series${query}`);
}

// A suggestion taken: a time (start, end) in a room, or (start null) the same time in
// another room. The form keeps everything else and is ready to send.
function useSuggestion(id, start, end) {
  setRoom(id, $('room-group').classList.contains('halls-hidden'));
  if (start !== null) fillWhen('date', 'from', 'to', start, end, zoneFor(id));
  errors.clear();
  const room = state.rooms.get(id);
  const { when } = readForm();
  const time = when.date && when.from && when.to ? `, ${timeWords(when.date, when.from, when.to)}` : '';
  $('help').replaceChildren(el('div', { class: 'govuk-inset-text', role: 'status' },
    `The form now asks for ${room ? room.name : 'the room'}${time}. Check the details and send the request.`));
  $('send').focus();
}

function showDone(booking) {
  const zone = zoneFor(booking.room_id);
  const approved = booking.status === 'approved';
  $('done-title').textContent = approved ? 'Booked' : 'Request sent';
  $('done-body').replaceChildren(
    el('p', {}, `${booking.title}: ${booking.room_name}, ${booking.venue_name}`),
    el('p', {}, whenWords(booking.start_ts, booking.end_ts, zone)));
  $('done-next').textContent = approved
    ? 'The room approves bookings at once: it is yours.'
    : `It is waiting for approval. A manager of ${booking.venue_name} will approve or decline it, and you will see their answer in My bookings.`;
  show($('request-view'), false);
  show($('done'), true);
  $('done').focus();
}

async function send(event) {
  event.preventDefault();
  errors.clear();
  $('help').replaceChildren();
  const { found, body, when, people } = readForm();
  if (found.length) {
    errors.show(found);
    return;
  }
  $('send').disabled = true;
  try {
    showDone(await apiSend('POST', '/api/v1/bookings', body));
  } catch (problem) {
    if (BY_TYPE[problem.body && problem.body.type && problem.body.type.replace('/problems/', '')] === 'room') {
      setRoom(roomId(), false);
    }
    showRefusal(problem, errors, BY_TYPE);
    const help = await conflictHelp(problem, {
      roomId: body.room_id, zone: zoneFor(body.room_id), date: when.date, from: when.from, to: when.to,
      attendees: people, otherRooms: true,
    }, useSuggestion);
    if (help) $('help').replaceChildren(help);
    const join = joinWaitlistBox(problem, body);
    if (join) $('help').append(join);
  } finally {
    $('send').disabled = false;
  }
}

// The member's groups: one is chosen for them; a manager or admin with none may book
// for any group (the API checks the venue).
async function fillGroups(user) {
  const names = await groupNames();
  let ids = user.groups || [];
  if (ids.length === 0 && isManager(user)) ids = [...names.keys()];
  const select = $('group');
  for (const id of ids) select.append(el('option', { value: id }, names.get(id) || `Group ${id}`));
  const wanted = idParam('group');
  if (ids.length === 1) {
    select.value = String(ids[0]);
    show($('group-group'), false);
    $('group-fixed').textContent = `For ${names.get(ids[0]) || `group ${ids[0]}`}.`;
    show($('group-fixed'), true);
  } else if (wanted && ids.includes(Number(wanted))) {
    select.value = wanted;
  }
  if (ids.length === 0) {
    errors.show([['group', 'You are not a member of any group, so you cannot ask for a room. Ask the person who looks after halls to add you to your group.']]);
    $('send').disabled = true;
  }
}

// A room and times from the query: "YYYY-MM-DDTHH:MM" in the room's zone.
function fillFromQuery() {
  const id = Number(idParam('room'));
  if (id && state.rooms.has(id)) setRoom(id, true);
  const start = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(param('start') || '');
  const end = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(param('end') || '');
  if (start) {
    const [y, m, d] = start[1].split('-');
    $('date-day').value = String(Number(d));
    $('date-month').value = String(Number(m));
    $('date-year').value = y;
    $('from').value = start[2];
  }
  if (end && (!start || end[1] === start[1])) $('to').value = end[2];
}

async function start() {
  // Asked while the session is: the form needs them whoever is signed in.
  const lists = Promise.all([rooms(), venues(), groupNames()]);
  lists.catch(() => {}); // a failure is shown below, once awaited
  const user = await requireUser();
  $('request').addEventListener('submit', send);
  $('room-change').addEventListener('click', () => {
    setRoom(roomId(), false);
    $('room').focus();
  });
  try {
    const [roomMap, venueMap] = await lists;
    state.rooms = roomMap;
    for (const [id, v] of venueMap) state.zones.set(id, v.timezone);
    fillRoomSelect($('room'), roomMap);
    await fillGroups(user);
    fillFromQuery();
  } catch (problem) {
    errors.showProblem(problem);
  }
}

start();
