// Accounts that people run themselves, in a browser: an invitation opened from the
// outbox and turned into a password and a sign-in; "Forgot your password?" the same way,
// with the same answer for an address nobody uses; links that have expired (a second
// hallsd on the same data, its clock later) or been used; a password change that signs
// out another browser but not this one; email choices kept across a reload; who may
// invite whom. The link's secret never leaves the page but in the API's body. Every page
// audited in each state a person meets, and used with the keyboard.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

import {
  DEMO_PASSWORD, NOW, SCREENSHOTS, USERS, auditPage, check, checkNoTrouble, focusShows, pageFetch, signIn,
  tabTo, test, watchPage,
} from './lib.mjs';
import { buildDir } from './server.mjs';

const HOUR = 3600;
const DAY = 86400;

// ---- the outbox, read as an operator would -----------------------------------------

function halls(server, ...args) {
  const run = spawnSync(join(buildDir(), 'halls'), ['--data', server.data, ...args],
    { env: { ...process.env, HALLS_NOW: String(NOW) }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`halls ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

function outbox(server) {
  return JSON.parse(halls(server, 'outbox', 'list', '--json'));
}

// A quoted-printable body as text (soft line breaks joined, =XX decoded as UTF-8).
function unquote(raw) {
  const bytes = Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g,
    (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  return bytes.toString('utf8');
}

// The newest message of kind to address, or null.
function lastMessage(server, kind, to) {
  const mine = outbox(server).filter((m) => m.kind === kind && m.to.toLowerCase() === to.toLowerCase());
  return mine.length ? mine[mine.length - 1] : null;
}

// The link in the newest message of kind to address, as a path on this hallsd
// ("/set-password#token=..."): the message names the site's configured address, which
// is not the test's port. null when there is none.
function linkIn(server, kind, to) {
  const message = lastMessage(server, kind, to);
  if (!message) return null;
  const text = unquote(halls(server, 'outbox', 'show', String(message.id), '--raw'));
  const found = /\/set-password#token=([A-Za-z0-9_-]+)/.exec(text);
  return found ? { path: found[0], token: found[1], message } : null;
}

// ---- a second hallsd on the same data, its clock later ----------------------------

function freePort() {
  return new Promise((done, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

function canConnect(port) {
  return new Promise((done) => {
    const c = connect(port, '127.0.0.1');
    c.on('connect', () => { c.destroy(); done(true); });
    c.on('error', () => done(false));
  });
}

// hallsd over the test file's data directory with HALLS_NOW later by `seconds`, beside the
// file's own (LMDB lets several processes share one environment). Returns { base, stop() }.
async function laterHallsd(server, seconds) {
  const port = await freePort();
  const proc = spawn(join(buildDir(), 'hallsd'), ['--data', server.data, '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, HALLS_NOW: String(NOW + seconds), HALLS_SCRYPT_LOG2N: process.env.HALLS_SCRYPT_LOG2N || '10' },
    stdio: 'ignore',
  });
  let code = null;
  const exited = new Promise((done) => proc.on('exit', (c, signal) => { code = c ?? signal; done(code); }));
  const stop = async () => {
    if (code === null) proc.kill('SIGTERM');
    return exited;
  };
  for (const deadline = Date.now() + 10000; Date.now() < deadline;) {
    if (await canConnect(port)) return { base: `http://127.0.0.1:${port}`, stop };
    if (code !== null) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  await stop();
  throw new Error(`a second hallsd (clock +${seconds} s) did not start`);
}

// A page in a context of its own on base (another browser: no cookies shared).
async function freshPage(context, base) {
  const other = await context.browser().newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  await other.clock.install({ time: NOW * 1000 });
  other.setDefaultTimeout(15000);
  const page = await other.newPage();
  watchPage(page);
  return { other, page };
}

// What the link page says at base, opened from path in a browser of its own.
async function linkHeading(context, base, path) {
  const { other, page } = await freshPage(context, base);
  try {
    await page.goto(path);
    const heading = page.locator('h1');
    await page.locator('#checking').waitFor({ state: 'hidden' });
    const words = (await heading.textContent()).trim();
    checkNoTrouble(page, `the link page at ${base}`);
    return words;
  } finally {
    await other.close();
  }
}

// ---- the secret stays in the page --------------------------------------------------

// Every request the page makes, with its URL, headers and body, for the checks that
// the token went nowhere else.
function recordRequests(page) {
  const seen = [];
  page.on('request', (req) => seen.push({
    url: req.url(), headers: JSON.stringify(req.headers()), body: req.postData() || '',
  }));
  return seen;
}

function checkTokenStays(seen, token, what) {
  const inUrl = seen.filter((r) => r.url.includes(token));
  const inHeader = seen.filter((r) => r.headers.includes(token));
  const inBody = seen.filter((r) => r.body.includes(token)).map((r) => new URL(r.url).pathname);
  check(inUrl.length === 0 && inHeader.length === 0, `${what}: the token is in no address and no header (Referer included)`,
    [...inUrl, ...inHeader].map((r) => r.url));
  check(inBody.every((p) => p === '/api/v1/account-links/check' || p === '/api/v1/account-links/use') && inBody.length > 0,
    `${what}: the token goes only in the body of the account-links calls`, inBody);
}

// ---- pictures for the guides -------------------------------------------------------

// A window-sized picture for a guide: build/screenshots/guide-ROLE-NAME.png, at 1280 px
// or a phone's 390, with what matters (top, a locator) at its top.
async function guideShot(page, name, { width = 1280, top = null } = {}) {
  await page.setViewportSize({ width, height: width > 500 ? 800 : 844 });
  await page.mouse.move(0, 0);
  if (top) await top.evaluate((node) => node.scrollIntoView({ block: 'start' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `guide-${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function signInOnPage(page, email, password) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/sign-in', { timeout: 30000 }),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

async function apiSignIn(server, email, password) {
  const r = await fetch(`${server.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

// ---- tests -------------------------------------------------------------------------

const NINA = { name: 'Nina Patel', email: 'nina.patel@example.org', password: 'copper kettle meadow lantern' };

test('an administrator invites a member, who sets a password from the emailed link and signs in', async ({ page, context, server }) => {
  await signIn(page, USERS.alex.email);
  await page.goto('/admin-users');
  check(await page.getByRole('button', { name: 'Invite a user' }).getAttribute('href') === '/invite',
    'the users list offers Invite a user');
  await page.goto('/admin');
  await page.getByRole('button', { name: 'Invite someone' }).click();
  await page.getByRole('heading', { level: 1, name: 'Invite someone' }).waitFor();
  check(new URL(page.url()).pathname === '/invite', 'Administration links to the invitation page', page.url());
  await auditPage(page, 'invite-admin');

  // An empty form says what is missing, by each field.
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.locator('#errors').waitFor();
  check(await page.locator('#name-error').isVisible() && await page.locator('#email-error').isVisible(),
    'an empty invitation says what is missing by each field', await page.locator('#errors').textContent());
  await auditPage(page, 'invite-admin-errors');

  // With the keyboard: the fields in order, and the arrow keys choosing a role reveal
  // what that role needs.
  await tabTo(page, '#name');
  await page.keyboard.type(NINA.name);
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.id) === 'email', 'Tab goes from the name to the email address');
  await page.keyboard.type(NINA.email);
  await tabTo(page, '#role-member');
  check(await focusShows(page), 'the focus on a role is visible');
  await page.keyboard.press('ArrowDown');
  check(await page.getByLabel('Venue manager').isChecked() && await page.locator('#venues').isVisible()
    && !await page.locator('#groups').isVisible(), 'choosing Venue manager with the arrow keys shows the venues instead of the groups');
  await page.keyboard.press('ArrowUp');
  check(await page.getByLabel('Member', { exact: true }).isChecked() && await page.locator('#groups').isVisible(),
    'and back to Member, the groups');
  await page.getByLabel('Tuesday Knitters').check();
  const [reply] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/invitations')),
    page.getByRole('button', { name: 'Send invitation' }).click(),
  ]);
  check(reply.status() === 201, 'the API takes the invitation', String(reply.status()));
  const panel = page.locator('.govuk-panel--confirmation');
  await panel.waitFor();
  const said = await page.locator('main').textContent();
  check((await panel.textContent()).includes('Invitation sent') && said.includes(NINA.email),
    'the confirmation names the address the invitation went to', said);
  check(/expires in 7 days/.test(said), 'the confirmation says the link expires in 7 days', said);
  check(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'confirmation',
    'the focus moves to the confirmation');
  await auditPage(page, 'invite-sent');
  await guideShot(page, 'admin-invite-sent');

  const link = linkIn(server, 'invitation', NINA.email);
  check(Boolean(link), 'the outbox holds an invitation to Nina with a set-password link', outbox(server));
  if (!link) return;

  // Nina, in a browser of her own.
  const { other, page: nina } = await freshPage(context, server.base);
  try {
    const seen = recordRequests(nina);
    await nina.goto(link.path);
    await nina.getByRole('heading', { level: 1, name: `Welcome to halls, ${NINA.name}` }).waitFor();
    check(!nina.url().includes(link.token) && !nina.url().includes('#'),
      'the token is taken out of the address bar at once', nina.url());
    check((await nina.locator('main').textContent()).includes(NINA.email), 'the page says which address the account is for');
    check((await nina.locator('#password-hint').textContent()).includes('at least 12 characters'),
      'the password rule is said up front');
    await auditPage(nina, 'set-password-invitation');
    await guideShot(nina, 'member-set-password');

    // With the keyboard alone: a password too short, refused by the core, by the field.
    await tabTo(nina, '#password');
    check(await focusShows(nina), 'the focus on the new password field is visible');
    await nina.keyboard.type('too short');
    await nina.keyboard.press('Tab');
    await nina.keyboard.type('too short');
    const [refusal] = await Promise.all([
      nina.waitForResponse((r) => r.url().endsWith('/api/v1/account-links/use')),
      nina.keyboard.press('Enter'),
    ]);
    const problem = await refusal.json().catch(() => ({}));
    await nina.locator('#password-error').waitFor();
    check(refusal.status() === 400 && (await nina.locator('#password-error').textContent()).includes(problem.detail),
      'a password the core refuses is shown by the field in its words', { status: refusal.status(), problem });
    await auditPage(nina, 'set-password-refused');

    // Two different passwords never reach the API.
    await nina.getByLabel('New password', { exact: true }).fill(NINA.password);
    await nina.getByLabel('Confirm new password').fill(`${NINA.password}x`);
    await nina.getByRole('button', { name: 'Set password' }).click();
    await nina.locator('#confirm-error').waitFor();
    check((await nina.locator('#confirm-error').textContent()).includes('do not match'), 'two different passwords are caught by the confirmation');

    await nina.getByLabel('New password', { exact: true }).fill(NINA.password);
    await nina.getByLabel('Confirm new password').fill(NINA.password);
    await Promise.all([
      nina.waitForURL((url) => url.pathname === '/sign-in', { timeout: 30000 }),
      nina.getByRole('button', { name: 'Set password' }).click(),
    ]);
    const banner = nina.locator('.govuk-notification-banner--success');
    await banner.waitFor();
    check((await banner.textContent()).includes('Your password has been set'), 'sign-in greets with a success banner');
    check(await nina.getByLabel('Email', { exact: true }).inputValue() === NINA.email, 'and the address is filled in');
    await auditPage(nina, 'sign-in-password-set');
    checkTokenStays(seen, link.token, 'the invitation');

    await nina.getByLabel('Password', { exact: true }).fill(NINA.password);
    await Promise.all([
      nina.waitForURL((url) => url.pathname !== '/sign-in', { timeout: 30000 }),
      nina.getByLabel('Password', { exact: true }).press('Enter'),
    ]);
    const me = await pageFetch(nina, 'GET', '/api/v1/users/me');
    check(me.status === 200 && me.body.email === NINA.email && new URL(nina.url()).pathname === '/my-bookings',
      'Nina is signed in with her own password, on My bookings', { url: nina.url(), me });

    // The link is used: it says so, and offers a new one.
    await nina.goto(link.path);
    await nina.getByRole('heading', { level: 1, name: 'This link has expired or has already been used' }).waitFor();
    check(await nina.getByRole('button', { name: 'Ask for a new link' }).getAttribute('href') === '/forgot-password',
      'a used link offers a way to ask for a new one');
    await auditPage(nina, 'set-password-used');
  } finally {
    await other.close();
  }
});

test('forgot your password: the same answer for anyone, a link that sets a new one, and sign-in with it', async ({ page, context, server }) => {
  const PAT = USERS.pat;
  const fresh = 'quiet harbour violin teacup';
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).waitFor();
  await tabTo(page, 'a[href="/forgot-password"]');
  await Promise.all([page.waitForURL((url) => url.pathname === '/forgot-password'), page.keyboard.press('Enter')]);
  await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
  check(true, 'Forgot your password? on sign-in leads to its own page, by the keyboard');
  await auditPage(page, 'forgot-password');

  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.locator('#email-error').waitFor();
  check((await page.locator('#email-error').textContent()).includes('Enter your email address'), 'an empty address is asked for');
  await auditPage(page, 'forgot-password-error');

  // Nobody uses this address: the answer is the same, and nothing is queued.
  const before = outbox(server).length;
  await page.getByLabel('Email address').fill('nobody@nowhere.example');
  const [nobody] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/password-resets')),
    page.getByLabel('Email address').press('Enter'),
  ]);
  await page.locator('.govuk-panel--confirmation').waitFor();
  const nobodySaid = (await page.locator('main').textContent()).replace(/\s+/g, ' ');
  check(nobody.status() === 202, 'the API answers 202 for an address nobody uses', String(nobody.status()));
  check(nobodySaid.includes('If an account uses that address, we have sent a link. It works for one hour.'),
    'the confirmation says the link works for one hour, if an account uses the address', nobodySaid);
  check(outbox(server).length === before, 'and nothing is queued for an address nobody uses');
  await auditPage(page, 'forgot-password-sent');

  await page.goto('/forgot-password');
  await page.getByLabel('Email address').fill(PAT.email.toUpperCase());
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/password-resets')),
    page.getByRole('button', { name: 'Send me a link' }).click(),
  ]);
  await page.locator('.govuk-panel--confirmation').waitFor();
  const patSaid = (await page.locator('main').textContent()).replace(/\s+/g, ' ');
  check(patSaid === nobodySaid, 'the page says exactly the same for an address with an account', { patSaid, nobodySaid });

  const link = linkIn(server, 'password-reset', PAT.email);
  check(Boolean(link), 'the outbox holds a reset link for Pat', outbox(server).slice(-3));
  if (!link) return;

  const { other, page: mail } = await freshPage(context, server.base);
  try {
    const seen = recordRequests(mail);
    await mail.goto(link.path);
    await mail.getByRole('heading', { level: 1, name: `Set a password for ${PAT.email}` }).waitFor();
    check(!mail.url().includes('#'), 'the token is taken out of the address bar', mail.url());
    await auditPage(mail, 'set-password-reset');

    // A password with the address in it is the core's to refuse.
    await mail.getByLabel('New password', { exact: true }).fill(`${PAT.email} rules`);
    await mail.getByLabel('Confirm new password').fill(`${PAT.email} rules`);
    const [refusal] = await Promise.all([
      mail.waitForResponse((r) => r.url().endsWith('/api/v1/account-links/use')),
      mail.getByRole('button', { name: 'Set password' }).click(),
    ]);
    await mail.locator('#password-error').waitFor();
    check(refusal.status() === 400, 'a password containing the address is refused', String(refusal.status()));

    await mail.getByLabel('New password', { exact: true }).fill(fresh);
    await mail.getByLabel('Confirm new password').fill(fresh);
    await Promise.all([
      mail.waitForURL((url) => url.pathname === '/sign-in', { timeout: 30000 }),
      mail.getByRole('button', { name: 'Set password' }).click(),
    ]);
    await mail.locator('.govuk-notification-banner--success').waitFor();
    await signInOnPage(mail, PAT.email, fresh);
    check(new URL(mail.url()).pathname === '/my-bookings', 'Pat signs in with the new password', mail.url());
    checkTokenStays(seen, link.token, 'the reset');
  } finally {
    await other.close();
  }
  check((await apiSignIn(server, PAT.email, DEMO_PASSWORD)).status === 401, 'the old password no longer works');

  // Used once: the second time it is gone.
  const again = await linkHeading(context, server.base, link.path);
  check(again === 'This link has expired or has already been used', 'a used reset link shows the expired page', again);
});

