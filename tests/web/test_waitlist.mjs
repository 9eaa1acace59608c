// Waitlists with timed offers (docs/fair-access.md#waitlists-with-timed-offers): a member
// whose request is refused because the time is taken joins the waitlist from /request;
// Pat, whose Tuesday Knitters hold the demo's open offer of the Committee Room, accepts it
// on /waitlist; Priya, Hartley Road's manager, sees each room's waitlist there. Every
// outcome is checked against the API.
import { USERS, auditPage, check, demoDay, pageFetch, signIn, test } from './lib.mjs';

const COMMITTEE_ROOM = 2; // approves every request at once
const KNITTERS = 1;
const RESIDENTS = 3;
const DAY = demoDay(9); // Thursday 10 December 2026

async function apiAs(server, email) {
  const signedIn = await fetch(`${server.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo-password' }),
  });
  const { token } = await signedIn.json();
  return async (method, path, body) => {
    const reply = await fetch(server.base + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await reply.text();
    return { status: reply.status, body: text ? JSON.parse(text) : null };
  };
}

test('a member whose request is refused as taken joins the waitlist from the request page', async ({ page, server }) => {
  const pat = await apiAs(server, USERS.pat.email);
  const booked = await pat('POST', '/api/v1/bookings', {
    room_id: COMMITTEE_ROOM, group_id: KNITTERS, title: 'Knitting circle',
    start: `${DAY.iso}T10:00`, end: `${DAY.iso}T12:00`,
  });
  check(booked.status === 201 && booked.body.status === 'approved', 'the Knitters book the Committee Room', booked);

  await signIn(page, USERS.helen.email);
  await page.goto(`/request?room=${COMMITTEE_ROOM}&group=${RESIDENTS}&start=${DAY.iso}T10:00&end=${DAY.iso}T12:00`);
  await page.getByLabel('Group').selectOption(String(RESIDENTS));
  await page.getByLabel('Title').fill("Residents' meeting");
  await page.getByLabel('Private', { exact: true }).check();
  await page.getByRole('button', { name: 'Send request' }).click();
  const join = page.getByRole('button', { name: 'Join the waitlist' });
  await join.waitFor();
  check(await page.locator('.govuk-error-summary').isVisible(), 'the refusal is shown');
  await auditPage(page, 'request-waitlist');
  await join.click();
  await page.getByText('Your group is on the waitlist for this time').waitFor();
  const mine = await pageFetch(page, 'GET', `/api/v1/waitlist?group=${RESIDENTS}`);
  const entry = mine.body.find((e) => e.start_ts === booked.body.start_ts && e.room_id === COMMITTEE_ROOM);
  check(entry && entry.state === 'waiting' && entry.title === "Residents' meeting",
    'the API has the Residents\' Association waiting for that time', mine.body);

  await page.getByRole('link', { name: 'See your places in line' }).click();
  await page.locator('#mine-list table').waitFor();
  const places = (await page.locator('#mine-list').textContent()).replace(/\s+/g, ' ');
  check(places.includes('Committee Room') && places.includes("Hartley Road Residents' Association"),
    '/waitlist shows the place in line', places);
  await auditPage(page, 'waitlist-places');
});

test('a member accepts the offer their group holds', async ({ page }) => {
  await signIn(page, USERS.pat.email);
  const listed = await pageFetch(page, 'GET', `/api/v1/waitlist?state=offered&group=${KNITTERS}`);
  const offer = listed.body[0];
  check(offer && offer.room_id === COMMITTEE_ROOM, 'the demo\'s Knitters hold an open offer', listed.body);
  await page.goto('/waitlist');
  const card = page.locator(`#offer-${offer.id}`);
  await card.waitFor();
  const words = (await card.textContent()).replace(/\s+/g, ' ');
  check(words.includes('Offer ends') && words.includes('Committee Room, Hartley Road Community Centre'),
    'the offer shows its room and when it ends', words);
  check(/hours? left|minutes left/.test(words), 'and the time left', words);
  await auditPage(page, 'waitlist-offer');
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.locator('#done-words').getByText('is booked for Tuesday Knitters').waitFor();
  const after = await pageFetch(page, 'GET', `/api/v1/waitlist/${offer.id}`);
  check(after.body.state === 'accepted' && after.body.booking_id > 0, 'the API has the offer accepted, with its booking', after.body);
  const booking = await pageFetch(page, 'GET', `/api/v1/bookings/${after.body.booking_id}`);
  check(booking.body.status === 'approved' && booking.body.group_id === KNITTERS, 'the booking is the Knitters\', approved', booking.body);
  check(await card.count() === 0, 'the offer is gone from the page');
});

test('a manager sees each room\'s waitlist at their venue', async ({ page }) => {
  await signIn(page, USERS.priya.email);
  await page.goto('/waitlist');
  const venues = page.locator('#venue-list table');
  await venues.first().waitFor();
  const words = (await page.locator('#venue-list').textContent()).replace(/\s+/g, ' ');
  check(words.includes('Committee Room, Hartley Road Community Centre'), 'the Committee Room\'s waitlist is shown', words);
  check(words.includes('Northside Coding Club') && words.includes("Hartley Road Residents' Association"),
    'with the groups waiting', words);
  check(await page.locator('#offers').isHidden(), 'a manager with no group has no offers of their own');
  const nav = page.locator('.govuk-service-navigation__link[href="/waitlist"]');
  check(await nav.getAttribute('aria-current') === 'page', 'the menu has the Waitlist entry, current');
  await auditPage(page, 'waitlist-manager');
});
