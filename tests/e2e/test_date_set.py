#!/usr/bin/env python3
"""Date sets through the real hallsd (docs/fair-access.md#date-sets).

- An admin imports the bank holidays of England and Wales from an .ics file shaped as
  GOV.UK publishes it (tests/cli/data/); a manager makes the venue's school holidays by
  hand; a manager may not make the borough's, and a member none.
- A closure follows the bank holidays: a request on one is refused as closed, the
  listing shows each day, and a date added to the set later is closed at once.
- A series skips the school holidays: the preview names the set on each date skipped,
  across the October clock change, and the series keeps the set's id.
- A set in use cannot be removed (409); a hostile file is refused with words.

Every reply is validated against schemas/api. The clock is pinned (HALLS_NOW) at
2026-09-01T00:00:00Z. Prints "ok - ..." or "not ok - ..." per check and, last,
"test_date_set: N passed, M failed"; exits 1 when anything failed. Environment: BUILD
(default ./build); HALLS_SCRYPT_LOG2N (default 10 here).
"""
import os
import sys

from harness import Server, check, halls, halls_json, run_suite

from schema import errors as schema_errors

NOW = 1788220800  # 2026-09-01T00:00:00Z
HERE = os.path.dirname(os.path.abspath(__file__))
BANK = os.path.join(HERE, "..", "cli", "data", "bank-holidays-england-and-wales.ics")


class Api:
    """hallsd's replies, each validated: a problem for 4xx, else the schema named."""

    def __init__(self, srv):
        self.srv = srv

    def call(self, method, path, body, token, schema, what):
        st, hdrs, reply = self.srv.request(method, path, body, token=token)
        name = "problem" if st >= 400 else schema
        errs = [] if name is None else schema_errors(name, reply)
        check(not errs, "%s: the %d reply matches %s" % (what, st, name), "\n".join(errs))
        return st, reply if reply is not None else {}


