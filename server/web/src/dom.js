// Small helpers for building the pages' DOM from API data: text always goes in as text,
// never as HTML, so a booking's title cannot become markup.

export const $ = (id) => document.getElementById(id);

// el('a', { href: '/x', class: 'govuk-link' }, 'text', child, ...). Attributes whose
// value is null, undefined or false are left out; true gives an empty attribute.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function show(node, visible) {
  node.classList.toggle('halls-hidden', !visible);
}

// The page's query parameter name, or null.
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

// A positive whole-number id from the query, or null (the page then says what is missing).
export function idParam(name) {
  const value = param(name);
  return value && /^[1-9][0-9]{0,15}$/.test(value) ? value : null;
}

// A GOV.UK tag: <strong class="govuk-tag govuk-tag--COLOUR">words</strong>.
export function tag(words, colour) {
  return el('strong', { class: colour ? `govuk-tag govuk-tag--${colour}` : 'govuk-tag' }, words);
}

// A GOV.UK summary list from [key, value] pairs; a value may be a node or text.
export function summaryList(rows) {
  return el('dl', { class: 'govuk-summary-list' }, rows.map(([key, value]) =>
    el('div', { class: 'govuk-summary-list__row' },
      el('dt', { class: 'govuk-summary-list__key' }, key),
      el('dd', { class: 'govuk-summary-list__value' }, value))));
}

// A GOV.UK table: head is a list of column titles (a title ending in '#' is numeric),
// rows a list of lists of cells (text or nodes); the first cell of each row is its header.
export function table(caption, head, rows) {
  const numeric = head.map((h) => h.endsWith('#'));
  return el('table', { class: 'govuk-table' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, caption),
    el('thead', { class: 'govuk-table__head' },
      el('tr', { class: 'govuk-table__row' }, head.map((h, i) =>
        el('th', { scope: 'col', class: `govuk-table__header${numeric[i] ? ' govuk-table__header--numeric' : ''}` },
          numeric[i] ? h.slice(0, -1) : h)))),
    el('tbody', { class: 'govuk-table__body' }, rows.map((cells) =>
      el('tr', { class: 'govuk-table__row' }, cells.map((c, i) => i === 0
        ? el('th', { scope: 'row', class: 'govuk-table__header' }, c)
        : el('td', { class: `govuk-table__cell${numeric[i] ? ' govuk-table__cell--numeric' : ''}` }, c))))));
}

// A GOV.UK notification banner (success when kind is 'success'), put at the top of
// <main> and focused, so that a screen reader hears what just happened.
export function banner(words, kind = 'info') {
  const old = document.getElementById('banner');
  if (old) old.remove();
  const success = kind === 'success';
  const node = el('div', {
    class: `govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`,
    role: success ? 'alert' : 'region',
    'aria-labelledby': 'banner-title',
    id: 'banner',
    tabindex: '-1',
  },
  el('div', { class: 'govuk-notification-banner__header' },
    el('h2', { class: 'govuk-notification-banner__title', id: 'banner-title' }, success ? 'Success' : 'Important')),
  el('div', { class: 'govuk-notification-banner__content' },
    el('p', { class: 'govuk-notification-banner__heading' }, words)));
  document.getElementById('main-content').prepend(node);
  node.focus();
  return node;
}
