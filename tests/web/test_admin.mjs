// The administration pages (/admin, /admin-venues, /admin-rooms, /admin-groups,
// /admin-users and their forms), as an administrator uses them on the demo: what each
// form saves is read back from the API, each refusal is shown in the API's own words
// against its field, and each state of each page is audited.
import { USERS, auditPage, check, pageFetch, signIn, test } from './lib.mjs';

// Signs in with lib.mjs's signIn: through the sign-in page, once that page is on this
// branch; until then (/sign-in is the 404 page) as the sign-in page's script would.
async function signInAs(page, server, email, password) {
  if ((await fetch(`${server.base}/sign-in`)).status !== 404) return signIn(page, email, password);
  await page.goto('/');
  const reply = await pageFetch(page, 'POST', '/api/v1/session', { email, password: password || 'demo-password', cookie: true });
  if (reply.status !== 201) throw new Error(`sign-in as ${email}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.user;
}

async function api(page, method, path, body) {
  return pageFetch(page, method, path, body);
}

// The words of the success banner a form leaves on the list it returns to; when the
// form shows a refusal instead, "refused: " and its words, for the check to print.
async function bannerWords(page) {
  const shown = page.locator('#banner, #errors:not(.halls-hidden)');
  await shown.first().waitFor();
  if (await page.locator('#banner').count() === 0) {
    return `refused: ${(await page.locator('#error-list').textContent()).trim()} (at ${page.url()})`;
  }
  return (await page.locator('#banner .govuk-notification-banner__heading').textContent()).trim();
}

function checkBanner(seen, want, what) {
  check(seen === want, what, `the page says: ${seen}`);
}

// The error summary's items, and the message shown by the field id (visually hidden
// "Error: " taken off).
async function summaryWords(page) {
  await page.locator('#errors:not(.halls-hidden)').waitFor();
  return (await page.locator('#error-list li').allTextContents()).map((t) => t.trim());
}

async function fieldError(page, field) {
  const message = page.locator(`#${field}-error`);
  if (!(await message.isVisible())) return null;
  return (await message.textContent()).replace(/^Error:\s*/, '').trim();
}

// The cells of the list's row whose header is name (or starts with it), or null, once
// the list is drawn.
async function rowOf(page, name) {
  await page.locator('#list table').waitFor();
  const rows = await page.locator('#list tbody tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.children].map((c) => c.textContent.trim())));
  return rows.find((cells) => cells[0] === name || cells[0].startsWith(`${name}`)) || null;
}

// Waits for the request the page sends, and returns its method and parsed body.
async function sent(page, method, pathPart, action) {
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === method && r.url().includes(pathPart)),
    action(),
  ]);
  const text = request.postData();
  return text ? JSON.parse(text) : null;
}

const NEW_ROOM = {
  venue: 'Marsh Lane Library',
  name: 'Quiet Room',
  description: 'A small room at the back, for talks and meetings.',
  capacity: '14',
  features: ['Step-free access', 'Wi-Fi', 'Hearing loop'],
  approval: 'Trusted groups at once',
  rules: {
    'Setting-up time, in minutes': '5',
    'Clearing-up time, in minutes': '10',
    'Shortest booking, in minutes': '45',
    'Longest booking, in minutes': '180',
    'Notice needed, in minutes': '120',
    'How far ahead, in days': '90',
    'Most dates in one repeating booking': '20',
  },
};

