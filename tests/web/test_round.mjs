// /rounds, an allocation round from start to end: Grace (St Aidan's manager) opens a
// round of two weekly slots on the page; Jordan (Riverside Youth FC, a charity) and Chris
// (St Aidan's PTA) apply with their choices in order, using the Add and Up buttons; then,
// hallsd's clock being pinned, a copy of the data is served by a second hallsd whose
// clock is past the deadline, where Grace allocates and a resident, signed in as nobody,
// reads the result, its explanations, the seed and the commitment.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NOW, USERS, auditPage, check, pageFetch, signIn, test } from './lib.mjs';
import { buildDir } from './server.mjs';

const DEADLINE = Date.UTC(2026, 11, 10, 12, 0, 0) / 1000; // 10 December 2026, midday (GMT)
const SCHOOL_HALL = 6;
const MUSIC_ROOM = 7;

function freePort() {
  return new Promise((done) => {
    const s = createServer();
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

// A copy of server's data (`halls backup`), served by another hallsd at clock `now`.
async function laterHallsd(server, now) {
  const tmp = mkdtempSync(join(tmpdir(), 'halls-web-round.'));
  const data = join(tmp, 'data');
  const env = { ...process.env, HALLS_NOW: String(now), HALLS_SCRYPT_LOG2N: '10' };
  const copy = spawnSync(join(buildDir(), 'halls'), ['--data', server.data, 'backup', data], { env, encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`halls backup: ${copy.stderr}`);
  const port = await freePort();
  const out = openSync(join(tmp, 'hallsd.log'), 'w');
  const proc = spawn(join(buildDir(), 'hallsd'), ['--data', data, '--listen', `127.0.0.1:${port}`],
    { env, stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise((done) => proc.on('exit', (code) => done(code)));
  for (let i = 0; i < 200 && !(await canConnect(port)); i += 1) await new Promise((d) => setTimeout(d, 50));
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill('SIGTERM');
      const code = await exited;
      rmSync(tmp, { recursive: true, force: true });
      return code;
    },
  };
}

async function openRound(page) {
  await signIn(page, USERS.grace.email);
  const reply = await page.goto('/rounds');
  check(reply.status() === 200, '/rounds answers 200', String(reply.status()));
  await page.locator('#open-form').waitFor();
  await page.locator('#round-1').waitFor();
  check(await page.locator('nav a[href="/rounds"]').count() === 1, 'the menu has Rounds');
  await page.getByLabel('Name', { exact: true }).fill('Summer 2027 Monday evenings');
  await page.locator('#slot-room').selectOption(String(SCHOOL_HALL));
  await page.locator('#slot-day').selectOption('1');
  await page.locator('#slot-start').fill('18:00');
  await page.locator('#slot-end').fill('20:00');
  await page.locator('#slot-add').click();
  await page.locator('#slot-room').selectOption(String(MUSIC_ROOM));
  await page.locator('#slot-start').fill('18:00');
  await page.locator('#slot-end').fill('19:30');
  await page.locator('#slot-add').click();
  check(await page.locator('#slot-list li').count() === 2, 'two slots are listed before opening');
  await page.locator('#first_date').fill('2027-06-07');
  await page.locator('#last_date').fill('2027-07-16');
  await page.locator('#deadline').fill('2026-12-10 12:00');
  await page.locator('#class-1').selectOption('kind:charity');
  await auditPage(page, 'rounds-open');
  await page.locator('#open-button').click();
  await page.waitForURL((url) => url.search.includes('opened=1'));
  await page.locator('#banner').waitFor();
  const details = (await page.locator('#round-details').textContent()).replace(/\s+/g, ' ');
  check(details.includes('Monday 6pm–8pm, School Hall') && details.includes('Published when the deadline has passed'),
    'the new round shows its slots, and that the seed is not yet published', details);
  return Number(new URL(page.url()).searchParams.get('round'));
}

async function applyAs(context, user, id, clicks) {
  const page = await context.newPage();
  await signIn(page, user.email);
  await page.goto(`/rounds?round=${id}`);
  await page.locator('#apply-box').waitFor({ state: 'visible' });
  for (const c of clicks) await page.locator(c).first().click();
  await page.locator('#apply-button').click();
  const words = (await page.locator('#banner').textContent()).replace(/\s+/g, ' ');
  check(words.includes('Your application is saved'), `${user.name}'s application is saved`, words);
  return page;
}

test('a manager opens a round, two members apply, the manager allocates, a resident reads the result', async ({ page, context, server }) => {
  const id = await openRound(page);
  check(id === 2, 'the new round is round 2 (the demo has one)', String(id));

  const jordanCtx = await context.browser().newContext({ baseURL: server.base });
  const jordan = await applyAs(jordanCtx, USERS.jordan, id, ['#other-1 button', '#other-2 button']);
  await auditPage(jordan, 'rounds-apply');
  await jordanCtx.close();
  const chrisCtx = await context.browser().newContext({ baseURL: server.base });
  const chris = await applyAs(chrisCtx, USERS.chris, id, ['#other-2 button', '#other-1 button', '#choice-1 button']);
  const order = await chris.locator('#choices li').allTextContents();
  check(order.length === 2 && order[0].startsWith('Monday 6pm–8pm, School Hall'),
    'Up moved the School Hall first in Chris\'s choices', order.join(' | '));
  await chrisCtx.close();

  const apps = await pageFetch(page, 'GET', `/api/v1/rounds/${id}/applications`);
  const prefs = Object.fromEntries((apps.body || []).map((a) => [a.group, a.preferences.join(',')]));
  check(prefs['Riverside Youth FC'] === '1,2' && prefs["St Aidan's PTA"] === '1,2',
    'the manager sees both applications, with the choices in order', JSON.stringify(prefs));
  const early = await pageFetch(page, 'POST', `/api/v1/rounds/${id}/allocate`);
  check(early.status === 409, 'allocating before the deadline is refused (409)', JSON.stringify(early.body));

  const later = await laterHallsd(server, DEADLINE + 60);
  try {
    const graceCtx = await context.browser().newContext({ baseURL: later.base });
    const grace = await graceCtx.newPage();
    await signIn(grace, USERS.grace.email);
    await grace.goto(`/rounds?round=${id}`);
    await grace.locator('#allocate-box').waitFor({ state: 'visible' });
    await grace.locator('#allocate-button').click();
    await grace.waitForURL((url) => url.search.includes('allocated=1'));
    await grace.locator('#result-box .govuk-summary-card').first().waitFor();
    await graceCtx.close();

    const residentCtx = await context.browser().newContext({ baseURL: later.base });
    const resident = await residentCtx.newPage();
    await resident.goto(`/rounds?round=${id}`);
    await resident.locator('#result-box .govuk-summary-card').first().waitFor();
    const result = (await resident.locator('#result-box').textContent()).replace(/\s+/g, ' ');
    check(result.includes('Riverside Youth FC') && result.includes('was free when your turn came: you have it'),
      'the resident reads that Riverside Youth FC got its first choice', result);
    check(result.includes('went to Riverside Youth FC, which is in priority class 1 (charities); you are in class 2 (everyone else)'),
      'the resident reads why the PTA got its second choice', result);
    const details = (await resident.locator('#round-details').textContent()).replace(/\s+/g, ' ');
    check(/Seed\s*[0-9a-f]{64}/.test(details) && /SHA-256 of the seed\)\s*[0-9a-f]{64}/.test(details),
      'the seed and its commitment are shown', details);
    await auditPage(resident, 'rounds-result');
    await residentCtx.close();
  } finally {
    check(await later.stop() === 0, 'the second hallsd stops cleanly');
  }
  check(NOW < DEADLINE, 'the first hallsd\'s clock is before the deadline');
});
