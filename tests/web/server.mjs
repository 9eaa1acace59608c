// What the browser tests (run.mjs) and the page benchmark (tests/bench/web.mjs) share:
// the real hallsd over demo data on a free loopback port, and Debian's Chromium.
// Not a test file (no test_ prefix).
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The clock hallsd, `halls init --demo` and the pages all see: Tuesday 1 December 2026,
// 00:00 UTC (as tests/bench/pages.py), so the demo's bookings and every date are the
// same in each run.
export const NOW = 1796083200;

// Debian's Chromium (apt package chromium, installed by .ci/deps). Playwright never
// downloads a browser here.
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// The binaries: $BUILD (default build/), relative to the repository.
export function buildDir() {
  return resolve(REPO, process.env.BUILD || 'build');
}

// playwright-core, or an Error that says how to get it: a missing node_modules is a
// failure with a clear message, never a silent skip.
export async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new Error('tests/web/node_modules is missing or broken (' + e.message + '): ' +
      'run `make test`, or `cd tests/web && npm ci`');
  }
}

// Chromium, headless, launched once for a whole run.
export async function launchChromium() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (make deps, or ` +
      'apt-get install chromium)');
  }
  const { chromium } = await loadPlaywright();
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

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

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// The environment of halls and hallsd: the pinned clock, and cheap scrypt for demo
// passwords (as tests/e2e/harness.py).
function hallsEnv() {
  return { ...process.env, HALLS_NOW: String(NOW), HALLS_SCRYPT_LOG2N: process.env.HALLS_SCRYPT_LOG2N || '10' };
}

// A fresh hallsd over a new demo data directory (`halls --data DIR init --demo`), on
// 127.0.0.1 and a free port. Returns { base, port, data, log, stop() }; stop() ends it
// with SIGTERM (SIGKILL after 10 s), removes its directory, and resolves to its exit
// code (0 is a clean stop) and the end of its log.
export async function startHallsd(build = buildDir()) {
  const tmp = mkdtempSync(join(tmpdir(), 'halls-web.'));
  const data = join(tmp, 'data');
  const log = join(tmp, 'hallsd.log');
  const init = spawnSync(join(build, 'halls'), ['--data', data, 'init', '--demo'],
    { env: hallsEnv(), encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`halls init --demo failed (${init.error || init.status}): ${init.stderr}`);
  }
  const port = await freePort();
  const out = openSync(log, 'w');
  const proc = spawn(join(build, 'hallsd'), ['--data', data, '--listen', `127.0.0.1:${port}`],
    { env: hallsEnv(), stdio: ['ignore', out, out] });
  closeSync(out);
  let exit = null;
  const exited = new Promise((done) => proc.on('exit', (code, signal) => {
    exit = code ?? 128 + (osConstants.signals[signal] || 0);
    done(exit);
  }));
  const tail = () => {
    try {
      return readFileSync(log, 'utf8').slice(-3000);
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (exit === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    const end = tail();
    rmSync(tmp, { recursive: true, force: true });
    return { code: exit, log: end };
  };
  for (const deadline = Date.now() + 10000; Date.now() < deadline;) {
    if (await canConnect(port)) return { base: `http://127.0.0.1:${port}`, port, data, log, stop };
    if (exit !== null) break;
    await sleep(50);
  }
  const { log: end } = await stop();
  throw new Error(`hallsd did not start:\n${end}`);
}
