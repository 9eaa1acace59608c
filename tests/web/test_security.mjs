// The pages' security as a browser meets it: the headers on every page and file, the
// CSP enforced, no cross-site writes with the sign-in cookie (CSRF), and no use for a
// cookie after sign-out.
import { createServer } from 'node:http';

import { USERS, check, demoDay, pageFetch, securityHeaders, signIn, takeTrouble, test } from './lib.mjs';

// A booking Pat (Tuesday Knitters, group 1) may request: the Committee Room (room 2,
// approved at once) on Thursday 10 December 2026, 10:00 to 11:00.
function patBooking(title) {
  const { iso } = demoDay(9);
  return { room_id: 2, group_id: 1, title, start: `${iso}T10:00`, end: `${iso}T11:00` };
}

const SESSION_COOKIE = /^(__Host-)?halls_session$/;

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => SESSION_COOKIE.test(c.name) && c.value);
}

// Another origin on this machine: a page at http://HOST:PORT/ with a form that posts to
// action, in text/plain so that the browser sends it as a form would, without asking
// first (no CORS preflight). Returns { url, close() }.
function otherOrigin(host, action) {
  const html = '<!DOCTYPE html><html lang="en"><title>Another site</title>' +
    `<form method="post" action="${action}" enctype="text/plain">` +
    '<input type="hidden" name="title" value="Cross-site">' +
    '<button>Win a prize</button></form></html>';
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({
    url: `http://${host}:${server.address().port}/`,
    close: () => new Promise((closed) => server.close(closed)),
  })));
}

// Sends the other origin's form from page and returns the reply to its POST, with the
// request's own headers.
async function postFromOtherOrigin(page, origin) {
  await page.goto(origin.url);
  const [reply] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Win a prize' }).click(),
  ]);
  return { status: reply.status(), sent: await reply.request().allHeaders(), body: await reply.text() };
}

function problemType(body) {
  try {
    return JSON.parse(body).type;
  } catch {
    return null;
  }
}

async function bookingTitles(page) {
  const reply = await pageFetch(page, 'GET', '/api/v1/bookings?limit=100');
  const list = Array.isArray(reply.body) ? reply.body : reply.body.bookings || reply.body.items || [];
  return list.map((b) => b.title);
}

test('every page and file carries the CSP, Referrer-Policy and nosniff', async ({ page }) => {
  const files = [];
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'document' && !new URL(r.url()).pathname.startsWith('/api/')) files.push(r);
  });
  await securityHeaders(await page.goto('/'), 'Find a room (/)');
  await page.waitForLoadState('networkidle');
  check(files.length >= 2, 'the home page loads its style sheet and scripts', files.map((r) => r.url()));
  for (const r of files) await securityHeaders(r, new URL(r.url()).pathname);
  const missing = await page.goto('/no-such-page');
  check(missing.status() === 404, 'an unknown page is 404', String(missing.status()));
  await securityHeaders(missing, 'the page-not-found page');
});

test('the browser enforces the CSP: an inline script and style do nothing', async ({ page }) => {
  await page.goto('/');
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true;';
    document.head.append(script);
    const style = document.createElement('style');
    style.textContent = 'body { margin-left: 123px !important; }';
    document.head.append(style);
    return [window.inlineRan === true, getComputedStyle(document.body).marginLeft];
  });
  check(!ran[0], 'an inline script does not run');
  check(ran[1] !== '123px', 'an inline style does not apply', ran[1]);
  const reports = takeTrouble(page).filter((t) => /Content Security Policy/.test(t));
  check(reports.length >= 2, 'the browser reports both as CSP violations', reports);
});

