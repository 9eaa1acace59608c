// What each page costs a browser: bytes on the first load, time to ready, and what a
// repeat visit fetches. (pages.py, beside it, is about pages of an API listing.)
//
// For each page below, RUNS times (default 5), in Debian's Chromium against hallsd over
// the demo data on loopback (tests/web/server.mjs): a first load with an empty cache,
// then a repeat visit in a new tab with the cache the first left. Prints medians:
//   - first-load bytes: what came over the wire for the HTML, CSS and JS (gzipped, with
//     their headers: CDP's encodedDataLength), and apart from them the API's replies;
//   - ready: navigation start to the load event or the last response, whichever is later,
//     the page's API calls included (Navigation and Resource Timing);
//   - on the repeat visit, how many hashed assets (name.<8 hex>.css/js) still came from
//     the network with a 200 (0 when caching works), and the HTML's status (304: checked
//     with its ETag).
// Ratios are against issue 9's budgets (100 KB, 300 ms) and against the anchor measured
// in the same run: GET /healthz from Node, median of 50. Prints figures and asserts
// nothing: see docs/operations.md#benchmarks.
//
// Usage: node tests/bench/web.mjs [BUILD]
import { launchChromium, startHallsd } from '../web/server.mjs';

// Every page, as [name, path] or, for a page measured signed in, [name, path, email]:
// add each new page here.
const MEMBER = 'pat@knitters.example';
const MANAGER = 'manager.hartley@halls.example';
const PAGES = [
  ['Find a room', '/'],
  ['Venues', '/venues'],
  ['A venue', '/venue?id=1'],
  ['A room', '/room?id=2&date=2026-12-08'],
  ["What's on", '/whats-on?date=2026-12-07'],
  ['Subscribe', '/subscribe'],
  ['Page not found', '/no-such-page'],
  ['Sign in', '/sign-in'],
  ['My bookings', '/my-bookings', MEMBER],
  ['Request a room', '/request', MEMBER],
  ['Request a series', '/request-series', MEMBER],
  ['Calendar links', '/calendar-links', MEMBER],
  ['Requests', '/requests', MANAGER],
  ['Venue calendar', '/venue-calendar', MANAGER],
  ['Closures', '/closures', MANAGER],
  ['Usage reports', '/reports', MANAGER],
  ['Forgot your password', '/forgot-password'],
  ['My account', '/account', MEMBER],
  ['Invite someone', '/invite', MANAGER],
];
const RUNS = Number(process.env.RUNS || 5);
const BUDGET_BYTES = 100 * 1024;
const BUDGET_MS = 300;
const HASHED = /\.[0-9a-f]{8}\.(css|js)$/;
const WIDTHS = [16, 7, 7, 6, 9, 7, 9, 9, 7, 5];

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function healthzMs(base) {
  const times = [];
  for (let i = 0; i < 50; i += 1) {
    const t0 = process.hrtime.bigint();
    await (await fetch(`${base}/healthz`)).text();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

// Loads url in a new tab of context and returns each request's { url, type, status,
// bytes, cached } (from the DevTools protocol) and the ms to ready.
async function visit(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', (e) => requests.set(e.requestId, { url: e.request.url, type: e.type, bytes: 0, cached: false }));
  cdp.on('Network.requestServedFromCache', (e) => { if (requests.has(e.requestId)) requests.get(e.requestId).cached = true; });
  cdp.on('Network.responseReceived', (e) => {
    const r = requests.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.cached ||= Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache);
  });
  // The status as it came over the wire: a 304 is reported above as the cached 200.
  cdp.on('Network.responseReceivedExtraInfo', (e) => { if (requests.has(e.requestId)) requests.get(e.requestId).wire = e.statusCode; });
  cdp.on('Network.loadingFinished', (e) => { if (requests.has(e.requestId)) requests.get(e.requestId).bytes = e.encodedDataLength; });
  await cdp.send('Network.enable');
  await page.goto(url, { waitUntil: 'networkidle' });
  const ready = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return Math.max(nav.loadEventEnd, ...performance.getEntriesByType('resource').map((r) => r.responseEnd));
  });
  await page.close();
  return { requests: [...requests.values()], ready };
}

const isPageFile = (r) => ['Document', 'Stylesheet', 'Script'].includes(r.type);
const isApi = (r) => new URL(r.url).pathname.startsWith('/api/');
const sum = (list) => list.reduce((a, r) => a + r.bytes, 0);

// The session cookie of a demo user, as the sign-in page gets it (POST /api/v1/session
// with "cookie": true, from this site's origin).
async function sessionCookie(base, email) {
  const reply = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base },
    body: JSON.stringify({ email, password: 'demo-password', cookie: true }),
  });
  const [pair] = (reply.headers.get('set-cookie') || '').split(';');
  const at = pair.indexOf('=');
  if (reply.status !== 201 || at < 0) throw new Error(`sign-in as ${email}: ${reply.status}`);
  return { name: pair.slice(0, at), value: pair.slice(at + 1), url: base };
}

async function measure(browser, base, path, email) {
  const rows = { bytes: [], api: [], ready: [], again: [], fetched: [], html: [] };
  for (let i = 0; i < RUNS; i += 1) {
    const context = await browser.newContext();
    if (email) await context.addCookies([await sessionCookie(base, email)]);
    const first = await visit(context, base + path);
    rows.bytes.push(sum(first.requests.filter(isPageFile)));
    rows.api.push(sum(first.requests.filter(isApi)));
    rows.ready.push(first.ready);
    const repeat = await visit(context, base + path);
    rows.again.push(repeat.ready);
    rows.fetched.push(repeat.requests.filter((r) => HASHED.test(new URL(r.url).pathname) && r.status === 200 && !r.cached).length);
    const html = repeat.requests.find((r) => r.type === 'Document');
    rows.html.push(html ? html.wire || html.status : 0);
    await context.close();
  }
  return rows;
}

async function main() {
  if (process.argv[2]) process.env.BUILD = process.argv[2];
  const browser = await launchChromium();
  const server = await startHallsd();
  try {
    const anchor = await healthzMs(server.base);
    console.log(`pages in Chromium ${browser.version()} over loopback, demo data; medians of ${RUNS}`);
    console.log(`anchor: GET /healthz from Node, median of 50: ${anchor.toFixed(2)} ms`);
    const line = (cells) => console.log(cells.map((c, i) => (i ? c.padStart(WIDTHS[i]) : c.padEnd(WIDTHS[0]))).join(' '));
    line(['page', 'bytes', '/100KB', 'api', 'ready ms', '/300ms', '/healthz', 'again ms', 'assets', 'html']);
    for (const [name, path, email] of PAGES) {
      const rows = await measure(browser, server.base, path, email);
      const bytes = median(rows.bytes);
      const ready = median(rows.ready);
      line([name, String(bytes), (bytes / BUDGET_BYTES).toFixed(2), String(median(rows.api)), ready.toFixed(1),
        (ready / BUDGET_MS).toFixed(2), (ready / anchor).toFixed(0), median(rows.again).toFixed(1),
        String(Math.max(...rows.fetched)), [...new Set(rows.html)].join('/')]);
    }
    console.log('bytes: HTML, CSS and JS as sent (gzipped, with headers); api: the API replies apart');
    console.log('again: a repeat visit; assets: hashed files it took from the network with a 200 (the most in any run); html: its status');
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(`web.mjs: ${err.message}`);
  process.exit(1);
});
