// Provisional holds (docs/fair-access.md#holds-that-expire) on the pages: the demo's
// Community Kitchen (room 3) holds each request for 48 hours, and the Tuesday Knitters
// asked for it when the demo was made (NOW), so their request is held until Thursday
// 3 December 2026, midnight. The manager sees the hold on /requests; Pat, a Knitter,
// sees "Held for you until ..." on /my-bookings; another group asking for the same time
// is refused in words that do not name the Knitters.
import { NOW, USERS, auditPage, check, pageFetch, signIn, test } from './lib.mjs';

const HARTLEY = 1;
const UNTIL = 'Thursday 3 December 2026, midnight'; // NOW + 48 hours, in London

// The demo's held request, as the signed-in manager or member reads it from the API.
async function heldRequest(page, query) {
  const listed = await pageFetch(page, 'GET', `/api/v1/bookings?${query}&status=pending`);
  const held = (listed.body || []).find((b) => b.title === 'Christmas baking');
  check(held && held.held_until_ts === NOW + 48 * 3600,
    'the API says the demo request is held for 48 hours from when it was made', held || listed);
  return held;
}

test('the manager sees a held request on /requests', async ({ page }) => {
  await signIn(page, USERS.priya.email);
  const held = await heldRequest(page, `venue=${HARTLEY}`);
  if (!held) return;
  await page.goto('/requests');
  const section = page.locator(`#request-b${held.id}`);
  await section.waitFor();
  await page.waitForFunction(() => !/Checking/.test(document.getElementById('requests-list').textContent));
  const words = (await section.textContent()).replace(/\s+/g, ' ');
  check(words.includes(`Held until${UNTIL}`) || words.includes(`Held until ${UNTIL}`),
    'the request says until when it is held, in words', words);
  check(words.includes('Decide it by then, or the hold lapses'), 'the manager is told to decide before then', words);
  await auditPage(page, 'requests-held');
});

test('a member sees their group\'s request held for them on /my-bookings', async ({ page }) => {
  await signIn(page, USERS.pat.email);
  const held = await heldRequest(page, 'group=1');
  if (!held) return;
  await page.goto('/my-bookings');
  const row = page.locator(`[data-booking="${held.id}"]`);
  await row.waitFor();
  const words = (await row.textContent()).replace(/\s+/g, ' ');
  check(words.includes(`Held for you until ${UNTIL}`), 'the booking says it is held for the group', words);
  await auditPage(page, 'my-bookings-held');
});

test('another group asking for the held time is refused without naming the holder', async ({ page }) => {
  await signIn(page, USERS.pat.email);
  const held = await heldRequest(page, 'group=1');
  if (!held) return;
  await signIn(page, USERS.helen.email);
  const reply = await pageFetch(page, 'POST', '/api/v1/bookings', {
    room_id: held.room_id, group_id: 3, title: 'Soup for the street', attendees: 8,
    start: held.start, end: held.end,
  });
  check(reply.status === 409 && reply.body.type === '/problems/slot-held', 'the request is refused as held (409 /problems/slot-held)', reply);
  const detail = reply.body.detail || '';
  check(detail.includes(`Community Kitchen is held for another group's request until ${UNTIL}`),
    'the refusal says until when, in words', detail);
  check(!detail.includes('Knitters'), 'the refusal does not name the group that holds it', detail);
});