def setup(build, data):
    ids, tok = {}, {}
    if halls(build, data, "init").returncode != 0:
        raise RuntimeError("halls init failed")
    ids["v"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road Centre",
                          "--tz", "Europe/London", "--hours", "mon-sun 00:00-24:00")["id"]
    ids["hall"] = halls_json(build, data, "room", "add", "--name", "Main Hall", "--approval",
                             "auto", "--venue", str(ids["v"]), "--capacity", "50",
                             "--notice", "0", "--horizon", "365", "--min-length", "30")["id"]
    ids["chess"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    for name, role, extra in (("mem", "member", ["--group", str(ids["chess"])]),
                              ("man", "manager", ["--venue", str(ids["v"])]),
                              ("adm", "admin", [])):
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        tok[name] = halls_json(build, data, "token", "issue", "--user", str(uid), "--label",
                               "test")["token"]
    return ids, tok


def run_sets(api, ids, tok):
    with open(BANK, encoding="utf-8") as f:
        ics = f.read()
    st, r = api.call("POST", "/api/v1/date-sets/import",
                     {"ics": ics, "name": "Bank holidays in England and Wales"}, tok["adm"],
                     "date-set-imported", "POST an .ics file as an admin")
    bank = r.get("date_set", {})
    check(st == 201 and bank.get("count") == 16 and r["import"]["added"] == 16,
          "the import makes a set of the 16 bank holidays", (st, r.get("import")))
    check({"date": "2026-12-28", "label": "Boxing Day"} in bank.get("dates", []),
          "each date keeps its SUMMARY as its label", bank.get("dates", [])[:3])
    ids["bank"] = bank.get("id", 0)
    st, _ = api.call("POST", "/api/v1/date-sets/import", {"ics": ics, "name": "Mine"},
                     tok["man"], None, "a manager imports a set for the borough")
    check(st == 403, "a manager may not make the borough's sets", st)
    st, s = api.call("POST", "/api/v1/date-sets",
                     {"name": "School holidays", "venue_id": ids["v"],
                      "dates": ["2026-10-26", {"date": "2026-10-25", "label": "Half term"},
                                "2026-10-26"]},
                     tok["man"], "date-set", "POST a venue's set as its manager")
    check(st == 201 and [d["date"] for d in s.get("dates", [])] == ["2026-10-25", "2026-10-26"],
          "dates are kept sorted, each once", (st, s))
    ids["school"] = s.get("id", 0)
    st, _ = api.call("POST", "/api/v1/date-sets", {"name": "Ours", "venue_id": ids["v"]},
                     tok["mem"], None, "POST a set as a member")
    check(st == 403, "a member may not make sets", st)
    st, _ = api.call("POST", "/api/v1/date-sets",
                     {"name": "Bad", "venue_id": ids["v"], "dates": ["2026-02-30"]},
                     tok["man"], None, "POST a date that does not exist")
    check(st == 400, "a date that does not exist is refused", st)
    st, lst = api.call("GET", "/api/v1/date-sets?venue=%d" % ids["v"], None, None,
                       "date-set-list", "GET the venue's sets anonymously")
    check(st == 200 and len(lst) == 2, "the venue's listing has its set and the borough's", lst)
    st, bad = api.call("POST", "/api/v1/date-sets/import",
                       {"ics": "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261225T100000Z"
                               "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "name": "Timed"},
                       tok["adm"], None, "POST a file with only a timed event")
    check(st == 400 and "all-day" in bad.get("detail", ""),
          "a file without all-day events is refused with words", (st, bad))


def run_closure(api, ids, tok):
    st, c = api.call("POST", "/api/v1/closures",
                     {"venue_id": ids["v"], "date_set_id": ids["bank"],
                      "reason": "Closed on bank holidays"},
                     tok["man"], "closure", "POST a closure that follows a set")
    check(st == 201 and c.get("date_set_id") == ids["bank"], "the closure follows the set", c)
    ids["closure"] = c.get("id", 0)
    st, lst = api.call("GET", "/api/v1/closures?venue=%d" % ids["v"], None, None,
                       "closure-list", "GET the venue's closures")
    days = [x for x in lst if x.get("id") == ids["closure"]] if st == 200 else []
    check(len(days) == 16 and days[6].get("start") == "2026-12-25T00:00:00+00:00",
          "the listing shows each day of the set", [d.get("start") for d in days][:8])
    st, p = api.call("POST", "/api/v1/bookings",
                     {"room_id": ids["hall"], "group_id": ids["chess"], "title": "Chess",
                      "start": "2026-12-28T19:00", "end": "2026-12-28T21:00"},
                     tok["mem"], None, "POST a booking on a bank holiday")
    check(st == 422 and p.get("type", "").endswith("/closed"),
          "a request on a bank holiday is refused as closed", (st, p))
    st, s = api.call("PATCH", "/api/v1/date-sets/%d" % ids["bank"],
                     {"add": [{"date": "2026-09-14", "label": "A day added"}]}, tok["adm"],
                     "date-set", "PATCH the set")
    check(st == 200 and s.get("count") == 17, "a date is added", s.get("count"))
    st, p = api.call("POST", "/api/v1/bookings",
                     {"room_id": ids["hall"], "group_id": ids["chess"], "title": "Chess",
                      "start": "2026-09-14T19:00", "end": "2026-09-14T21:00"},
                     tok["mem"], None, "POST a booking on the date added")
    check(st == 422, "the closure follows the set's new date at once", (st, p))
    st, p = api.call("DELETE", "/api/v1/date-sets/%d" % ids["bank"], None, tok["adm"], None,
                     "DELETE a set a closure follows")
    check(st == 409 and "closure" in p.get("detail", ""), "a set in use is kept", (st, p))


def run_series(api, ids, tok):
    body = {"room_id": ids["hall"], "group_id": ids["chess"], "title": "Sunday chess",
            "start": "2026-10-18T00:30", "end": "2026-10-18T01:30",
            "rrule": "FREQ=WEEKLY;BYDAY=SU;COUNT=3", "skip_date_sets": [ids["school"]]}
    st, pv = api.call("POST", "/api/v1/series/preview", body, tok["mem"], "series-preview",
                      "POST a preview that skips the school holidays")
    out = [(d.get("start"), d.get("outcome"), d.get("date_set")) for d in pv.get("dates", [])]
    check(st == 200 and out[1] == ("2026-10-25T00:30:00+01:00", "skipped", "School holidays")
          and pv.get("skipped") == 1 and pv.get("fit") == 2,
          "the date in the set is skipped, named, on the day the clocks go back", out)
    st, r = api.call("POST", "/api/v1/series", body, tok["mem"], None, "POST the series")
    check(st == 201 and r.get("series", {}).get("skip_date_sets") == [ids["school"]]
          and len(r.get("occurrences", [])) == 2,
          "the series books the other dates and keeps the set's id", (st, r.get("series")))
    st, p = api.call("DELETE", "/api/v1/date-sets/%d" % ids["school"], None, tok["man"], None,
                     "DELETE a set a series skips")
    check(st == 409, "a set a series skips is kept", (st, p))
    st, s = api.call("POST", "/api/v1/date-sets", {"name": "Spare", "venue_id": ids["v"]},
                     tok["man"], "date-set", "POST a spare set")
    st, _ = api.call("DELETE", "/api/v1/date-sets/%d" % s.get("id", 0), None, tok["man"],
                     None, "DELETE a set nothing uses")
    check(st == 204, "a set nothing uses is removed", st)


def body(build, tmp, servers):
    os.environ["HALLS_NOW"] = str(NOW)
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    api = Api(srv)
    run_sets(api, ids, tok)
    run_closure(api, ids, tok)
    run_series(api, ids, tok)
    check(halls(build, data, "check").returncode == 0, "halls check finds nothing wrong")
    r = halls(build, data, "--json", "date-set", "show", str(ids["bank"]))
    check(r.returncode == 0 and "Boxing Day" in r.stdout, "halls date-set show reads the set")


if __name__ == "__main__":
    sys.exit(run_suite("test_date_set", body))
