// "Find a room" with the keyboard alone: Tab, typing, Space on a checkbox, Enter.
import { check, demoDay, focusShows, tabTo, test } from './lib.mjs';

const DAY = demoDay(7); // Tuesday 8 December 2026

async function openFindRoom(page) {
  await page.goto('/');
  await page.waitForFunction(() => document.querySelectorAll('#venue option').length > 1);
}

const activeId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

// Tabs to a field, checks that the focus shows there, and types words into it.
async function typeInto(page, id, words) {
  await tabTo(page, `#${id}`, 1);
  check(await focusShows(page), `Tab reaches #${id}, and the focus shows there`);
  await page.keyboard.type(words);
}

test('a resident finds a step-free room for 30 with the keyboard alone', async ({ page }) => {
  await openFindRoom(page);
  const first = await tabTo(page, '*', 1);
  check(first[0] === 'a "Skip to main content"', 'the first Tab reaches "Skip to main content"', first);
  // The skip link passes the header and the menu: Enter on it, and the next Tab is in
  // the page's own content.
  await page.keyboard.press('Enter');
  const toDay = await tabTo(page, '#date-day', 5);
  check(toDay.length <= 2, 'after the skip link, the date is the first field', toDay);
  check(await focusShows(page), 'the focus shows on the day');
  await page.keyboard.type(DAY.day);
  await typeInto(page, 'date-month', DAY.month);
  await typeInto(page, 'date-year', DAY.year);
  await typeInto(page, 'from', '18:30');
  await typeInto(page, 'to', '21:00');
  await typeInto(page, 'people', '30');

  await tabTo(page, '#need-step_free', 1);
  check(await focusShows(page), 'Tab reaches Step-free access, and the focus shows there');
  await page.keyboard.press('Space');
  check(await page.locator('#need-step_free').isChecked(), 'Space ticks Step-free access');

  const stops = await tabTo(page, 'button[type="submit"]', 15);
  check(stops.includes('#venue'), 'the way to the button passes the venue list', stops);
  check(await focusShows(page), 'the focus shows on Find rooms');
  await page.keyboard.press('Enter');
  await page.getByRole('table').waitFor();
  const rows = await page.locator('#results-body tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.children].map((c) => c.textContent.trim())));
  check(rows.length > 0, 'Enter shows the rooms that fit', rows);
  check(rows.every(([, , people, features]) => Number(people) >= 30 && features.includes('Step-free access')),
    'each holds 30 or more and has step-free access', rows);
});

test('the error summary works with the keyboard alone', async ({ page }) => {
  await openFindRoom(page);
  await tabTo(page, 'button[type="submit"]');
  await page.keyboard.press('Enter');
  check(await activeId(page) === 'errors', 'Enter on an empty form moves the focus to the error summary');
  await tabTo(page, '#error-list a', 1);
  check(await focusShows(page), 'Tab reaches the first error, and the focus shows there');
  await page.keyboard.press('Enter');
  check(await activeId(page) === 'date-day', 'Enter on it moves the focus to the day', await activeId(page));
  await page.keyboard.type(DAY.day);
  check(await page.locator('#date-day').inputValue() === DAY.day, 'and typing fills the day in');
});
