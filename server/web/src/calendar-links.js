// "Calendar links": the signed-in person's private feed links (GET, POST and DELETE
// /api/v1/feed-tokens). The page offers the feeds the API allows them: each of their
// groups' (an admin: any group's), and, for a manager or admin, the feed of the venues
// they look after. A new link is shown once, with a Copy button and a webcal: link; the
// list shows each link's label and what it shows, never its secret.
import { apiGet, apiSend, feedAddress } from './api.js';
import { $, banner, el, show } from './dom.js';
import { FormErrors } from './errors.js';
import { dateWords, zoneParts } from './format.js';
import { isAdmin, isManager, requireUser } from './layout.js';
import { groupNames, seconds, venues } from './member.js';

const errors = new FormErrors({ feed: 'feed-first' }, { group_id: 'feed', manager: 'feed', label: 'label' });
const state = { user: null, groups: new Map(), venues: new Map(), revoking: null, opener: null, shown: null };

function listWords(items) {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// What a link shows, in words.
function showsWords(feed, scopeId) {
  if (feed === 'manager') {
    if (isAdmin(state.user)) return 'Everything at every venue';
    const names = (state.user.venues || []).map((id) => (state.venues.get(id) || {}).name || `venue ${id}`);
    return names.length ? `Everything at ${listWords(names)}` : 'Everything at the venues you look after';
  }
  return `${state.groups.get(scopeId) || `Group ${scopeId}`}: all the group’s bookings, with the requests still waiting`;
}

// The choices: value "group:N" or "manager".
function choices() {
  const out = [];
  const groups = isAdmin(state.user) ? [...state.groups.keys()] : state.user.groups || [];
  for (const id of groups) out.push([`group:${id}`, showsWords('group', id)]);
  if (isManager(state.user)) out.push(['manager', showsWords('manager')]);
  return out;
}

function drawChoices() {
  const list = choices();
  const box = $('feed-choices');
  box.replaceChildren(...list.map(([value, words], i) => el('div', { class: 'govuk-radios__item' },
    el('input', { class: 'govuk-radios__input', id: i === 0 ? 'feed-first' : `feed-${i}`, name: 'feed', type: 'radio', value, checked: list.length === 1 }),
    el('label', { class: 'govuk-label govuk-radios__label', for: i === 0 ? 'feed-first' : `feed-${i}` }, words))));
  if (list.length === 0) {
    box.replaceChildren(el('p', { class: 'govuk-body' }, 'You are not a member of any group, so there is no calendar of yours to link to.'));
    $('make-button').disabled = true;
  }
}

function madeWords(createdAt) {
  return `Made ${dateWords(zoneParts(seconds(createdAt), 'Europe/London').date)}`;
}

function drawLinks(links) {
  if (links.length === 0) {
    $('links').replaceChildren(el('p', { class: 'govuk-body' }, 'You have no calendar links yet.'));
    return;
  }
  $('links').replaceChildren(el('dl', { class: 'govuk-summary-list' }, links.map((link) => {
    const name = link.label || 'No label';
    const button = el('button', { type: 'button', class: 'halls-link-button govuk-link' }, 'Revoke',
      el('span', { class: 'govuk-visually-hidden' }, ` the link ${name}`));
    button.addEventListener('click', () => openRevoke(link, button));
    return el('div', { class: 'govuk-summary-list__row', 'data-link': link.id },
      el('dt', { class: 'govuk-summary-list__key' }, name),
      el('dd', { class: 'govuk-summary-list__value' },
        el('p', { class: 'govuk-body govuk-!-margin-bottom-1' }, showsWords(link.feed, link.scope_id)),
        el('p', { class: 'govuk-body-s govuk-!-margin-bottom-0' }, madeWords(link.created_at))),
      el('dd', { class: 'govuk-summary-list__actions' }, button));
  })));
}

async function loadLinks() {
  try {
    drawLinks(await apiGet('/api/v1/feed-tokens'));
  } catch (problem) {
    $('links').replaceChildren();
    errors.showProblem(problem);
  }
}

function showNew(reply) {
  // The address this page was reached by: https behind a proxy that speaks it, where the
  // API's own url would say http (docs/feeds.md).
  const url = feedAddress(reply.path);
  state.shown = reply.id;
  $('new-url').value = url;
  $('webcal').setAttribute('href', url.replace(/^https?:/, 'webcal:'));
  $('new-link-what').textContent = reply.label ? `“${reply.label}”` : 'Without a label';
  $('new-link-shows').textContent = `It shows: ${showsWords(reply.feed, reply.scope_id)}.`;
  $('copied').textContent = '';
  show($('new-link'), true);
  $('new-link').focus();
}

async function make(event) {
  event.preventDefault();
  errors.clear();
  const chosen = document.querySelector('input[name="feed"]:checked');
  if (!chosen) {
    errors.show([['feed', 'Choose what the link should show']]);
    return;
  }
  const body = chosen.value === 'manager' ? { manager: true } : { group_id: Number(chosen.value.slice(6)) };
  const label = $('label').value.trim();
  if (label) body.label = label;
  $('make-button').disabled = true;
  try {
    const reply = await apiSend('POST', '/api/v1/feed-tokens', body);
    $('label').value = '';
    showNew(reply);
    await loadLinks();
  } catch (problem) {
    errors.showProblem(problem);
  } finally {
    $('make-button').disabled = false;
  }
}

async function copy() {
  const input = $('new-url');
  try {
    await navigator.clipboard.writeText(input.value);
    $('copied').textContent = 'Copied. Paste it into your calendar app.';
  } catch {
    // No clipboard here (an older browser, or no permission): select it for the keys.
    input.focus();
    input.select();
    $('copied').textContent = 'The link is selected: copy it with your keyboard or menu.';
  }
}

function openRevoke(link, button) {
  state.revoking = link;
  state.opener = button;
  errors.clear();
  $('revoke-heading').textContent = `Revoke the link ${link.label ? `“${link.label}”` : 'without a label'}?`;
  $('revoke-what').replaceChildren(el('p', { class: 'govuk-body' }, `It shows: ${showsWords(link.feed, link.scope_id)}. ${madeWords(link.created_at)}.`));
  show($('links-view'), false);
  show($('revoke-view'), true);
  $('revoke-heading').focus();
}

function closeRevoke() {
  show($('revoke-view'), false);
  show($('links-view'), true);
}

async function revoke() {
  const link = state.revoking;
  try {
    await apiSend('DELETE', `/api/v1/feed-tokens/${link.id}`);
    closeRevoke();
    if (state.shown === link.id) show($('new-link'), false);
    await loadLinks();
    banner(`The link ${link.label ? `“${link.label}” ` : ''}is revoked: it shows nothing any more.`, 'success');
  } catch (problem) {
    errors.showProblem(problem);
  }
}

async function start() {
  const shared = Promise.all([groupNames(), venues()]);
  shared.catch(() => {}); // a failure is shown below, once awaited
  state.user = await requireUser();
  $('make').addEventListener('submit', make);
  $('copy').addEventListener('click', copy);
  $('revoke-yes').addEventListener('click', revoke);
  $('revoke-no').addEventListener('click', () => {
    closeRevoke();
    if (state.opener) state.opener.focus();
  });
  try {
    const [names, venueMap] = await shared;
    state.groups = names;
    state.venues = venueMap;
    drawChoices();
  } catch (problem) {
    errors.showProblem(problem);
  }
  await loadLinks();
}

start();
