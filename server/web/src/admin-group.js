// Add a group (/admin-group) or change one (/admin-group?id=N): POST /api/v1/groups, or
// PATCH /api/v1/groups/N with only what changed.
import { apiGet, apiSend } from './api.js';
import { $, el, idParam, show } from './dom.js';
import { FormErrors } from './errors.js';
import {
  adminOnly, allVenues, changedFields, checkedValues, fillCheckboxes, formChanges, formUnavailable, goBack, radioValue,
  textField,
} from './admin-common.js';
import { KIND_WORDS } from './admin-group-kinds.js';

const NEW_GROUP = { name: '', kind: 'community', contact: '', description: '', trusted_at: [] };

const errors = new FormErrors(
  { kind: 'kind-community', trusted: 'trusted-first' },
  { name: 'name', kind: 'kind', contact: 'contact', description: 'description', trusted_at: 'trusted', venue: 'trusted' },
);

const id = idParam('id');
let group = null; // the group as loaded, when changing one

function drawKinds(chosen) {
  $('kinds').replaceChildren(...Object.entries(KIND_WORDS).map(([kind, words]) =>
    el('div', { class: 'govuk-radios__item' },
      el('input', {
        class: 'govuk-radios__input', id: `kind-${kind}`, name: 'kind', type: 'radio', value: kind, checked: kind === chosen,
      }),
      el('label', { class: 'govuk-label govuk-radios__label', for: `kind-${kind}` }, words))));
}

function fillForm(g, venues) {
  $('name').value = g.name;
  drawKinds(g.kind);
  $('contact').value = g.contact ?? '';
  $('description').value = g.description;
  fillCheckboxes($('trusted'), 'trusted_at', 'trusted', venues.map((v) => ({ value: v.id, words: v.name })), g.trusted_at);
  // The error about trusted venues points at the first box, whichever venue it is.
  const first = document.querySelector('input[name="trusted_at"]');
  if (first) errors.targets.trusted = first.id;
}

function readForm() {
  return {
    name: textField('name'),
    kind: radioValue('kind'),
    contact: textField('contact'),
    description: textField('description'),
    trusted_at: checkedValues('trusted_at', true),
  };
}

async function save(event) {
  event.preventDefault();
  errors.clear();
  const wanted = readForm();
  try {
    if (!group) {
      const made = await apiSend('POST', '/api/v1/groups', wanted);
      goBack('/admin-groups', `${made.name} has been added`);
      return;
    }
    const patch = changedFields(group, wanted);
    if (Object.keys(patch).length === 0) {
      goBack('/admin-groups', `Nothing was changed in ${group.name}`);
      return;
    }
    const saved = await apiSend('PATCH', `/api/v1/groups/${group.id}`, patch);
    goBack('/admin-groups', `${saved.name} has been changed`);
  } catch (problem) {
    errors.showProblem(problem);
  }
}

async function start() {
  // The form is shown only once it holds what was loaded: typing into it earlier would
  // be overwritten, and a submit before the handler is attached would leave the page.
  show($('group-form'), false);
  if (!await adminOnly()) return;
  let venues;
  try {
    [venues, group] = await Promise.all([allVenues(), id ? apiGet(`/api/v1/groups/${id}`) : null]);
  } catch (problem) {
    formUnavailable('group-form', id ? 'Group not found' : 'The venues could not be loaded', errors, problem);
    return;
  }
  if (group) {
    formChanges(group.name);
  }
  fillForm(group || NEW_GROUP, venues);
  $('group-form').addEventListener('submit', save);
  show($('group-form'), true);
}

start();
