// Subscribe: the borough's calendar feed, then each venue's, with what a subscription is.
import { apiGet } from './api.js';
import { $, el } from './dom.js';
import { feedOf, subscribeSection } from './subscribe.js';

function venueFeed(venue) {
  const id = `venue-${venue.id}`;
  return el('details', { class: 'govuk-details halls-venue-feed', id: `${id}-details` },
    el('summary', { class: 'govuk-details__summary' },
      el('span', { class: 'govuk-details__summary-text' }, venue.name)),
    el('div', { class: 'govuk-details__text' },
      el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: `/venue?id=${venue.id}` }, `About ${venue.name} and its rooms`)),
      subscribeSection(feedOf('venue', venue), { id, level: 3, heading: `Subscribe to ${venue.name}` })));
}

async function load() {
  $('borough').replaceChildren(subscribeSection(feedOf('all'), { id: 'all', heading: 'Everything on in the borough' }));
  try {
    const venues = await apiGet('/api/v1/venues');
    $('venue-list').replaceChildren(venues.length
      ? el('div', {}, venues.map(venueFeed))
      : el('p', { class: 'govuk-body' }, 'There are no venues yet.'));
  } catch (problem) {
    $('venue-list').replaceChildren(el('p', { class: 'govuk-body' }, `The venues could not be loaded: ${problem.detail}`));
  }
}

load();
