"""Checks of halls' iCalendar feeds, for the e2e feed tests: a library, not a test suite.

    check_feed(data)              strict parse with icalendar, and the octets: lines of at
                                  most 75 octets ending in CRLF, nothing split across a
                                  fold, every TZID with its VTIMEZONE and no "/" prefix
    expand(data, start, end)      every occurrence, recurrences expanded (RRULE, RDATE,
                                  EXDATE, RECURRENCE-ID overrides), as sorted
                                  (uid, start_utc, end_utc, status, summary)
    vtimezone_matches_tzdata(data)
                                  whether every VTIMEZONE gives tzdata's UTC offsets (from
                                  Python's zoneinfo) over 2026-2028

Time zones in expand: DTSTART, DTEND, EXDATE and RECURRENCE-ID are read in the IANA zone
their TZID names (tzdata), never through the feed's VTIMEZONE: that is what
recurring_ical_events does with icalendar 4 (pytz for any Olson name), and the dateutil
path does the same with zoneinfo, so both agree. vtimezone_matches_tzdata is what shows
that an app which does use the VTIMEZONE gets the same times.

Run on a file, it checks the file and prints its occurrences:

    python3 tests/e2e/ics_check.py feed.ics

Needs the Debian packages python3-icalendar (4.0.3 on Debian 12), python3-dateutil and
tzdata; uses python3-recurring-ical-events when it is installed (and checks that it
agrees with the dateutil path).
"""
import collections
import datetime as dt
import sys

try:
    import icalendar
except ImportError:
    # A python3 other than Debian's (pyenv, a virtualenv) does not see Debian's packages;
    # they are pure Python, so append their directory (after the interpreter's own).
    sys.path.append("/usr/lib/python3/dist-packages")
    import icalendar
from dateutil import rrule as du_rrule
from zoneinfo import ZoneInfo

try:
    import recurring_ical_events
except ImportError:
    recurring_ical_events = None

UTC = dt.timezone.utc
LINE_OCTETS = 75

Occurrence = collections.namedtuple("Occurrence", "uid start_utc end_utc status summary")


class FeedError(AssertionError):
    """A feed that breaks a rule; .problems lists each one."""

    def __init__(self, problems):
        super().__init__("; ".join(problems[:10]) + (" ..." if len(problems) > 10 else ""))
        self.problems = problems


# ---- check_feed ----


def _physical_lines(data, problems):
    """The lines of data without their CRLF; bare CR and LF are problems."""
    if not data.endswith(b"\r\n"):
        problems.append("the feed does not end in CRLF")
    lines = data.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for n, line in enumerate(lines, 1):
        if b"\r" in line or b"\n" in line:
            problems.append("line %d has a bare CR or LF" % n)
    return lines


