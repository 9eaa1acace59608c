// The "Subscribe" section of the venue, room and subscribe pages: a public feed's address
// to copy, a webcal: link that opens the device's calendar app, and links that hand the
// feed to Google Calendar and Outlook, with one line on what the feed holds
// (docs/feeds.md: public feeds carry approved bookings, a private one only as "Booked").
import { feedAddress } from './api.js';
import { el } from './dom.js';

// What each public feed is: its path, the name calendar apps give it, and what it holds.
export function feedOf(kind, record = {}, venue = {}) {
  const privately = 'public ones with their titles, private ones only as “Booked”.';
  if (kind === 'venue') {
    return {
      path: `/feeds/venues/${record.id}.ics`,
      name: record.name,
      contains: `Approved bookings in every room at ${record.name}: ${privately}`,
    };
  }
  if (kind === 'room') {
    return {
      path: `/feeds/rooms/${record.id}.ics`,
      name: venue.name ? `${record.name}, ${venue.name}` : record.name,
      contains: `Approved bookings of ${record.name}${venue.name ? ` at ${venue.name}` : ''}: ${privately}`,
    };
  }
  return {
    path: '/feeds/all.ics',
    name: 'What’s on: all halls',
    contains: `Approved bookings at every venue in the borough: ${privately}`,
  };
}

// The feed's three addresses: https (for pasting), webcal (for the device's own app),
// and the calendar services' "add by URL" pages.
export function feedLinks(feed) {
  const https = feedAddress(feed.path);
  const webcal = https.replace(/^https?:/, 'webcal:');
  return {
    https,
    webcal,
    google: `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`,
    outlook: `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(https)}&name=${encodeURIComponent(feed.name)}`,
  };
}

// The clipboard when the browser lets the page write to it; otherwise the address is
// selected so that the person can copy it themselves. Either way they are told.
async function copyAddress(input, said) {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(input.value);
    said.textContent = 'Address copied. Paste it into your calendar app.';
  } catch {
    input.focus();
    input.select();
    said.textContent = 'Address selected. Press Ctrl and C (Command and C on a Mac) to copy it.';
  }
}

// A link that leaves for the calendar app or service; the feed's name, for a screen
// reader, tells apart the links of several feeds on one page.
function outLink(href, words, feedName, note) {
  return el('li', {},
    el('a', { class: 'govuk-link', href, rel: 'noopener noreferrer' }, words,
      el('span', { class: 'govuk-visually-hidden' }, `: ${feedName}`)),
    note ? ` (${note})` : null);
}

// The section for feed (from feedOf); id makes its element ids unique on the page, and
// level is its heading's level (2 on its own, 3 inside another section).
export function subscribeSection(feed, { id = 'subscribe', level = 2, heading = 'Subscribe' } = {}) {
  const links = feedLinks(feed);
  const input = el('input', {
    class: 'govuk-input halls-feed-address',
    id: `${id}-address`,
    name: `${id}-address`,
    type: 'text',
    readonly: true,
    spellcheck: 'false',
    'aria-describedby': `${id}-hint`,
    value: links.https,
  });
  input.addEventListener('click', () => input.select());
  const said = el('p', { class: 'govuk-body halls-copied', id: `${id}-copied`, role: 'status' });
  const button = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id: `${id}-copy` },
    'Copy address');
  button.addEventListener('click', () => copyAddress(input, said));
  return el('section', { class: 'halls-subscribe', 'aria-labelledby': `${id}-heading`, id },
    el(`h${level}`, { class: level === 2 ? 'govuk-heading-m' : 'govuk-heading-s', id: `${id}-heading` }, heading),
    el('p', { class: 'govuk-body', id: `${id}-contains` }, feed.contains),
    el('p', { class: 'govuk-body' },
      'Subscribe once and your calendar app keeps it up to date: new bookings, changes and cancellations appear on their own.'),
    el('div', { class: 'govuk-form-group' },
      el('label', { class: 'govuk-label govuk-label--s', for: input.id }, 'Calendar address'),
      el('div', { class: 'govuk-hint', id: `${id}-hint` },
        'Paste it into your calendar app where it asks to subscribe “from a web address” or “from URL”.'),
      input),
    button,
    said,
    el('ul', { class: 'govuk-list' },
      outLink(links.webcal, 'Open in your calendar app', feed.name, 'Apple Calendar, or Outlook on a computer'),
      outLink(links.google, 'Add to Google Calendar', feed.name),
      outLink(links.outlook, 'Add to Outlook', feed.name)));
}
