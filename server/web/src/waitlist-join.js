// "Join the waitlist", offered where a request was refused because its slot is taken (an
// approved booking in the way, another group's hold, or an open offer): joining puts the
// group in line for that slot (POST /api/v1/waitlist), and the first group in line gets an
// exclusive offer when it frees (docs/fair-access.md#waitlists-with-timed-offers).
import { apiSend } from './api.js';
import { el } from './dom.js';

const TAKEN = new Set(['conflict', 'slot-held', 'slot-offered']);

// A box with the button for body's slot when problem says the slot is taken, else null.
// body: the refused request's room_id, group_id, title, start and end.
export function joinWaitlistBox(problem, body) {
  const type = (problem && problem.body && problem.body.type || '').replace('/problems/', '');
  if (!TAKEN.has(type)) return null;
  const status = el('div', { role: 'status' });
  const button = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id: 'join-waitlist' },
    'Join the waitlist');
  const box = el('div', { class: 'govuk-inset-text', id: 'waitlist-box' },
    el('p', { class: 'govuk-body' },
      'You can wait in line for this time. If it comes free, the first group in line is offered it, alone, for a set time, and told by email.'),
    button, status);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await apiSend('POST', '/api/v1/waitlist', {
        room_id: body.room_id, group_id: body.group_id, start: body.start, end: body.end, title: body.title,
      });
      button.remove();
      status.replaceChildren(el('p', { class: 'govuk-body' }, 'Your group is on the waitlist for this time. ',
        el('a', { class: 'govuk-link', href: '/waitlist' }, 'See your places in line')));
    } catch (problem) {
      button.disabled = false;
      status.replaceChildren(el('p', { class: 'govuk-error-message' }, problem.detail));
    }
  });
  return box;
}
