// The venue manager's pages: /requests (approve, decline with a reason, a series from a
// date), /venue-calendar (approved and waiting apart, closures, another venue) and
// /closures (add one and see the bookings it covers, remove it after a question), as
// Priya, the demo's manager of Hartley Road Community Centre (venue 1); and what a
// member sees on them. Every booking the tests make is made here, through the API, as a
// demo member would, and every outcome is checked against the API.
import { join } from 'node:path';

import { SCREENSHOTS, USERS, auditPage, check, demoDay, pageFetch, signIn, test } from './lib.mjs';

const HARTLEY = 1;
const MAIN_HALL = 1; // manual approval, 30 minutes to set up and 30 to clear away
const COMMITTEE_ROOM = 2; // approves everyone at once

const TUE = demoDay(14); // Tuesday 15 December 2026
const WED = demoDay(15); // Wednesday 16 December 2026
const THU = demoDay(16); // Thursday 17 December 2026

// A bearer-token caller of the file's hallsd, signed in as a demo user: the API as a
// group's own program would use it, apart from the browser.
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

// Makes a request (or series) as a member and checks that it went in as expected.
async function ask(api, path, body, status, what) {
  const reply = await api('POST', path, body);
  if (!check(reply.status === 201, `${what} is asked for (201)`, reply)) throw new Error(`${what} was refused`);
  if (status) check(reply.body.status === status, `${what} is ${status}`, reply.body);
  return reply.body;
}

// /requests as the signed-in user, once every request shows what is in its way.
async function openRequests(page) {
  const reply = await page.goto('/requests');
  check(reply.status() === 200, '/requests answers 200', String(reply.status()));
  await page.waitForFunction(() => {
    const said = document.getElementById('requests-status');
    return said && !/Loading/.test(said.textContent) && !/Checking/.test(document.getElementById('requests-list').textContent);
  });
}

// Takes away the banner a last action left, so that the next one's can be waited for.
async function clearBanner(page) {
  await page.evaluate(() => document.getElementById('banner')?.remove());
}

// The banner's words, once it is shown.
async function bannerWords(page) {
  const banner = page.locator('#banner');
  await banner.waitFor();
  return (await banner.textContent()).replace(/\s+/g, ' ');
}

// A picture for docs/guide-manager.md: the part of the page a locator finds (at most
// height px of it), 1280 px wide, small enough for the docs to keep.
async function guideShot(locator, name, height = 1000) {
  const box = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
  });
  await locator.page().screenshot({
    path: join(SCREENSHOTS, `guide-manager-${name}.png`),
    fullPage: true,
    clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, height) },
  });
}

test('a member who opens the manager pages is told they are for venue managers', async ({ page }) => {
  await signIn(page, USERS.pat.email);
  for (const path of ['/requests', '/venue-calendar', '/closures']) {
    const reply = await page.goto(path);
    check(reply.status() === 200, `${path} answers 200`, String(reply.status()));
    const note = page.locator('#not-manager');
    await note.waitFor();
    const words = (await note.textContent()).replace(/\s+/g, ' ');
    check(/This page is for venue managers/.test(words), `${path} tells a member it is for venue managers`, words);
    check(words.includes(USERS.pat.name), `${path} says who is signed in`, words);
    check(await page.locator('#manager-content').isHidden(), `${path} shows a member none of its content`);
    check(await page.getByRole('heading', { level: 1 }).count() === 1, `${path} has one h1`);
  }
  await page.goto('/requests');
  await page.locator('#not-manager').waitFor();
  await auditPage(page, 'requests-member');
});

