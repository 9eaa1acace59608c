// A venue's opening hours as the API writes them ("mon-fri 09:00-22:00; sat
// 10:00-12:00,13:00-16:00; sun closed", days left out being closed) and as a person reads
// and fills them in: one row of "opens" and "closes" a day, up to four a day.
import { el } from './dom.js';
import { WEEKDAYS, clockTime, clockWords } from './format.js';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const MAX_PER_DAY = 4; // the core's HOURS_MAX_PER_DAY

// { mon: [['09:00', '22:00']], ..., sun: [] } from the API's text. Clauses the page cannot
// read are skipped: the API wrote the text, so there are none.
export function parseHours(text) {
  const week = Object.fromEntries(DAYS.map((d) => [d, []]));
  for (const clause of (text || '').split(';')) {
    const m = /^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(.*?)\s*$/i.exec(clause);
    if (!m) continue;
    const first = DAYS.indexOf(m[1].toLowerCase());
    const last = m[2] ? DAYS.indexOf(m[2].toLowerCase()) : first;
    if (first < 0 || last < 0) continue;
    const spans = /^closed$/i.test(m[3]) ? [] : m[3].split(',').map((s) => s.trim().split('-'));
    for (let d = first; ; d = (d + 1) % 7) {
      week[DAYS[d]] = spans.map((s) => [...s]);
      if (d === last) break;
    }
  }
  return week;
}

// The API's text from { day: [[from, to], ...] }: every open day named on its own (the
// API groups equal days when it answers). Days with no times are left out: closed.
export function formatHours(week) {
  return DAYS.filter((d) => week[d].length)
    .map((d) => `${d} ${week[d].map(([from, to]) => `${from}-${to}`).join(',')}`)
    .join('; ');
}

function timeWords(hhmm) {
  if (hhmm === '24:00') return 'midnight';
  const [h, m] = hhmm.split(':').map(Number);
  return clockWords(h, m);
}

// "Monday to Friday, 9am to 10pm; Saturday, 9am to 6pm" from the API's text.
export function hoursWords(text) {
  const week = parseHours(text);
  const key = (d) => JSON.stringify(week[d]);
  const parts = [];
  for (let i = 0; i < 7;) {
    let j = i;
    while (j + 1 < 7 && key(DAYS[j + 1]) === key(DAYS[i])) j++;
    if (week[DAYS[i]].length) {
      const days = i === j ? WEEKDAYS[i] : `${WEEKDAYS[i]} to ${WEEKDAYS[j]}`;
      const times = week[DAYS[i]].map(([f, t]) => `${timeWords(f)} to ${timeWords(t)}`).join(' and ');
      parts.push(`${days}, ${times}`);
    }
    i = j + 1;
  }
  return parts.length ? parts.join('; ') : 'Closed every day';
}

// A time as typed ("9", "09:00", "9.30", "7pm", "24:00", "midnight") as HH:MM, or null.
// A closing time of 24:00 (midnight) is allowed, as the API allows it.
export function readTime(text) {
  const t = text.trim().toLowerCase();
  if (/^(24([:.]00)?|midnight)$/.test(t)) return '24:00';
  if (/^\d{1,2}$/.test(t) && Number(t) <= 23) return `${t.padStart(2, '0')}:00`;
  return clockTime(t);
}

// One row of times for day d (0 = Monday), the nth (0-based) of that day.
function timeRow(d, n, from = '', to = '') {
  const dayName = WEEKDAYS[d];
  const id = `hours-${DAYS[d]}-${n}`;
  // "Opens on Saturday", and for a second opening "Opens on Saturday, time 2": each box
  // has a name of its own for a screen reader; the eye sees the day's legend.
  const which = n === 0 ? ` on ${dayName}` : ` on ${dayName}, time ${n + 1}`;
  const field = (end, words, value) => el('div', { class: 'halls-hours__item' },
    el('label', { class: 'govuk-label', for: `${id}-${end}` },
      words, el('span', { class: 'govuk-visually-hidden' }, which)),
    el('input', {
      class: 'govuk-input govuk-input--width-5',
      id: `${id}-${end}`,
      name: `${id}-${end}`,
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      value,
    }));
  return el('div', { class: 'halls-hours__row', 'data-day': DAYS[d] },
    field('from', 'Opens', from),
    field('to', 'Closes', to));
}

// The week's form, put into container: a fieldset a day, each with its rows and a button
// to add another row. The error for day d goes in id="hours-DAY-error".
export function drawHoursForm(container, week) {
  container.replaceChildren(...DAYS.map((day, d) => {
    const spans = week[day].length ? week[day] : [['', '']];
    const rows = el('div', { class: 'halls-hours__rows', id: `hours-${day}-rows` },
      spans.map(([from, to], n) => timeRow(d, n, from, to)));
    const add = el('button', { type: 'button', class: 'halls-link-button', id: `hours-${day}-add` },
      'Add another time', el('span', { class: 'govuk-visually-hidden' }, ` on ${WEEKDAYS[d]}`));
    add.addEventListener('click', () => {
      const n = rows.children.length;
      rows.append(timeRow(d, n));
      document.getElementById(`hours-${day}-${n}-from`).focus();
      if (n + 1 >= MAX_PER_DAY) add.remove();
    });
    return el('div', { class: 'govuk-form-group halls-hours__day', id: `hours-${day}-group` },
      el('fieldset', { class: 'govuk-fieldset', 'aria-describedby': `hours-${day}-error` },
        el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, WEEKDAYS[d]),
        el('p', { class: 'govuk-error-message halls-hidden', id: `hours-${day}-error` }),
        rows,
        spans.length < MAX_PER_DAY ? add : null));
  }));
}

// The form's week, and what the page could not read: { week, found: [[field, words]] }.
// A row with both times blank is no opening; a day with no openings is closed.
export function readHoursForm() {
  const week = Object.fromEntries(DAYS.map((d) => [d, []]));
  const found = [];
  DAYS.forEach((day, d) => {
    const rows = document.querySelectorAll(`#hours-${day}-rows .halls-hours__row`);
    rows.forEach((row, n) => {
      const fromBox = document.getElementById(`hours-${day}-${n}-from`);
      const toBox = document.getElementById(`hours-${day}-${n}-to`);
      const fromText = fromBox.value.trim();
      const toText = toBox.value.trim();
      if (!fromText && !toText) return;
      const from = fromText ? readTime(fromText) : null;
      const to = toText ? readTime(toText) : null;
      const field = `hours-${day}`;
      if (!fromText) found.push([field, `Enter the time it opens on ${WEEKDAYS[d]}, or leave both times blank if it is closed`]);
      else if (!from || from === '24:00') found.push([field, `Enter the time it opens on ${WEEKDAYS[d]} as a 24-hour time, for example 09:00`]);
      else if (!toText) found.push([field, `Enter the time it closes on ${WEEKDAYS[d]}`]);
      else if (!to) found.push([field, `Enter the time it closes on ${WEEKDAYS[d]} as a 24-hour time, for example 22:00 (24:00 is midnight)`]);
      else week[day].push([from, to]);
    });
  });
  return { week, found };
}

// The day a refusal of the API's about opening hours is about (it quotes the clause,
// which starts with the day), as the form's field: 'hours-mon'; 'hours' when none.
export function hoursFieldOf(detail) {
  const m = /"\s*([a-z]{3})\b/i.exec(detail);
  return m && DAYS.includes(m[1].toLowerCase()) ? `hours-${m[1].toLowerCase()}` : 'hours';
}
