// The rules page (/rules) as a resident reads it, with no sign-in: every rule the API
// publishes is on the page, under its venue and room; choosing a venue shows only that
// venue's; and a room's hold and waitlist, once an administrator sets them on the room
// page, are on the rules page in words.
import { USERS, auditPage, check, pageFetch, signIn, test } from './lib.mjs';

async function published(server, venue) {
  const reply = await fetch(`${server.base}/api/v1/rules${venue ? `?venue=${venue}` : ''}`);
  check(reply.status === 200, `GET /api/v1/rules${venue ? `?venue=${venue}` : ''} answers 200`, String(reply.status));
  return (await reply.json()).rules;
}

async function shownRules(page) {
  await page.locator('#rules li').first().waitFor();
  return page.locator('#rules li').evaluateAll((items) => items.map((li) => li.textContent.trim()));
}

test('a resident reads every published rule, and one venue\'s', async ({ page, server }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Rules', exact: true }).click();
  await page.waitForURL('**/rules');
  const all = await published(server);
  const shown = await shownRules(page);
  check(shown.length === all.length && all.every((r) => shown.includes(r.says)),
    'the page shows each rule the API publishes, in its words', { shown: shown.length, api: all.length });
  check(await page.getByRole('heading', { level: 2, name: 'Hartley Road Community Centre' }).count() === 1,
    'the rules are grouped under each venue');
  check(await page.getByRole('heading', { level: 3, name: 'Main Hall' }).count() >= 1,
    "and each room's under the room");
  await auditPage(page, 'rules');

  await page.getByLabel('Venue').selectOption({ label: 'Marsh Lane Library' });
  await page.getByRole('button', { name: 'Show the rules' }).click();
  await page.waitForURL('**/rules?venue=2');
  const one = await published(server, 2);
  const narrowed = await shownRules(page);
  check(narrowed.length === one.length && one.every((r) => narrowed.includes(r.says)),
    "choosing a venue shows that venue's rules alone", { shown: narrowed.length, api: one.length });
  check(!narrowed.some((s) => s.includes('Hartley Road')), 'and none of another venue');
});

test('an administrator gives a room a hold and a waitlist order, and the rules say so', async ({ page, server }) => {
  await signIn(page, USERS.alex.email);
  await page.goto('/admin-room?id=3');
  await page.getByLabel('Provisional hold, in hours').fill('48');
  await page.getByLabel('Keep it waiting, without a hold').check();
  await page.getByLabel('Waitlist offer, in hours').fill('12');
  await page.getByLabel('Charities').check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL('**/admin-rooms**');
  const room = await pageFetch(page, 'GET', '/api/v1/rooms/3');
  check(room.body.hold_hours === 48 && room.body.hold_lapse === 'keep' && room.body.offer_hours === 12 &&
    JSON.stringify(room.body.waitlist_priority) === '["charity"]',
  'the room page saves the hold, what its end does, the offer time and the order', room.body);

  await page.goto('/rules?venue=1');
  const shown = await shownRules(page);
  check(shown.some((s) => s.startsWith('Community Kitchen: a request holds its slot for 48 hours') &&
    s.includes('stays waiting')), 'the rules page says what a hold is in that room', shown);
  check(shown.some((s) => s.includes('for 12 hours; groups are offered it in this order: charities, then everyone else')),
    'and who its waitlist serves first', shown);
});
