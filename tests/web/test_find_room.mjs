// "Find a room" (/), as a resident uses it, and the page for an unknown address.
import { auditPage, check, demoDay, test } from './lib.mjs';

// Tuesday 8 December 2026, a week after NOW: the Activity Room is booked from 17:00 to
// 19:00 (Code Club), so it is not free from 18:30.
const DAY = demoDay(7);

// The page is ready once its venue list has come from the API.
async function openFindRoom(page) {
  const reply = await page.goto('/');
  check(reply.status() === 200, 'Find a room answers 200', String(reply.status()));
  await page.waitForFunction(() => document.querySelectorAll('#venue option').length > 1);
  return reply;
}

async function fillWhen(page, { day, month, year }, from, to) {
  await page.getByLabel('Day', { exact: true }).fill(day);
  await page.getByLabel('Month', { exact: true }).fill(month);
  await page.getByLabel('Year', { exact: true }).fill(year);
  await page.getByLabel('From', { exact: true }).fill(from);
  await page.getByLabel('To', { exact: true }).fill(to);
}

// The results table's rows as { room, venue, people, features }.
function resultRows(page) {
  return page.locator('#results-body tr').evaluateAll((rows) => rows.map((tr) => {
    const [room, venue, people, features] = [...tr.children].map((c) => c.textContent.trim());
    return { room, venue, people: Number(people), features };
  }));
}

async function getJson(server, path) {
  const reply = await fetch(server.base + path);
  if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status}`);
  return reply.json();
}

// The error summary's links, each clicked in turn: each must move focus to its field.
async function summaryLinksFocusTheirFields(page, what) {
  const summary = page.locator('#errors');
  check(await summary.isVisible(), `${what}: the error summary is shown`);
  check(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'errors',
    `${what}: the error summary has the focus`);
  check(await summary.getByRole('heading', { name: 'There is a problem' }).isVisible(),
    `${what}: the summary says "There is a problem"`);
  const links = await summary.getByRole('link').evaluateAll((as) => as.map((a) => ({
    words: a.textContent, target: a.getAttribute('href').slice(1) })));
  check(links.length > 0, `${what}: the summary links to the fields`);
  for (const [i, { words, target }] of links.entries()) {
    await summary.getByRole('link').nth(i).click();
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    check(focused === target, `${what}: "${words}" moves the focus to #${target}`, `the focus is on #${focused}`);
    const message = page.locator(`#${target}`).locator('xpath=ancestor::*[contains(@class,"govuk-form-group--error")][1]')
      .locator('.govuk-error-message');
    check(await message.first().isVisible(), `${what}: #${target} shows its error by the field`);
  }
  return links.map((l) => l.words);
}

test('Find a room: the empty form', async ({ page }) => {
  await openFindRoom(page);
  check(await page.getByRole('heading', { level: 1 }).textContent() === 'Find a room', 'the heading is Find a room');
  check(await page.getByRole('table').isHidden(), 'no results before a search');
  await auditPage(page, 'find-room');
});

test('a resident finds a step-free room for 30 people', async ({ page, server }) => {
  await openFindRoom(page);
  await fillWhen(page, DAY, '18:30', '21:00');
  await page.getByLabel('Number of people').fill('30');
  await page.getByLabel('Step-free access').check();
  await page.getByRole('button', { name: 'Find rooms' }).click();
  await page.getByRole('table').waitFor();

  const shown = await resultRows(page);
  const query = `free_from=${DAY.iso}T18:30&free_to=${DAY.iso}T21:00&min_capacity=30&feature=step_free`;
  const fits = await getJson(server, `/api/v1/rooms?${query}`);
  const rooms = await getJson(server, '/api/v1/rooms');
  const venues = new Map((await getJson(server, '/api/v1/venues')).map((v) => [v.id, v.name]));
  const key = (room, venue) => `${room} / ${venue}`;
  const byKey = new Map(rooms.map((r) => [key(r.name, venues.get(r.venue_id)), r]));

  check(shown.length > 0, 'some rooms fit', 'the table is empty');
  check(JSON.stringify(shown.map((r) => key(r.room, r.venue)).sort()) ===
    JSON.stringify(fits.map((r) => key(r.name, venues.get(r.venue_id))).sort()),
  'the page shows exactly the rooms the API says are free and fit',
  { shown: shown.map((r) => key(r.room, r.venue)), api: fits.map((r) => key(r.name, venues.get(r.venue_id))) });
  for (const row of shown) {
    const room = byKey.get(key(row.room, row.venue));
    check(room && room.capacity >= 30 && row.people === room.capacity,
      `${key(row.room, row.venue)} holds 30 or more (${row.people})`, room);
    check(room && room.features.includes('step_free') && row.features.includes('Step-free access'),
      `${key(row.room, row.venue)} has step-free access`, room);
  }
  check(!shown.some((r) => r.room === 'Activity Room'),
    'the Activity Room, booked from 17:00 to 19:00 that day, is not offered', shown);
  const heading = await page.locator('#results-heading').textContent();
  check(heading === `${shown.length} room${shown.length === 1 ? '' : 's'} fit${shown.length === 1 ? 's' : ''}`,
    'the results heading counts the rooms', heading);
  await auditPage(page, 'find-room-results');
});

test('an empty form shows the error summary, and its links move the focus', async ({ page }) => {
  await openFindRoom(page);
  await page.getByRole('button', { name: 'Find rooms' }).click();
  const words = await summaryLinksFocusTheirFields(page, 'empty form');
  check(words.includes('Enter the date you need the room'), 'the empty date is named', words);
  const marked = await page.locator('#date .govuk-input--error').count();
  check(marked === 3, 'a missing date outlines all three of its boxes, as GOV.UK does', String(marked));
  check(await page.getByRole('table').isHidden(), 'no results for an empty form');
  await auditPage(page, 'find-room-errors');
});

test('an invalid form shows what is wrong with each field', async ({ page }) => {
  await openFindRoom(page);
  await fillWhen(page, { day: '31', month: '2', year: DAY.year }, '21:00', '18:00');
  await page.getByLabel('Number of people').fill('thirty');
  await page.getByRole('button', { name: 'Find rooms' }).click();
  const words = await summaryLinksFocusTheirFields(page, 'invalid form');
  check(words.some((w) => /real date/.test(w)), '31 February is not a real date', words);
  check(words.some((w) => /end time must be after the start/.test(w)), 'the end must be after the start', words);
  check(words.some((w) => /whole number/.test(w)), '"thirty" is not a number of people', words);
  await auditPage(page, 'find-room-invalid');
});

test('an unknown address shows the page-not-found page', async ({ page }) => {
  const reply = await page.goto('/no-such-page');
  check(reply.status() === 404, 'an unknown page is 404', String(reply.status()));
  check(await page.getByRole('heading', { level: 1 }).textContent() === 'Page not found', 'it says Page not found');
  await auditPage(page, 'not-found');
  await page.locator('#main-content').getByRole('link', { name: 'Find a room' }).click();
  await page.waitForURL('/');
  check(await page.getByRole('heading', { level: 1 }).textContent() === 'Find a room', 'its link leads to Find a room');
});
