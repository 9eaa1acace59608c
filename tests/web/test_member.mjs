// What a group's member does in a browser: sign in (and not be sent off-site), request a
// booking that meets a conflict and take a suggested time, see it waiting in My bookings,
// request a weekly series and leave out the date that does not fit, move and cancel a
// booking, make, copy and revoke a calendar link, do it all with the keyboard, and find
// nothing open with the old cookie after signing out. Every page audited, signed in.
import { join } from 'node:path';

import {
  SCREENSHOTS, USERS, auditPage, check, demoDay, focusShows, pageFetch, signIn, tabTo, test,
} from './lib.mjs';

const PAT = USERS.pat; // Tuesday Knitters (group 1)

// A bearer token for a demo user, for the test's own API calls beside the page's.
async function token(server, email) {
  const r = await fetch(`${server.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo-password' }),
  });
  return (await r.json()).token;
}

async function api(server, tok, method, path, body) {
  const r = await fetch(`${server.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${tok}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

// A window-sized picture for the member's guide (docs/guide-member.md), with what
// matters at its top: build/screenshots/guide-member-NAME.png.
async function guideShot(page, name, width, top) {
  await page.setViewportSize({ width, height: width > 500 ? 800 : 844 });
  if (top) await top.evaluate((node) => node.scrollIntoView({ block: 'start' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `guide-member-${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function fillDate(page, legend, date) {
  const group = page.getByRole('group', { name: legend });
  await group.getByLabel('Day').fill(date.day);
  await group.getByLabel('Month').fill(date.month);
  await group.getByLabel('Year').fill(date.year);
}

test('sign in: the form, a wrong password, and the error summary', async ({ page }) => {
  await page.goto('/sign-in');
  check(await page.getByRole('heading', { level: 1, name: 'Sign in' }).isVisible(), 'the page is "Sign in"');
  const email = page.getByLabel('Email', { exact: true });
  const password = page.getByLabel('Password', { exact: true });
  check(await email.getAttribute('autocomplete') === 'username'
    && await password.getAttribute('autocomplete') === 'current-password',
  'the fields say what a password manager should fill');
  await auditPage(page, 'sign-in');

  await page.getByRole('button', { name: 'Sign in' }).click();
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  check((await summary.textContent()).includes('Enter your email address'), 'an empty form says what is missing');

  await email.fill(PAT.email);
  await password.fill('not-the-password');
  const [reply] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST'),
    password.press('Enter'),
  ]);
  await page.getByText('the email or the password is wrong').first().waitFor();
  check(reply.status() === 401, 'the API refuses the wrong password', String(reply.status()));
  check(await summary.isVisible() && (await summary.textContent()).includes('the email or the password is wrong'),
    'the error summary shows the API\'s words');
  check(new URL(page.url()).pathname === '/sign-in', 'and the page stays on sign-in');
  check(await password.inputValue() === '', 'the wrong password is cleared');
  await auditPage(page, 'sign-in-error');
});

test('sign in goes on to the page asked for, never to another site', async ({ page, context, server }) => {
  for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example/', '/\t/evil.example', 'javascript:alert(1)']) {
    await context.clearCookies();
    await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email', { exact: true }).fill(PAT.email);
    await page.getByLabel('Password', { exact: true }).fill('demo-password');
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/sign-in'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const url = new URL(page.url());
    check(url.origin === server.base && url.pathname === '/my-bookings',
      `next=${next} is not followed: a member lands on My bookings`, page.url());
  }
  await context.clearCookies();
  await page.goto(`/sign-in?next=${encodeURIComponent('/calendar-links')}`);
  await page.getByLabel('Email', { exact: true }).fill(PAT.email);
  await page.getByLabel('Password', { exact: true }).fill('demo-password');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/calendar-links'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  check(new URL(page.url()).pathname === '/calendar-links', 'a same-site next is followed', page.url());
  await page.goto('/sign-in');
  await page.locator('#signed-in').waitFor();
  check((await page.locator('#signed-in').textContent()).includes(PAT.name), 'signed in, the page says who');
  await auditPage(page, 'sign-in-signed-in');
});

test('every page of a member, signed in', async ({ page }) => {
  await signIn(page, PAT.email);
  for (const [path, name, ready] of [
    ['/my-bookings', 'my-bookings', '#upcoming-list'],
    ['/request', 'request', '#request'],
    ['/request-series', 'request-series', '#series'],
    ['/calendar-links', 'calendar-links', '#links .govuk-body, #links dl'],
  ]) {
    await page.goto(path);
    await page.locator(ready).first().waitFor();
    await auditPage(page, name);
  }
});

// London is on UTC in December: the API's times there are the wall clock.
const local = (iso) => ({ date: iso.slice(0, 10), time: iso.slice(11, 16) });
const dateParts = (date) => ({ day: String(Number(date.slice(8, 10))), month: String(Number(date.slice(5, 7))), year: date.slice(0, 4) });

// An approved booking in the Main Hall (room 1, which a manager approves) at least two
// days ahead: the slot the member will ask for, and find taken.
async function takenSlot(server) {
  const from = `${demoDay(2).iso}T00:00`;
  const list = await (await fetch(`${server.base}/api/v1/bookings?room=1&status=approved&from=${from}`)).json();
  return list[0];
}

test('a member requests a booking, meets a conflict, takes a suggested time, and sees it waiting', async ({ page, server }) => {
  await signIn(page, PAT.email);
  const taken = await takenSlot(server);
  check(Boolean(taken), 'the demo has an approved booking in the Main Hall to clash with', taken);
  const start = local(taken.start);
  const end = local(taken.end);

  await page.goto('/request');
  await page.getByLabel('Room').selectOption(String(taken.room_id));
  await fillDate(page, 'Date', dateParts(start.date));
  await page.getByLabel('From').fill(start.time);
  await page.getByLabel('To').fill(end.time);
  await page.getByLabel('Title').fill('Knitting exhibition');
  await page.getByLabel('Number of people').fill('40');
  await page.getByLabel('Public', { exact: true }).check();
  await page.getByRole('button', { name: 'Send request' }).click();

  const summary = page.locator('.govuk-error-summary');
  await page.getByRole('heading', { name: 'What is in the way' }).waitFor();
  check(await summary.isVisible() && (await summary.textContent()).includes('already booked'),
    'the refusal is in the error summary, in the API\'s words', await summary.textContent());
  const inWay = await page.locator('#conflict-help ul').first().textContent();
  check(inWay.includes(taken.title) || inWay.includes('Booked'), 'what is in the way is shown as far as the member may see it', inWay);
  const uses = page.getByRole('button', { name: /^Use / });
  check(await uses.count() > 0, 'the nearest free times in the room are offered', await uses.count());
  const others = page.locator('#conflict-help a[href^="/request?room="]');
  check(await others.count() > 0, 'and other rooms free at that time', await others.count());
  await auditPage(page, 'request-conflict');
  await guideShot(page, 'request-conflict', 390, page.locator('#conflict-help'));

  // Another room: the form keeps the time and takes the room.
  const otherHref = new URL(await others.first().getAttribute('href'), server.base);
  await others.first().click();
  check(await page.getByLabel('Room').inputValue() === otherHref.searchParams.get('room')
    && await page.getByLabel('From').inputValue() === start.time,
  'an other room\'s link puts that room into the form, at the same time');
  await page.getByLabel('Room').selectOption(String(taken.room_id));
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.getByRole('heading', { name: 'What is in the way' }).waitFor();

  // The first suggestion: its words are the time the form then holds.
  const use = page.getByRole('button', { name: /^Use / }).first();
  const words = (await use.textContent()).replace(/^Use /, '');
  await use.click();
  await page.getByText(/The form now asks for/).waitFor();
  const refilled = {
    date: [await page.getByLabel('Year').inputValue(), await page.getByLabel('Month').inputValue(), await page.getByLabel('Day').inputValue()],
    from: await page.getByLabel('From').inputValue(),
    to: await page.getByLabel('To').inputValue(),
  };
  check(refilled.from !== start.time || refilled.date.join('-') !== start.date, 'taking a suggestion changes the time in the form', refilled);
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.getByRole('heading', { name: 'Request sent' }).waitFor();
  check((await page.locator('#done').textContent()).includes(words), 'the request is sent for the suggested time', words);
  check((await page.locator('#done').textContent()).includes('waiting for approval'), 'and it says it is waiting for approval');
  await auditPage(page, 'request-sent');

  const pending = await pageFetch(page, 'GET', '/api/v1/bookings?group=1&status=pending');
  const mine = pending.body.find((b) => b.title === 'Knitting exhibition');
  check(mine && mine.start.slice(11, 16) === refilled.from && mine.room_id === taken.room_id,
    'the API has it pending, in the room at the suggested time', mine);

  await page.getByRole('link', { name: 'See it in My bookings' }).click();
  const row = page.locator(`[data-booking="${mine && mine.id}"]`);
  await row.waitFor();
  check((await row.textContent()).includes('Waiting for approval') && (await row.textContent()).includes(words),
    'My bookings shows it, waiting for approval', await row.textContent());
});

test('a member requests a weekly series, leaves out the date that does not fit, and sends it', async ({ page, server }) => {
  // Another group has the Committee Room (room 2) on the third Wednesday.
  const priya = await token(server, USERS.priya.email);
  const third = demoDay(15);
  const clash = await api(server, priya, 'POST', '/api/v1/bookings', {
    room_id: 2, group_id: 3, title: 'Residents’ committee', start: `${third.iso}T10:00`, end: `${third.iso}T11:00`, approve: true,
  });
  check(clash.status === 201, 'a manager books the Committee Room for another group on the third Wednesday', clash);

  await signIn(page, PAT.email);
  await page.goto('/request-series');
  await page.getByLabel('Room').selectOption('2');
  await page.getByLabel('Title').fill('Wednesday pattern club');
  await page.getByLabel('Number of people').fill('8');
  await page.getByLabel('Private', { exact: true }).check();
  await fillDate(page, 'First date', demoDay(1));
  await page.getByLabel('From').fill('10:00');
  await page.getByLabel('To').fill('11:00');
  await page.getByLabel('After a number of times').check();
  await page.getByLabel('How many times').fill('4');
  await page.getByRole('button', { name: 'Preview the dates' }).click();

  const rows = page.locator('#preview-table tbody tr');
  await rows.first().waitFor();
  const texts = await rows.allTextContents();
  check(texts.length === 4, 'the preview lists the four dates', texts);
  check(texts.filter((t) => t.includes('Free')).length === 3 && texts[2].includes('Conflict')
    && texts[2].includes('Wednesday 16 December 2026'),
  'three are free and the third Wednesday is a conflict', texts);
  check((await page.locator('#preview-summary').textContent()).includes('3 fit and 1 does not'),
    'the summary counts them', await page.locator('#preview-summary').textContent());
  await auditPage(page, 'request-series-preview');
  await guideShot(page, 'request-series-preview', 1280, page.locator('#preview'));

  // Sent whole, the API refuses it: the page says so by the choice to leave the date out.
  await page.getByRole('button', { name: 'Send request' }).click();
  const summary = page.locator('.govuk-error-summary');
  await page.getByText(/cannot be booked/).first().waitFor();
  check((await summary.textContent()).includes('1 of the 4 dates cannot be booked'),
    'sent with the clash, the API\'s refusal is in the error summary', await summary.textContent());
  await auditPage(page, 'request-series-refused');

  const leaveOut = page.getByLabel('Leave out the 1 date that does not fit');
  await leaveOut.check();
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.locator('#done').waitFor({ state: 'visible' });
  const done = await page.locator('#done').textContent();
  check(done.includes('3 dates'), 'the series is made with three dates', done);
  await auditPage(page, 'request-series-sent');

  const series = await pageFetch(page, 'GET', '/api/v1/series?group=1');
  const made = series.body.find((s) => s.title === 'Wednesday pattern club');
  const detail = made && await pageFetch(page, 'GET', `/api/v1/series/${made.id}`);
  const starts = detail ? detail.body.occurrences.map((o) => o.start.slice(0, 10)) : [];
  check(made && made.rrule.includes('BYDAY=WE') && made.rrule.includes('COUNT=4'), 'the rule is every Wednesday, four times', made);
  check(starts.length === 3 && !starts.includes(third.iso), 'the API shows the series without the third Wednesday', starts);
});

test('a member cancels a booking and moves another', async ({ page, server }) => {
  await signIn(page, PAT.email);
  await page.goto('/my-bookings');
  const rows = page.locator('#upcoming-list .govuk-summary-list__row:has(button:text("Cancel"))');
  await rows.first().waitFor();
  await guideShot(page, 'my-bookings', 1280, page.locator('#upcoming'));

  // Cancel the first upcoming single booking.
  const first = rows.first();
  const id = await first.getAttribute('data-booking');
  await first.getByRole('button', { name: /^Cancel/ }).click();
  await page.getByRole('heading', { name: 'Cancel this booking?' }).waitFor();
  await auditPage(page, 'my-bookings-cancel');
  await page.getByLabel('Reason (optional)').fill('We will meet at the library');
  await page.getByRole('button', { name: 'Yes, cancel it' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  check((await page.locator('.govuk-notification-banner').textContent()).includes('is cancelled'), 'a banner says it is cancelled');
  const cancelled = await pageFetch(page, 'GET', `/api/v1/bookings/${id}`);
  check(cancelled.body.status === 'cancelled' && cancelled.body.note === 'We will meet at the library',
    'the API has it cancelled, with the reason', cancelled.body);
  const row = page.locator(`[data-booking="${id}"]`);
  check((await row.textContent()).includes('Cancelled') && await row.getByRole('button').count() === 0,
    'the list shows it cancelled, with nothing more to do', await row.textContent());

  // Move the next one: first to when the venue is shut, then to a suggested time.
  const next = rows.first();
  const moveId = await next.getAttribute('data-booking');
  const before = await pageFetch(page, 'GET', `/api/v1/bookings/${moveId}`);
  await next.getByRole('button', { name: /^Move/ }).click();
  await page.getByRole('heading', { name: /^Move / }).waitFor();
  check(await page.getByLabel('From').inputValue() === before.body.start.slice(11, 16), 'the form starts from the booking\'s own time');
  await auditPage(page, 'my-bookings-move');
  await page.getByLabel('From').fill('22:30');
  await page.getByLabel('To').fill('23:30');
  await page.getByRole('button', { name: 'Move it' }).click();
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' });
  check((await page.locator('.govuk-error-summary').textContent()).includes('not open'),
    'a time the venue is shut is refused in the API\'s words', await page.locator('.govuk-error-summary').textContent());
  check(await page.locator('#move-date-error').isVisible(), 'the refusal is shown by the date');
  const use = page.getByRole('button', { name: /^Use / }).first();
  await use.waitFor();
  await auditPage(page, 'my-bookings-move-refused');
  const words = (await use.textContent()).replace(/^Use /, '');
  await use.click();
  await page.getByRole('button', { name: 'Move it' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  check((await page.locator('.govuk-notification-banner').textContent()).includes(words), 'the banner says the new time', words);
  const after = await pageFetch(page, 'GET', `/api/v1/bookings/${moveId}`);
  check(after.body.start !== before.body.start && after.body.room_id === before.body.room_id,
    'the API has it at the new time, in the same room', { before: before.body.start, after: after.body.start });
});

test('a member makes a calendar link, copies it, and revokes it', async ({ page, context, server }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  await signIn(page, PAT.email);
  await page.goto('/calendar-links');
  await page.getByText('You have no calendar links yet.').waitFor();
  await page.getByLabel('Label (optional)').fill('my phone');
  await page.getByRole('button', { name: 'Make a link' }).click();
  const input = page.getByLabel('Calendar link');
  await input.waitFor();
  const url = await input.inputValue();
  check(url.startsWith(`${server.base}/feeds/private/`) && url.endsWith('.ics'), 'the new link is shown once, on this site', url);
  const webcal = await page.getByRole('link', { name: 'Open in your calendar app' }).getAttribute('href');
  check(webcal === url.replace(/^http:/, 'webcal:'), 'with its webcal: twin', webcal);
  await auditPage(page, 'calendar-links-new');
  await guideShot(page, 'calendar-links-new', 390, page.locator('#new-link'));

  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByText(/^Copied/).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === url, 'Copy puts the link on the clipboard', copied);

  const feed = await fetch(url);
  check(feed.status === 200 && (feed.headers.get('content-type') || '').startsWith('text/calendar'),
    'the feed answers 200 with a calendar', feed.status);
  const row = page.locator('#links .govuk-summary-list__row', { hasText: 'my phone' });
  await row.waitFor();
  check((await row.textContent()).includes('Tuesday Knitters'), 'the list names it and says what it shows', await row.textContent());

  await page.reload();
  await row.waitFor();
  const secret = url.split('/').pop().replace('.ics', '');
  check(!(await page.content()).includes(secret), 'once the page is left, the secret is nowhere on it');
  await row.getByRole('button', { name: 'Revoke the link my phone' }).click();
  await page.getByRole('heading', { name: /^Revoke the link/ }).waitFor();
  await auditPage(page, 'calendar-links-revoke');
  await page.getByRole('button', { name: 'Yes, revoke it' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  check(await page.getByText('You have no calendar links yet.').isVisible(), 'the list is empty again');
  const gone = await fetch(url);
  check(gone.status === 404, 'the revoked link answers 404', gone.status);
});

test('sign in, request a booking and see it in My bookings with the keyboard alone', async ({ page, server }) => {
  const when = demoDay(10); // Friday 11 December 2026
  await page.goto('/sign-in');
  await tabTo(page, '#email');
  await page.keyboard.type(PAT.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('demo-password');
  await Promise.all([page.waitForURL((u) => u.pathname === '/my-bookings'), page.keyboard.press('Enter')]);

  await page.locator('#actions').waitFor({ state: 'visible' });
  await tabTo(page, '#actions a.govuk-button');
  await Promise.all([page.waitForURL((u) => u.pathname === '/request'), page.keyboard.press('Enter')]);
  await page.locator('#room option[value="2"]').waitFor({ state: 'attached' });
  await tabTo(page, '#room');
  await page.keyboard.type('Committee');
  check(await page.locator('#room').inputValue() === '2', 'typing picks the Committee Room', await page.locator('#room').inputValue());
  for (const [id, text] of [['#date-day', when.day], ['#date-month', when.month], ['#date-year', when.year],
    ['#from', '14:00'], ['#to', '15:00'], ['#title', 'Keyboard knitting'], ['#attendees', '6']]) {
    await tabTo(page, id, 5);
    await page.keyboard.type(text);
  }
  await tabTo(page, '#public-yes', 5);
  await page.keyboard.press('Space');
  check(await page.locator('#public-yes').isChecked(), 'Space chooses Public');
  await tabTo(page, '#send', 5);
  check(await focusShows(page), 'the focus is visible on the button');
  await page.keyboard.press('Enter');
  await page.locator('#done').waitFor({ state: 'visible' });
  await tabTo(page, '#done a[href="/my-bookings"]', 5);
  await Promise.all([page.waitForURL((u) => u.pathname === '/my-bookings'), page.keyboard.press('Enter')]);
  const row = page.locator('#upcoming-list .govuk-summary-list__row', { hasText: 'Keyboard knitting' });
  await row.waitFor();
  check((await row.textContent()).includes('Friday 11 December 2026, 2pm to 3pm'), 'My bookings shows it at its time', await row.textContent());
  const api = await pageFetch(page, 'GET', '/api/v1/bookings?group=1&room=2');
  check(api.body.some((b) => b.title === 'Keyboard knitting' && b.start.startsWith(`${when.iso}T14:00`)), 'and so does the API');
});

test('after signing out, no member page works from the old cookie', async ({ page, context }) => {
  await signIn(page, PAT.email);
  const old = (await context.cookies()).find((c) => /halls_session$/.test(c.name));
  await page.goto('/my-bookings');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
  check(await page.getByRole('button', { name: 'Sign out' }).count() === 0, 'Sign out lands on the home page, signed out');
  check(!(await context.cookies()).some((c) => /halls_session$/.test(c.name) && c.value), 'and the cookie is gone');

  for (const path of ['/my-bookings', '/request', '/request-series', '/calendar-links']) {
    await context.addCookies([old]);
    await page.goto(path);
    await page.waitForURL((u) => u.pathname === '/sign-in');
    check(new URL(page.url()).searchParams.get('next') === path, `${path} with the old cookie sends to sign-in and back`, page.url());
  }
  for (const [path, body] of [
    ['/api/v1/bookings', { room_id: 2, group_id: 1, title: 'Stale', start: `${demoDay(9).iso}T10:00`, end: `${demoDay(9).iso}T11:00` }],
    ['/api/v1/feed-tokens', { group_id: 1 }],
  ]) {
    await context.addCookies([old]);
    const r = await pageFetch(page, 'POST', path, body);
    check(r.status === 401, `POST ${path} with the old cookie is 401`, r);
  }
});

test('a member of two groups chooses the group; a manager has the venues\' calendar and no bookings of a group', async ({ page, context }) => {
  await signIn(page, USERS.helen.email);
  await page.goto('/request');
  const group = page.getByLabel('Group');
  await group.locator('option').nth(2).waitFor({ state: 'attached' });
  const names = (await group.locator('option').allTextContents()).slice(1);
  check(names.length === 2 && USERS.helen.groups.every((g) => names.includes(g)), 'the request form offers her two groups', names);
  await page.goto('/my-bookings');
  await page.locator('#upcoming-list').waitFor();
  const intro = await page.locator('#intro').textContent();
  check(USERS.helen.groups.every((g) => intro.includes(g)), 'My bookings is about both groups', intro);
  const forLines = await page.locator('#upcoming-list').getByText(/^For /).allTextContents();
  check(forLines.length > 0, 'each single booking says which group it is for', forLines);
  await auditPage(page, 'my-bookings-two-groups');

  await context.clearCookies();
  await signIn(page, USERS.priya.email);
  await page.goto('/my-bookings');
  await page.getByText('You are not a member of any group').waitFor();
  check(await page.getByRole('link', { name: 'See the requests at your venues' }).isVisible(), 'a manager is sent to the requests instead');
  await page.goto('/calendar-links');
  const venues = page.getByLabel(`Everything at ${USERS.priya.venues[0]}`);
  await venues.waitFor();
  check(await venues.isChecked(), 'a manager is offered the feed of her venue, and only that', await page.locator('#feed-choices').textContent());
  await page.getByRole('button', { name: 'Make a link' }).click();
  await page.getByLabel('Calendar link').waitFor();
  const url = await page.getByLabel('Calendar link').inputValue();
  const feed = await fetch(url);
  check(feed.status === 200 && (await feed.text()).includes('BEGIN:VCALENDAR'), 'her link opens the venue\'s calendar', url);
  await auditPage(page, 'calendar-links-manager');
});

test('a room and a time in the address fill the request form', async ({ page }) => {
  await signIn(page, PAT.email);
  const day = demoDay(9);
  await page.goto(`/request?room=2&start=${day.iso}T10:00&end=${day.iso}T11:30`);
  const fixed = page.locator('#room-fixed-name');
  await fixed.waitFor();
  check((await fixed.textContent()).startsWith('Committee Room, Hartley Road Community Centre'), 'the room is fixed from the address', await fixed.textContent());
  check(await page.getByLabel('Day').inputValue() === day.day && await page.getByLabel('From').inputValue() === '10:00'
    && await page.getByLabel('To').inputValue() === '11:30', 'and the date and times');
  check(await page.getByRole('link', { name: 'Request a weekly series instead' }).getAttribute('href') === '/request-series?room=2',
    'the series link keeps the room');
  await page.getByRole('button', { name: 'Choose another room' }).click();
  check(await page.getByLabel('Room').isVisible() && await page.getByLabel('Room').inputValue() === '2',
    '"Choose another room" shows the list, at that room');
  await auditPage(page, 'request-from-room');
});
