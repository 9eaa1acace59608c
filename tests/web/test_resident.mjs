// What a resident (no sign-in) uses: the venues, a venue, a room's week, what's on and
// the calendar subscriptions, cross-checked against the API. Finding a step-free room
// for 30 is test_find_room.mjs; here the resident goes on from its results.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { REPO } from './server.mjs';
import { DEMO_PASSWORD, USERS, auditPage, check, demoDay, pageFetch, test } from './lib.mjs';

const TUESDAY = demoDay(7); // Tuesday 8 December 2026
const MONDAY = demoDay(6).iso; // the Monday of that week
const NEXT_MONDAY = demoDay(13).iso;

async function getJson(server, path, token) {
  const reply = await fetch(server.base + path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status}`);
  return reply.json();
}

// An API token of a demo user (no cookie: for the test's own questions to the API).
async function tokenOf(server, email) {
  const reply = await fetch(`${server.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (reply.status !== 201) throw new Error(`sign-in as ${email}: ${reply.status}`);
  return (await reply.json()).token;
}

// Signs the page's context in with the session cookie, as the sign-in page's script does
// (POST /api/v1/session {"cookie": true} from a page of the site): these tests are about
// what a member sees here, not about signing in.
async function signInAs(page, email) {
  await page.goto('/');
  const reply = await pageFetch(page, 'POST', '/api/v1/session', { email, password: DEMO_PASSWORD, cookie: true });
  if (reply.status !== 201) throw new Error(`sign-in as ${email}: ${reply.status} ${JSON.stringify(reply.body)}`);
}

// Waits for a page of this set: its script has replaced the "Loading" words.
async function ready(page, selector) {
  await page.locator(selector).first().waitFor();
}

async function heading(page) {
  return (await page.getByRole('heading', { level: 1 }).textContent()).trim();
}

async function openRoom(page, path) {
  const reply = await page.goto(path);
  check(reply.status() === 200, `${path} answers 200`, String(reply.status()));
  await ready(page, '.halls-week');
}

// The Subscribe section under id (subscribe.js) for feedPath and the feed's name:
// the address, the copy button and the three links.
async function checkSubscribe(page, server, id, feedPath, name, what) {
  const https = `${server.base}${feedPath}`;
  const webcal = https.replace(/^https?:/, 'webcal:');
  const section = page.locator(`#${id}`);
  const address = section.getByLabel('Calendar address');
  check(await address.inputValue() === https, `${what}: the calendar address is the feed's`, await address.inputValue());
  check(await address.getAttribute('readonly') !== null, `${what}: the address cannot be typed over`);
  await section.getByRole('button', { name: 'Copy address' }).click();
  await section.locator('[role="status"]').filter({ hasText: 'copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === https, `${what}: "Copy address" puts the address in the clipboard`, copied);
  const hrefOf = async (words) => {
    const link = section.getByRole('link', { name: new RegExp(`^${words}`) });
    return { href: await link.getAttribute('href'), rel: await link.getAttribute('rel'), target: await link.getAttribute('target') };
  };
  const expected = {
    'Open in your calendar app': webcal,
    'Add to Google Calendar': `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(webcal)}`,
    'Add to Outlook': `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(https)}&name=${encodeURIComponent(name)}`,
  };
  for (const [words, href] of Object.entries(expected)) {
    const link = await hrefOf(words);
    check(link.href === href, `${what}: "${words}" goes to ${href}`, link.href);
    check(link.rel === 'noopener noreferrer' && link.target === null, `${what}: "${words}" opens normally, telling nothing`, link);
  }
  const contains = await section.locator(`#${id}-contains`).textContent();
  check(/^Approved bookings/.test(contains) && /“Booked”/.test(contains),
    `${what}: one line says what the feed holds`, contains);
  const feed = await fetch(https);
  check(feed.status === 200 && /^text\/calendar/.test(feed.headers.get('content-type')),
    `${what}: the feed address answers 200 text/calendar`, `${feed.status} ${feed.headers.get('content-type')}`);
}

test('the venues: each with its address, access and rooms', async ({ page, server }) => {
  await page.goto('/venues');
  await ready(page, '.halls-venue');
  const venues = await getJson(server, '/api/v1/venues');
  const rooms = await getJson(server, '/api/v1/rooms');
  const shown = await page.locator('.halls-venue').evaluateAll((items) => items.map((li) => ({
    name: li.querySelector('h2').textContent.trim(),
    href: li.querySelector('h2 a').getAttribute('href'),
    text: li.textContent,
  })));
  check(shown.length === venues.length, 'every venue is listed', { shown: shown.length, api: venues.length });
  for (const v of venues) {
    const item = shown.find((s) => s.name === v.name);
    const count = rooms.filter((r) => r.venue_id === v.id).length;
    check(item && item.href === `/venue?id=${v.id}`, `${v.name} links to its page`, item);
    check(item && item.text.includes(v.address) && item.text.includes(v.accessibility),
      `${v.name}: its address and access are shown`, item);
    check(item && item.text.includes(`${count} room${count === 1 ? '' : 's'}`), `${v.name}: ${count} rooms`, item);
  }
  await auditPage(page, 'venues');
});

test('a resident opens a room from Find a room, walks its weeks and opens its venue', async ({ page, server, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  // From test_find_room.mjs's search: step-free, for 30, Tuesday evening.
  await page.goto('/');
  await page.waitForFunction(() => document.querySelectorAll('#venue option').length > 1);
  await page.getByLabel('Day', { exact: true }).fill(TUESDAY.day);
  await page.getByLabel('Month', { exact: true }).fill(TUESDAY.month);
  await page.getByLabel('Year', { exact: true }).fill(TUESDAY.year);
  await page.getByLabel('From', { exact: true }).fill('18:30');
  await page.getByLabel('To', { exact: true }).fill('21:00');
  await page.getByLabel('Number of people').fill('30');
  await page.getByLabel('Step-free access').check();
  await page.getByRole('button', { name: 'Find rooms' }).click();
  await page.getByRole('table').waitFor();
  const first = page.locator('#results-body tr th a').first();
  const roomName = (await first.textContent()).trim();
  await first.click();
  await ready(page, '.halls-week');

  const roomId = new URL(page.url()).searchParams.get('id');
  const room = await getJson(server, `/api/v1/rooms/${roomId}`);
  const venue = await getJson(server, `/api/v1/venues/${room.venue_id}`);
  check(await heading(page) === roomName && roomName === room.name, 'the room page is headed with its name', roomName);
  const facts = await page.locator('#facts').textContent();
  check(facts.includes(`Up to ${room.capacity} people`) && facts.includes('Step-free access'),
    'the room says what it holds and that it is step-free', facts);
  check(facts.includes(venue.name) && facts.includes(venue.address), 'the room names its venue and address', facts);
  const weekHeading = await page.locator('#week-heading').textContent();
  check(weekHeading === 'Week of Monday 7 December 2026', 'the week holding the chosen day is shown', weekHeading);
  check(await page.locator('.halls-day').count() === 7, 'the week has seven days');

  // Each approved booking of the week is in the grid, public ones by title.
  const avail = await getJson(server, `/api/v1/rooms/${roomId}/availability?from=${MONDAY}T00:00&to=${NEXT_MONDAY}T00:00`);
  const busyText = await page.locator('.halls-slot--busy').allTextContents();
  check(busyText.length >= avail.busy.length, 'every booking of the week is shown as booked', { busyText, api: avail.busy });
  for (const b of avail.busy.filter((x) => x.public === true)) {
    check(busyText.some((t) => t.includes(b.title)), `the public booking "${b.title}" is shown by its title`, busyText);
  }
  check(await page.locator('.halls-slot--free').count() > 0, 'free times are shown');
  check(await page.getByRole('link', { name: /^Request this time/ }).count() === 0,
    'someone not signed in is not offered "Request this time"');
  await auditPage(page, 'room');

  await page.getByRole('link', { name: /^Next week/ }).first().click();
  await page.waitForURL(/date=2026-12-14/);
  await ready(page, '.halls-week');
  check(await page.locator('#week-heading').textContent() === 'Week of Monday 14 December 2026', 'Next week shows the next week');
  await page.getByRole('link', { name: /^Previous week/ }).first().click();
  await page.waitForURL(/date=2026-12-07/);
  await ready(page, '.halls-week');
  check(await page.locator('#week-heading').textContent() === 'Week of Monday 7 December 2026', 'Previous week comes back');

  await page.locator('#facts').getByRole('link', { name: venue.name }).click();
  await ready(page, '#rooms');
  check(await heading(page) === venue.name, 'the room links to its venue', await heading(page));
  const venueRooms = await getJson(server, `/api/v1/rooms?venue=${venue.id}`);
  const rows = await page.locator('#rooms tbody tr').count();
  check(rows === venueRooms.length, "every one of the venue's rooms is listed", { rows, api: venueRooms.length });
  const hours = await page.locator('#hours').textContent();
  check(/Monday \d+ \w+/.test(hours) && /Sunday \d+ \w+/.test(hours), 'the opening hours go through the week', hours);
  await checkSubscribe(page, server, 'subscribe', `/feeds/venues/${venue.id}.ics`, venue.name, 'the venue');
  await auditPage(page, 'venue');
});

test("a room's week says when it is closed, and why", async ({ page, server }) => {
  // Hartley Road's Christmas closure and the kitchen's floor resurfacing (cli/demo.c).
  // The closure that follows the bank holidays (cli/demo_date_sets.c) lists a day of
  // each, the first in January 2026: these are the demo's two of December.
  const closures = (await getJson(server, '/api/v1/closures?room=3')).filter((c) => !c.date_set_id);
  check(closures.length >= 2, 'the demo closes the Community Kitchen at Christmas', closures);
  const date = closures[0].start.slice(0, 10);
  await openRoom(page, `/room?id=3&date=${date}`);
  const closed = await page.locator('.halls-slot--closed').allTextContents();
  for (const c of closures) check(closed.some((t) => t.includes(c.reason)), `the closure "${c.reason}" is said`, closed);
  check(closed.every((t) => /Closed/.test(t)), 'a closed time is tagged "Closed" in words, not colour alone', closed);
  await auditPage(page, 'room-closed');
});

test('a member is offered "Request this time" on free times only', async ({ page, server }) => {
  await signInAs(page, USERS.pat.email);
  await openRoom(page, `/room?id=2&date=${TUESDAY.iso}`);
  const links = await page.getByRole('link', { name: /^Request this time/ }).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const avail = await getJson(server, `/api/v1/rooms/2/availability?from=${MONDAY}T00:00&to=${NEXT_MONDAY}T00:00`);
  check(links.length > 0, 'free times have a "Request this time" link', links);
  const local = (text) => Date.parse(`${text}:00Z`) / 1000; // London is at UTC in December
  for (const href of links) {
    const m = /^\/request\?room=2&start=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})&end=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})$/.exec(href);
    const inside = m && avail.free.some((f) => Date.parse(f.start) / 1000 <= local(m[1]) && local(m[2]) <= Date.parse(f.end) / 1000);
    check(Boolean(inside), `${href} asks for a time that is free`, avail.free);
  }
  await auditPage(page, 'room-member');
});

