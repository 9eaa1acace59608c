// Runs the browser tests: node tests/web/run.mjs [NAME...] (tests/run.sh runs it as the
// suite "web"). For each tests/web/test_*.mjs (or those whose names contain a NAME), a
// fresh hallsd over new demo data ($BUILD/hallsd, BUILD default build/); each of the
// file's tests gets a fresh context and page of one headless Chromium. Prints "ok - ..."
// or "not ok - ..." per check and, last, "web: N passed, M failed"; exits 1 when
// anything failed. A missing Chromium or node_modules is a failure, never a skip.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { NOW, buildDir, launchChromium, loadPlaywright, startHallsd } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TEST_TIMEOUT_MS = 180000;
const ACTION_TIMEOUT_MS = 15000;

// The library comes from node_modules (axe): load it only once that is known to work.
let lib = null;

function summary() {
  const { passed, failed } = lib ? lib.tally : { passed: 0, failed: 1 };
  console.log(`web: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// A failure from an exception: its stack when a test threw, its words alone when the
// run could not start.
function fail(what, err, stack = true) {
  const words = stack ? err.stack || String(err) : err.message;
  if (lib) lib.check(false, what, words);
  else console.log(`not ok - ${what}\n#   ${words}`);
}

function withTimeout(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// One test in its own context: no cookies, the browser's clock at NOW, relative URLs
// on server.
async function runTest(browser, server, { name, fn }) {
  console.log(`# ${name}`);
  const context = await browser.newContext({ baseURL: server.base, viewport: { width: 1280, height: 800 } });
  try {
    await context.clock.install({ time: NOW * 1000 });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.on('page', lib.watchPage);
    const page = await context.newPage();
    try {
      await withTimeout(fn({ page, context, server }), TEST_TIMEOUT_MS, name);
    } catch (err) {
      fail(`${name}: ran to the end`, err);
    }
    for (const p of context.pages()) lib.checkNoTrouble(p, `${name} (end)`);
  } finally {
    await context.close();
  }
}

async function runFile(browser, file) {
  console.log(`# ${file}`);
  const failedBefore = lib.tally.failed;
  let server;
  try {
    server = await startHallsd();
  } catch (err) {
    fail(`${file}: hallsd starts`, err);
    return;
  }
  try {
    await import(pathToFileURL(join(here, file)).href);
    const tests = lib.takeTests();
    lib.check(tests.length > 0, `${file} names tests`);
    for (const t of tests) await runTest(browser, server, t);
  } catch (err) {
    fail(`${file}: loads and runs`, err);
  } finally {
    const { code, log } = await server.stop();
    lib.check(code === 0, `${file}: hallsd stops cleanly on SIGTERM`, `exit ${code}\n${log}`);
    if (lib.tally.failed > failedBefore && code === 0) {
      console.log(`# the end of hallsd's log:\n${log.split('\n').map((l) => `#   ${l}`).join('\n')}`);
    }
  }
}

async function main() {
  const wanted = process.argv.slice(2);
  const files = readdirSync(here).filter((n) => /^test_.*\.mjs$/.test(n)).sort()
    .filter((n) => wanted.length === 0 || wanted.some((w) => n.includes(w)));
  let browser;
  try {
    await loadPlaywright();
    lib = await import('./lib.mjs').catch((err) => {
      throw new Error(`tests/web/node_modules is missing or broken (${err.message}): run \`make test\`, or \`cd tests/web && npm ci\``);
    });
    browser = await launchChromium();
  } catch (err) {
    fail('the browser tests can run', err, false);
    summary();
  }
  console.log(`# Chromium ${browser.version()}, binaries from ${buildDir()}`);
  try {
    lib.check(files.length > 0, 'there are browser tests to run', `none matches ${wanted.join(' ')}`);
    for (const file of files) await runFile(browser, file);
  } finally {
    await browser.close();
  }
  summary();
}

main().catch((err) => {
  fail('the browser tests ran to the end', err);
  summary();
});