test('a manager approves one request and declines another with a reason', async ({ page, server }) => {
  const pat = await apiAs(server, USERS.pat.email);
  const helen = await apiAs(server, USERS.helen.email);
  const exhibition = await ask(pat, '/api/v1/bookings', {
    room_id: MAIN_HALL, group_id: 1, title: 'Knitting exhibition', attendees: 40, public: true,
    start: `${TUE.iso}T10:00`, end: `${TUE.iso}T12:00`,
  }, 'pending', 'the Knitters\' exhibition');
  const surgery = await ask(helen, '/api/v1/bookings', {
    room_id: MAIN_HALL, group_id: 3, title: "Residents' surgery", attendees: 30,
    start: `${TUE.iso}T11:00`, end: `${TUE.iso}T13:00`,
  }, 'pending', "the Residents' Association's surgery");

  await signIn(page, USERS.priya.email);
  await openRequests(page);
  const first = page.locator(`#request-b${exhibition.id}`);
  const second = page.locator(`#request-b${surgery.id}`);
  check(await first.isVisible() && await second.isVisible(), 'both requests are listed');
  const shown = (await first.textContent()).replace(/\s+/g, ' ');
  check(shown.includes('Tuesday Knitters') && shown.includes('Main Hall, Hartley Road Community Centre'),
    'the request shows its group, room and venue', shown);
  check(shown.includes('Tuesday 15 December 2026, 10am to midday'), 'the request says when, in words', shown);
  check(/People\s*40/.test(shown) && shown.includes('Yes: residents see its title'),
    'the request shows its attendees and that it is public', shown);
  const clash = (await page.locator(`#clash-${exhibition.id}`).textContent()).replace(/\s+/g, ' ');
  check(/Also waiting\s*Residents' surgery/.test(clash), 'the other request for the same morning is shown in the way', clash);

  // Oldest first: the demo's own requests were made before these two.
  const order = await page.locator('.halls-request').evaluateAll((s) => s.map((x) => x.id));
  check(order.indexOf(`request-b${exhibition.id}`) < order.indexOf(`request-b${surgery.id}`) &&
    order.indexOf(`request-b${exhibition.id}`) > 0, 'the requests are listed longest waiting first', order);
  const listed = await pageFetch(page, 'GET', `/api/v1/bookings?venue=${HARTLEY}&status=pending`);
  check(order.length === listed.body.length, 'every pending request at the venue is listed once', { order, api: listed.body.length });
  await guideShot(first, 'requests');
  await auditPage(page, 'requests');

  await first.getByLabel('Reason (the group will see this)').fill('Enjoy the exhibition');
  await clearBanner(page);
  await first.getByRole('button', { name: 'Approve Knitting exhibition' }).click();
  let words = await bannerWords(page);
  check(words.includes('Approved “Knitting exhibition” for Tuesday Knitters'), 'the banner says what was approved', words);
  check(words.includes("Residents' surgery"), 'the banner names the request that now clashes', words);
  await page.waitForFunction((id) => !document.getElementById(id), `request-b${exhibition.id}`);
  check(await first.count() === 0, 'the approved request leaves the list');
  let after = await pageFetch(page, 'GET', `/api/v1/bookings/${exhibition.id}`);
  check(after.body.status === 'approved' && after.body.note === 'Enjoy the exhibition',
    'the API has the request approved, with the note', after.body);
  await auditPage(page, 'requests-approved');

  // The surgery cannot be approved now: the refusal names what is in the way.
  await second.getByRole('button', { name: "Approve Residents' surgery" }).click();
  const summary = page.locator('#errors');
  await summary.waitFor();
  const refusal = (await summary.textContent()).replace(/\s+/g, ' ');
  check(refusal.includes('Main Hall is already booked then') && refusal.includes('Knitting exhibition'),
    'a refused approval says why and names the booking in the way by its title', refusal);
  check(await page.locator(`#decide-b${surgery.id}-error`).isVisible(), 'the refusal is shown by the request too');
  await auditPage(page, 'requests-refused');

  const reason = 'The hall is taken that morning; the Committee Room is free';
  await second.getByLabel('Reason (the group will see this)').fill(reason);
  await clearBanner(page);
  await second.getByRole('button', { name: "Decline Residents' surgery" }).click();
  words = await bannerWords(page);
  check(words.includes('Declined “Residents\' surgery”'), 'the banner says what was declined', words);
  await page.waitForFunction((id) => !document.getElementById(id), `request-b${surgery.id}`);
  check(await page.locator('#errors').isHidden(), 'the refusal is cleared after the decision');
  after = await pageFetch(page, 'GET', `/api/v1/bookings/${surgery.id}`);
  check(after.body.status === 'declined' && after.body.note === reason,
    'the API has the request declined, with the reason the group sees', after.body);
});

test('a series is approved from a date, and the rest declined', async ({ page, server }) => {
  const pat = await apiAs(server, USERS.pat.email);
  const made = await ask(pat, '/api/v1/series', {
    room_id: MAIN_HALL, group_id: 1, title: 'Knitting circle', attendees: 20, public: true,
    start: `${TUE.iso}T14:00`, end: `${TUE.iso}T16:00`, rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4',
  }, null, 'a weekly series of four Tuesdays');
  const id = made.series.id;
  const dates = made.occurrences.map((o) => o.id);
  check(dates.length === 4 && made.occurrences.every((o) => o.status === 'pending'), 'its four dates are pending', made.occurrences);

  await signIn(page, USERS.priya.email);
  await openRequests(page);
  const item = page.locator(`#request-s${id}`);
  check(await item.count() === 1, 'the series is shown once');
  for (const d of dates) {
    check(await page.locator(`#request-b${d}`).count() === 0, `date ${d} is not shown as a request of its own`);
  }
  const shown = (await item.textContent()).replace(/\s+/g, ' ');
  check(shown.includes('Every week on Tuesday, 4 times'), 'the series shows its rule in words', shown);
  for (const day of ['Tuesday 15 December 2026', 'Tuesday 22 December 2026', 'Tuesday 29 December 2026', 'Tuesday 5 January 2027']) {
    check(shown.includes(`${day}, 2pm to 4pm`), `the series lists ${day}`, shown);
  }
  await auditPage(page, 'requests-series');

  await item.getByLabel('Dates to decide').selectOption({ label: 'From Tuesday 29 December 2026 on (2 dates)' });
  await clearBanner(page);
  await item.getByRole('button', { name: 'Approve Knitting circle' }).click();
  let words = await bannerWords(page);
  check(words.includes('Approved 2 dates of “Knitting circle”'), 'the banner says two dates were approved', words);
  let detail = (await pageFetch(page, 'GET', `/api/v1/series/${id}`)).body;
  const states = detail.occurrences.map((o) => o.status);
  check(JSON.stringify(states) === JSON.stringify(['pending', 'pending', 'approved', 'approved']),
    'the dates from 29 December are approved, the ones before stay pending', states);
  await page.waitForFunction((sid) => {
    const s = document.getElementById(sid);
    return s && s.querySelectorAll('.halls-request__date').length === 2;
  }, `request-s${id}`);
  check(true, 'the series stays listed with its two dates still waiting');

  const reason = 'The hall is booked for the Christmas fair before then';
  await item.getByLabel('Reason (the group will see this)').fill(reason);
  await clearBanner(page);
  await item.getByRole('button', { name: 'Decline Knitting circle' }).click();
  words = await bannerWords(page);
  check(words.includes('Declined 2 dates of “Knitting circle”'), 'the banner says two dates were declined', words);
  await page.waitForFunction((sid) => !document.getElementById(sid), `request-s${id}`);
  check(true, 'the decided series leaves the list');
  detail = (await pageFetch(page, 'GET', `/api/v1/series/${id}`)).body;
  check(JSON.stringify(detail.occurrences.map((o) => [o.status, o.note])) === JSON.stringify([
    ['declined', reason], ['declined', reason], ['approved', null], ['approved', null]]),
  'the API has the first two dates declined with the reason, the rest approved', detail.occurrences);
});

test('the venue calendar shows approved bookings and waiting requests apart', async ({ page, server }) => {
  const pat = await apiAs(server, USERS.pat.email);
  const helen = await apiAs(server, USERS.helen.email);
  const approved = await ask(pat, '/api/v1/bookings', {
    room_id: COMMITTEE_ROOM, group_id: 1, title: 'Pattern swap', attendees: 12,
    start: `${WED.iso}T10:00`, end: `${WED.iso}T12:00`,
  }, 'approved', 'a booking in the Committee Room');
  const waiting = await ask(helen, '/api/v1/bookings', {
    room_id: MAIN_HALL, group_id: 3, title: 'Coffee morning', attendees: 25,
    start: `${WED.iso}T10:00`, end: `${WED.iso}T11:30`,
  }, 'pending', 'a request for the Main Hall');

  await signIn(page, USERS.priya.email);
  const reply = await page.goto(`/venue-calendar?venue=${HARTLEY}&date=${WED.iso}`);
  check(reply.status() === 200, '/venue-calendar answers 200', String(reply.status()));
  const grid = page.locator('#week-grid');
  await grid.locator('table').waitFor();
  const heading = await page.locator('#week-heading').textContent();
  check(heading === 'Hartley Road Community Centre, week of Monday 14 December 2026', 'the week is the one asked for', heading);
  const rooms = await grid.locator('tbody th[scope="row"]').allTextContents();
  check(JSON.stringify(rooms) === JSON.stringify(['Opening hours', 'Main Hall', 'Committee Room', 'Community Kitchen']),
    'the grid has a row for each room, with headers', rooms);
  check(await grid.locator('thead th[scope="col"]').count() === 8, 'the grid has a column for each day, with headers');

  const entry = (room, date, title) => grid.locator(`td[data-room="${room}"][data-date="${date}"] li.halls-entry`, { hasText: title });
  const pend = entry(MAIN_HALL, WED.iso, 'Coffee morning');
  const appr = entry(COMMITTEE_ROOM, WED.iso, 'Pattern swap');
  check(await pend.count() === 1, 'the waiting request is in the Main Hall on Wednesday');
  check(await appr.count() === 1, 'the approved booking is in the Committee Room on Wednesday');
  check(await pend.locator('.govuk-tag').textContent() === 'Waiting', 'the request is tagged "Waiting" in words');
  check(await appr.locator('.govuk-tag').textContent() === 'Approved', 'the booking is tagged "Approved" in words');
  check((await pend.textContent()).includes('10am to 11:30am'), 'the request says its times', await pend.textContent());
  check(await grid.locator('li.halls-entry', { hasText: 'Coffee morning' }).count() === 1 &&
    await grid.locator('li.halls-entry', { hasText: 'Pattern swap' }).count() === 1, 'each is shown on its day only');
  const avail = await pageFetch(page, 'GET',
    `/api/v1/venues/${HARTLEY}/availability?from=2026-12-14T00:00&to=2026-12-21T00:00`);
  const apiPending = avail.body.rooms.flatMap((r) => r.pending.map((b) => b.id));
  const apiBusy = avail.body.rooms.flatMap((r) => r.busy.map((b) => b.id));
  check(apiPending.includes(waiting.id) && apiBusy.includes(approved.id), 'the API agrees: one waiting, one approved', avail.body);
  const cells = await grid.locator('li.halls-entry--approved, li.halls-entry--pending').count();
  check(cells === apiPending.length + apiBusy.length, 'every approved booking and waiting request of the week is shown',
    { shown: cells, api: apiPending.length + apiBusy.length });
  await guideShot(page.locator('#manager-content'), 'venue-calendar', 760);

  // On a phone, the same week is a list by day.
  await page.setViewportSize({ width: 390, height: 844 });
  const list = page.locator(`#week-list section[aria-labelledby="day-${WED.iso}"]`);
  check(await grid.isHidden() && await list.isVisible(), 'at 390 px the week is a list by day');
  check((await list.textContent()).includes('Coffee morning'), 'the list shows the request on its day');
  await page.setViewportSize({ width: 1280, height: 800 });
  await auditPage(page, 'venue-calendar');

  // The next week holds Christmas: the venue's closure is on each room's day.
  await page.getByRole('link', { name: /Next week/ }).click();
  await page.waitForURL(/date=2026-12-21/);
  await grid.locator('table').waitFor();
  const closed = grid.locator('td[data-room="1"][data-date="2026-12-24"] li.halls-entry--closed');
  await closed.waitFor();
  check((await closed.textContent()).includes('Closed for Christmas') &&
    (await closed.locator('.govuk-tag').textContent()) === 'Closed', 'the Christmas closure is shown, tagged "Closed"',
  await closed.textContent());
  await auditPage(page, 'venue-calendar-closed');
});

test('a manager of two venues picks one for the calendar', async ({ page }) => {
  await signIn(page, USERS.sam.email);
  await page.goto('/venue-calendar');
  await page.locator('#week-grid table').waitFor();
  const select = page.getByLabel('Venue', { exact: true });
  check(await select.isVisible(), 'a manager of two venues is offered a choice of venue');
  const options = await select.locator('option').allTextContents();
  check(JSON.stringify(options) === JSON.stringify(USERS.sam.venues), 'the choice is the venues Sam looks after', options);
  await select.selectOption({ label: 'Northside Youth Centre' });
  await page.getByRole('button', { name: 'Show this venue' }).click();
  await page.waitForURL(/venue=6/);
  await page.locator('#week-grid table').waitFor();
  const heading = await page.locator('#week-heading').textContent();
  check(heading.startsWith('Northside Youth Centre, week of'), 'the calendar shows the venue chosen', heading);
  check((await page.locator('#week-grid').textContent()).includes('Outside opening hours'),
    'a day the venue is shut says it is outside opening hours');
  await auditPage(page, 'venue-calendar-choice');
});

test('a closure lists the bookings it covers, and is removed after a question', async ({ page, server }) => {
  const pat = await apiAs(server, USERS.pat.email);
  const booked = await ask(pat, '/api/v1/bookings', {
    room_id: COMMITTEE_ROOM, group_id: 1, title: 'Pattern club', attendees: 10,
    start: `${THU.iso}T10:00`, end: `${THU.iso}T11:00`,
  }, 'approved', 'a booking in the Committee Room on Thursday');

  await signIn(page, USERS.priya.email);
  const reply = await page.goto('/closures');
  check(reply.status() === 200, '/closures answers 200', String(reply.status()));
  await page.waitForFunction(() => !/Loading/.test(document.getElementById('list-status').textContent));
  const listed = (await page.locator('#list-table').textContent()).replace(/\s+/g, ' ');
  check(listed.includes('Closed for Christmas') && listed.includes('From Thursday 24 December 2026 to Sunday 27 December 2026, all day'),
    'the venue\'s Christmas closure is listed in words', listed);
  check(listed.includes('Community Kitchen') && listed.includes('Floor resurfacing'), 'a room\'s closure is listed too', listed);
  await auditPage(page, 'closures');

  // An empty form, then a refusal from the API, each shown against its field.
  await page.getByRole('button', { name: 'Add closure' }).click();
  await page.locator('#errors').waitFor();
  const empty = await page.locator('#error-list li').allTextContents();
  check(empty.includes('Enter the first day of the closure') && empty.includes('Enter the reason for the closure'),
    'an empty form names what is missing', empty);
  await auditPage(page, 'closures-errors');
  const form = page.locator('#add-closure');
  await form.getByLabel('What to close').selectOption({ label: 'Committee Room' });
  const from = form.getByRole('group', { name: 'From' });
  await from.getByLabel('Day').fill(THU.day);
  await from.getByLabel('Month').fill(THU.month);
  await from.getByLabel('Year').fill(THU.year);
  await form.getByLabel('From what time (optional)').fill('09:00');
  const to = form.getByRole('group', { name: 'To' });
  await to.getByLabel('Day').fill(THU.day);
  await to.getByLabel('Month').fill(THU.month);
  await to.getByLabel('Year').fill(THU.year);
  await form.getByLabel('Until what time (optional)').fill('12:00');
  await form.getByLabel('Reason').fill('x'.repeat(501));
  await page.getByRole('button', { name: 'Add closure' }).click();
  await page.locator('#reason-error').waitFor();
  const tooLong = await page.locator('#reason-error').textContent();
  check(/reason is longer than 500 bytes/.test(tooLong), 'the API\'s refusal of the reason is shown by the reason', tooLong);

  await form.getByLabel('Reason').fill('Window repair');
  await clearBanner(page);
  await page.getByRole('button', { name: 'Add closure' }).click();
  const words = await bannerWords(page);
  check(words.includes('Closed the Committee Room') && words.includes('Thursday 17 December 2026, 9am to midday'),
    'the banner says what was closed and when', words);
  const hits = page.locator('#hits');
  await hits.waitFor();
  const hitWords = (await hits.textContent()).replace(/\s+/g, ' ');
  check(hitWords.includes('One booking falls in this closure') && hitWords.includes('Pattern club') &&
    hitWords.includes('Approved'), 'the bookings the closure covers are listed, with their state', hitWords);
  const closures = (await pageFetch(page, 'GET', `/api/v1/closures?venue=${HARTLEY}`)).body;
  const added = closures.find((c) => c.reason === 'Window repair');
  check(added && added.room_id === COMMITTEE_ROOM && added.start.startsWith(`${THU.iso}T09:00`) &&
    added.end.startsWith(`${THU.iso}T12:00`), 'the API has the closure, for the room and the times given', added);
  const still = (await pageFetch(page, 'GET', `/api/v1/bookings/${booked.id}`)).body;
  check(still.status === 'approved', 'the closure does not cancel the booking', still);
  await guideShot(page.locator('#hits'), 'closures');
  await auditPage(page, 'closures-added');

  await page.getByRole('button', { name: 'Remove the closure “Window repair”' }).click();
  const question = page.getByRole('heading', { name: 'Remove this closure?' });
  await question.waitFor();
  check(await page.evaluate(() => document.activeElement.id) === 'confirm-heading', 'the question has the focus');
  check((await page.locator('#confirm-details').textContent()).includes('Window repair'), 'the question says which closure');
  await auditPage(page, 'closures-remove');
  await page.getByRole('button', { name: 'No, keep it' }).click();
  check(await question.isHidden(), '"No, keep it" goes back to the list');
  check((await pageFetch(page, 'GET', `/api/v1/closures/${added.id}`)).status === 200, 'the closure is kept');

  await page.getByRole('button', { name: 'Remove the closure “Window repair”' }).click();
  await clearBanner(page);
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  const removed = await bannerWords(page);
  check(removed.includes('Removed the closure “Window repair”'), 'the banner says the closure was removed', removed);
  check(!(await page.locator('#list-table').textContent()).includes('Window repair'), 'the closure leaves the list');
  const gone = await pageFetch(page, 'GET', `/api/v1/closures/${added.id}`);
  check(gone.status === 404, 'the API has no such closure any more', gone);
});

test('an administrator sees the requests at every venue', async ({ page }) => {
  await signIn(page, USERS.alex.email);
  await openRequests(page);
  const all = (await pageFetch(page, 'GET', '/api/v1/bookings?status=pending')).body;
  const expected = [...new Set(all.map((b) => (b.series_id ? `request-s${b.series_id}` : `request-b${b.id}`)))];
  const shown = await page.locator('.halls-request').evaluateAll((s) => s.map((x) => x.id));
  check(JSON.stringify([...shown].sort()) === JSON.stringify([...expected].sort()),
    'every pending request at every venue is listed (a series once)', { shown, expected });
  const venues = new Set(all.map((b) => b.venue_id));
  check(venues.size > 1, 'they are at more than one venue', [...venues]);
});
