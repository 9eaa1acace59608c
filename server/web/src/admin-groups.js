// The groups, each with its kind, the venues that trust it and links to change or remove it.
import { $, el } from './dom.js';
import { FormErrors } from './errors.js';
import { adminOnly, allGroups, allVenues, recordTable, rowActions, showFlash } from './admin-common.js';
import { KIND_WORDS } from './admin-group-kinds.js';

function draw(groups, venues) {
  if (!groups.length) {
    $('list').replaceChildren(el('p', { class: 'govuk-body' }, 'There are no groups yet.'));
    return;
  }
  const venueName = new Map(venues.map((v) => [v.id, v.name]));
  $('list').replaceChildren(recordTable('Groups',
    [['Group'], ['Trusted at'], ['Actions', 'hidden']],
    groups.map((g) => [
      [g.name, el('span', { class: 'halls-cell-note' }, KIND_WORDS[g.kind] || g.kind)],
      g.trusted_at.map((id) => venueName.get(id) || `Venue ${id}`).join(', ') || 'None',
      rowActions(`/admin-group?id=${g.id}`, `/admin-remove?kind=group&id=${g.id}`, g.name),
    ])));
}

async function start() {
  if (!await adminOnly()) return;
  showFlash();
  try {
    const [groups, venues] = await Promise.all([allGroups(), allVenues()]);
    draw(groups, venues);
  } catch (problem) {
    $('list').replaceChildren();
    new FormErrors().show([[null, `The groups could not be loaded: ${problem.detail}`]]);
  }
}

start();