def _content_lines(physical, problems):
    """Joins folded lines (RFC 5545 3.1), checking each fold: at most 75 octets a line,
    no UTF-8 sequence and no backslash escape split across lines."""
    content, escaping = [], False
    for n, line in enumerate(physical, 1):
        if len(line) > LINE_OCTETS:
            problems.append("line %d has %d octets" % (n, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append("line %d is not whole UTF-8 (a character split by a fold?)" % n)
        if line[:1] in (b" ", b"\t"):
            if not content:
                problems.append("line %d continues nothing" % n)
                continue
            if escaping:
                problems.append("line %d starts inside a backslash escape" % n)
            piece = line[1:]
            content[-1] += piece
        else:
            piece, escaping = line, False
            content.append(line)
        for byte in piece:
            escaping = False if escaping else byte == 0x5C
    return [c.decode("utf-8", "replace") for c in content]


def _check_tzids(content, problems):
    """Every TZID parameter names a VTIMEZONE defined once, before the first VEVENT, and
    no TZID has libical's "/freeassociation.sourceforge.net/" style "/" prefix."""
    defined, used, first_event = collections.Counter(), set(), None
    in_vtimezone = False
    for n, line in enumerate(content):
        try:
            name, params, value = icalendar.parser.Contentline(line).parts()
        except ValueError as e:
            problems.append("content line %r does not parse: %s" % (line[:60], e))
            continue
        if name == "BEGIN" and value.upper() == "VTIMEZONE":
            in_vtimezone = True
        elif name == "END" and value.upper() == "VTIMEZONE":
            in_vtimezone = False
        elif name == "BEGIN" and value.upper() == "VEVENT" and first_event is None:
            first_event = n
        elif name == "TZID" and in_vtimezone:
            defined[value] += 1
            if first_event is not None:
                problems.append("VTIMEZONE %s comes after a VEVENT" % value)
        if "TZID" in params:
            used.add(params["TZID"])
    for tzid in sorted(set(defined) | used):
        if tzid.startswith("/"):
            problems.append("TZID %r has a / prefix" % tzid)
    for tzid in sorted(used - set(defined)):
        problems.append("TZID %r has no VTIMEZONE" % tzid)
    for tzid, n in sorted(defined.items()):
        if n > 1:
            problems.append("%d VTIMEZONEs for %r" % (n, tzid))


def check_feed(data):
    """Checks a feed strictly and returns it parsed (an icalendar.Calendar); raises
    FeedError listing every problem."""
    problems = []
    content = _content_lines(_physical_lines(data, problems), problems)
    _check_tzids(content, problems)
    try:
        cal = icalendar.Calendar.from_ical(data)
    except (ValueError, AssertionError) as e:  # icalendar 4 asserts on some input
        raise FeedError(problems + ["icalendar cannot parse the feed: %s" % e])
    for comp in cal.walk():
        for err in comp.errors:
            problems.append("%s: %s" % (comp.name, err))
    if cal.name != "VCALENDAR":
        problems.append("the feed is a %s, not a VCALENDAR" % cal.name)
    if problems:
        raise FeedError(problems)
    return cal


# ---- expand ----


def _zone_of(prop):
    """The tzinfo a date-time property is read in: its TZID's IANA zone, else UTC."""
    tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
    return ZoneInfo(tzid) if tzid else UTC


def _instant(value, zone):
    """An aware datetime for an icalendar value: wall-clock time in zone (the IANA zone
    of its TZID), or the instant itself when it was written in UTC."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or zone is not UTC:
            return value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    raise ValueError("all-day values (%r) are not something halls writes" % (value,))


def _props(comp, name):
    """Every property name of comp: icalendar gives one alone, several as a list."""
    value = comp.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _prop_instants(comp, name):
    """The instants of every value of every property name (EXDATE, RDATE) of comp."""
    out = []
    for prop in _props(comp, name):
        zone = _zone_of(prop)
        for v in prop.dts:
            out.append(_instant(v.dt, zone).astimezone(UTC))
    return out


def _start_end(comp):
    zone = _zone_of(comp["DTSTART"])
    start = _instant(comp["DTSTART"].dt, zone)
    if "DTEND" in comp:
        end = _instant(comp["DTEND"].dt, _zone_of(comp["DTEND"]))
    else:
        end = start + comp.get("DURATION").dt if "DURATION" in comp else start
    return start, end


def _occurrence(comp, start, end):
    return Occurrence(str(comp["UID"]), start.astimezone(UTC), end.astimezone(UTC),
                      str(comp.get("STATUS", "CONFIRMED")), str(comp.get("SUMMARY", "")))


def _master_starts(comp, start, until):
    """The starts of a master's occurrences up to until (RRULE on the wall clock of its
    zone, plus RDATE, less EXDATE), as aware datetimes in that zone."""
    if "RRULE" not in comp:
        starts = [start]
    else:
        text = comp["RRULE"].to_ical().decode()
        rule = du_rrule.rrulestr(text, dtstart=start)
        starts = list(rule.between(start, until, inc=True))
    starts += _prop_instants(comp, "RDATE")
    gone = set(_prop_instants(comp, "EXDATE"))
    return sorted(s for s in starts if s.astimezone(UTC) not in gone)


def _expand_dateutil(cal, start, end):
    masters, overrides = [], collections.defaultdict(dict)
    for comp in cal.walk("VEVENT"):
        if "RECURRENCE-ID" in comp:
            rid = comp["RECURRENCE-ID"]
            when = _instant(rid.dt, _zone_of(rid)).astimezone(UTC)
            overrides[str(comp["UID"])][when] = comp
        else:
            masters.append(comp)
    out = []
    for comp in masters:
        first, last = _start_end(comp)
        length = last - first
        moved = overrides.pop(str(comp["UID"]), {})
        for s in _master_starts(comp, first, end):
            if s.astimezone(UTC) in moved:
                continue
            out.append(_occurrence(comp, s, s + length))
        for over in moved.values():
            out.append(_occurrence(over, *_start_end(over)))
    for moved in overrides.values():  # overrides of a master the feed lacks
        for over in moved.values():
            out.append(_occurrence(over, *_start_end(over)))
    return out


def _expand_rie(cal, start, end):
    out = []
    for comp in recurring_ical_events.of(cal).between(start, end):
        out.append(_occurrence(comp, comp["DTSTART"].dt, comp["DTEND"].dt))
    return out


def expand(data, start=dt.datetime(2000, 1, 1, tzinfo=UTC),
           end=dt.datetime(2100, 1, 1, tzinfo=UTC), engine="auto"):
    """Every occurrence of the feed's VEVENTs that overlaps [start, end), as Occurrences
    sorted by start, then uid. engine: "recurring_ical_events", "dateutil", or "auto"
    (the first when it is installed). Either reads times in their TZID's IANA zone."""
    cal = icalendar.Calendar.from_ical(data)
    if engine == "auto":
        engine = "dateutil" if recurring_ical_events is None else "recurring_ical_events"
    if engine == "recurring_ical_events":
        if recurring_ical_events is None:
            raise RuntimeError("python3-recurring-ical-events is not installed")
        found = _expand_rie(cal, start, end)
    elif engine == "dateutil":
        found = _expand_dateutil(cal, start, end)
    else:
        raise ValueError("unknown engine %r" % engine)
    found = [o for o in found if o.start_utc < end and (o.end_utc > start or o.start_utc >= start)]
    return sorted(found, key=lambda o: (o.start_utc, o.uid, o.end_utc))


# ---- vtimezone_matches_tzdata ----


def _observance_onsets(obs, lo, hi):
    """(instant, offset) for each onset of a STANDARD or DAYLIGHT observance in [lo, hi],
    and for its latest onset before lo: DTSTART, RDATE and RRULE, each a wall-clock time
    in the offset in force before it (TZOFFSETFROM), expanded with dateutil."""
    before = dt.timezone(obs["TZOFFSETFROM"].td)
    after = obs["TZOFFSETTO"].td
    dtstart = obs["DTSTART"].dt.replace(tzinfo=before)
    onsets = [dtstart]
    for prop in _props(obs, "RDATE"):
        onsets += [v.dt.replace(tzinfo=before) if v.dt.tzinfo is None else v.dt
                   for v in prop.dts]
    for prop in _props(obs, "RRULE"):
        rule = du_rrule.rrulestr(prop.to_ical().decode(), dtstart=dtstart)
        onsets += rule.between(lo, hi, inc=True)
        last = rule.before(lo)
        if last is not None:
            onsets.append(last)
    return [(t.astimezone(UTC), after) for t in onsets if t <= hi]


def _vtimezone_transitions(vtz, lo, hi):
    out = []
    for obs in vtz.subcomponents:
        if obs.name in ("STANDARD", "DAYLIGHT"):
            out += _observance_onsets(obs, lo, hi)
    return sorted(out)


def _offset_from_vtimezone(transitions, t):
    """The offset in force at t: TZOFFSETTO of the latest onset at or before t."""
    offset = None
    for when, after in transitions:
        if when > t:
            break
        offset = after
    return offset


def _tzdata_transitions(zone, lo, hi):
    """The instants in [lo, hi] where tzdata's offset for zone changes, by bisection
    between hourly samples (no zone changes twice within an hour)."""
    out, step = [], dt.timedelta(hours=1)
    t = lo
    while t < hi:
        a, b = t, t + step
        if a.astimezone(zone).utcoffset() != b.astimezone(zone).utcoffset():
            while b - a > dt.timedelta(seconds=1):
                mid = a + (b - a) / 2
                if mid.astimezone(zone).utcoffset() == a.astimezone(zone).utcoffset():
                    a = mid
                else:
                    b = mid
            out.append(b.replace(microsecond=0))
        t += step
    return out


def vtimezone_mismatches(data, start=dt.datetime(2026, 1, 1, tzinfo=UTC),
                         end=dt.datetime(2029, 1, 1, tzinfo=UTC)):
    """Where a VTIMEZONE of the feed and tzdata disagree on the UTC offset, at instants
    every three hours from start to end and a second either side of every change that
    either of them makes; a list of messages, empty when they agree."""
    cal = icalendar.Calendar.from_ical(data)
    problems = []
    for vtz in cal.walk("VTIMEZONE"):
        tzid = str(vtz["TZID"])
        zone = ZoneInfo(tzid)
        transitions = _vtimezone_transitions(vtz, start, end)
        instants = set()
        t = start
        while t <= end:
            instants.add(t)
            t += dt.timedelta(hours=3)
        changes = _tzdata_transitions(zone, start, end)
        changes += [w for w, _ in transitions if start <= w <= end]
        for c in changes:
            for d in (-1, 0, 1):
                instants.add(c + dt.timedelta(seconds=d))
        bad = 0
        for t in sorted(instants):
            want = t.astimezone(zone).utcoffset()
            got = _offset_from_vtimezone(transitions, t)
            if got != want:
                bad += 1
                if bad <= 5:
                    problems.append("%s at %s: VTIMEZONE gives %s, tzdata %s" % (
                        tzid, t.isoformat(), got, want))
        if bad > 5:
            problems.append("%s: %d instants disagree in all" % (tzid, bad))
    return problems


def vtimezone_matches_tzdata(data, start=dt.datetime(2026, 1, 1, tzinfo=UTC),
                             end=dt.datetime(2029, 1, 1, tzinfo=UTC)):
    """True when every VTIMEZONE of the feed gives tzdata's offsets from start to end."""
    return not vtimezone_mismatches(data, start, end)


# ---- by hand ----


def _zones_by_uid(data):
    cal = icalendar.Calendar.from_ical(data)
    return {str(c["UID"]): _zone_of(c["DTSTART"]) for c in cal.walk("VEVENT")
            if "RECURRENCE-ID" not in c}


def _show(o, zone):
    s, e = o.start_utc.astimezone(zone), o.end_utc.astimezone(zone)
    summary = o.summary if len(o.summary) <= 40 else o.summary[:37] + "..."
    return "%-16s %s %s-%s %s  (UTC %s)  %-9s %r" % (
        o.uid, s.strftime("%a %Y-%m-%d"), s.strftime("%H:%M"), e.strftime("%H:%M"),
        s.strftime("%z"), o.start_utc.strftime("%Y-%m-%dT%H:%MZ"), o.status, summary)


def main(argv):
    if len(argv) != 2:
        print("usage: python3 %s FEED.ics" % argv[0], file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    failed = False
    try:
        check_feed(data)
        print("check_feed: ok")
    except FeedError as e:
        failed = True
        print("check_feed: FAILED")
        for p in e.problems:
            print("  " + p)
    mismatches = vtimezone_mismatches(data)
    print("vtimezone_matches_tzdata: %s" % ("ok" if not mismatches else "FAILED"))
    for m in mismatches:
        print("  " + m)
    failed = failed or bool(mismatches)
    occurrences = expand(data, engine="dateutil")
    if recurring_ical_events is not None:
        other = expand(data, engine="recurring_ical_events")
        same = other == occurrences
        print("recurring_ical_events and dateutil agree: %s" % ("yes" if same else "NO"))
        if not same:
            failed = True
            for o in sorted(set(other) ^ set(occurrences), key=lambda o: o.start_utc):
                print("  only in %s: %s" % (
                    "recurring_ical_events" if o in other else "dateutil", o))
    else:
        print("recurring_ical_events is not installed: dateutil only")
    zones = _zones_by_uid(data)
    print("%d occurrences (local time in the event's zone):" % len(occurrences))
    for o in occurrences:
        print("  " + _show(o, zones.get(o.uid, UTC)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
