// What every page shares: the menu (with what the signed-in person may open), sign-out,
// and the one question "who is signed in?", asked once per page load.
import { apiGet, apiSend } from './api.js';
import { el } from './dom.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');

let whoPromise = null;

// The signed-in user (GET /api/v1/session: id, name, role, venues, groups), or null for
// nobody. A page that needs someone calls requireUser() instead.
export function currentUser() {
  if (!whoPromise) whoPromise = apiGet('/api/v1/session').catch(() => null);
  return whoPromise;
}

// The signed-in user, or, for nobody, a move to the sign-in page that comes back here.
export async function requireUser() {
  const user = await currentUser();
  if (!user) {
    location.assign(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
    return new Promise(() => {}); // the page is going away
  }
  return user;
}

export const isManager = (user) => user && (user.role === 'manager' || user.role === 'admin');
export const isAdmin = (user) => user && user.role === 'admin';
export const isMember = (user) => user && user.groups && user.groups.length > 0;

function navItem(href, words) {
  return el('li', { class: 'govuk-service-navigation__item' },
    el('a', { class: 'govuk-service-navigation__link', href }, words));
}

// The menu's items for what the user may do.
function personalItems(user) {
  const items = [];
  if (isMember(user)) {
    items.push(navItem('/my-bookings', 'My bookings'));
    items.push(navItem('/request', 'Request a room'));
  }
  if (isMember(user) || isManager(user)) items.push(navItem('/waitlist', 'Waitlist'));
  if (isMember(user) || isManager(user)) items.push(navItem('/allowances', 'Allowances'));
  if (isManager(user)) {
    items.push(navItem('/requests', 'Requests'));
    items.push(navItem('/venue-calendar', 'Venue calendar'));
    items.push(navItem('/closures', 'Closures'));
    items.push(navItem('/date-sets', 'Date sets'));
    items.push(navItem('/reports', 'Reports'));
  }
  if (isAdmin(user)) items.push(navItem('/admin', 'Administration'));
  // Administrators invite from their own pages (/admin, /admin-users).
  if (user.role === 'manager') items.push(navItem('/invite', 'Invite'));
  items.push(navItem('/calendar-links', 'Calendar links'));
  items.push(navItem('/account', 'My account'));
  return items;
}

async function signOut(event) {
  event.preventDefault();
  try {
    await apiSend('DELETE', '/api/v1/session');
  } catch {
    // Signed out already, or the service is away: the page forgets either way.
  }
  location.assign('/');
}

function markCurrent() {
  for (const link of document.querySelectorAll('.govuk-service-navigation__link')) {
    if (link.getAttribute('href') === location.pathname) {
      link.setAttribute('aria-current', 'page');
      link.parentElement.classList.add('govuk-service-navigation__item--active');
    }
  }
}

// Allocation rounds are public (their results name groups, never people): a menu item
// for everyone, after What's on.
function addRounds() {
  const whatsOn = document.querySelector('.govuk-service-navigation__link[href="/whats-on"]');
  if (whatsOn && !document.querySelector('.govuk-service-navigation__link[href="/rounds"]')) {
    whatsOn.parentElement.after(navItem('/rounds', 'Rounds'));
  }
}

async function drawMenu() {
  addRounds();
  const user = await currentUser();
  const signIn = document.getElementById('nav-sign-in');
  if (user && signIn) {
    const button = el('button', { type: 'button', class: 'halls-nav-button govuk-service-navigation__link' }, 'Sign out');
    button.addEventListener('click', signOut);
    signIn.replaceWith(...personalItems(user),
      el('li', { class: 'govuk-service-navigation__item', id: 'nav-sign-out' }, button));
  }
  markCurrent();
}

drawMenu();