test('an administrator adds a room, changes it, is refused in the API\'s words, and removes it', async ({ page, server }) => {
  await signInAs(page, server, USERS.alex.email);

  await page.goto('/admin');
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  await page.waitForFunction(() => !document.getElementById('count-users').textContent.includes('Counting'));
  const rooms = (await api(page, 'GET', '/api/v1/rooms')).body;
  check((await page.locator('#count-rooms').textContent()) === `${rooms.length} rooms`,
    'the index counts the rooms as the API lists them', await page.locator('#count-rooms').textContent());
  const users = (await api(page, 'GET', '/api/v1/users')).body;
  check((await page.locator('#count-users').textContent()) === `${users.length} users`,
    'the index counts the users', await page.locator('#count-users').textContent());
  await auditPage(page, 'admin');

  await page.getByRole('link', { name: 'Manage rooms' }).click();
  await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
  await page.locator('#list table').waitFor();
  check(await page.locator('#list tbody tr').count() === rooms.length, 'the rooms list has every room',
    { shown: await page.locator('#list tbody tr').count(), api: rooms.length });
  await auditPage(page, 'admin-rooms');

  await page.getByRole('button', { name: 'Add a room' }).click();
  await page.getByRole('heading', { level: 1, name: 'Add a room' }).waitFor();
  await page.getByLabel('Venue', { exact: true }).selectOption({ label: NEW_ROOM.venue });
  await page.getByLabel('Name', { exact: true }).fill(NEW_ROOM.name);
  await page.getByLabel('Description', { exact: true }).fill(NEW_ROOM.description);
  await page.getByLabel('Capacity', { exact: true }).fill(NEW_ROOM.capacity);
  for (const words of NEW_ROOM.features) await page.getByLabel(words, { exact: true }).check();
  await page.getByLabel(NEW_ROOM.approval, { exact: true }).check();
  for (const [label, value] of Object.entries(NEW_ROOM.rules)) await page.getByLabel(label, { exact: true }).fill(value);
  await auditPage(page, 'admin-room-add');
  const posted = await sent(page, 'POST', '/api/v1/rooms', () => page.getByRole('button', { name: 'Add room' }).click());
  checkBanner(await bannerWords(page), 'Quiet Room has been added', 'the rooms list says the room was added');
  check(new URL(page.url()).search === '?venue=2', 'the list shows the new room\'s venue', page.url());
  const row = await rowOf(page, NEW_ROOM.name);
  check(row && row[0] === `${NEW_ROOM.name}${NEW_ROOM.venue}Trusted groups approved at once` && row[1] === NEW_ROOM.capacity,
    'the new room is in the list, at its venue, with its approval, for 14 people', row);

  const listed = (await api(page, 'GET', '/api/v1/rooms?venue=2')).body.find((r) => r.name === NEW_ROOM.name);
  const room = listed && (await api(page, 'GET', `/api/v1/rooms/${listed.id}`)).body;
  const want = {
    venue_id: 2, name: NEW_ROOM.name, description: NEW_ROOM.description, capacity: 14,
    features: ['hearing_loop', 'step_free', 'wifi'], approval: 'trusted', setup_minutes: 5,
    cleanup_minutes: 10, min_minutes: 45, max_minutes: 180, notice_minutes: 120,
    horizon_days: 90, max_occurrences: 20,
  };
  const got = room && Object.fromEntries(Object.keys(want).map((k) =>
    [k, Array.isArray(room[k]) ? [...room[k]].sort() : room[k]]));
  check(JSON.stringify(got) === JSON.stringify(want), 'GET /api/v1/rooms/<id> has every value the form was given', { got, want, posted });
  if (!room) return;

  // Capacity 0: the API's words, by the capacity field; nothing is changed.
  await page.getByRole('link', { name: `Change ${NEW_ROOM.name}` }).click();
  await page.getByRole('heading', { level: 1, name: `Change ${NEW_ROOM.name}` }).waitFor();
  check(await page.getByLabel('Capacity', { exact: true }).inputValue() === '14', 'the change form shows the room\'s capacity');
  await page.getByLabel('Capacity', { exact: true }).fill('0');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const refusal = await api(page, 'PATCH', `/api/v1/rooms/${room.id}`, { capacity: 0 });
  const summary = await summaryWords(page);
  check(summary.length === 1 && summary[0] === refusal.body.detail, 'capacity 0 is refused in the API\'s words', { summary, api: refusal.body });
  check(await fieldError(page, 'capacity') === refusal.body.detail, 'the refusal is shown by the capacity field', await fieldError(page, 'capacity'));
  check(await page.evaluate(() => document.activeElement.id) === 'errors', 'the error summary has the focus');
  await auditPage(page, 'admin-room-error');

  // The shortest booking longer than the longest: the API's words, by the shortest.
  await page.getByLabel('Capacity', { exact: true }).fill('14');
  await page.getByLabel('Shortest booking, in minutes', { exact: true }).fill('300');
  await page.getByLabel('Longest booking, in minutes', { exact: true }).fill('60');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForFunction(() => document.getElementById('min_minutes-error')?.offsetParent);
  check(await fieldError(page, 'min_minutes') === 'min_minutes (300) is more than max_minutes (60)',
    'a shortest booking longer than the longest is refused by its field', await fieldError(page, 'min_minutes'));
  check(await fieldError(page, 'capacity') === null, 'the capacity\'s old error is gone');
  const unchanged = (await api(page, 'GET', `/api/v1/rooms/${room.id}`)).body;
  check(unchanged.capacity === 14 && unchanged.min_minutes === 45, 'the refused changes changed nothing', unchanged);

  // Capacity 20: only the capacity is sent.
  await page.getByLabel('Shortest booking, in minutes', { exact: true }).fill('45');
  await page.getByLabel('Longest booking, in minutes', { exact: true }).fill('180');
  await page.getByLabel('Capacity', { exact: true }).fill('20');
  const patch = await sent(page, 'PATCH', `/api/v1/rooms/${room.id}`, () => page.getByRole('button', { name: 'Save changes' }).click());
  check(JSON.stringify(patch) === '{"capacity":20}', 'the change sends only what changed', patch);
  checkBanner(await bannerWords(page), 'Quiet Room has been changed', 'the list says the room was changed');
  check((await api(page, 'GET', `/api/v1/rooms/${room.id}`)).body.capacity === 20, 'the API has the new capacity');

  await page.getByRole('link', { name: `Remove ${NEW_ROOM.name}` }).click();
  await page.getByRole('heading', { level: 1, name: 'Are you sure you want to remove Quiet Room?' }).waitFor();
  await auditPage(page, 'admin-remove');
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  checkBanner(await bannerWords(page), 'Quiet Room has been removed', 'the list says the room was removed');
  check(await rowOf(page, NEW_ROOM.name) === null, 'the room is no longer listed');
  check((await api(page, 'GET', `/api/v1/rooms/${room.id}`)).status === 404, 'the API no longer has the room');
});

