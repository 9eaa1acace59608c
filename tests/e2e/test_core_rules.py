#!/usr/bin/env python3
"""Rules the core holds for both front ends, met through hallsd and halls alike.

- A move that names only the start keeps the booking's length (PATCH and `halls booking
  move`), an end alone changes only the end, and the length kept is elapsed time: a
  three-hour booking moved by its start onto 25 October 2026, when London's clocks go
  back, still lasts three hours (00:30 to 02:30 on the wall clock).
- Asking twice is refused: the same group, room, start and end as a pending or approved
  booking is a 409 naming the first (in the words and in conflicts), through the API and
  the CLI, and allowed again once the first is cancelled; a move onto such a slot too;
  the same series again is a 409 naming the first series, with skip_conflicts or not.
- One validator per field: the same bad value gets the same words from POST, PATCH,
  `halls booking request` and `halls booking move`.

Replies are validated against schemas/api. The clock is pinned (HALLS_NOW) at
2026-09-01T00:00:00Z, before the clock change, for halls and hallsd alike.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_core_rules: N passed, M
failed"; exits 1 when anything failed. Environment: BUILD (default ./build);
HALLS_SCRYPT_LOG2N (default 10 here).
"""
import json
import os
import sys

from schema import errors as schema_errors

from harness import Server, check, halls, halls_json, run_suite

NOW = 1788220800  # 2026-09-01T00:00:00Z
class Api:
    """hallsd's replies, each validated: a problem for 4xx, else the schema named."""

    def __init__(self, srv):
        self.srv = srv

    def call(self, method, path, body, token, schema, what):
        st, hdrs, reply = self.srv.request(method, path, body, token=token)
        name = "problem" if st >= 400 else schema
        errs = schema_errors(name, reply)
        if st >= 400 and not hdrs.get("Content-Type", "").startswith("application/problem+json"):
            errs.append("Content-Type %s" % hdrs.get("Content-Type"))
        check(not errs, "%s: the %d reply matches %s" % (what, st, name), "\n".join(errs))
        return st, reply if isinstance(reply, dict) else {}


