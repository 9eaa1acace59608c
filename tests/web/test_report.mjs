// Usage reports (/reports): Sam, the manager of Brook Park Pavilion and Northside Youth
// Centre, opens the page, sees his venues only (charts, each with its text alternative,
// and tables beside them), narrows it to one venue and a kind of group, and downloads a
// table as CSV; Alex, the admin, sees every venue; a member is told the page is for venue
// managers. Every figure shown is checked against GET /api/v1/reports/usage as the page's
// user asks it.
import { USERS, auditPage, check, pageFetch, signIn, test } from './lib.mjs';

const BROOK_PARK = 4;

async function openReport(page, path = '/reports') {
  const reply = await page.goto(path);
  check(reply.status() === 200, `${path} answers 200`, String(reply.status()));
  await page.waitForFunction(() => {
    const said = document.getElementById('report-status');
    return said && !/Loading/.test(said.textContent);
  });
}

// The rows of a table (its body's first cells), as the page shows them.
async function rowHeads(page, id) {
  return page.locator(`#${id} tbody th`).allTextContents();
}

async function hoursShown(page, id, column) {
  return page.locator(`#${id} tbody tr`).evaluateAll((rows, col) => rows.map((r) => r.children[col].textContent.trim()), column);
}

const hours = (seconds) => String(Math.round((seconds / 3600) * 100) / 100);

test('a manager opens the report, changes the filters and sees charts and tables', async ({ page }) => {
  await signIn(page, USERS.sam.email);
  await page.goto('/');
  check(await page.getByRole('link', { name: 'Reports' }).isVisible(), 'the menu offers a manager Reports');
  await openReport(page);
  const api = await pageFetch(page, 'GET', '/api/v1/reports/usage');
  check(api.status === 200, 'the page user may read the report', api);
  const venues = await rowHeads(page, 'venues-table');
  check(JSON.stringify(venues) === JSON.stringify(USERS.sam.venues), 'the manager sees his venues and no other', venues);
  const shownRooms = await hoursShown(page, 'rooms-table', 1);
  check(JSON.stringify(shownRooms) === JSON.stringify(api.body.rooms.map((r) => hours(r.approved_seconds))),
    'the rooms table shows the API\'s hours', { shownRooms, api: api.body.rooms });
  for (const id of ['months-chart', 'rooms-chart']) {
    const chart = page.locator(`#${id} svg[role="img"]`);
    check(await chart.count() === 1, `${id} is one SVG image`);
    const named = await chart.evaluate((svg) => {
      const ids = (svg.getAttribute('aria-labelledby') || '').split(' ');
      return ids.map((i) => document.getElementById(i)?.textContent || '').join(' | ');
    });
    check(/Hours booked by/.test(named) && /hours?/.test(named), `${id} has a text alternative with its figures`, named);
    check(await chart.locator('rect.halls-chart__bar').count() > 0, `${id} draws bars`);
  }
  check(await page.locator('#summary svg[role="img"][aria-label*="% of open hours booked"]').count() === 1,
    'occupancy is a percentage bar with words');
  await auditPage(page, 'reports');

  // One venue, charities only, through the form.
  await page.getByLabel('Venue', { exact: true }).selectOption(String(BROOK_PARK));
  await page.getByLabel('Kind of group', { exact: true }).selectOption('charity');
  await page.getByLabel('From', { exact: true }).fill('2026-12-01');
  await page.getByLabel('Up to', { exact: true }).fill('2027-01-01');
  await Promise.all([page.waitForURL(/venue=4/), page.getByRole('button', { name: 'Show report' }).click()]);
  await openReport(page, page.url().replace(/^https?:\/\/[^/]+/, ''));
  const one = await pageFetch(page, 'GET', '/api/v1/reports/usage?from=2026-12-01&to=2027-01-01&venue=4&kind=charity');
  check(JSON.stringify(await rowHeads(page, 'venues-table')) === JSON.stringify(['Brook Park Pavilion']),
    'the venue filter leaves one venue');
  const kinds = await rowHeads(page, 'kinds-table');
  check(JSON.stringify(kinds) === JSON.stringify(['Charities']), 'the kind filter leaves charities', kinds);
  const groups = await rowHeads(page, 'groups-table');
  check(JSON.stringify(groups) === JSON.stringify(one.body.groups.map((g) => g.name)),
    'the groups table lists the API\'s groups', { groups, api: one.body.groups });
  check(await page.getByLabel('Venue', { exact: true }).inputValue() === String(BROOK_PARK), 'the form keeps the venue chosen');
  const link = page.getByRole('link', { name: 'By room (CSV)' });
  const csv = await pageFetch(page, 'GET', await link.getAttribute('href'));
  check(csv.status === 200 && /text\/csv/.test(csv.headers['content-type'] || '') && /venue=4/.test(await link.getAttribute('href')),
    'the CSV link gives the same report as CSV', csv.status);
  await auditPage(page, 'reports-filtered');

  // Another manager's venue is not offered, and a window too long is refused in words.
  await openReport(page, '/reports?from=2026-01-01&to=2030-01-01');
  const summary = await page.locator('#errors').textContent();
  check(/at most 1096 days/.test(summary), 'a window over three years is refused in words', summary);
  await auditPage(page, 'reports-error');
});

test('an admin sees every venue', async ({ page, server }) => {
  await signIn(page, USERS.alex.email);
  await openReport(page);
  const venues = await (await fetch(`${server.base}/api/v1/venues`)).json();
  const shown = await rowHeads(page, 'venues-table');
  check(JSON.stringify(shown) === JSON.stringify(venues.map((v) => v.name)), 'the admin sees every venue', shown);
  const options = await page.getByLabel('Venue', { exact: true }).locator('option').count();
  check(options === venues.length + 1, 'the admin may choose any venue', options);
  await auditPage(page, 'reports-admin');
});

test('a member is told the page is for venue managers', async ({ page }) => {
  await signIn(page, USERS.pat.email);
  await page.goto('/');
  check(await page.getByRole('link', { name: 'Reports' }).count() === 0, 'the menu offers a member no Reports');
  await page.goto('/reports');
  await page.locator('#not-manager').waitFor();
  check(await page.locator('#manager-content').isHidden(), 'a member sees none of the report');
  const api = await pageFetch(page, 'GET', '/api/v1/reports/usage');
  check(api.status === 403, 'and the API refuses a member (403)', api.status);
  await auditPage(page, 'reports-member');
});
