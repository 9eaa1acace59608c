// What a browser test file (tests/web/test_*.mjs) uses: test() to name a test, check()
// to count a check, the demo's users, signIn(), auditPage() (axe, labels, sideways
// scrolling, console errors, screenshots at 1280 and 390 px) and securityHeaders().
// tests/web/README.md shows how to write a page test; run.mjs runs them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';

import { NOW, REPO } from './server.mjs';

export { NOW };

// ---- tests and checks -------------------------------------------------------------

const registered = [];

// Names a test of this file. fn({ page, context, server }) gets a fresh browser context
// (no cookies) and page on the file's own hallsd; server.base is its address, and
// relative page.goto('/') paths go there.
export function test(name, fn) {
  registered.push({ name, fn });
}

// The tests the last imported file named (for run.mjs), emptied for the next file.
export function takeTests() {
  return registered.splice(0);
}

export const tally = { passed: 0, failed: 0 };

// Counts and prints one check ("ok - what" or "not ok - what"); detail (any value) is
// shown under a failure. Returns cond's truth, so a test can stop when a step failed.
export function check(cond, what, detail = '') {
  if (cond) {
    tally.passed += 1;
    console.log(`ok - ${what}`);
  } else {
    tally.failed += 1;
    console.log(`not ok - ${what}`);
    const text = typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2);
    for (const line of text.split('\n')) if (line) console.log(`#   ${line}`);
  }
  return Boolean(cond);
}

// ---- the demo (cli/demo.c) --------------------------------------------------------

export const DEMO_PASSWORD = 'demo-password';

// The demo's users by first name. venues are the ones a manager manages, groups the
// ones a member belongs to.
export const USERS = {
  alex: { email: 'admin@halls.example', name: 'Alex Morgan', role: 'admin' },
  priya: { email: 'manager.hartley@halls.example', name: 'Priya Shah', role: 'manager', venues: ['Hartley Road Community Centre'] },
  tom: { email: 'manager.library@halls.example', name: 'Tom Greene', role: 'manager', venues: ['Marsh Lane Library'] },
  grace: { email: 'manager.staidans@halls.example', name: 'Grace Adeyemi', role: 'manager', venues: ["St Aidan's Primary School Hall"] },
  sam: { email: 'manager.parks@halls.example', name: "Sam O'Neill", role: 'manager', venues: ['Brook Park Pavilion', 'Northside Youth Centre'] },
  ruth: { email: 'manager.stmarys@halls.example', name: 'Revd Ruth Ellis', role: 'manager', venues: ["St Mary's Church Hall"] },
  pat: { email: 'pat@knitters.example', name: 'Pat Okafor', role: 'member', groups: ['Tuesday Knitters'] },
  jordan: { email: 'jordan@riversideyouthfc.example', name: 'Jordan Blake', role: 'member', groups: ['Riverside Youth FC'] },
  helen: { email: 'helen@hartleyroad.example', name: 'Helen Marsh', role: 'member', groups: ["Hartley Road Residents' Association", 'Age Well Lunch Club'] },
  chris: { email: 'chris@staidans.example', name: 'Chris Wu', role: 'member', groups: ["St Aidan's PTA"] },
  dev: { email: 'dev@northsidecode.example', name: 'Dev Patel', role: 'member', groups: ['Northside Coding Club'] },
  ana: { email: 'ana@leavalleychoir.example', name: 'Ana Costa', role: 'member', groups: ['Lea Valley Community Choir'] },
};

// The day n days after NOW (Tuesday 1 December 2026, the clock every part of the run
// sees) as a date form's fields and as ISO: demoDay(7) is Tuesday 8 December 2026.
export function demoDay(n) {
  const d = new Date((NOW + n * 86400) * 1000);
  return {
    day: String(d.getUTCDate()),
    month: String(d.getUTCMonth() + 1),
    year: String(d.getUTCFullYear()),
    iso: d.toISOString().slice(0, 10),
  };
}

// ---- what a page did that it should not ------------------------------------------

const troubles = new WeakMap(); // page -> [words], not yet reported