test('a venue or room still in use is not removed, and the core\'s words say why', async ({ page, server }) => {
  await signInAs(page, server, USERS.alex.email);
  for (const [kind, id, name] of [['venue', 1, 'Hartley Road Community Centre'], ['room', 1, 'Main Hall']]) {
    await page.goto(`/admin-remove?kind=${kind}&id=${id}`);
    await page.getByRole('heading', { level: 1, name: `Are you sure you want to remove ${name}?` }).waitFor();
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    const summary = await summaryWords(page);
    const refusal = await api(page, 'DELETE', `/api/v1/${kind}s/${id}`);
    check(refusal.status === 409 && summary.length === 1 && summary[0] === refusal.body.detail,
      `removing ${name} shows the core's refusal as it is`, { summary, api: refusal.body });
    if (kind === 'venue') await auditPage(page, 'admin-remove-refused');
  }
});

test('an administrator adds a venue with opening hours, and a bad time is refused against its day', async ({ page, server }) => {
  await signInAs(page, server, USERS.alex.email);
  await page.goto('/admin-venues');
  await page.locator('#list table').waitFor();
  await auditPage(page, 'admin-venues');
  await page.getByRole('button', { name: 'Add a venue' }).click();
  await page.getByRole('heading', { level: 1, name: 'Add a venue' }).waitFor();
  const zones = await page.locator('#timezone option').evaluateAll((os) => os.map((o) => o.value));
  check(zones[0] === 'Europe/London' && await page.locator('#timezone').inputValue() === 'Europe/London',
    'the time zone list starts with, and chooses, Europe/London', zones.slice(0, 3));
  await page.getByLabel('Name', { exact: true }).fill('Riverside Hall');
  await page.getByLabel('Address', { exact: true }).fill('2 Quay Street, London E9 1AA');
  await page.getByLabel('Description', { exact: true }).fill('A hall by the river.');
  await page.getByLabel('Accessibility', { exact: true }).fill('Step-free from Quay Street.');
  await page.getByLabel('Bookings email address (optional)', { exact: true }).fill('Bookings@Riverside.example');
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
    await page.getByLabel(`Opens on ${day}`, { exact: true }).fill('9:00');
    await page.getByLabel(`Closes on ${day}`, { exact: true }).fill('21.30');
  }
  await page.getByLabel('Opens on Saturday', { exact: true }).fill('10am');
  await page.getByLabel('Closes on Saturday', { exact: true }).fill('12:00');
  await page.getByRole('button', { name: 'Add another time on Saturday' }).click();
  await page.getByLabel('Opens on Saturday, time 2', { exact: true }).fill('13:00');
  await page.getByLabel('Closes on Saturday, time 2', { exact: true }).fill('16:00');
  await auditPage(page, 'admin-venue-add');
  await page.getByRole('button', { name: 'Add venue' }).click();
  checkBanner(await bannerWords(page), 'Riverside Hall has been added', 'the venues list says the venue was added');
  const venue = (await api(page, 'GET', '/api/v1/venues')).body.find((v) => v.name === 'Riverside Hall');
  check(venue && venue.hours === 'mon-fri 09:00-21:30; sat 10:00-12:00,13:00-16:00; sun closed' &&
    venue.timezone === 'Europe/London' && venue.address === '2 Quay Street, London E9 1AA' &&
    venue.accessibility === 'Step-free from Quay Street.' && venue.email === 'bookings@riverside.example',
  'the API has the venue with the hours as typed, Sunday closed, and its bookings email', venue);
  const row = await rowOf(page, 'Riverside Hall');
  check(row && row[1] === 'Monday to Friday, 9am to 9:30pm; Saturday, 10am to midday and 1pm to 4pm',
    'the list says the opening hours in words', row);
  if (!venue) return;

  // Monday closing before it opens: the core's words, by Monday.
  await page.getByRole('link', { name: 'Change Riverside Hall' }).click();
  await page.getByRole('heading', { level: 1, name: 'Change Riverside Hall' }).waitFor();
  check(await page.getByLabel('Opens on Saturday, time 2', { exact: true }).inputValue() === '13:00',
    'the change form shows Saturday\'s second opening');
  await page.getByLabel('Closes on Monday', { exact: true }).fill('08:00');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const summary = await summaryWords(page);
  const words = 'opening hours: "mon 09:00-08:00" needs times such as 09:00-22:00';
  check(summary[0] === words && await fieldError(page, 'hours-mon') === words,
    'a closing time before the opening time is refused by Monday, in the API\'s words', { summary, byMonday: await fieldError(page, 'hours-mon') });
  await auditPage(page, 'admin-venue-error');

  // Only the hours change: the name and the rest are not sent.
  await page.getByLabel('Closes on Monday', { exact: true }).fill('22:00');
  const patch = await sent(page, 'PATCH', `/api/v1/venues/${venue.id}`, () => page.getByRole('button', { name: 'Save changes' }).click());
  check(Object.keys(patch || {}).join() === 'hours', 'changing Monday sends the hours alone', patch);
  await bannerWords(page);
  check((await api(page, 'GET', `/api/v1/venues/${venue.id}`)).body.hours.startsWith('mon 09:00-22:00; tue-fri 09:00-21:30'),
    'the API has Monday\'s new hours');

  await page.getByRole('link', { name: 'Remove Riverside Hall' }).click();
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  checkBanner(await bannerWords(page), 'Riverside Hall has been removed', 'a venue with nothing in it is removed');
});

