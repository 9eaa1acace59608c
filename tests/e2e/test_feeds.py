#!/usr/bin/env python3
"""The feeds' contents, read by an independent iCalendar implementation.

hallsd serves a store with a weekly series in Europe/London across the October 2026 and
March 2027 clock changes (one date cancelled, one moved), a weekly series in
Pacific/Auckland across its own clock changes, a private one-off booking, a pending
request and text with every awkward character. Each feed is parsed strictly by Debian's
python3-icalendar (tests/e2e/ics_check.py: line lengths, folding, CRLF, every TZID with
its VTIMEZONE under its IANA name, observances matching tzdata), and each series is
expanded by python3-recurring-ical-events (and dateutil): the expansion must list exactly
the dates the server holds, at the same instants.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import datetime as dt
import os
import sys

from harness import Server, check, halls, halls_json, run_suite

import ics_check

# The clock the server's rules see: 1 Sep 2026, so that the series start in the future.
NOW = 1788220800
NASTY = "Knit, natter; tea \\ cake — café, 日本, 🎉 ☕ «ok»"  # a title is one line
NASTY_TEXT = NASTY + "\nsecond line: a; b, c \\n not a newline"
PASSWORD = "feeds-password"


def setup(build, data):
    ids = {}
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    ids["london"] = halls_json(build, data, "venue", "add", "--name", "Riverside Centre",
                               "--address", "1 High St, Riverside; North")["id"]
    ids["auckland"] = halls_json(build, data, "venue", "add", "--name", "Harbour Hall",
                                 "--tz", "Pacific/Auckland")["id"]
    for key, venue, approval in (("room_a", "london", "auto"), ("room_b", "auckland", "auto"),
                                 ("room_c", "london", "manual")):
        ids[key] = halls_json(build, data, "room", "add", "--venue", str(ids[venue]),
                              "--name", "Room " + key[-1].upper(), "--capacity", "40",
                              "--horizon", "1000", "--approval", approval)["id"]
    ids["knitters"] = halls_json(build, data, "group", "add", "--name", "Knitters",
                                 "--contact", "secret-contact@example.org")["id"]
    ids["chess"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    halls_json(build, data, "user", "add", "--name", "Admin", "--email", "admin@example.org",
               "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    return ids


def api(srv, token, method, path, body=None, want=(200, 201, 204)):
    st, _, reply = srv.request(method, path, body, token=token)
    if st not in want:
        raise RuntimeError("%s %s: %s %s" % (method, path, st, reply))
    return reply


def server_dates(srv, token, series_id):
    """(start_utc, end_utc) of each approved date of a series, as the server holds them."""
    reply = api(srv, token, "GET", "/api/v1/series/%d" % series_id)
    return sorted((b["start_ts"], b["end_ts"]) for b in reply["occurrences"]
                  if b["status"] == "approved")


def feed_dates(occurrences, uid_prefix):
    return sorted((int(o.start_utc.timestamp()), int(o.end_utc.timestamp()))
                  for o in occurrences if o.uid.startswith(uid_prefix))


def fetch(srv, path):
    """(status, headers, the feed's bytes or None when it is not 200)."""
    st, hd, body = srv.exchange("GET", path)
    return st, hd, body if st == 200 else None


def text_values(raw, name):
    """The values of every property name, unescaped by RFC 5545 3.3.11 here: Debian's
    icalendar 4.0.3 turns an escaped backslash followed by "n" into a newline."""
    out = []
    for line in raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").split(b"\r\n"):
        text = line.decode("utf-8")
        if not (text.startswith(name + ":") or text.startswith(name + ";")):
            continue
        value, i, chars = text.split(":", 1)[1], 0, []
        while i < len(value):
            c = value[i]
            if c == "\\" and i + 1 < len(value):
                nxt = value[i + 1]
                chars.append("\n" if nxt in "nN" else nxt)
                i += 2
                continue
            chars.append(c)
            i += 1
        out.append("".join(chars))
    return out


def local_hours(dates, zone):
    from zoneinfo import ZoneInfo
    z = ZoneInfo(zone)
    return sorted({dt.datetime.fromtimestamp(s, z).strftime("%H:%M") for s, _ in dates})


def check_feed_file(srv, path, what):
    st, hd, raw = fetch(srv, path)
    ok = st == 200 and raw is not None
    check(ok and hd.get("Content-Type", "").startswith("text/calendar"),
          "%s answers text/calendar" % what, (st, hd and hd.get("Content-Type")))
    if not ok:
        return None
    problems = None
    try:
        ics_check.check_feed(raw)
    except ics_check.FeedError as e:
        problems = e.problems
    check(problems is None, "%s passes the strict checks (lines, folding, TZIDs)" % what,
          problems)
    mismatches = ics_check.vtimezone_mismatches(raw)
    check(not mismatches, "%s: every VTIMEZONE gives tzdata's offsets" % what, mismatches)
    return raw


def run(srv, build, data, ids):
    st, _, session = srv.request("POST", "/api/v1/session",
                                 {"email": "admin@example.org", "password": PASSWORD})
    token = session["token"]

    # A weekly series in London, Tuesdays 19:00-21:00, 1 Sep 2026 to 27 Apr 2027.
    created = api(srv, token, "POST", "/api/v1/series", {
        "room_id": ids["room_a"], "group_id": ids["knitters"], "title": NASTY,
        "description": NASTY_TEXT + "\n" + "x" * 120, "public": True,
        "start": "2026-09-01T19:00", "end": "2026-09-01T21:00",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427"})
    s1 = created["series"]["id"]
    dates = {b["original_start"][:10]: b for b in created["occurrences"]}
    check(len(created["occurrences"]) == 35, "the London series has 35 dates",
          len(created["occurrences"]))
    api(srv, token, "POST", "/api/v1/bookings/%d/cancel" % dates["2026-11-10"]["id"],
        {"note": "hall closed"})
    api(srv, token, "PATCH", "/api/v1/bookings/%d" % dates["2027-01-12"]["id"],
        {"start": "2027-01-12T20:00", "end": "2027-01-12T22:00"})
    # Auckland, Wednesdays 18:30-20:00, 40 weeks from 16 Sep 2026.
    created = api(srv, token, "POST", "/api/v1/series", {
        "room_id": ids["room_b"], "group_id": ids["chess"], "title": "Chess night",
        "start": "2026-09-16T18:30", "end": "2026-09-16T20:00",
        "rrule": "FREQ=WEEKLY;COUNT=40", "public": True})
    s2 = created["series"]["id"]
    private = api(srv, token, "POST", "/api/v1/bookings", {
        "room_id": ids["room_a"], "group_id": ids["chess"], "title": "Secret meeting",
        "start": "2026-12-05T10:00", "end": "2026-12-05T12:00"})
    api(srv, token, "POST", "/api/v1/bookings", {
        "room_id": ids["room_c"], "group_id": ids["chess"], "title": "Pending request",
        "start": "2026-12-06T10:00", "end": "2026-12-06T12:00", "public": True})

    raw = check_feed_file(srv, "/feeds/rooms/%d.ics" % ids["room_a"], "the London room feed")
    if raw is not None:
        occ = ics_check.expand(raw, engine="recurring_ical_events")
        want = server_dates(srv, token, s1)
        got = feed_dates(occ, "series-%d@" % s1)
        check(got == want and len(want) == 34,
              "its expansion lists exactly the server's 34 dates of the series",
              "missing %s, extra %s" % (sorted(set(want) - set(got))[:5],
                                        sorted(set(got) - set(want))[:5]))
        check(local_hours(want, "Europe/London") == ["19:00", "20:00"]
              and dt.datetime.fromtimestamp(want[7][0], dt.timezone.utc).hour == 18
              and dt.datetime.fromtimestamp(want[8][0], dt.timezone.utc).hour == 19,
              "19:00 on the wall clock in BST and GMT (the moved date at 20:00)",
              local_hours(want, "Europe/London"))
        summaries = {o.summary for o in occ if o.uid.startswith("series-%d@" % s1)}
        check(summaries == {NASTY}, "the title round-trips unchanged through the feed",
              summaries)
        cal = ics_check.icalendar.Calendar.from_ical(raw)
        descs = set(text_values(raw, "DESCRIPTION"))
        check(descs == {NASTY_TEXT + "\n" + "x" * 120}, "the description round-trips too", descs)
        locs = {str(c.get("LOCATION")) for c in cal.walk("VEVENT")}
        check(locs == {"Room A, Riverside Centre, 1 High St, Riverside; North"},
              "LOCATION names room, venue and address", locs)
        one_off = [o for o in occ if o.uid.startswith("booking-%d@" % private["id"])]
        check(len(one_off) == 1 and one_off[0].summary == "Booked",
              "a private booking is shown as Booked", one_off)
        check(b"Secret" not in raw and b"secret-contact" not in raw,
              "no private title or contact detail in a public feed")
        masters = [c for c in cal.walk("VEVENT") if c.get("RRULE") is not None]
        overrides = [c for c in cal.walk("VEVENT") if c.get("RECURRENCE-ID") is not None]
        check(len(masters) == 1 and len(overrides) == 1,
              "one VEVENT with RRULE and one RECURRENCE-ID override for the moved date",
              (len(masters), len(overrides)))
        check(b"EXDATE;TZID=Europe/London:20261110T190000" in raw.replace(b"\r\n ", b""),
              "the cancelled date is an EXDATE in the venue's zone")
        check(b"/freeassociation" not in raw, "no libical-prefixed TZID")
        st, _, again = fetch(srv, "/feeds/rooms/%d.ics" % ids["room_a"])
        check(again == raw, "fetched again, the feed is byte-for-byte the same")

    raw = check_feed_file(srv, "/feeds/rooms/%d.ics" % ids["room_b"], "the Auckland room feed")
    if raw is not None:
        occ = ics_check.expand(raw, engine="recurring_ical_events")
        want = server_dates(srv, token, s2)
        got = feed_dates(occ, "series-%d@" % s2)
        check(got == want and len(want) == 40,
              "Auckland: the expansion lists exactly the server's 40 dates", (len(got), len(want)))
        check(local_hours(want, "Pacific/Auckland") == ["18:30"],
              "Auckland: 18:30 on the wall clock across NZST and NZDT")
        check(b"TZID:Pacific/Auckland" in raw, "the Auckland VTIMEZONE is named by IANA")

    raw = check_feed_file(srv, "/feeds/rooms/%d/busy.ics" % ids["room_a"], "the busy feed")
    if raw is not None:
        occ = ics_check.expand(raw, engine="recurring_ical_events")
        check(occ and {o.summary for o in occ} == {"Busy"} and b"DESCRIPTION" not in raw,
              "the busy feed says Busy and nothing more", {o.summary for o in occ})

    raw = check_feed_file(srv, "/feeds/all.ics", "the feed of all halls")
    if raw is not None:
        occ = ics_check.expand(raw, engine="recurring_ical_events")
        check(len(feed_dates(occ, "series-%d@" % s1)) == 34
              and len(feed_dates(occ, "series-%d@" % s2)) == 40
              and b"Pending request" not in raw,
              "all.ics has both series and no pending request")
    raw = check_feed_file(srv, "/feeds/venues/%d.ics" % ids["london"], "the London venue feed")
    if raw is not None:
        check(b"Chess night" not in raw and b"series-%d@" % s1 in raw,
              "a venue feed has its own rooms only")

    # A change shows: the next date cancelled becomes an EXDATE, and SEQUENCE rises.
    st, _, raw_before = fetch(srv, "/feeds/rooms/%d.ics" % ids["room_a"])
    api(srv, token, "POST", "/api/v1/series/%d/cancel" % s1, {"from": "2027-04-01T00:00"})
    raw_after = check_feed_file(srv, "/feeds/rooms/%d.ics" % ids["room_a"],
                                "the feed after ending the series")
    # Without the feed before the change there is nothing to compare: both checks fail.
    both = raw_before is not None and raw_after is not None
    occ = ics_check.expand(raw_after, engine="recurring_ical_events") if both else []
    check(both and len(feed_dates(occ, "series-%d@" % s1)) == 30 and raw_after != raw_before,
          "ending the series from April leaves 30 dates in the feed",
          "the feed before the change: %s" % st)

    def seq(raw):
        return max(int(c.get("SEQUENCE", 0)) for c in
                   ics_check.icalendar.Calendar.from_ical(raw).walk("VEVENT")
                   if c.get("RRULE") is not None)

    check(both and seq(raw_after) > seq(raw_before), "the series' SEQUENCE rose")
    st, _, body = srv.request("GET", "/feeds/rooms/999.ics")
    check(st == 404, "the feed of no room is 404", st)


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    run(srv, build, data, ids)


if __name__ == "__main__":
    sys.exit(run_suite("test_feeds", body))