// Starts recording a page's console errors, uncaught exceptions, requests that failed
// and files of its own that were refused (run.mjs calls it on every page it makes; call
// it on a page you open yourself). "Failed to load resource: ... status of 4xx" console
// lines are left out: a refusal from the API that the page shows is not an error, and a
// missing page file is recorded from its response instead.
export function watchPage(page) {
  const list = [];
  troubles.set(page, list);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of/.test(msg.text())) return;
    list.push(`console error: ${msg.text()} (${msg.location().url || 'page'})`);
  });
  page.on('pageerror', (err) => list.push(`uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText || '';
    if (why !== 'net::ERR_ABORTED') list.push(`request failed: ${req.method()} ${req.url()} ${why}`);
  });
  page.on('response', (res) => {
    const req = res.request();
    const path = new URL(res.url()).pathname;
    const ownFile = req.resourceType() !== 'document' && !path.startsWith('/api/') &&
      !path.startsWith('/feeds/');
    if (ownFile && res.status() >= 400) list.push(`${path} was refused: ${res.status()}`);
  });
  return page;
}

// What the page recorded since the last check, taken away: for a test that expects an
// error (the browser's report of a CSP violation, say) and checks it itself.
export function takeTrouble(page) {
  return (troubles.get(page) || []).splice(0);
}

// One check that the page recorded no trouble since the last such check.
export function checkNoTrouble(page, what) {
  const list = troubles.get(page) || [];
  check(list.length === 0, `${what}: no console errors, uncaught exceptions or failed files`,
    list.join('\n'));
  list.length = 0;
}

// ---- signing in -------------------------------------------------------------------

async function cookieSet(page) {
  const cookies = await page.context().cookies();
  return cookies.some((c) => /^(__Host-)?halls_session$/.test(c.name) && c.value);
}

// Signs the page's context in as email. Through the real sign-in page when the home page
// links to one ("Sign in"; its fields are labelled "Email" and "Password", issue 9),
// otherwise with POST /api/v1/session {"cookie": true} from the home page (a same-origin
// fetch, as a page would). Returns the signed-in user (GET /api/v1/users/me); throws
// when the sign-in did not take.
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto('/');
  const link = page.getByRole('link', { name: 'Sign in', exact: true });
  if (await link.count() > 0) {
    await link.first().click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    // A password is checked with scrypt on hallsd's worker: seconds on a loaded machine
    // (an ASan build beside other tests), so the wait is generous, never a fixed sleep.
    for (let i = 0; i < 600 && !(await cookieSet(page)); i += 1) await page.waitForTimeout(50);
    // The sign-in page then moves on to the user's first page: wait for it to go.
    await page.waitForURL((url) => url.pathname !== '/sign-in').catch(() => {});
    await page.waitForLoadState();
  } else {
    const reply = await pageFetch(page, 'POST', '/api/v1/session', { email, password, cookie: true });
    if (reply.status !== 201) throw new Error(`sign-in as ${email}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  const me = await pageFetch(page, 'GET', '/api/v1/users/me');
  if (me.status !== 200) throw new Error(`signed in as ${email}, but /api/v1/users/me says ${me.status}`);
  return me.body;
}

// A same-origin fetch from the page, as its own scripts would make one (the cookie is
// sent, and Sec-Fetch-Site is same-origin): { status, headers, body } with body parsed
// from JSON when it is JSON.
export async function pageFetch(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const init = { method: m, headers: { Accept: 'application/json' } };
    if (b !== undefined) {
      init.body = JSON.stringify(b);
      init.headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(p, init);
    const text = await r.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: the text as it came.
    }
    return { status: r.status, headers: Object.fromEntries(r.headers), body: parsed };
  }, [method, path, body]);
}

// ---- the keyboard ----------------------------------------------------------------

// Presses Tab until the focus is on an element matching selector, at most limit times,
// and returns where the focus stopped on the way (id, or tag and words); throws when
// the element is not reached.
export async function tabTo(page, selector, limit = 40) {
  const stops = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const [here, found] = await page.evaluate((sel) => {
      const el = document.activeElement;
      const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}"`;
      return [name, el.matches(sel)];
    }, selector);
    stops.push(here);
    if (found) return stops;
  }
  throw new Error(`${selector} not reached in ${limit} presses of Tab: ${stops.join(', ')}`);
}

// Whether the focused element looks different from when it is not focused: its
// outline, shadow, background or border, or those of its label's ::before (GOV.UK
// draws a checkbox's focus there). Blurs it for a moment and focuses it again.
export async function focusShows(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const look = () => {
      const parts = [getComputedStyle(el)];
      if (el.labels && el.labels[0]) parts.push(getComputedStyle(el.labels[0], '::before'));
      return parts.map((s) => [s.outlineStyle, s.outlineColor, s.outlineWidth, s.boxShadow,
        s.backgroundColor, s.borderColor, s.borderWidth].join(' ')).join(' | ');
    };
    const focused = look();
    el.blur();
    const unfocused = look();
    el.focus();
    return focused !== unfocused;
  });
}

