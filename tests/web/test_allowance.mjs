// /allowances and the approval over an allowance on /requests: Priya, the demo's manager
// of Hartley Road Community Centre (venue 1), sees the Residents' Association's 12 hours a
// month in the Main Hall and Committee Room and their use this month (the demo's
// bookings use 10 hours of December, and a request of 3 more waits for approval: 13),
// adds an allowance for the Tuesday Knitters, changes it and removes it; Helen, a member
// of the Association, sees her group's allowance and use, and Pat, whose group has none,
// is told so; and Priya approves the waiting request over the allowance, which the audit
// log records. Every outcome is checked against the API.
import { USERS, auditPage, check, pageFetch, signIn, test } from './lib.mjs';

const ALLOWANCE = 1; // the demo's: Hartley Road Residents' Association (group 3)

async function openAllowances(page, query = '') {
  const reply = await page.goto(`/allowances${query}`);
  check(reply.status() === 200, '/allowances answers 200', String(reply.status()));
  await page.waitForFunction(() => !/Loading/.test(document.getElementById('list-status').textContent));
}

async function bannerWords(page) {
  const banner = page.locator('#banner');
  await banner.waitFor();
  return (await banner.textContent()).replace(/\s+/g, ' ');
}

async function clearBanner(page) {
  await page.evaluate(() => document.getElementById('banner')?.remove());
}

test('a manager sees each group\'s use and adds, changes and removes an allowance', async ({ page }) => {
  await signIn(page, USERS.priya.email);
  await openAllowances(page);
  const menu = page.locator('.govuk-service-navigation__link[href="/allowances"]');
  check(await menu.count() === 1, 'the menu has Allowances for a manager');
  const card = page.locator(`#allowance-${ALLOWANCE}`);
  const words = (await card.textContent()).replace(/\s+/g, ' ');
  check(words.includes("Hartley Road Residents' Association") && words.includes('12 hours a month')
    && words.includes('Main Hall, Committee Room at Hartley Road Community Centre'),
  'the demo\'s allowance is shown with its group, rooms and hours', words);
  check(words.includes('13 of 12 hours used (December 2026)'), 'with its use this month', words);
  check(await card.locator('progress').count() === 1, 'and a bar of the use');
  await auditPage(page, 'allowances');

  // A mistake first: no hours.
  await page.selectOption('#group', '1');
  await page.click('#save-button');
  await page.locator('#errors:not(.halls-hidden)').waitFor();
  const said = (await page.locator('#errors').textContent()).replace(/\s+/g, ' ');
  check(/Enter the hours/.test(said), 'an allowance without hours is refused by the form', said);
  await auditPage(page, 'allowances-errors');

  await page.fill('#hours', '4');
  await page.selectOption('#period', 'week');
  await page.click('#save-button');
  check(/Added the allowance of Tuesday Knitters: 4 hours a week/.test(await bannerWords(page)),
    'the banner says what was added');
  let list = (await pageFetch(page, 'GET', '/api/v1/allowances?group=1')).body;
  const added = list.find((a) => a.minutes === 240 && a.period === 'week');
  check(added && added.venue_id === 1 && added.over === 'refuse', 'the API has it, at Priya\'s venue', list);
  if (!added) return;

  await clearBanner(page);
  await page.click(`#change-${added.id}`);
  check(await page.locator('#hours').inputValue() === '4', 'Change fills the form with the allowance');
  await page.fill('#hours', '6');
  await page.check('#over-approval');
  await page.click('#save-button');
  check(/Changed the allowance of Tuesday Knitters: 6 hours a week/.test(await bannerWords(page)),
    'the banner says what changed');
  list = (await pageFetch(page, 'GET', `/api/v1/allowances/${added.id}`)).body;
  check(list.minutes === 360 && list.over === 'approval', 'the API has the change', list);

  await clearBanner(page);
  await page.click(`#remove-${added.id}`);
  await page.locator('#confirm-heading').waitFor();
  await auditPage(page, 'allowances-remove');
  await page.click('#confirm-remove');
  check(/Removed the allowance of Tuesday Knitters/.test(await bannerWords(page)), 'the banner says it is removed');
  const gone = await pageFetch(page, 'GET', `/api/v1/allowances/${added.id}`);
  check(gone.status === 404, 'the API has it no more', gone);
});

test('a member sees their group\'s allowance and use; another member is told there is none', async ({ page }) => {
  await signIn(page, USERS.helen.email);
  await openAllowances(page);
  check(await page.locator('.govuk-service-navigation__link[href="/allowances"]').count() === 1,
    'the menu has Allowances for a member');
  const words = (await page.locator(`#allowance-${ALLOWANCE}`).textContent()).replace(/\s+/g, ' ');
  check(words.includes('13 of 12 hours used (December 2026)'), 'Helen sees her group\'s use', words);
  check(await page.locator('#allowance-form').isHidden(), 'a member has no form to change it');
  check(await page.locator(`#change-${ALLOWANCE}`).count() === 0, 'nor a Change button');
  await auditPage(page, 'allowances-member');
  await openAllowances(page, '?at=2027-01-04');
  const january = (await page.locator(`#allowance-${ALLOWANCE}`).textContent()).replace(/\s+/g, ' ');
  check(january.includes('of 12 hours used (January 2027)'), '?at= shows another month', january);

  await signIn(page, USERS.pat.email);
  await openAllowances(page);
  const status = await page.locator('#list-status').textContent();
  check(/No allowance applies/.test(status), 'Pat, whose group has none, is told so', status);
});

test('a manager approves a request over the allowance, and the override is recorded', async ({ page }) => {
  await signIn(page, USERS.priya.email);
  const reply = await page.goto('/requests');
  check(reply.status() === 200, '/requests answers 200');
  // The demo's request over the allowance, waiting for approval, found by its title.
  const waiting = (await pageFetch(page, 'GET', '/api/v1/bookings?group=3&status=pending')).body;
  const PLANNING = waiting.find((b) => b.title === 'Planning committee').id;
  const approve = page.locator(`#approve-b${PLANNING}`);
  await approve.waitFor();
  await approve.click();
  const error = page.locator('#errors:not(.halls-hidden)');
  await error.waitFor();
  const said = (await error.textContent()).replace(/\s+/g, ' ');
  check(said.includes('has used 10 of its 12 hours') && said.includes('would make 13'),
    'the approval is refused with the figures', said);
  const over = page.locator(`#override-b${PLANNING}`);
  await over.waitFor();
  await auditPage(page, 'requests-over-allowance');
  await over.click();
  check(/Approved “Planning committee”/.test(await bannerWords(page)), 'approved over the allowance');
  const b = (await pageFetch(page, 'GET', `/api/v1/bookings/${PLANNING}`)).body;
  check(b.status === 'approved', 'the API has it approved', b);
  const audit = (await pageFetch(page, 'GET', `/api/v1/audit?booking=${PLANNING}`)).body;
  const entry = (audit || []).find((e) => e.action === 'override-allowance');
  check(entry && /would make 13/.test(entry.note), 'the audit log records the override with the figures', audit);
});