// St Mary's Church Hall (venue 5) has public bookings that week and the choir's private
// rehearsal, which a resident is sent only as a busy slot.
test('what\'s on at one venue shows just its public bookings', async ({ page, server }) => {
  await page.goto(`/whats-on?date=${MONDAY}`);
  await ready(page, '#summary');
  await auditPage(page, 'whats-on');
  await page.getByLabel('Venue').selectOption({ label: "St Mary's Church Hall" });
  await page.getByRole('button', { name: 'Show what’s on' }).click();
  await page.waitForURL(/venue=5/);
  await ready(page, '#summary');
  const shown = await page.locator('.halls-event').evaluateAll((items) => items.map((li) => ({
    title: li.querySelector('h3').textContent,
    links: [...li.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')]),
  })));
  const sent = await getJson(server, `/api/v1/bookings?venue=5&status=approved&from=${MONDAY}T00:00&to=${NEXT_MONDAY}T00:00`);
  const api = sent.filter((b) => b.public === true);
  check(api.length > 0 && sent.some((b) => b.busy === true), "the API sends St Mary's public bookings and a busy slot that week", sent);
  check(JSON.stringify(shown.map((s) => s.title).sort()) === JSON.stringify(api.map((b) => b.title).sort()),
    "the page lists exactly the venue's public bookings", { shown: shown.map((s) => s.title), api: api.map((b) => b.title) });
  check(shown.every((s) => s.links.some(([words, href]) => words === "St Mary's Church Hall" && href.startsWith('/venue?id=5'))),
    "each is at St Mary's, linked", shown);
  for (const b of api) {
    const item = shown.find((s) => s.title === b.title);
    check(item && item.links.some(([words, href]) => words === b.room_name && href.startsWith(`/room?id=${b.room_id}`)),
      `"${b.title}" names and links its room`, item);
  }
  await auditPage(page, 'whats-on-venue');
});

test('the Subscribe page: the borough feed and each venue\'s', async ({ page, server, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  await page.goto('/subscribe');
  await ready(page, '.halls-venue-feed');
  await checkSubscribe(page, server, 'all', '/feeds/all.ics', 'What’s on: all halls', 'the borough');
  const venues = await getJson(server, '/api/v1/venues');
  check(await page.locator('.halls-venue-feed').count() === venues.length, 'each venue has its feed', venues.length);
  const v = venues[1];
  await page.locator(`#venue-${v.id}-details summary`).click();
  await checkSubscribe(page, server, `venue-${v.id}`, `/feeds/venues/${v.id}.ics`, v.name, v.name);
  await auditPage(page, 'subscribe');
});

test('without the clipboard, Copy address selects the address', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
  await page.goto('/subscribe');
  await ready(page, '#all-copy');
  await page.getByRole('button', { name: 'Copy address' }).first().click();
  const said = await page.locator('#all-copied').textContent();
  const selected = await page.evaluate(() => {
    const input = document.activeElement;
    return input.id === 'all-address' && input.value.slice(input.selectionStart, input.selectionEnd) === input.value;
  });
  check(selected && /selected/.test(said), 'the address is selected and the page says so', said);
});

test('a private booking is never shown with its title', async ({ page, server }) => {
  const admin = await tokenOf(server, USERS.alex.email);
  const all = await getJson(server, `/api/v1/bookings?status=approved&from=${MONDAY}T00:00&to=${NEXT_MONDAY}T00:00`, admin);
  const secret = all.find((b) => b.public === false);
  if (!check(secret, 'the demo has a private approved booking that week', all.map((b) => [b.title, b.public]))) return;
  const date = secret.start.slice(0, 10);
  // Signed in as a member of its own group, to whom the API gives the title: the pages,
  // which anyone may look over their shoulder at, still say only "Booked".
  const owner = Object.values(USERS).find((u) => (u.groups || []).includes(secret.group_name)) || USERS.alex;
  await signInAs(page, owner.email);
  const seen = await pageFetch(page, 'GET', `/api/v1/bookings/${secret.id}`);
  check(seen.body && seen.body.title === secret.title, `${owner.name} may read the title through the API`, seen);
  const pages = ['/venues', `/venue?id=${secret.venue_id}&date=${date}`, `/room?id=${secret.room_id}&date=${date}`,
    `/whats-on?date=${date}`, `/whats-on?venue=${secret.venue_id}&date=${date}`, '/subscribe'];
  for (const path of pages) {
    await page.goto(path);
    await page.waitForFunction(() => !/Loading/.test(document.querySelector('main').textContent));
    await page.waitForLoadState('networkidle');
    const text = await page.locator('main').textContent();
    check(!text.includes(secret.title), `${path} does not show "${secret.title}"`);
  }
  await page.goto(`/room?id=${secret.room_id}&date=${date}`);
  await ready(page, '.halls-week');
  const day = await page.locator(`#day-${date} .halls-slot--busy`).allTextContents();
  check(day.some((t) => /Booked/.test(t)), 'the room shows the private booking as "Booked"', day);
});

test('every resident page is linked from the menu or another page', async () => {
  const src = join(REPO, 'server', 'web', 'src');
  const files = readdirSync(src).filter((f) => /\.(html|js)$/.test(f));
  const text = new Map(files.map((f) => [f, readFileSync(join(src, f), 'utf8')]));
  for (const name of ['venues', 'venue', 'room', 'whats-on', 'subscribe']) {
    const link = new RegExp(`href="/${name}["?]|href: \`/${name}[?\`]`);
    const from = files.filter((f) => f !== `${name}.html` && f !== `${name}.js` && link.test(text.get(f)));
    check(from.length > 0, `/${name} is linked from another page`, `no file links to /${name}`);
  }
});