test('a cross-site POST with the sign-in cookie is refused', async ({ page, context, server }) => {
  await signIn(page, USERS.pat.email);
  const cookie = await sessionCookie(context);
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Lax', 'the sign-in cookie is HttpOnly and SameSite=Lax', cookie);

  // The same site on another port: the browser sends the Lax cookie with the form, as an
  // attack from another service on this host would.
  const action = `${server.base}/api/v1/bookings`;
  const sameSite = await otherOrigin('127.0.0.1', action);
  try {
    const r = await postFromOtherOrigin(page, sameSite);
    check(SESSION_COOKIE.test((r.sent.cookie || '').split('=')[0]),
      'the browser sent the cookie with the other origin\'s form', r.sent);
    check(r.sent['sec-fetch-site'] === 'same-site', 'the browser said Sec-Fetch-Site: same-site', r.sent);
    check(r.status === 403 && problemType(r.body) === '/problems/cross-site-request',
      'hallsd refuses it: 403 /problems/cross-site-request', `${r.status} ${r.body}`);
  } finally {
    await sameSite.close();
  }

  // Another site (localhost is not 127.0.0.1): the browser keeps the Lax cookie back.
  const crossSite = await otherOrigin('localhost', action);
  try {
    const r = await postFromOtherOrigin(page, crossSite);
    check(!r.sent.cookie, 'from another site the browser does not send the cookie (SameSite=Lax)', r.sent);
    check(r.status === 401 || r.status === 403, 'so nothing is done as Pat', `${r.status} ${r.body}`);
  } finally {
    await crossSite.close();
  }

  // A browser that would send the cookie from another site anyway (emulated): hallsd
  // judges Sec-Fetch-Site first, and Origin when there is none.
  const attempts = [
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }],
    ['Origin of another site and no Sec-Fetch-Site', { Origin: 'https://evil.example' }],
    ['neither header', {}],
  ];
  for (const [what, headers] of attempts) {
    const r = await context.request.post('/api/v1/bookings', { headers, data: patBooking('Cross-site attempt') });
    check(r.status() === 403 && problemType(await r.text()) === '/problems/cross-site-request',
      `a POST with the cookie and ${what} is refused 403 /problems/cross-site-request`, `${r.status()} ${await r.text()}`);
  }

  await page.goto('/');
  const own = await pageFetch(page, 'POST', '/api/v1/bookings', patBooking('Knitting in the Committee Room'));
  check(own.status === 201, 'the same request from the site\'s own page is done (201)', own);
  const titles = await bookingTitles(page);
  check(titles.includes('Knitting in the Committee Room') && !titles.includes('Cross-site attempt') &&
    !titles.some((t) => /Cross-site/.test(t)), 'only the own page\'s booking was made', titles);
});

test('after sign-out the old cookie opens nothing', async ({ page, context, server }) => {
  await signIn(page, USERS.pat.email);
  const old = await sessionCookie(context);
  const out = await pageFetch(page, 'DELETE', '/api/v1/session');
  check(out.status === 204, 'signing out is 204', out);
  check(!(await sessionCookie(context)), 'signing out clears the cookie in the browser');

  await context.addCookies([old]);
  const write = await pageFetch(page, 'POST', '/api/v1/bookings', patBooking('After sign-out'));
  check(write.status === 401 && write.body && write.body.type === '/problems/unauthorized',
    'a write with the old cookie is 401 /problems/unauthorized', write);
  await context.addCookies([old]);
  const me = await pageFetch(page, 'GET', '/api/v1/users/me');
  check(me.status === 401, 'GET /api/v1/users/me with the old cookie is 401', me);
  await context.addCookies([old]);
  const read = await pageFetch(page, 'GET', '/api/v1/bookings?limit=100');
  const anonymous = await (await fetch(`${server.base}/api/v1/bookings?limit=100`)).json();
  check(read.status === 200 && JSON.stringify(read.body) === JSON.stringify(anonymous),
    'a read with the old cookie sees what anyone not signed in sees', { read: read.status });
  check(/Max-Age=0/.test(read.headers['set-cookie'] || '') || !(await sessionCookie(context)),
    'and the reply tells the browser to forget the cookie');
  const titles = await bookingTitles(page);
  check(!titles.includes('After sign-out'), 'nothing was booked with the old cookie', titles);
});
