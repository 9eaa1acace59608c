// The rules (/rules, /rules?venue=N): which rules apply where, in words, from
// GET /api/v1/rules; grouped by venue, then the venue's own rules and each room's.
import { apiGet } from './api.js';
import { $, el, idParam } from './dom.js';
import { loadFailed, plural } from './resident.js';

function ruleList(rules) {
  return el('ul', { class: 'govuk-list govuk-list--bullet' },
    ...rules.map((r) => el('li', { 'data-rule': r.rule }, r.says)));
}

// One venue: what applies to all its rooms first, then room by room in the order given.
function venueSection(name, rules, rooms) {
  const whole = rules.filter((r) => r.room_ids.length !== 1);
  const byRoom = new Map();
  for (const r of rules.filter((x) => x.room_ids.length === 1)) {
    const id = r.room_ids[0];
    if (!byRoom.has(id)) byRoom.set(id, []);
    byRoom.get(id).push(r);
  }
  const parts = [el('h2', { class: 'govuk-heading-m' }, name)];
  if (whole.length) parts.push(ruleList(whole));
  for (const [id, own] of byRoom) {
    parts.push(el('h3', { class: 'govuk-heading-s' }, rooms.get(id) || `Room ${id}`));
    parts.push(ruleList(own));
  }
  return el('section', { class: 'halls-rules-venue', 'aria-label': name }, ...parts);
}

function draw(rules, rooms) {
  const venues = new Map();
  for (const r of rules) {
    const name = r.venue_id === null ? 'Across the borough' : r.venue_name;
    if (!venues.has(name)) venues.set(name, []);
    venues.get(name).push(r);
  }
  $('rules').replaceChildren(...[...venues].map(([name, own]) => venueSection(name, own, rooms)));
  $('rules-loading').textContent = rules.length === 0 ? 'No rules are published yet.' : plural(rules.length, 'rule');
}

async function load() {
  const venue = idParam('venue');
  try {
    const [venues, rooms, published] = await Promise.all([
      apiGet('/api/v1/venues'), apiGet('/api/v1/rooms'),
      apiGet(venue ? `/api/v1/rules?venue=${venue}` : '/api/v1/rules')]);
    $('venue').append(...venues.map((v) => el('option', { value: v.id, selected: String(v.id) === venue }, v.name)));
    draw(published.rules, new Map(rooms.map((r) => [r.id, r.name])));
  } catch (problem) {
    loadFailed(problem, 'No such venue');
  }
}

load();
