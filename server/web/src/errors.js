// Errors on a form, the GOV.UK way: a summary at the top of the page that links to each
// field, and each message again by its field, in the API's own words.
//
// A field named f has (by convention) a form group id="f-group" and a control id="f" (or
// another, given in targets). Its message goes in id="f-error", made when the page has
// none. The summary is id="errors" (made at the top of <main> when missing).
import { el } from './dom.js';

function summary() {
  let box = document.getElementById('errors');
  if (!box) {
    box = el('div', { class: 'govuk-error-summary halls-hidden', id: 'errors', 'data-module': 'govuk-error-summary' },
      el('div', { role: 'alert' },
        el('h2', { class: 'govuk-error-summary__title' }, 'There is a problem'),
        el('div', { class: 'govuk-error-summary__body' },
          el('ul', { class: 'govuk-list govuk-error-summary__list', id: 'error-list' }))));
    document.getElementById('main-content').prepend(box);
  }
  box.tabIndex = -1;
  return box;
}

export class FormErrors {
  // targets: { field: control id } for fields whose control is not id=field (a date
  // input's day box, the first of a set of checkboxes). words: { param: field } maps the
  // API's names for values (which its refusals begin with or quote) to the form's fields.
  constructor(targets = {}, words = {}) {
    this.targets = targets;
    this.words = Object.entries(words);
    this.marked = [];
  }

  target(field) {
    return document.getElementById(this.targets[field] || field);
  }

  // The boxes an error outlines: a date input's three together (GOV.UK marks the whole
  // date when the date as a whole is wrong), else the control alone.
  boxes(field) {
    const control = this.target(field);
    if (!control) return [];
    const date = control.closest('.govuk-date-input');
    return date ? [...date.querySelectorAll('.govuk-input')] : [control];
  }

  clear() {
    const box = summary();
    box.classList.add('halls-hidden');
    box.querySelector('#error-list').replaceChildren();
    for (const field of this.marked) {
      const group = document.getElementById(`${field}-group`);
      if (group) group.classList.remove('govuk-form-group--error');
      const message = document.getElementById(`${field}-error`);
      if (message) message.classList.add('halls-hidden');
      for (const box of this.boxes(field)) {
        box.classList.remove('govuk-input--error', 'govuk-select--error', 'govuk-textarea--error');
      }
    }
    this.marked = [];
  }

  messageFor(field) {
    let message = document.getElementById(`${field}-error`);
    if (!message) {
      const control = this.target(field);
      if (!control) return null;
      message = el('p', { class: 'govuk-error-message', id: `${field}-error` });
      control.before(message);
      const described = control.getAttribute('aria-describedby');
      control.setAttribute('aria-describedby', described ? `${described} ${message.id}` : message.id);
    }
    return message;
  }

  // errors: [[field or null, words], ...]. Shows them and moves focus to the summary.
  show(errors) {
    const box = summary();
    const list = box.querySelector('#error-list');
    for (const [field, words] of errors) {
      const control = field && this.target(field);
      if (!control) {
        list.append(el('li', {}, words));
        continue;
      }
      list.append(el('li', {}, el('a', { href: `#${control.id}` }, words)));
      const message = this.messageFor(field);
      message.replaceChildren(el('span', { class: 'govuk-visually-hidden' }, 'Error: '), words);
      message.classList.remove('halls-hidden');
      const group = document.getElementById(`${field}-group`);
      if (group) group.classList.add('govuk-form-group--error');
      for (const box of this.boxes(field)) {
        for (const kind of ['input', 'select', 'textarea']) {
          if (box.classList.contains(`govuk-${kind}`)) box.classList.add(`govuk-${kind}--error`);
        }
      }
      this.marked.push(field);
    }
    box.classList.remove('halls-hidden');
    box.focus();
  }

  // The form field a refusal's words are about: the first API name the words begin with
  // or quote as a whole word. null for the summary alone.
  fieldOf(detail) {
    for (const [name, field] of this.words) {
      if (new RegExp(`(^|[^a-z_])${name}([^a-z_]|$)`).test(detail)) return field;
    }
    return null;
  }

  // An ApiProblem (or any error) shown against its field.
  showProblem(problem) {
    const detail = (problem && problem.detail) || String(problem);
    this.show([[this.fieldOf(detail), detail]]);
  }
}

// A summary link moves focus to its field (the browser only scrolls to it).
document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('.govuk-error-summary__list a');
  if (!link) return;
  const control = document.getElementById(link.getAttribute('href').slice(1));
  if (control) {
    event.preventDefault();
    control.focus();
    control.scrollIntoView({ block: 'center' });
  }
});