def setup(build, data):
    ids, tok = {}, {}
    if halls(build, data, "init").returncode != 0:
        raise RuntimeError("halls init failed")
    ids["v"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road Centre",
                          "--tz", "Europe/London", "--hours", "mon-sun 00:00-24:00")["id"]
    common = ["--venue", str(ids["v"]), "--capacity", "50", "--notice", "0", "--horizon",
              "365", "--min-length", "30", "--max-length", "480"]
    ids["hall"] = halls_json(build, data, "room", "add", "--name", "Main Hall", "--approval",
                             "manual", *common)["id"]
    ids["cr"] = halls_json(build, data, "room", "add", "--name", "Committee Room",
                           "--approval", "auto", *common)["id"]
    ids["chess"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    ids["knit"] = halls_json(build, data, "group", "add", "--name", "Knitters")["id"]
    for name, role, extra in (("mem", "member", ["--group", str(ids["chess"])]),
                              ("man", "manager", ["--venue", str(ids["v"])])):
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        tok[name] = halls_json(build, data, "token", "issue", "--user", str(uid), "--label",
                               "test")["token"]
    return ids, tok


def request_body(ids, room, group, start, end, **kw):
    body = {"room_id": ids[room], "group_id": ids[group], "title": "Chess night",
            "start": start, "end": end}
    body.update(kw)
    return body


def cli_request(build, data, ids, room, group, start, end, *extra):
    return halls(build, data, "--json", "booking", "request", "--room", str(ids[room]),
                 "--group", str(ids[group]), "--title", "Chess night", "--start", start,
                 "--end", end, *extra)


def cli_error(r):
    """The --json error a refused halls wrote on stderr ({} when none)."""
    try:
        return json.loads(r.stderr)
    except ValueError:
        return {}


def run_moves(api, build, data, ids, tok):
    st, b = api.call("POST", "/api/v1/bookings",
                     request_body(ids, "hall", "chess", "2026-09-08T19:00", "2026-09-08T21:00"),
                     tok["mem"], "booking", "POST a booking")
    check(st == 201, "a member's request is 201", (st, b))
    path = "/api/v1/bookings/%d" % b.get("id", 0)
    st, m = api.call("PATCH", path, {"start": "2026-09-09T18:00"}, tok["mem"], "booking",
                     "PATCH start alone")
    check(st == 200 and m.get("start") == "2026-09-09T18:00:00+01:00"
          and m.get("end") == "2026-09-09T20:00:00+01:00",
          "PATCH with a start alone moves the booking and keeps its two hours", (st, m))
    st, m = api.call("PATCH", path, {"end": "2026-09-09T21:30"}, tok["mem"], "booking",
                     "PATCH end alone")
    check(st == 200 and m.get("start") == "2026-09-09T18:00:00+01:00"
          and m.get("end") == "2026-09-09T21:30:00+01:00",
          "PATCH with an end alone changes only the end", (st, m))
    st, m = api.call("PATCH", path, {"start": "2026-09-10T10:00", "end": "2026-09-10T11:00"},
                     tok["mem"], "booking", "PATCH start and end")
    check(st == 200 and m.get("end_ts", 0) - m.get("start_ts", 0) == 3600,
          "PATCH with both sets both", (st, m))
    r = halls(build, data, "--json", "booking", "move", str(b.get("id", 0)), "--start",
              "2026-09-11T19:00")
    m = json.loads(r.stdout) if r.returncode == 0 else {}
    api.call("GET", path, None, tok["mem"], "booking", "GET the booking the CLI moved")
    check(m.get("start") == "2026-09-11T19:00:00+01:00"
          and m.get("end") == "2026-09-11T20:00:00+01:00",
          "halls booking move --start alone keeps the length too", (r.returncode, r.stderr, m))
    r = halls(build, data, "--json", "booking", "move", str(b.get("id", 0)), "--end",
              "2026-09-11T22:00")
    m = json.loads(r.stdout) if r.returncode == 0 else {}
    check(m.get("start") == "2026-09-11T19:00:00+01:00"
          and m.get("end") == "2026-09-11T22:00:00+01:00",
          "halls booking move --end alone changes only the end", (r.returncode, r.stderr, m))


def run_clock_change(api, build, data, ids, tok):
    """Elapsed time is the length: 00:30 + 3 h on 25 October 2026 is 02:30 GMT, since
    01:00-02:00 happens twice."""
    st, b = api.call("POST", "/api/v1/bookings",
                     request_body(ids, "hall", "chess", "2026-10-17T00:30", "2026-10-17T03:30"),
                     tok["mem"], "booking", "POST a night booking")
    st, m = api.call("PATCH", "/api/v1/bookings/%d" % b.get("id", 0),
                     {"start": "2026-10-25T00:30"}, tok["mem"], "booking",
                     "PATCH start alone onto the clock change")
    check(st == 200 and m.get("end_ts", 0) - m.get("start_ts", 0) == 3 * 3600
          and m.get("start") == "2026-10-25T00:30:00+01:00"
          and m.get("end") == "2026-10-25T02:30:00+00:00",
          "moved by its start across the clock change, it still lasts three hours", (st, m))
    c = halls_json(build, data, "booking", "request", "--room", str(ids["cr"]), "--group",
                   str(ids["chess"]), "--title", "Night watch", "--start", "2026-10-18T00:30",
                   "--end", "2026-10-18T03:30")
    m = halls_json(build, data, "booking", "move", str(c["id"]), "--start", "2026-10-25T00:30")
    check(m.get("end_ts", 0) - m.get("start_ts", 0) == 3 * 3600
          and m.get("end") == "2026-10-25T02:30:00+00:00",
          "the CLI's move across the clock change keeps three hours too", m)


def run_twins(api, build, data, ids, tok):
    slot = ("2026-09-15T19:00", "2026-09-15T21:00")
    st, first = api.call("POST", "/api/v1/bookings", request_body(ids, "hall", "chess", *slot),
                         tok["mem"], "booking", "POST the first request")
    fid = first.get("id", 0)
    words = "Chess Club already asked for this: booking %d (pending)" % fid
    st, p = api.call("POST", "/api/v1/bookings",
                     request_body(ids, "hall", "chess", *slot, title="Chess night (again)"),
                     tok["mem"], "booking", "POST the same request again")
    check(st == 409 and p.get("type") == "/problems/conflict" and p.get("conflicts") == [fid]
          and words in p.get("detail", ""),
          "the same request again is 409 naming the first, whatever its title", (st, p))
    r = cli_request(build, data, ids, "hall", "chess", *slot)
    e = cli_error(r)
    check(r.returncode == 1 and e.get("error") == "conflict" and e.get("conflicts") == [fid]
          and e.get("message") == p.get("detail"),
          "halls booking request is refused in the same words", (r.returncode, r.stderr, p))
    st, other = api.call("POST", "/api/v1/bookings", request_body(ids, "hall", "knit", *slot),
                         tok["man"], "booking", "POST the same slot for another group")
    check(st == 201, "another group may ask for the same slot", (st, other))
    st, moved = api.call("POST", "/api/v1/bookings",
                         request_body(ids, "hall", "chess", "2026-09-16T19:00",
                                      "2026-09-16T21:00"),
                         tok["mem"], "booking", "POST a request for the next day")
    st, p = api.call("PATCH", "/api/v1/bookings/%d" % moved.get("id", 0),
                     {"start": slot[0]}, tok["mem"], "booking",
                     "PATCH onto the first request's slot")
    check(st == 409 and p.get("conflicts") == [fid] and words in p.get("detail", ""),
          "a move onto the slot of the group's own request is 409 naming it", (st, p))
    st, c = api.call("POST", "/api/v1/bookings/%d/cancel" % fid, None, tok["mem"], "booking",
                     "cancel the first request")
    st, again = api.call("POST", "/api/v1/bookings", request_body(ids, "hall", "chess", *slot),
                         tok["mem"], "booking", "POST the request after the first's cancellation")
    check(st == 201, "once the first is cancelled, the group may ask again", (st, again))


def series_body(ids, **kw):
    body = request_body(ids, "hall", "chess", "2026-09-22T10:00", "2026-09-22T12:00",
                        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    body.update(kw)
    return body


def run_series_twins(api, build, data, ids, tok):
    st, s = api.call("POST", "/api/v1/series", series_body(ids), tok["mem"], "series-detail",
                     "POST a series")
    check(st == 201 and len(s.get("occurrences", [])) == 3, "a weekly series is 201", (st, s))
    sid = s.get("series", {}).get("id", 0)
    dates = [o.get("id") for o in s.get("occurrences", [])]
    for skip in (False, True):
        st, p = api.call("POST", "/api/v1/series", series_body(ids, skip_conflicts=skip),
                         tok["mem"], "series-detail", "POST the same series again")
        check(st == 409 and p.get("conflicts") == dates and "dates" not in p
              and "Chess Club already asked for this: series %d" % sid in p.get("detail", ""),
              "the same series again is 409 naming the first (skip_conflicts %s)" % skip,
              (st, p))
    r = halls(build, data, "--json", "series", "add", "--room", str(ids["hall"]), "--group",
              str(ids["chess"]), "--title", "Chess", "--start", "2026-09-22T10:00", "--end",
              "2026-09-22T12:00", "--rrule", "FREQ=WEEKLY;BYDAY=TU;COUNT=3", "--skip-conflicts")
    e = cli_error(r)
    check(r.returncode == 1 and e.get("error") == "conflict"
          and e.get("message") == p.get("detail"),
          "halls series add is refused in the same words", (r.returncode, r.stderr))
    # A longer rule over those dates: they are asked for already, the fourth is new.
    st, p = api.call("POST", "/api/v1/series", series_body(ids, rrule="FREQ=WEEKLY;COUNT=4"),
                     tok["mem"], "series-detail", "POST a longer series over the same dates")
    check(st == 409 and len(p.get("dates", [])) == 3
          and all("already asked for this: booking" in d.get("detail", "")
                  for d in p.get("dates", [])),
          "a date the group has asked for already refuses that date", (st, p))
    st, p = api.call("POST", "/api/v1/series",
                     series_body(ids, rrule="FREQ=WEEKLY;COUNT=4", skip_conflicts=True),
                     tok["mem"], "series-detail", "POST it with skip_conflicts")
    check(st == 201 and len(p.get("occurrences", [])) == 1 and len(p.get("skipped", [])) == 3,
          "with skip_conflicts those dates are skipped and the new one booked", (st, p))


# Bad values, and the options that give `halls booking request` and `halls booking move`
# the same value.
BAD = [
    ("attendees", -1, ["--attendees", "-1"]),
    ("attendees", 4294967296, ["--attendees", "4294967296"]),
    ("title", "   ", ["--title", "   "]),
    ("start", "2026-12-1", ["--start", "2026-12-1"]),
    ("start", "2027-03-28T01:30", ["--start", "2027-03-28T01:30"]),
    ("end", "the day after", ["--end", "the day after"]),
]


def run_same_words(api, build, data, ids, tok):
    st, b = api.call("POST", "/api/v1/bookings",
                     request_body(ids, "hall", "chess", "2026-09-29T19:00", "2026-09-29T21:00"),
                     tok["mem"], "booking", "POST a booking to edit")
    bid = str(b.get("id", 0))
    for key, value, opts in BAD:
        body = request_body(ids, "hall", "chess", "2026-09-30T19:00", "2026-09-30T21:00")
        body[key] = value
        st, post = api.call("POST", "/api/v1/bookings", body, tok["mem"], "booking",
                            "POST %s %r" % (key, value))
        st2, patch = api.call("PATCH", "/api/v1/bookings/" + bid, {key: value}, tok["mem"],
                              "booking", "PATCH %s %r" % (key, value))
        args = {"--room": str(ids["hall"]), "--group": str(ids["chess"]),
                "--title": "Chess night", "--start": "2026-09-30T19:00",
                "--end": "2026-09-30T21:00"}
        args[opts[0]] = opts[1]
        r = halls(build, data, "--json", "booking", "request",
                  *[x for kv in args.items() for x in kv])
        m = halls(build, data, "--json", "booking", "move", bid, *opts)
        words = {post.get("detail"), patch.get("detail"), cli_error(r).get("message"),
                 cli_error(m).get("message")}
        check(st == 400 and st2 == 400 and r.returncode == 1 and m.returncode == 1
              and len(words) == 1,
              "%s %r: POST, PATCH, booking request and booking move refuse it in the same "
              "words" % (key, value),
              (st, st2, r.returncode, m.returncode, words))


def api_all(srv, path, token):
    """Every page of a listing, following its Link: rel="next"."""
    items = []
    while path:
        st, hdrs, page = srv.request("GET", path, None, token=token)
        if st != 200 or not isinstance(page, list):
            return None
        items += page
        link = hdrs.get("Link") or ""
        path = link[link.index("<") + 1:link.index(">")] if 'rel="next"' in link else None
        if path and path.startswith("http"):
            path = "/" + path.split("/", 3)[3]
    return items


def run_audit_by_venue(api, build, data, ids, tok):
    """One rule says which audit entries are about a venue: halls audit --venue and
    GET /api/v1/audit?venue= list the same, and leave out another venue's."""
    other = halls_json(build, data, "venue", "add", "--name", "Elm Street Library",
                       "--tz", "Europe/London", "--hours", "mon-sun 09:00-17:00")["id"]
    room = halls_json(build, data, "room", "add", "--name", "Reading Room", "--venue",
                      str(other), "--capacity", "20")["id"]
    halls_json(build, data, "closure", "add", "--room", str(room), "--from", "2026-12-24T00:00",
               "--to", "2026-12-27T00:00", "--reason", "Christmas")
    halls_json(build, data, "closure", "add", "--venue", str(ids["v"]), "--from",
               "2026-12-31T00:00", "--to", "2027-01-02T00:00", "--reason", "New Year")
    for venue in (ids["v"], other):
        cli = halls_json(build, data, "audit", "--venue", str(venue))
        # The manager of ids["v"] reads its entries in pages of 7.
        api_list = (api_all(api.srv, "/api/v1/audit?venue=%d&limit=7" % venue, tok["man"])
                    if venue == ids["v"] else None)
        cli_ids = [e["id"] for e in cli]
        check(len(cli_ids) > 0, "halls audit --venue %d lists entries" % venue)
        if api_list is not None:
            check(cli_ids == [e["id"] for e in api_list],
                  "halls audit --venue equals GET /api/v1/audit?venue= (every page)",
                  "cli %s\napi %s" % (cli_ids, [e["id"] for e in api_list]))
        everything = halls_json(build, data, "audit")
        check(set(cli_ids) < set(e["id"] for e in everything),
              "halls audit --venue %d leaves some entries out" % venue)
    mine = [e["id"] for e in halls_json(build, data, "audit", "--venue", str(ids["v"]))]
    theirs = [e["id"] for e in halls_json(build, data, "audit", "--venue", str(other))]
    check(not set(mine) & set(theirs), "no entry is about both venues")
    st, _ = api.call("GET", "/api/v1/audit?venue=%d" % other, None, tok["man"], "audit-list",
                     "GET another venue's audit entries as a manager")
    check(st == 403, "a manager may not read another venue's entries", "status %d" % st)


def body(build, tmp, servers):
    os.environ["HALLS_NOW"] = str(NOW)
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    api = Api(srv)
    run_moves(api, build, data, ids, tok)
    run_clock_change(api, build, data, ids, tok)
    run_twins(api, build, data, ids, tok)
    run_series_twins(api, build, data, ids, tok)
    run_same_words(api, build, data, ids, tok)
    run_audit_by_venue(api, build, data, ids, tok)
    check(halls(build, data, "check").returncode == 0, "halls check finds nothing wrong")


if __name__ == "__main__":
    sys.exit(run_suite("test_core_rules", body))