// ---- auditing a page --------------------------------------------------------------

// WCAG 2.0, 2.1 and 2.2, levels A and AA (issue 9: 0 violations on every page).
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const WIDTHS = [{ width: 1280, height: 800 }, { width: 390, height: 844 }];

// Screenshots go to the repository's build/screenshots/, whatever BUILD is: look at
// them as a resident would.
export const SCREENSHOTS = join(REPO, 'build', 'screenshots');

function describeViolations(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `    at ${n.target.join(' ')}`).join('\n')).join('\n');
}

// The visible text fields, selects and text areas without a visible label (a <label>
// for it, or what aria-labelledby names, that is shown and has words).
function unlabelledControls() {
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden';
  };
  const said = (el) => shown(el) && el.textContent.trim() !== '';
  const skip = ['hidden', 'submit', 'button', 'reset', 'image'];
  return [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !skip.includes(el.type) && shown(el))
    .filter((el) => {
      const named = (el.getAttribute('aria-labelledby') || '').split(/\s+/)
        .map((id) => id && document.getElementById(id)).filter(Boolean);
      return ![...el.labels, ...named].some(said);
    })
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 80));
}

// Elements wider than the window: what to look at when a page scrolls sideways.
function overflowing() {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`);
}

// The checks every page passes, on the page as it is now, at 1280 px wide and then at
// 390 px (a phone): 0 axe violations of WCAG 2.2 A and AA, every visible control with a
// visible label, no sideways scrolling at 390 px, and no console errors, uncaught
// exceptions or failed files since the page opened (or since the last audit); saves
// full-page screenshots as build/screenshots/NAME-1280.png and NAME-390.png. Leaves the
// page 1280 px wide. name: a file name, such as "find-room-results".
export async function auditPage(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const size of WIDTHS) {
    const at = `${name} at ${size.width} px`;
    await page.setViewportSize(size);
    await page.mouse.move(0, 0); // no hover left from the last click in the screenshot
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    check(axe.violations.length === 0, `${at}: no axe violations (WCAG 2.2 A and AA)`,
      describeViolations(axe.violations));
    const bare = await page.evaluate(unlabelledControls);
    check(bare.length === 0, `${at}: every visible control has a visible label`,
      `without one: ${bare.join(', ')}`);
    if (size.width < 400) {
      const [scroll, client] = await page.evaluate(() =>
        [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      check(scroll <= client, `${at}: no sideways scrolling`,
        `scrollWidth ${scroll} > clientWidth ${client}; too wide: ${(await page.evaluate(overflowing)).join(', ')}`);
    }
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}.png`), fullPage: true });
  }
  await page.setViewportSize(WIDTHS[0]);
  checkNoTrouble(page, name);
}

// ---- headers ----------------------------------------------------------------------

async function headersOf(response) {
  if (typeof response.allHeaders === 'function') return response.allHeaders(); // Playwright
  if (typeof response.headers === 'function') return response.headers(); // APIResponse
  return Object.fromEntries(response.headers); // fetch()
}

// Checks what every page and file carries (docs/api.md): a CSP with default-src 'self',
// frame-ancestors 'none' and nothing unsafe-inline or unsafe-eval, Referrer-Policy:
// no-referrer (private feed links are secrets) and X-Content-Type-Options: nosniff.
// response: Playwright's Response or APIResponse, or fetch()'s. what names it.
export async function securityHeaders(response, what) {
  const h = await headersOf(response);
  const csp = h['content-security-policy'] || '';
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/))
    .filter((d) => d[0]).map(([key, ...values]) => [key.toLowerCase(), values]));
  const only = (key, value) => (directives.get(key) || []).join(' ') === value;
  check(only('default-src', "'self'"), `${what}: CSP default-src 'self'`, `Content-Security-Policy: ${csp}`);
  check(only('frame-ancestors', "'none'"), `${what}: CSP frame-ancestors 'none'`, `Content-Security-Policy: ${csp}`);
  check(csp !== '' && !/'unsafe-(inline|eval)'|'unsafe-hashes'/.test(csp), `${what}: CSP allows nothing unsafe`,
    `Content-Security-Policy: ${csp}`);
  check(h['referrer-policy'] === 'no-referrer', `${what}: Referrer-Policy: no-referrer`, String(h['referrer-policy']));
  check(h['x-content-type-options'] === 'nosniff', `${what}: X-Content-Type-Options: nosniff`,
    String(h['x-content-type-options']));
}
