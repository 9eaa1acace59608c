// Usage reports for venue managers and admins: filters (dates, venue, kind of group) that
// reload the page with them in its address, then the report from
// GET /api/v1/reports/usage as a summary, charts (chart.js) each beside a table of the
// same figures, and links to each table as CSV. What the figures mean, and who may read
// them, is the core's (report.h); a manager's venues are the only ones offered and shown.
import { apiGet } from './api.js';
import { barChart, percentBar } from './chart.js';
import { $, el, param, show, summaryList, table } from './dom.js';
import { FormErrors } from './errors.js';
import { managedVenues } from './manager.js';

const errors = new FormErrors({}, { to: 'to', from: 'from', days: 'to', kind: 'kind', venue: 'venue' });

const KIND_WORDS = {
  charity: 'Charities',
  community: 'Community groups',
  school: 'Schools',
  commercial: 'Commercial hirers',
  council: 'Council services',
};

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

// Seconds as hours in words: "12.5 hours", "1 hour", "0 hours".
function hoursWords(seconds) {
  const hours = Math.round((seconds / 3600) * 100) / 100;
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

function hoursCell(seconds) {
  return String(Math.round((seconds / 3600) * 100) / 100);
}

function percent(row) {
  return row.occupancy === null ? null : Math.round(row.occupancy * 1000) / 10;
}

function occupancyWords(row) {
  const p = percent(row);
  return p === null ? 'not open' : `${p}% of open hours booked`;
}

// The occupancy cell: a bar and its words.
function occupancyCell(row) {
  const p = percent(row);
  if (p === null) return 'Not open';
  return el('span', {}, percentBar(p, occupancyWords(row)), `${p}%`);
}

function monthWords(month) {
  const [year, m] = month.split('-');
  return `${MONTH_NAMES[Number(m) - 1]} ${year}`;
}

function summary(report) {
  const t = report.total;
  return summaryList([
    ['Hours booked (approved)', hoursWords(t.approved_seconds)],
    ['Hours asked for, not yet decided', hoursWords(t.pending_seconds)],
    ['Hours open', hoursWords(t.open_seconds)],
    ['Occupancy', occupancyCell(t)],
    ['Bookings approved', String(t.approved_bookings)],
    ['Groups served', String(t.groups_served)],
    ['Cancelled', String(t.cancelled)],
    ['Declined', String(t.declined)],
  ]);
}

function figures(row) {
  return [hoursCell(row.approved_seconds), hoursCell(row.pending_seconds)];
}

function drawTables(report, venueNames) {
  $('months-chart').replaceChildren(barChart('Hours booked by month',
    report.months.map((m) => ({ label: monthWords(m.month), value: m.approved_seconds, words: hoursWords(m.approved_seconds) }))));
  $('months-table').replaceChildren(table('Hours by month',
    ['Month', 'Approved hours#', 'Pending hours#', 'Open hours#', 'Occupancy', 'Groups served#', 'Cancelled#', 'Declined#'],
    report.months.map((m) => [monthWords(m.month), ...figures(m), hoursCell(m.open_seconds), occupancyCell(m),
      String(m.groups_served), String(m.cancelled), String(m.declined)])));

  const roomLabel = (r) => (report.venues.length > 1 ? `${r.name}, ${venueNames.get(r.venue_id) || `venue ${r.venue_id}`}` : r.name);
  $('rooms-chart').replaceChildren(barChart('Hours booked by room',
    report.rooms.map((r) => ({ label: roomLabel(r), value: r.approved_seconds, words: hoursWords(r.approved_seconds) }))));
  $('rooms-table').replaceChildren(table('Hours by room',
    ['Room', 'Approved hours#', 'Pending hours#', 'Open hours#', 'Occupancy', 'Groups served#', 'Cancelled#', 'Declined#'],
    report.rooms.map((r) => [roomLabel(r), ...figures(r), hoursCell(r.open_seconds), occupancyCell(r),
      String(r.groups_served), String(r.cancelled), String(r.declined)])));

  $('venues-table').replaceChildren(table('Hours by venue',
    ['Venue', 'Approved hours#', 'Pending hours#', 'Open hours#', 'Occupancy', 'Groups served#', 'Cancelled#', 'Declined#'],
    report.venues.map((v) => [v.name, ...figures(v), hoursCell(v.open_seconds), occupancyCell(v),
      String(v.groups_served), String(v.cancelled), String(v.declined)])));

  $('groups-table').replaceChildren(report.groups.length
    ? table('Hours by group',
      ['Group', 'Kind', 'Approved hours#', 'Pending hours#', 'Bookings approved#', 'Cancelled#', 'Declined#'],
      report.groups.map((g) => [g.name, KIND_WORDS[g.kind] || 'Unknown', ...figures(g), String(g.approved_bookings),
        String(g.cancelled), String(g.declined)]))
    : el('p', { class: 'govuk-body' }, 'No group booked in these dates.'));

  $('kinds-table').replaceChildren(table('Hours by kind of group',
    ['Kind', 'Approved hours#', 'Pending hours#', 'Groups served#', 'Cancelled#', 'Declined#'],
    report.kinds.map((k) => [KIND_WORDS[k.kind], ...figures(k), String(k.groups_served), String(k.cancelled),
      String(k.declined)])));

  $('reasons-table').replaceChildren(report.reasons.length
    ? table('Reasons, most given first', ['Reason', 'Cancelled or declined', 'Times#'],
      report.reasons.map((r) => [r.reason, r.status === 'cancelled' ? 'Cancelled' : 'Declined', String(r.count)]))
    : el('p', { class: 'govuk-body' }, 'Nothing was cancelled or declined in these dates.'));
}

function drawDownloads(query) {
  const names = { summary: 'Summary', venues: 'By venue', rooms: 'By room', groups: 'By group', kinds: 'By kind of group', months: 'By month', reasons: 'Reasons' };
  $('downloads').replaceChildren(...Object.entries(names).map(([tableName, words]) => {
    const q = new URLSearchParams({ ...query, format: 'csv', table: tableName });
    return el('li', {}, el('a', { class: 'govuk-link', href: `/api/v1/reports/usage?${q}`, download: `usage-${tableName}.csv` },
      words, el('span', { class: 'govuk-visually-hidden' }, ' (CSV)')));
  }));
}

function filtersFromAddress(venues) {
  const query = {};
  for (const name of ['from', 'to', 'kind']) {
    const value = param(name);
    if (value) query[name] = value;
  }
  const venue = param('venue');
  if (venue && venues.some((v) => String(v.id) === venue)) query.venue = venue;
  else if (venue) errors.show([['venue', `You do not look after venue ${venue}, so the report covers all your venues.`]]);
  return query;
}

async function main() {
  const venues = await managedVenues();
  if (!venues) return;
  $('venue').append(...venues.map((v) => el('option', { value: v.id }, v.name)));
  const query = filtersFromAddress(venues);
  $('venue').value = query.venue || '';
  $('kind').value = query.kind && KIND_WORDS[query.kind] ? query.kind : '';
  let report;
  try {
    report = await apiGet('/api/v1/reports/usage', query);
  } catch (problem) {
    $('report-status').textContent = 'The report cannot be shown.';
    if (query.from) $('from').value = query.from;
    if (query.to) $('to').value = query.to;
    errors.showProblem(problem);
    return;
  }
  $('from').value = report.from;
  $('to').value = report.to;
  const names = new Map(venues.map((v) => [v.id, v.name]));
  const where = report.venue_id ? names.get(report.venue_id) : (venues.length === 1 ? venues[0].name : `${report.venues.length} venues`);
  const who = report.kind ? `, ${KIND_WORDS[report.kind].toLowerCase()} only` : '';
  $('report-status').textContent = `${where}, from ${report.from} up to ${report.to}${who}.`;
  $('summary').replaceChildren(summary(report));
  drawTables(report, names);
  drawDownloads({ from: report.from, to: report.to, ...(query.venue ? { venue: query.venue } : {}), ...(query.kind ? { kind: query.kind } : {}) });
  show($('report'), true);
}

main();
