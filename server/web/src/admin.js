// The administration index: the four lists an administrator looks after, with how many
// of each there are.
import { apiList } from './api.js';
import { $ } from './dom.js';
import { adminOnly } from './admin-common.js';

const KINDS = [
  ['venues', 'venue', 'venues'],
  ['rooms', 'room', 'rooms'],
  ['groups', 'group', 'groups'],
  ['users', 'user', 'users'],
];

async function count([path, one, many]) {
  const cell = $(`count-${path}`);
  try {
    const { items, more } = await apiList(`/api/v1/${path}`, {}, 10000);
    const n = items.length;
    cell.textContent = `${more ? 'More than ' : ''}${n} ${n === 1 ? one : many}`;
  } catch (problem) {
    cell.textContent = `Could not be counted: ${problem.detail}`;
  }
}

if (await adminOnly()) await Promise.all(KINDS.map(count));