test('links expire: a reset after one hour, an invitation after 7 days', async ({ page, context, server }) => {
  const HELEN = USERS.helen;
  await page.goto('/forgot-password');
  await page.getByLabel('Email address').fill(HELEN.email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.locator('.govuk-panel--confirmation').waitFor();
  const reset = linkIn(server, 'password-reset', HELEN.email);

  await signIn(page, USERS.alex.email);
  const invited = await pageFetch(page, 'POST', '/api/v1/invitations', {
    name: 'Owen Price', email: 'owen.price@example.org', role: 'member', groups: [1],
  });
  const invitation = linkIn(server, 'invitation', 'owen.price@example.org');
  check(Boolean(reset && invitation), 'a reset link and an invitation are in the outbox', { invited, reset, invitation });
  if (!reset || !invitation) return;

  for (const [what, link, at, expired] of [
    ['a reset link after 50 minutes', reset, 50 * 60, false],
    ['a reset link after 61 minutes', reset, 61 * 60, true],
    ['an invitation after 6 days 23 hours', invitation, 7 * DAY - HOUR, false],
    ['an invitation after 7 days and a minute', invitation, 7 * DAY + 60, true],
  ]) {
    const later = await laterHallsd(server, at);
    try {
      const heading = await linkHeading(context, later.base, link.path);
      const gone = heading === 'This link has expired or has already been used';
      check(gone === expired, `${what}: ${expired ? 'the expired page' : 'still greets'}`, heading);
      if (expired && what.startsWith('an invitation')) {
        const { other, page: late } = await freshPage(context, later.base);
        await late.goto(invitation.path);
        await late.getByRole('heading', { level: 1, name: 'This link has expired or has already been used' }).waitFor();
        await auditPage(late, 'set-password-expired');
        await other.close();
      }
    } finally {
      check(await later.stop() === 0, `${what}: the second hallsd stops cleanly`);
    }
  }

  // A link with no token (a reload after the page took it away) says what to do.
  await page.goto('/set-password');
  await page.getByRole('heading', { level: 1, name: 'This link is not complete' }).waitFor();
  await auditPage(page, 'set-password-missing');
});

test('changing a password signs out another browser, not this one', async ({ page, context, server }) => {
  const CHRIS = USERS.chris;
  const fresh = 'marble otter sunrise piano';
  await signIn(page, CHRIS.email);
  const { other, page: second } = await freshPage(context, server.base);
  try {
    await signIn(second, CHRIS.email);
    const token = (await apiSignIn(server, CHRIS.email, DEMO_PASSWORD)).body.token;

    await page.goto('/account');
    await page.getByRole('link', { name: 'My account' }).waitFor();
    check(await page.getByRole('link', { name: 'My account' }).getAttribute('aria-current') === 'page',
      'My account is in the menu, marked as the page open');
    await page.locator('#account').waitFor();
    check((await page.locator('#details').textContent()).includes(CHRIS.email), 'the page shows the email address');
    const warning = await page.locator('#password-form .govuk-warning-text').textContent();
    check(/signs you out everywhere else/.test(warning), 'the password form says it signs you out everywhere else', warning);

    // A wrong current password is refused by its field.
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Confirm new password').fill(fresh);
    const [refusal] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/users/me/password')),
      page.getByRole('button', { name: 'Change password' }).click(),
    ]);
    await page.locator('#errors').waitFor();
    check(refusal.status() >= 400 && await page.locator('#current-password-error').isVisible(),
      'a wrong current password is shown by its field', { status: refusal.status(), said: await page.locator('#errors').textContent() });
    await auditPage(page, 'account-password-error');

    await page.getByLabel('Current password').fill(DEMO_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Confirm new password').fill(fresh);
    const [done] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/users/me/password')),
      page.getByRole('button', { name: 'Change password' }).click(),
    ]);
    await page.locator('.govuk-notification-banner--success').waitFor();
    check(done.status() === 204, 'the API changes the password', String(done.status()));
    check((await page.locator('.govuk-notification-banner').textContent()).includes('signed out everywhere else'),
      'the banner says the other sessions have ended');
    check(await page.getByLabel('Current password').inputValue() === '', 'the password fields are emptied');

    check((await pageFetch(page, 'GET', '/api/v1/users/me')).status === 200, 'this browser stays signed in');
    await page.reload();
    await page.locator('#account').waitFor();
    check(new URL(page.url()).pathname === '/account', 'and keeps the page after a reload', page.url());
    check((await pageFetch(second, 'GET', '/api/v1/users/me')).status === 401, 'the other browser is signed out');
    await second.goto('/account');
    await second.waitForURL((url) => url.pathname === '/sign-in');
    check(new URL(second.url()).searchParams.get('next') === '/account', 'and is sent to sign in again', second.url());
    const byToken = await fetch(`${server.base}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } });
    check(byToken.status === 401, 'an API token of the user stops working too', String(byToken.status));
    check((await apiSignIn(server, CHRIS.email, fresh)).status === 201, 'the new password signs in');
  } finally {
    await other.close();
  }
});

test('email choices are saved with the keyboard and shown after a reload', async ({ page }) => {
  const JORDAN = USERS.jordan;
  await signIn(page, JORDAN.email);
  await page.goto('/account#notifications');
  await page.locator('#account').waitFor();
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'notifications');
  const inView = await page.locator('#notifications').evaluate((h) => {
    const r = h.getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight / 2;
  });
  check(inView, '/account#notifications opens at the email choices (the link every email ends with)');
  check(!await page.locator('#notice-digest').isVisible(), 'a member is not offered the managers\' daily digest');
  await auditPage(page, 'account');

  const before = (await pageFetch(page, 'GET', '/api/v1/users/me')).body.notifications;
  check(before.changes === true && before.reminder_hours === 24, 'the demo user gets every email, reminders a day before', before);

  // The keyboard alone: Space on two boxes, the lead time chosen, Enter on the button.
  await tabTo(page, '#notice-changes');
  check(await focusShows(page), 'the focus on a checkbox is visible');
  await page.keyboard.press('Space');
  await tabTo(page, '#notice-closures');
  await page.keyboard.press('Space');
  await tabTo(page, '#reminder-hours');
  await page.selectOption('#reminder-hours', { label: '1 week before' });
  await tabTo(page, '#save-notices');
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/users/me') && r.request().method() === 'PATCH'),
    page.keyboard.press('Enter'),
  ]);
  await page.locator('.govuk-notification-banner--success').waitFor();
  check(saved.status() === 200, 'the choices are saved with PATCH /api/v1/users/me', String(saved.status()));
  const after = (await pageFetch(page, 'GET', '/api/v1/users/me')).body.notifications;
  check(after.changes === false && after.closures === false && after.requests === true && after.reminder_hours === 168,
    'the API has the new choices', after);
  await auditPage(page, 'account-saved');
  await guideShot(page, 'member-account-emails', { width: 390, top: page.locator('#notifications') });

  await page.reload();
  await page.locator('#account').waitFor();
  check(!await page.getByLabel('A booking is cancelled or moved').isChecked()
    && !await page.getByLabel('A room is closed at the time of a booking').isChecked()
    && await page.getByLabel('A request for a room is made').isChecked(),
  'after a reload the boxes show what was saved');
  check(await page.getByLabel('When to send reminders').inputValue() === '168', 'and the reminders come a week before');

  // No reminders: the lead time goes out of sight, and stays as it was.
  await page.getByLabel('A booking is coming up').uncheck();
  check(!await page.getByLabel('When to send reminders').isVisible(), 'without reminders, the lead time is hidden');
  await page.getByRole('button', { name: 'Save email choices' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  const off = (await pageFetch(page, 'GET', '/api/v1/users/me')).body.notifications;
  check(off.reminders === false && off.reminder_hours === 168, 'reminders off, the lead time kept', off);

  // The name too.
  await page.getByLabel('Full name').fill('Jordan Blake-Ross');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  check((await pageFetch(page, 'GET', '/api/v1/users/me')).body.name === 'Jordan Blake-Ross', 'a new name is saved');
  check((await page.locator('#details').textContent()).includes('Jordan Blake-Ross'), 'and shown in the details');
  await page.getByLabel('Full name').fill('  ');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.locator('#name-error').waitFor();
  check((await page.locator('#name-error').textContent()).includes('Enter your name'), 'an empty name is asked for');
});

test('a manager invites members; a member cannot open the invitation page', async ({ page, context, server }) => {
  const PRIYA = USERS.priya;
  await signIn(page, PRIYA.email);
  await page.goto('/account');
  await page.locator('#account').waitFor();
  check(await page.locator('#notice-digest').isVisible(), 'a manager is offered the daily digest of waiting requests');
  await auditPage(page, 'account-manager');

  await page.getByRole('link', { name: 'Invite', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Invite someone' }).waitFor();
  check(await page.locator('input[name="role"]').count() === 0, 'a manager is not offered a role: they invite members');
  await auditPage(page, 'invite-manager');
  await guideShot(page, 'manager-invite');

  // Whichever groups the core lets this manager invite for: try each until one is taken.
  const groups = await page.locator('input[name="groups"]').evaluateAll((boxes) => boxes.map((b) => b.id));
  let status = 0;
  await page.getByLabel('Full name').fill('Ivy Moss');
  await page.getByLabel('Email address').fill('ivy.moss@example.org');
  for (const id of groups) {
    await page.locator(`#${id}`).check();
    const [reply] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/invitations')),
      page.getByRole('button', { name: 'Send invitation' }).click(),
    ]);
    status = reply.status();
    if (status === 201) break;
    const label = (await page.locator(`label[for="${id}"]`).textContent()).trim();
    const said = await page.locator('#groups-error').textContent();
    check(said.includes(label), `a refused group is named by the groups, in the API's words: ${label}`, said);
    await page.locator(`#${id}`).uncheck();
  }
  check(status === 201, 'a manager invites a member for a group', String(status));
  await page.locator('.govuk-panel--confirmation').waitFor();
  check(Boolean(linkIn(server, 'invitation', 'ivy.moss@example.org')), 'the invitation is in the outbox');

  // A manager cannot make an administrator, whatever the page shows.
  const admin = await pageFetch(page, 'POST', '/api/v1/invitations', { name: 'Eve', email: 'eve@example.org', role: 'admin' });
  check(admin.status === 403, 'a manager cannot invite an administrator', admin);

  // A member: no Invite in the menu, and the page says whom it is for.
  await context.clearCookies();
  await signIn(page, USERS.dev.email);
  await page.goto('/invite');
  await page.getByRole('heading', { level: 1, name: 'This page is for administrators and venue managers' }).waitFor();
  check(await page.getByRole('button', { name: 'Send invitation' }).count() === 0, 'a member gets no invitation form');
  check(await page.getByRole('link', { name: 'Invite', exact: true }).count() === 0, 'a member has no Invite in the menu');
  const refused = await pageFetch(page, 'POST', '/api/v1/invitations', { name: 'Eve', email: 'eve@example.org', role: 'member', groups: [1] });
  check(refused.status === 403, 'the API refuses a member\'s invitation', refused);
  await auditPage(page, 'invite-member');
});

test('nobody signed in is sent to sign in for My account and Invite someone', async ({ page }) => {
  for (const path of ['/account', '/invite']) {
    await page.goto(path);
    await page.waitForURL((url) => url.pathname === '/sign-in');
    check(new URL(page.url()).searchParams.get('next') === path, `${path} asks to sign in first and comes back`, page.url());
  }
});
