// Times as people say them, in the venue's own zone: "Tuesday 8 December 2026, 7pm to
// 9pm" (the GOV.UK style: "midday" and "midnight", no ":00", no leading zero). Instants
// come from the API as UTC seconds (start_ts, end_ts); the zone is the venue's timezone.

const dateFormats = new Map(); // zone -> Intl.DateTimeFormat, made once each

function partsFormat(zone) {
  if (!dateFormats.has(zone)) {
    dateFormats.set(zone, new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hourCycle: 'h23',
    }));
  }
  return dateFormats.get(zone);
}

// { weekday, day, month, year, hour, minute, date: 'YYYY-MM-DD', time: 'HH:MM' } of the
// instant ts (UTC seconds) in zone.
export function zoneParts(ts, zone) {
  const parts = {};
  for (const p of partsFormat(zone).formatToParts(new Date(ts * 1000))) parts[p.type] = p.value;
  const monthNumber = MONTHS.indexOf(parts.month) + 1;
  const hour = Number(parts.hour) % 24;
  return {
    weekday: parts.weekday,
    day: Number(parts.day),
    month: parts.month,
    monthNumber,
    year: Number(parts.year),
    hour,
    minute: Number(parts.minute),
    date: `${parts.year}-${String(monthNumber).padStart(2, '0')}-${String(parts.day).padStart(2, '0')}`,
    time: `${String(hour).padStart(2, '0')}:${parts.minute}`,
  };
}

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
  'August', 'September', 'October', 'November', 'December'];
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday',
  'Sunday'];

// "7pm", "7:30pm", "midday", "midnight" from hours and minutes.
export function clockWords(hour, minute) {
  if (minute === 0 && hour === 0) return 'midnight';
  if (minute === 0 && hour === 12) return 'midday';
  const h = hour % 12 === 0 ? 12 : hour % 12;
  const m = minute === 0 ? '' : `:${String(minute).padStart(2, '0')}`;
  return `${h}${m}${hour < 12 ? 'am' : 'pm'}`;
}

// "Tuesday 8 December 2026"
export function dayWords(p) {
  return `${p.weekday} ${p.day} ${p.month} ${p.year}`;
}

// "Tuesday 8 December 2026, 7pm to 9pm"; an end on another day names that day too.
// An end at midnight belongs to the day it closes ("7pm to midnight").
export function whenWords(startTs, endTs, zone) {
  const s = zoneParts(startTs, zone);
  const e = zoneParts(endTs, zone);
  const sameDay = s.date === e.date ||
    (e.hour === 0 && e.minute === 0 && zoneParts(endTs - 1, zone).date === s.date);
  const start = `${dayWords(s)}, ${clockWords(s.hour, s.minute)}`;
  const end = clockWords(e.hour, e.minute);
  return sameDay ? `${start} to ${end}` : `${start} to ${dayWords(e)}, ${end}`;
}

// "7pm to 9pm" for a day's grid or list, where the day is already said.
export function spanWords(startTs, endTs, zone) {
  const s = zoneParts(startTs, zone);
  const e = zoneParts(endTs, zone);
  return `${clockWords(s.hour, s.minute)} to ${clockWords(e.hour, e.minute)}`;
}

// A calendar date 'YYYY-MM-DD' moved by n days (calendar arithmetic, no zone involved).
export function addDays(date, n) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// The Monday on or before a calendar date 'YYYY-MM-DD'.
export function mondayOf(date) {
  const d = new Date(`${date}T12:00:00Z`);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
}

// Today's date in zone, 'YYYY-MM-DD'.
export function today(zone) {
  return zoneParts(Math.floor(Date.now() / 1000), zone).date;
}

// "Tuesday 8 December 2026" for a calendar date 'YYYY-MM-DD'.
export function dateWords(date) {
  const d = new Date(`${date}T12:00:00Z`);
  return `${WEEKDAYS[(d.getUTCDay() + 6) % 7]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

// A time as people type it ("18:30", "7:00", "19.15", "7pm", "7.30pm") as HH:MM, or null.
// A text box, not <input type="time">, which some browsers show as 12-hour with AM/PM and
// cut short on a phone, as the GOV.UK pattern for times advises.
export function clockTime(text) {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  let m = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)$/.exec(t);
  if (m) {
    let h = Number(m[1]);
    const min = Number(m[2] || 0);
    if (h < 1 || h > 12 || min > 59) return null;
    if (m[3] === 'am' && h === 12) h = 0;
    if (m[3] === 'pm' && h !== 12) h += 12;
    return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
  }
  if (t === 'midday' || t === 'noon') return '12:00';
  m = /^(\d{1,2})[:.](\d{2})$/.exec(t);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return `${m[1].padStart(2, '0')}:${m[2]}`;
}

// A GOV.UK date input's three boxes as 'YYYY-MM-DD', or null when they make no real date.
export function dateFromParts(day, month, year) {
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return null;
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (d.getUTCDate() !== Number(day) || d.getUTCMonth() !== Number(month) - 1) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const FEATURE_WORDS = {
  step_free: 'Step-free access',
  hearing_loop: 'Hearing loop',
  kitchen: 'Kitchen',
  stage: 'Stage',
  parking: 'Parking',
  projector: 'Projector',
  wifi: 'Wi-Fi',
  accessible_toilet: 'Accessible toilet',
  baby_change: 'Baby changing',
  piano: 'Piano',
  sports_floor: 'Sports floor',
  outdoor_space: 'Outdoor space',
};

// A room feature in words ("Step-free access").
export function featureWords(feature) {
  return FEATURE_WORDS[feature] || feature.replace(/_/g, ' ');
}

export const FEATURES = Object.keys(FEATURE_WORDS);

// A booking's state in words and the GOV.UK tag colour that goes with it.
const STATUS = {
  pending: ['Waiting for approval', 'yellow'],
  approved: ['Approved', 'green'],
  declined: ['Declined', 'red'],
  cancelled: ['Cancelled', 'grey'],
};

export function statusWords(status) {
  return (STATUS[status] || [status, 'grey'])[0];
}

export function statusColour(status) {
  return (STATUS[status] || [status, 'grey'])[1];
}
