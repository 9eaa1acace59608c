// Date sets in the browser: a manager (Grace, St Aidan's, venue 3) imports an .ics file
// on /date-sets and makes a closure follow the set on /closures; a member (Chris, St
// Aidan's PTA) asks for a series on /request-series that skips the school holidays, and
// sees the skipped date named in the preview. Every outcome is checked against the API.
import { USERS, auditPage, check, pageFetch, signIn, test } from './lib.mjs';

const ST_AIDANS = 3;
const MUSIC_ROOM = 7;
const SCHOOL_HOLIDAYS = 2; // the demo's St Aidan's school holidays

const INSET_ICS = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//St Aidan\'s//inset//EN',
  'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270107', 'DTEND;VALUE=DATE:20270109',
  'SUMMARY:Inset day', 'END:VEVENT',
  'BEGIN:VEVENT', 'DTSTART:20270112T180000Z', 'SUMMARY:Governors meeting', 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

test('a manager imports an .ics file and makes a closure follow it', async ({ page }) => {
  await signIn(page, USERS.grace.email);
  const reply = await page.goto('/date-sets');
  check(reply.status() === 200, '/date-sets answers 200', String(reply.status()));
  await page.waitForFunction(() => !/Loading/.test(document.getElementById('list-status').textContent));
  const listed = await page.locator('#list').textContent();
  check(listed.includes('Bank holidays in England and Wales') && listed.includes("St Aidan's school holidays"),
    'the borough\'s set and the venue\'s are listed', listed.slice(0, 200));
  check(await page.locator('#edit-1').count() === 0, 'a manager may not change the borough\'s set');
  await auditPage(page, 'date-sets');

  await page.locator('#file').setInputFiles({ name: 'inset.ics', mimeType: 'text/calendar', buffer: Buffer.from(INSET_ICS) });
  await page.getByLabel('Name (optional)').fill('Inset days');
  await page.getByRole('button', { name: 'Import' }).click();
  const banner = page.locator('#banner');
  await banner.waitFor();
  const said = (await banner.textContent()).replace(/\s+/g, ' ');
  check(said.includes('Imported “Inset days”: 2 dates') && said.includes('Governors meeting'),
    'the import says what it made and what it left out', said);
  const sets = await pageFetch(page, 'GET', `/api/v1/date-sets?venue=${ST_AIDANS}`);
  const inset = sets.body.find((s) => s.name === 'Inset days');
  check(inset && inset.venue_id === ST_AIDANS && inset.dates.map((d) => d.date).join() === '2027-01-07,2027-01-08',
    'the set is the venue\'s, with the two days of the event', inset);
  await auditPage(page, 'date-sets-imported');

  await page.goto('/closures');
  await page.waitForFunction(() => !/Loading/.test(document.getElementById('list-status').textContent));
  await page.getByLabel('Close on the days of a date set').selectOption({ label: 'Inset days (2 days)' });
  await page.getByLabel('Reason').fill('Inset day: the school is closed');
  await page.getByRole('button', { name: 'Add closure' }).click();
  await page.locator('#banner').waitFor();
  const list = (await page.locator('#list-table').textContent()).replace(/\s+/g, ' ');
  check(list.includes('All day on every date of “Inset days”'), 'the closure is listed once, as following the set', list.slice(0, 300));
  const closures = await pageFetch(page, 'GET', `/api/v1/closures?venue=${ST_AIDANS}`);
  const following = closures.body.filter((c) => c.date_set_id === inset.id);
  check(following.length === 2 && following[0].start.startsWith('2027-01-07T00:00'),
    'the API lists the closure on each day of the set', following);
  await auditPage(page, 'closures-date-set');
});

test('a member asks for a series that skips the school holidays', async ({ page }) => {
  await signIn(page, USERS.chris.email);
  await page.goto(`/request-series?room=${MUSIC_ROOM}`);
  const box = page.getByLabel(/St Aidan's school holidays/);
  await box.waitFor();
  await page.getByLabel('Title').fill('Book sale planning');
  await page.getByLabel('Private', { exact: true }).check();
  const first = page.getByRole('group', { name: 'First date' });
  await first.getByLabel('Day').fill('4');
  await first.getByLabel('Month').fill('2');
  await first.getByLabel('Year').fill('2027');
  await page.getByLabel('From').fill('17:30');
  await page.getByLabel('To').fill('18:30');
  await page.getByLabel('After a number of times').check();
  await page.getByLabel('How many times').fill('4');
  await box.check();
  await page.getByRole('button', { name: 'Preview the dates' }).click();
  const rows = page.locator('#preview-table tbody tr');
  await rows.first().waitFor();
  const texts = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' '));
  check(texts.length === 4 && texts[2].includes('Skipped') && texts[2].includes('February half term')
    && texts[2].includes('18 February 2027'),
  'the third Thursday is skipped, with the set and the day named', texts);
  const summary = await page.locator('#preview-summary').textContent();
  check(summary.includes('1 is skipped'), 'the summary counts the skipped date', summary);
  await auditPage(page, 'request-series-skipped');
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.locator('#done').waitFor({ state: 'visible' });
  const done = await page.locator('#done').textContent();
  check(done.includes('3 dates'), 'the series is made with the three other dates', done);
  const series = await pageFetch(page, 'GET', `/api/v1/series?room=${MUSIC_ROOM}`);
  const made = series.body.find((s) => s.title === 'Book sale planning');
  check(made && made.skip_date_sets.join() === String(SCHOOL_HOLIDAYS), 'the series keeps the set it skipped', made);
});