test('an administrator adds a group and removes it', async ({ page, server }) => {
  await signInAs(page, server, USERS.alex.email);
  await page.goto('/admin-groups');
  await page.locator('#list table').waitFor();
  await auditPage(page, 'admin-groups');
  await page.getByRole('button', { name: 'Add a group' }).click();
  await page.getByRole('heading', { level: 1, name: 'Add a group' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Quay Street Chess Club');
  await page.getByLabel('Charity', { exact: true }).check();
  await page.getByLabel('Contact', { exact: true }).fill('chess@example.org');
  await page.getByLabel('Description', { exact: true }).fill('Chess for all ages, on Wednesdays.');
  await page.getByLabel('Marsh Lane Library', { exact: true }).check();
  await auditPage(page, 'admin-group-add');
  await page.getByRole('button', { name: 'Add group' }).click();
  checkBanner(await bannerWords(page), 'Quay Street Chess Club has been added', 'the groups list says the group was added');
  const group = (await api(page, 'GET', '/api/v1/groups')).body.find((g) => g.name === 'Quay Street Chess Club');
  check(group && group.kind === 'charity' && group.contact === 'chess@example.org' &&
    JSON.stringify(group.trusted_at) === '[2]', 'the API has the group as the form gave it', group);
  const groupRow = await rowOf(page, 'Quay Street Chess Club');
  check(groupRow && groupRow[0] === 'Quay Street Chess ClubCharity' && groupRow[1] === 'Marsh Lane Library',
    'the list says what kind of group it is and where it is trusted', groupRow);

  // A group with bookings is refused, in the core's words.
  await page.goto('/admin-remove?kind=group&id=1');
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  const refusal = await api(page, 'DELETE', '/api/v1/groups/1');
  check((await summaryWords(page))[0] === refusal.body.detail, 'a group with bookings is not removed, in the core\'s words', refusal.body);

  await page.goto('/admin-groups');
  await page.getByRole('link', { name: 'Remove Quay Street Chess Club' }).click();
  await page.getByRole('heading', { level: 1, name: 'Are you sure you want to remove Quay Street Chess Club?' }).waitFor();
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  checkBanner(await bannerWords(page), 'Quay Street Chess Club has been removed', 'the new group is removed');
  check(group && (await api(page, 'GET', `/api/v1/groups/${group.id}`)).status === 404, 'the API no longer has it');
});

const NINA = { name: 'Nina Patel', email: 'nina.patel@example.org', password: 'correct horse battery' };

test('an administrator adds a user, never seeing the password again; a taken email is refused', async ({ page, server }) => {
  await signInAs(page, server, USERS.alex.email);
  await page.goto('/admin-users');
  await page.locator('#list table').waitFor();
  await auditPage(page, 'admin-users');
  await page.getByRole('button', { name: 'Add a user' }).click();
  await page.getByRole('heading', { level: 1, name: 'Add a user' }).waitFor();
  await page.getByLabel('Full name', { exact: true }).fill(NINA.name);
  await page.getByLabel('Email address', { exact: true }).fill(USERS.pat.email);
  await page.getByLabel('Member', { exact: true }).check();
  check(await page.getByLabel('Tuesday Knitters', { exact: true }).isVisible(), 'choosing Member shows the groups');
  check(!(await page.getByLabel('Hartley Road Community Centre', { exact: true }).isVisible()), 'and not the venues');
  await page.getByLabel('Tuesday Knitters', { exact: true }).check();
  await page.getByLabel('Password', { exact: true }).fill(NINA.password);
  await page.getByRole('button', { name: 'Add user' }).click();
  const summary = await summaryWords(page);
  check(summary[0] === `another user already has the email ${USERS.pat.email}` &&
    await fieldError(page, 'email') === summary[0], 'an email another user has is refused by the email field, in the API\'s words', summary);
  check(await page.getByLabel('Password', { exact: true }).inputValue() === '', 'the password is not kept on the page after a refusal');
  await auditPage(page, 'admin-user-error');

  await page.getByLabel('Email address', { exact: true }).fill(NINA.email);
  await page.getByLabel('Password', { exact: true }).fill(NINA.password);
  const posted = await sent(page, 'POST', '/api/v1/users', () => page.getByRole('button', { name: 'Add user' }).click());
  check(posted && posted.role === 'member' && JSON.stringify(posted.groups) === '[1]', 'the form sends a member of the Knitters', posted);
  checkBanner(await bannerWords(page), 'Nina Patel has been added', 'the users list says the user was added');
  const row = await rowOf(page, NINA.name);
  check(row && row[1] === 'Member of Tuesday Knitters', 'the list shows her role and group', row);
  check(!(await page.content()).includes(NINA.password), 'the list never shows the password');
  const nina = (await api(page, 'GET', '/api/v1/users')).body.find((u) => u.email === NINA.email);
  check(nina && nina.has_password && nina.role === 'member', 'the API has her, with a password', nina);

  await page.getByRole('link', { name: `Change ${NINA.name}` }).click();
  await page.getByRole('heading', { level: 1, name: `Change ${NINA.name}` }).waitFor();
  check(await page.getByLabel('New password', { exact: true }).inputValue() === '', 'the change form has no password in it');
  await page.getByLabel('Venue manager', { exact: true }).check();
  await page.getByLabel('Hartley Road Community Centre', { exact: true }).check();
  await auditPage(page, 'admin-user-change');
  const patch = await sent(page, 'PATCH', '/api/v1/users/', () => page.getByRole('button', { name: 'Save changes' }).click());
  check(JSON.stringify(patch) === '{"role":"manager","venues":[1],"groups":[]}', 'making her a manager sends the role and the lists alone', patch);
  await bannerWords(page);
  // Back to a member: the API asks for a group, by the groups.
  await page.getByRole('link', { name: `Change ${NINA.name}` }).click();
  await page.getByLabel('Member', { exact: true }).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  const noGroup = await summaryWords(page);
  check(noGroup[0] === 'a member needs at least one group' && await fieldError(page, 'groups') === noGroup[0],
    'a member without a group is refused by the groups, in the API\'s words', noGroup);
  await page.getByLabel('Tuesday Knitters', { exact: true }).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  checkBanner(await bannerWords(page), 'Nina Patel has been changed', 'she is a member of the Knitters again');
});

test('the new user signs in with the password the administrator gave', async ({ page, server }) => {
  const me = await signInAs(page, server, NINA.email, NINA.password);
  check(me.name === NINA.name && me.role === 'member', 'Nina Patel signs in as a member', me);
});

test('a member opening the administration pages is told they are for administrators', async ({ page, server }) => {
  await signInAs(page, server, USERS.pat.email);
  for (const path of ['/admin', '/admin-rooms', '/admin-user?id=1']) {
    await page.goto(path);
    await page.getByRole('heading', { level: 1, name: 'These pages are for administrators' }).waitFor();
    check(await page.locator('#admin').count() === 0, `${path} shows a member nothing of the administration`);
  }
  await auditPage(page, 'admin-not-admin');
});

test('someone not signed in is sent to sign in first', async ({ page }) => {
  await page.goto('/admin-venues');
  await page.waitForURL(/\/sign-in\?next=%2Fadmin-venues$/);
  check(true, 'the venues list sends a visitor to sign in and back');
});
