// Builds the pages hallsd embeds: node build.mjs OUTDIR
//
// src/app.scss becomes app.<hash>.css (govuk-frontend in a system font); each ES module
// in src/ is copied as name.<hash>.js with its imports of other modules renamed; each
// HTML page is put into src/layout.html (one header, navigation and footer for every page)
// and has its references renamed. Hashed names may be cached for ever
// (docs/operations.md). The build refuses anything a strict CSP would block or that would
// reach another origin: inline script or style, and absolute URLs other than the two
// calendar services a resident may add a feed to.
//
// A page (src/NAME.html, served as /NAME) starts with its settings, one per line:
//   <!-- title: Find a room -->        the <title> and nothing else
//   <!-- script: find-room.js -->      its module (optional; more than one line allowed)
// and the rest is what goes inside <main>.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const out = process.argv[2];

if (!out) {
  console.error('usage: node build.mjs OUTDIR');
  process.exit(2);
}

function fail(message) {
  console.error(`build.mjs: ${message}`);
  process.exit(1);
}

function hashed(name, bytes) {
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.${digest}${name.slice(dot)}`;
}

// Nothing is fetched from another origin: an absolute or protocol-relative URL is
// refused, except links that hand a feed to Google's or Microsoft's calendar (navigation,
// which the CSP does not govern; nothing is loaded from them).
const LINK_ONLY = new Set(['calendar.google.com', 'outlook.live.com', 'outlook.office.com']);

function checkNoExternal(name, text) {
  for (const found of text.matchAll(/(?:https?:)?\/\/([a-z0-9.-]+\.[a-z]{2,})/gi)) {
    if (!LINK_ONLY.has(found[1].toLowerCase())) fail(`${name} refers to another origin (${found[0]})`);
  }
}

const renamed = new Map(); // source name -> hashed name
const files = new Map(); // hashed name -> bytes

function css() {
  const result = sass.compile(join(src, 'app.scss'), {
    loadPaths: [join(here, 'node_modules')],
    style: 'compressed',
    quietDeps: true,
  });
  if (/@font-face/.test(result.css)) fail('app.css declares a font face; use the system font');
  if (/url\(/.test(result.css)) fail('app.css fetches a file (url(...)); the pages draw none');
  if (/GDS Transport/.test(result.css)) fail('app.css names the GDS Transport font');
  const name = hashed('app.css', result.css);
  renamed.set('app.css', name);
  files.set(name, result.css);
}

// A module and, first, the modules it imports, so that each name carries its final bytes.
function module(name, seen = new Set()) {
  if (renamed.has(name)) return renamed.get(name);
  if (seen.has(name)) fail(`${name} imports itself in a loop`);
  seen.add(name);
  let text = readFileSync(join(src, name), 'utf8');
  checkNoExternal(name, text);
  text = text.replace(/(\bfrom\s*|\bimport\s*\(?\s*)(['"])\.\/([a-z0-9-]+\.js)\2/g,
    (all, lead, quote, dep) => `${lead}${quote}./${module(dep, seen)}${quote}`);
  const hashedName = hashed(name, text);
  renamed.set(name, hashedName);
  files.set(hashedName, text);
  return hashedName;
}

// A page's settings (the comments at its top) and its body.
function pageParts(name, text) {
  const settings = { title: null, scripts: [] };
  let rest = text;
  for (;;) {
    const m = /^\s*<!--\s*([a-z]+):\s*(.*?)\s*-->/.exec(rest);
    if (!m) break;
    if (m[1] === 'title') settings.title = m[2];
    else if (m[1] === 'script') settings.scripts.push(m[2]);
    else fail(`${name}: unknown setting ${m[1]}`);
    rest = rest.slice(m[0].length);
  }
  if (!settings.title) fail(`${name} has no <!-- title: ... --> line`);
  if (/<html|<head|<body/i.test(rest)) fail(`${name} has its own <html>; the layout gives it`);
  return { settings, body: rest.trim() };
}

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function page(name, layout) {
  const { settings, body } = pageParts(name, readFileSync(join(src, name), 'utf8'));
  const scripts = settings.scripts.map((s) => `  <script type="module" src="${s}"></script>`);
  let text = layout
    .replace('{{title}}', () => escapeHtml(settings.title))
    .replace('{{scripts}}', () => scripts.join('\n'))
    .replace('{{main}}', () => body);
  checkNoExternal(name, text);
  if (/<style|\sstyle=/i.test(text)) fail(`${name} has inline style`);
  for (const tag of text.match(/<script\b[^>]*>/gi) || []) {
    if (!/\ssrc="/.test(tag)) fail(`${name} has an inline script`);
  }
  if (/\son[a-z]+=/i.test(text)) fail(`${name} has an inline event handler`);
  text = text.replace(/(\s(?:href|src)=")([a-z0-9-]+\.(?:css|js))"/g, (all, lead, ref) => {
    if (!renamed.has(ref)) fail(`${name} refers to ${ref}, which the build does not make`);
    return `${lead}/${renamed.get(ref)}"`;
  });
  files.set(name, text);
}

css();
const entries = readdirSync(src).sort();
for (const name of entries.filter((n) => n.endsWith('.js'))) module(name);
// Pictures are copied as they are, under their own names (the browser asks for the icon
// by name, and it is checked again each time rather than cached for ever).
for (const name of entries.filter((n) => n.endsWith('.svg'))) {
  const text = readFileSync(join(src, name), 'utf8');
  if (/<script|\son[a-z]+=|href="(?!#)/i.test(text)) fail(`${name} has a script or a link`);
  files.set(name, text);
}
const layout = readFileSync(join(src, 'layout.html'), 'utf8');
for (const name of entries.filter((n) => n.endsWith('.html') && n !== 'layout.html')) page(name, layout);

// Only what this build made: a stale hashed file would be embedded too.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [name, bytes] of files) writeFileSync(join(out, name), bytes);
