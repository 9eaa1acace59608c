// What the administration pages share: the check that the signed-in person is an
// administrator, the message carried from a form to the list it returns to, reading a
// form's fields into the API's values, and the small builders of GOV.UK controls that
// the forms fill from the API's lists (venues, groups).
import { apiList } from './api.js';
import { $, banner, el, show } from './dom.js';
import { isAdmin, requireUser } from './layout.js';

// The signed-in administrator, with the page (id="admin", hidden until now) shown; for
// anyone else, the page says plainly whom it is for and resolves to null.
export async function adminOnly() {
  const user = await requireUser();
  if (isAdmin(user)) {
    show($('admin'), true);
    return user;
  }
  const main = $('main-content');
  main.replaceChildren(
    el('h1', { class: 'govuk-heading-l' }, 'These pages are for administrators'),
    el('p', { class: 'govuk-body' },
      `You are signed in as ${user.name}. Only an administrator can add, change or remove venues, rooms, groups and users.`),
    el('p', { class: 'govuk-body' },
      'If something needs changing, ask the person who runs halls for your organisation.'),
    el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/' }, 'Find a room')));
  return null;
}

// A success message for the next page this tab opens (the list a form returns to).
const FLASH = 'halls-admin-flash';

export function flashNext(words) {
  try {
    sessionStorage.setItem(FLASH, words);
  } catch {
    // Storage refused (private browsing): the list still shows the change itself.
  }
}

// The message left by the page before, as a success banner, once.
export function showFlash() {
  let words = null;
  try {
    words = sessionStorage.getItem(FLASH);
    sessionStorage.removeItem(FLASH);
  } catch {
    return;
  }
  if (words) banner(words, 'success');
}

// After a save: the message, then the list.
export function goBack(href, words) {
  flashNext(words);
  location.assign(href);
}

// A whole-number field as the API should get it: a number when it is one, the text as
// typed when it is not (the API then refuses it in its own words, against the field),
// undefined when blank.
export function numberField(id) {
  const text = $(id).value.trim();
  if (text === '') return undefined;
  return /^[0-9]{1,9}$/.test(text) ? Number(text) : text;
}

// A text field: the text, blank lines and spaces at the ends taken off.
export function textField(id) {
  return $(id).value.trim();
}

// The values of the checked boxes called name, as numbers when asNumbers.
export function checkedValues(name, asNumbers = false) {
  const values = [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((c) => c.value);
  return asNumbers ? values.map(Number) : values;
}

export function radioValue(name) {
  const chosen = document.querySelector(`input[name="${name}"]:checked`);
  return chosen ? chosen.value : undefined;
}

function sameValue(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) {
    const sorted = (list) => [...list].map(String).sort().join('\n');
    return sorted(a) === sorted(b);
  }
  const text = (v) => (typeof v === 'string' ? v.trim() : v ?? '');
  return text(a) === text(b);
}

// The fields of wanted that differ from the record as loaded: a PATCH sends only these.
// Fields left undefined are not sent.
export function changedFields(record, wanted) {
  const patch = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (value !== undefined && !sameValue(record[key], value)) patch[key] = value;
  }
  return patch;
}

// GOV.UK checkboxes, one per item ({ value, words, hint }), in container; ids prefix-VALUE.
export function fillCheckboxes(container, name, prefix, items, checked = []) {
  const on = new Set(checked.map(String));
  container.replaceChildren(...items.map((item) => {
    const id = `${prefix}-${item.value}`;
    const hintId = item.hint ? `${id}-hint` : null;
    return el('div', { class: 'govuk-checkboxes__item' },
      el('input', {
        class: 'govuk-checkboxes__input',
        id,
        name,
        type: 'checkbox',
        value: item.value,
        checked: on.has(String(item.value)),
        'aria-describedby': hintId,
      }),
      el('label', { class: 'govuk-label govuk-checkboxes__label', for: id }, item.words),
      item.hint ? el('div', { class: 'govuk-hint govuk-checkboxes__hint', id: hintId }, item.hint) : null);
  }));
}

// Every venue, by name; [] and a thrown ApiProblem as apiList does.
export async function allVenues() {
  const { items } = await apiList('/api/v1/venues', {}, 5000);
  return items.sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
}

export async function allGroups() {
  const { items } = await apiList('/api/v1/groups', {}, 5000);
  return items.sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
}

// A GOV.UK table of records. head: [[title, 'numeric' | 'hidden' | undefined], ...];
// rows: lists of cells (text or nodes), the first being the row's header. Few columns,
// so that the table fits a phone without scrolling.
export function recordTable(caption, head, rows) {
  const headCell = ([title, how]) => el('th', {
    scope: 'col',
    class: `govuk-table__header${how === 'numeric' ? ' govuk-table__header--numeric' : ''}`,
  }, how === 'hidden' ? el('span', { class: 'govuk-visually-hidden' }, title) : title);
  const cell = (content, i) => (i === 0
    ? el('th', { scope: 'row', class: 'govuk-table__header' }, content)
    : el('td', { class: `govuk-table__cell${head[i][1] === 'numeric' ? ' govuk-table__cell--numeric' : ''}` }, content));
  return el('table', { class: 'govuk-table' },
    el('caption', { class: 'govuk-table__caption govuk-visually-hidden' }, caption),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' }, head.map(headCell))),
    el('tbody', { class: 'govuk-table__body' },
      rows.map((cells) => el('tr', { class: 'govuk-table__row' }, cells.map(cell)))));
}

// A GOV.UK table's row actions: "Change" and "Remove", each naming the record for a
// screen reader ("Change Main Hall").
export function rowActions(changeHref, removeHref, name) {
  const action = (href, words) => el('a', { class: 'govuk-link', href },
    words, el('span', { class: 'govuk-visually-hidden' }, ` ${name}`));
  return el('ul', { class: 'halls-actions' },
    el('li', {}, action(changeHref, 'Change')),
    el('li', {}, action(removeHref, 'Remove')));
}

// A form page that cannot load what it needs: the form goes, and the heading and the
// error summary say why.
export function formUnavailable(formId, heading, errors, problem) {
  $(formId).replaceChildren();
  $('heading').textContent = heading;
  errors.show([[null, problem.detail]]);
}

// A form page that changes a record rather than adding one: its heading, title and
// button say so.
export function formChanges(name) {
  $('heading').textContent = `Change ${name}`;
  document.title = `Change ${name} – halls`;
  $('save').textContent = 'Save changes';
}
