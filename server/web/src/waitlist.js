// The waitlist (GET /api/v1/waitlist): a member sees their groups' open offers, with the
// time left and Accept / Decline, and their places in line (Leave); a manager sees each
// room's waitlist at their venues. docs/fair-access.md#waitlists-with-timed-offers.
import { apiGet, apiSend } from './api.js';
import { $, el, show, summaryList, table, tag } from './dom.js';
import { FormErrors } from './errors.js';
import { clockWords, dayWords, whenWords, zoneParts } from './format.js';
import { isManager, requireUser } from './layout.js';
import { venues } from './member.js';

const errors = new FormErrors();
const state = { zones: new Map(), user: null };

const zoneOf = (entry) => state.zones.get(entry.venue_id) || 'Europe/London';
const momentWords = (ts, zone) => {
  const p = zoneParts(ts, zone);
  return `${dayWords(p)}, ${clockWords(p.hour, p.minute)}`;
};
const STATE_WORDS = {
  waiting: ['Waiting', 'blue'], offered: ['Offered', 'green'], accepted: ['Accepted', 'turquoise'],
  declined: ['Declined', 'grey'], lapsed: ['Offer ended', 'grey'], left: ['Left', 'grey'],
  expired: ['Slot began', 'grey'],
};
// A table that scrolls sideways on its own on a narrow screen, keyboard included.
const scroll = (node) => el('div', { class: 'halls-scroll', tabindex: '0', role: 'region', 'aria-label': node.querySelector('caption').textContent }, node);
const stateTag = (s) => tag(...(STATE_WORDS[s] || [s, 'grey']));

// "about 23 hours left", "about 40 minutes left"; nothing once the browser's clock has
// passed the end (the server's clock decides whether the offer is still open).
function timeLeft(untilTs) {
  const left = untilTs - Math.floor(Date.now() / 1000);
  if (left <= 0) return null;
  if (left >= 2 * 3600) return `about ${Math.floor(left / 3600)} hours left`;
  if (left >= 3600) return 'about an hour left';
  return `about ${Math.max(1, Math.floor(left / 60))} minutes left`;
}

function doneSay(words) {
  $('done-words').textContent = words;
  show($('done'), true);
  $('done').focus();
}

async function act(method, path, body, done) {
  errors.clear();
  try {
    const reply = await apiSend(method, path, body);
    await draw();
    doneSay(done(reply));
  } catch (problem) {
    errors.showProblem(problem);
  }
}

function button(words, id, secondary, onClick) {
  const b = el('button', { type: 'button', id, class: `govuk-button${secondary ? ' govuk-button--secondary' : ''}` }, words);
  b.addEventListener('click', onClick);
  return b;
}

function offerCard(entry) {
  const zone = zoneOf(entry);
  const left = timeLeft(entry.offer_until_ts);
  const ends = momentWords(entry.offer_until_ts, zone);
  return el('div', { class: 'govuk-summary-card', id: `offer-${entry.id}` },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h3', { class: 'govuk-summary-card__title' }, `${entry.room_name}, ${entry.venue_name}`)),
    el('div', { class: 'govuk-summary-card__content' },
      summaryList([
        ['When', whenWords(entry.start_ts, entry.end_ts, zone)],
        ['Group', entry.group_name || `Group ${entry.group_id}`],
        ['Offer ends', left ? `${ends} (${left})` : ends],
      ]),
      el('div', { class: 'govuk-button-group' },
        button('Accept', `accept-${entry.id}`, false, () => act('POST', `/api/v1/waitlist/${entry.id}/accept`, {},
          (r) => (r.booking.status === 'approved'
            ? `${entry.room_name} is booked for ${entry.group_name}.`
            : `The request for ${entry.room_name} is sent: a manager of ${entry.venue_name} will approve or decline it.`))),
        button('Decline', `decline-${entry.id}`, true, () => act('POST', `/api/v1/waitlist/${entry.id}/decline`, undefined,
          () => `You declined the offer of ${entry.room_name}: the next group in line gets it.`)))));
}

function placeRows(entries, withLeave) {
  return entries.map((e) => [
    `${e.room_name}, ${e.venue_name}`,
    whenWords(e.start_ts, e.end_ts, zoneOf(e)),
    e.group_name || `Group ${e.group_id}`,
    stateTag(e.state),
    withLeave
      ? button('Leave', `leave-${e.id}`, true, () => act('DELETE', `/api/v1/waitlist/${e.id}`, undefined,
        () => `Your group has left the waitlist for ${e.room_name}.`))
      : (e.offer_until_ts && e.state === 'offered' ? `Offered until ${momentWords(e.offer_until_ts, zoneOf(e))}` : ''),
  ]);
}

// The manager's view: one table per room, in line order of joining.
function venueTables(entries) {
  const byRoom = new Map();
  for (const e of entries) {
    if (!byRoom.has(e.room_id)) byRoom.set(e.room_id, []);
    byRoom.get(e.room_id).push(e);
  }
  return [...byRoom.values()].map((list) => scroll(table(`${list[0].room_name}, ${list[0].venue_name}`,
    ['Time', 'Group', 'Joined', 'State'],
    list.map((e) => [
      whenWords(e.start_ts, e.end_ts, zoneOf(e)),
      e.group_name || `Group ${e.group_id}`,
      momentWords(Math.floor(Date.parse(e.joined_at) / 1000), zoneOf(e)),
      e.state === 'offered'
        ? el('span', {}, stateTag(e.state), ` until ${momentWords(e.offer_until_ts, zoneOf(e))}`)
        : stateTag(e.state),
    ]))));
}

async function draw() {
  const entries = await apiGet('/api/v1/waitlist');
  const groups = new Set(state.user.groups || []);
  const live = (e) => e.state === 'waiting' || e.state === 'offered';
  const mine = entries.filter((e) => groups.has(e.group_id));
  const offers = mine.filter((e) => e.state === 'offered');
  const waiting = mine.filter((e) => e.state === 'waiting');
  const venueLive = isManager(state.user) ? entries.filter((e) => live(e)) : [];
  const past = mine.filter((e) => !live(e));
  $('offer-list').replaceChildren(...offers.map(offerCard));
  show($('offers'), offers.length > 0);
  $('mine-list').replaceChildren(waiting.length
    ? scroll(table('Places in line', ['Room', 'Time', 'Group', 'State', ''], placeRows(waiting, true)))
    : el('p', { class: 'govuk-body' }, 'Your group is not waiting for any time. When a request is refused because the time is taken, the request page offers to put you on the waitlist.'));
  show($('mine'), groups.size > 0);
  $('venue-list').replaceChildren(...(venueLive.length ? venueTables(venueLive)
    : [el('p', { class: 'govuk-body' }, 'Nobody is waiting for a room at your venues.')]));
  show($('venues'), isManager(state.user));
  $('past-list').replaceChildren(scroll(table('Earlier entries', ['Room', 'Time', 'Group', 'State', ''], placeRows(past, false))));
  show($('past'), past.length > 0);
}

async function start() {
  state.user = await requireUser();
  try {
    const venueMap = await venues();
    for (const [id, v] of venueMap) state.zones.set(id, v.timezone);
    await draw();
    show($('loading'), false);
  } catch (problem) {
    $('loading').textContent = '';
    errors.showProblem(problem);
  }
}

start();
