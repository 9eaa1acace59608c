#!/usr/bin/env python3
"""Usage reports reconcile with the bookings: GET /api/v1/reports/usage against real hallsd
on the demo, checked figure by figure against sums made here, independently, from the
admin's GET /api/v1/bookings listing (every status, the same window), the rooms, groups,
venues' opening hours and closures.

- Hours (approved and pending) per venue, room, group, kind and local month; approved
  bookings; distinct groups served; cancellations and declines; reasons grouped (the note
  trimmed, spaces collapsed, lower case; "no reason given" for none).
- Open hours per room, venue and month: each venue's weekly hours read day by day in
  Europe/London (zoneinfo), less its closures and the room's.
- The CSV of each table parses with Python's csv module and says what the JSON says;
  cells that a spreadsheet would take for a formula start with '.
- Replies match schemas/api/report-usage.schema.json; `halls --json report usage` gives
  the same report.
- A manager sees only their venues, and is refused another's; a member is refused (403
  with a problem body); an anonymous caller must sign in (401); a window over 1096 days
  is refused in words.

The clock is pinned at the demo's now (HALLS_NOW=1796029200). Prints "ok - ..." or
"not ok - ..." per check and, last, "test_report: N passed, M failed".
"""
import csv
import datetime
import io
import os
import sys
import urllib.parse
from zoneinfo import ZoneInfo

from schema import errors as schema_errors

from harness import Server, check, halls, halls_json, run_suite

NOW = 1796029200  # Monday 30 November 2026 09:00 UTC
FROM, TO = "2026-11-01", "2027-02-01"
ZONE = ZoneInfo("Europe/London")
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
NO_REASON = "no reason given"


def sign_in(srv, email):
    st, _, body = srv.request("POST", "/api/v1/session",
                              {"email": email, "password": "demo-password"})
    if st not in (200, 201) or not isinstance(body, dict):
        raise RuntimeError("cannot sign in as %s: %d %r" % (email, st, body))
    return body["token"]


def get_all(srv, path, token):
    """Every page of a listing, following its Link: rel="next"."""
    items = []
    while path:
        st, hdrs, page = srv.request("GET", path, token=token)
        if st != 200 or not isinstance(page, list):
            raise RuntimeError("GET %s: %d %r" % (path, st, page))
        items += page
        link = hdrs.get("Link") or ""
        path = link[link.index("<") + 1:link.index(">")] if 'rel="next"' in link else None
        if path and path.startswith("http"):
            path = "/" + path.split("/", 3)[3]
    return items


def midnight(date_text):
    y, m, d = (int(x) for x in date_text.split("-"))
    return int(datetime.datetime(y, m, d, tzinfo=ZONE).timestamp())


def utc(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def month_of(ts):
    return datetime.datetime.fromtimestamp(ts, ZONE).strftime("%Y-%m")


def months_between(frm, to):
    out, y, m = [], int(frm[:4]), int(frm[5:7])
    last = (datetime.date.fromisoformat(to) - datetime.timedelta(days=1))
    while (y, m) <= (last.year, last.month):
        out.append("%04d-%02d" % (y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def normalise(note):
    words = " ".join((note or "").split())
    return "".join(c.lower() if c.isascii() else c for c in words) or NO_REASON


# Opening hours, read here from the venue's text ("mon-fri 09:00-22:00; sun closed").

def parse_hours(text):
    week = {d: [] for d in range(7)}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        days, spans = part.split(None, 1)
        if "-" in days:
            a, b = days.split("-")
            chosen = range(DAYS.index(a), DAYS.index(b) + 1)
        else:
            chosen = [DAYS.index(days)]
        if spans.strip() == "closed":
            continue
        for span in spans.split(","):
            a, b = span.strip().split("-")
            for d in chosen:
                week[d].append((a, b))
    return week


def local_instant(day, hhmm):
    h, m = (int(x) for x in hhmm.split(":"))
    if h == 24:
        day, h = day + datetime.timedelta(days=1), 0
    return int(datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=ZONE).timestamp())


def open_seconds(week, shut, frm, to):
    """{month: seconds} the weekly hours are open over local dates [frm, to), less shut."""
    out = {}
    day, end = datetime.date.fromisoformat(frm), datetime.date.fromisoformat(to)
    while day < end:
        for a, b in week[day.weekday()]:
            s, e = local_instant(day, a), local_instant(day, b)
            secs = e - s
            for cs, ce in shut:
                secs -= max(0, min(e, ce) - max(s, cs))
            key = day.strftime("%Y-%m")
            out[key] = out.get(key, 0) + secs
        day += datetime.timedelta(days=1)
    return out


def merged(spans):
    out = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


# The expected report, summed here.

def blank(with_open):
    f = {"approved_seconds": 0, "pending_seconds": 0, "approved_bookings": 0, "cancelled": 0,
         "declined": 0, "served": set()}
    if with_open:
        f["open_seconds"] = 0
    return f


def add(f, b):
    length = b["end_ts"] - b["start_ts"]
    if b["status"] == "approved":
        f["approved_seconds"] += length
        f["approved_bookings"] += 1
        f["served"].add(b["group_id"])
    elif b["status"] == "pending":
        f["pending_seconds"] += length
    elif b["status"] == "cancelled":
        f["cancelled"] += 1
    elif b["status"] == "declined":
        f["declined"] += 1


def expected(srv, token, frm, to, venues_seen, kind=None):
    """The report as summed from the listings, for the venues in venues_seen."""
    venues = {v["id"]: v for v in get_all(srv, "/api/v1/venues", token)
              if v["id"] in venues_seen}
    rooms = {r["id"]: r for r in get_all(srv, "/api/v1/rooms", token)
             if r["venue_id"] in venues}
    groups = {g["id"]: g for g in get_all(srv, "/api/v1/groups", token)}
    closures = get_all(srv, "/api/v1/closures", token)
    q = urllib.parse.urlencode({"from": utc(midnight(frm)), "to": utc(midnight(to))})
    bookings = [b for b in get_all(srv, "/api/v1/bookings?" + q, token)
                if midnight(frm) <= b["start_ts"] < midnight(to) and b["room_id"] in rooms
                and (kind is None or groups[b["group_id"]]["kind"] == kind)]
    months = months_between(frm, to)
    want = {"total": blank(True), "venues": {v: blank(True) for v in venues},
            "rooms": {r: blank(True) for r in rooms}, "groups": {},
            "kinds": {k: blank(False) for k in
                      ([kind] if kind else ["charity", "community", "school", "commercial",
                                             "council"])},
            "months": {m: blank(True) for m in months}, "reasons": {}}
    for b in bookings:
        venue = rooms[b["room_id"]]["venue_id"]
        g = groups[b["group_id"]]
        want["groups"].setdefault(b["group_id"], blank(False))
        for f in (want["total"], want["venues"][venue], want["rooms"][b["room_id"]],
                  want["groups"][b["group_id"]], want["kinds"][g["kind"]],
                  want["months"][month_of(b["start_ts"])]):
            add(f, b)
        if b["status"] in ("cancelled", "declined"):
            key = (b["status"], normalise(b.get("note")))
            want["reasons"][key] = want["reasons"].get(key, 0) + 1
    for rid, r in rooms.items():
        v = venues[r["venue_id"]]
        shut = merged([(c["start_ts"], c["end_ts"]) for c in closures
                       if (c["scope"] == "venue" and c.get("venue_id") == v["id"])
                       or (c["scope"] == "room" and c.get("room_id") == rid)])
        for m, secs in open_seconds(parse_hours(v["hours"]), shut, frm, to).items():
            for f in (want["total"], want["venues"][v["id"]], want["rooms"][rid],
                      want["months"][m]):
                f["open_seconds"] += secs
    return want


FIGURES = ("approved_seconds", "pending_seconds", "approved_bookings", "cancelled", "declined")


def same_figures(what, got, want, served=True):
    diffs = []
    for k in FIGURES + (("open_seconds",) if "open_seconds" in want else ()):
        if got.get(k) != want[k]:
            diffs.append("%s: got %r, want %r" % (k, got.get(k), want[k]))
    if served and got.get("groups_served") != len(want["served"]):
        diffs.append("groups_served: got %r, want %d" % (got.get("groups_served"),
                                                          len(want["served"])))
    if "open_seconds" in want:
        occ = want["approved_seconds"] / want["open_seconds"] if want["open_seconds"] else None
        if (occ is None) != (got.get("occupancy") is None) or (
                occ is not None and abs(got["occupancy"] - occ) > 1e-9):
            diffs.append("occupancy: got %r, want %r" % (got.get("occupancy"), occ))
    return diffs


def reconcile(label, report, want):
    diffs = same_figures("total", report["total"], want["total"])
    check(not diffs, "%s: the totals reconcile" % label, "\n".join(diffs))
    for table, key, served in (("venues", "venue_id", True), ("rooms", "room_id", True),
                               ("groups", "group_id", False), ("kinds", "kind", True),
                               ("months", "month", True)):
        rows = {row[key]: row for row in report[table]}
        diffs = []
        if set(rows) != set(want[table]):
            diffs.append("rows: got %s, want %s" % (sorted(rows), sorted(want[table])))
        for k in set(rows) & set(want[table]):
            diffs += ["%s %s: %s" % (table, k, d)
                      for d in same_figures(k, rows[k], want[table][k], served)]
        check(not diffs, "%s: every figure per %s reconciles (%d rows)" %
              (label, table[:-1], len(rows)), "\n".join(diffs))
    got = {(r["status"], r["reason"]): r["count"] for r in report["reasons"]}
    check(got == want["reasons"], "%s: the reasons grouped reconcile (%d)" % (label, len(got)),
          "got %r\nwant %r" % (got, want["reasons"]))
    counts = [r["count"] for r in report["reasons"]]
    check(counts == sorted(counts, reverse=True), "%s: reasons come most first" % label)


def get_report(srv, token, **params):
    path = "/api/v1/reports/usage?" + urllib.parse.urlencode(params)
    return srv.exchange("GET", path, token=token)


def get_json(srv, token, what, **params):
    import json
    st, hdrs, raw = get_report(srv, token, **params)
    body = json.loads(raw) if raw else None
    name = "report-usage" if st == 200 else "problem"
    errs = schema_errors(name, body)
    check(not errs, "%s: the %d reply matches %s" % (what, st, name), "\n".join(errs))
    return st, hdrs, body


def hours(seconds):
    return "%.2f" % (int((seconds * 100 + 1800) // 3600) / 100)


def run_csv(srv, token, report):
    """Each table's CSV parses and agrees with the JSON."""
    tables = {}
    for table in ("summary", "venues", "rooms", "groups", "kinds", "months", "reasons"):
        st, hdrs, raw = get_report(srv, token, **{"from": FROM, "to": TO, "format": "csv",
                                                  "table": table})
        ctype = hdrs.get("Content-Type", "")
        check(st == 200 and ctype.startswith("text/csv"),
              "format=csv&table=%s is text/csv" % table, "%d %s" % (st, ctype))
        check(raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n"),
              "table=%s starts with a byte order mark and ends its lines with CRLF" % table)
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        tables[table] = rows
    by_room = {int(r["room_id"]): r for r in tables["rooms"]}
    diffs = []
    for room in report["rooms"]:
        row = by_room.get(room["room_id"])
        if row is None:
            diffs.append("room %d missing" % room["room_id"])
            continue
        for col, key in (("approved_hours", "approved_seconds"),
                         ("pending_hours", "pending_seconds"), ("open_hours", "open_seconds")):
            if row[col] != hours(room[key]):
                diffs.append("room %d %s: %s, JSON %s" % (room["room_id"], col, row[col],
                                                          hours(room[key])))
        for col, key in (("approved_bookings", "approved_bookings"),
                         ("groups_served", "groups_served"), ("cancelled", "cancelled"),
                         ("declined", "declined")):
            if int(row[col]) != room[key]:
                diffs.append("room %d %s" % (room["room_id"], col))
        if room["occupancy"] is not None and abs(
                float(row["occupancy_percent"]) - 100 * room["occupancy"]) > 0.051:
            diffs.append("room %d occupancy" % room["room_id"])
    check(not diffs and len(by_room) == len(report["rooms"]),
          "the rooms CSV says what the JSON says", "\n".join(diffs))
    groups = {int(r["group_id"]): r for r in tables["groups"]}
    check(all(groups[g["group_id"]]["approved_hours"] == hours(g["approved_seconds"])
              and int(groups[g["group_id"]]["cancelled"]) == g["cancelled"]
              for g in report["groups"]) and len(groups) == len(report["groups"]),
          "the groups CSV says what the JSON says")
    months = [(r["month"], r["approved_hours"]) for r in tables["months"]]
    check(months == [(m["month"], hours(m["approved_seconds"])) for m in report["months"]],
          "the months CSV says what the JSON says", repr(months))
    s = tables["summary"][0]
    check(len(tables["summary"]) == 1 and s["approved_hours"] == hours(
        report["total"]["approved_seconds"]) and int(s["groups_served"])
        == report["total"]["groups_served"], "the summary CSV says what the JSON says")
    reasons = {(r["status"], r["reason"]): int(r["count"]) for r in tables["reasons"]}
    formula = [r for r in report["reasons"] if r["reason"][0] in "=+-@"]
    check(formula and all(("'" + r["reason"]) in {k[1] for k in reasons} for r in formula),
          "a reason that looks like a formula is written with a ' before it",
          repr(sorted(reasons)))
    plain = {(r["status"], r["reason"]): r["count"] for r in report["reasons"]
             if r["reason"][0] not in "=+-@"}
    check(all(reasons.get(k) == v for k, v in plain.items()),
          "the reasons CSV says what the JSON says")


def add_bookings(build, data):
    """Some decisions with notes to group, one that looks like a formula, another
    month's booking and a pending one in January."""
    def request(room, group, start, end, *extra):
        return halls_json(build, data, "booking", "request", "--room", str(room), "--group",
                          str(group), "--title", "Report test", "--start", start, "--end",
                          end, *extra)["id"]
    a = request(1, 1, "2026-12-07T10:00", "2026-12-07T11:30")
    b = request(2, 3, "2026-12-08T10:00", "2026-12-08T11:00")
    for what, note in ((a, "  Moved   ONLINE "), (b, "=HYPERLINK(\"http://x\")")):
        r = halls(build, data, "booking", "cancel", str(what), "--note", note)
        check(r.returncode == 0, "booking %d is cancelled" % what, r.stderr)
    request(4, 6, "2027-01-12T10:00", "2027-01-12T12:00")
    request(1, 8, "2027-01-13T18:00", "2027-01-13T20:30", "--approve")


def run_roles(srv, tokens, admin_report):
    st, _, body = get_json(srv, tokens["manager"], "a manager's report", **{"from": FROM,
                                                                           "to": TO})
    venues = sorted(v["venue_id"] for v in body["venues"]) if st == 200 else None
    check(st == 200 and venues == [4, 6], "the manager of venues 4 and 6 sees only those",
          repr(venues))
    if st == 200:
        rooms = {r["room_id"] for r in admin_report["rooms"] if r["venue_id"] in (4, 6)}
        check({r["room_id"] for r in body["rooms"]} == rooms,
              "a manager's report lists only their venues' rooms")
    st, _, body = get_json(srv, tokens["manager"], "another venue's report as a manager",
                           **{"from": FROM, "to": TO, "venue": 1})
    check(st == 403, "a manager may not read another venue's report", "status %d" % st)
    st, hdrs, body = get_json(srv, tokens["member"], "a member's report",
                              **{"from": FROM, "to": TO})
    check(st == 403 and hdrs.get("Content-Type", "").startswith("application/problem+json")
          and "managers and administrators" in (body or {}).get("detail", ""),
          "a member is refused with a problem body saying who may", repr(body))
    st, _, body = get_json(srv, None, "an anonymous report", **{"from": FROM, "to": TO})
    check(st == 401, "an anonymous caller must sign in", "status %d" % st)
    st, _, body = get_json(srv, tokens["admin"], "three years and a day",
                           **{"from": "2026-01-01", "to": "2029-01-02"})
    check(st == 400 and "at most 1096 days" in (body or {}).get("detail", ""),
          "a window over three years is refused in words", repr(body))
    for params, what in (({"from": "2026-02-30"}, "a date that is not one"),
                         ({"from": FROM, "to": TO, "kind": "parish"}, "an unknown kind"),
                         ({"from": FROM, "to": TO, "format": "xml"}, "an unknown format"),
                         ({"from": FROM, "to": TO, "format": "csv", "table": "x"},
                          "an unknown table"),
                         ({"from": FROM, "to": TO, "colour": "red"}, "an unknown parameter")):
        st, _, body = get_json(srv, tokens["admin"], what, **params)
        check(st == 400, "%s is refused (400)" % what, "%d %r" % (st, body))


def body(build, tmp, servers):
    os.environ["HALLS_NOW"] = str(NOW)
    data = os.path.join(tmp, "data")
    if halls(build, data, "init", "--demo").returncode != 0:
        raise RuntimeError("halls init --demo failed")
    add_bookings(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    tokens = {"admin": sign_in(srv, "admin@halls.example"),
              "manager": sign_in(srv, "manager.parks@halls.example"),
              "member": sign_in(srv, "pat@knitters.example")}

    st, _, report = get_json(srv, tokens["admin"], "the admin's report", **{"from": FROM,
                                                                           "to": TO})
    if st != 200:
        return
    all_venues = {v["id"] for v in get_all(srv, "/api/v1/venues", tokens["admin"])}
    check(report["total"]["approved_bookings"] > 20 and report["reasons"],
          "the demo's report has bookings and reasons to reconcile")
    reconcile("admin, every venue", report, expected(srv, tokens["admin"], FROM, TO,
                                                      all_venues))
    st, _, one = get_json(srv, tokens["admin"], "venue 1, charities",
                          **{"from": FROM, "to": TO, "venue": 1, "kind": "charity"})
    if st == 200:
        reconcile("venue 1, charities", one,
                  expected(srv, tokens["admin"], FROM, TO, {1}, kind="charity"))
    st, _, dec = get_json(srv, tokens["admin"], "December", **{"from": "2026-12-01",
                                                               "to": "2027-01-01"})
    if st == 200:
        reconcile("December", dec, expected(srv, tokens["admin"], "2026-12-01", "2027-01-01",
                                            all_venues))
    cli = halls_json(build, data, "report", "usage", "--from", FROM, "--to", TO)
    check(cli == report, "halls --json report usage gives the API's report")
    run_csv(srv, tokens["admin"], report)
    run_roles(srv, tokens, report)


if __name__ == "__main__":
    sys.exit(run_suite("test_report", body))
