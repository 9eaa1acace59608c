#!/usr/bin/env python3
"""Recurring bookings over HTTP, for every kind of caller: a group's member asks for a
weekly series, the venue's manager approves it whole or from a date, the group cancels
"this and following", moves one date, renames the series; another group's member and
another venue's manager get nowhere; residents see a public series and not a private one.
A series that cannot have every date is refused with each date listed, or created
without them when asked. The series made, approved and listed, and the refusal of a
clash, are validated against schemas/api by schema.py.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import json
import os
import sys

import schema
from harness import Server, check, halls, halls_json, run_suite

NOW = 1788220800  # 1 Sep 2026
PASSWORD = "series-password"


def valid(name, body):
    """The first few reasons body does not match schemas/api/NAME; [] when it does."""
    return schema.errors(name, body)[:3]


def setup(build, data):
    ids = {}
    halls(build, data, "init")
    ids["va"] = halls_json(build, data, "venue", "add", "--name", "Riverside Centre")["id"]
    ids["vb"] = halls_json(build, data, "venue", "add", "--name", "Park Pavilion")["id"]
    ids["room"] = halls_json(build, data, "room", "add", "--venue", str(ids["va"]), "--name",
                             "Main Hall", "--capacity", "60", "--horizon", "1000",
                             "--max-occurrences", "30")["id"]
    ids["g1"] = halls_json(build, data, "group", "add", "--name", "Choir")["id"]
    ids["g2"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    users = {"admin": ("admin", []), "mana": ("manager", ["--venue", str(ids["va"])]),
             "manb": ("manager", ["--venue", str(ids["vb"])]),
             "mem1": ("member", ["--group", str(ids["g1"])]),
             "mem2": ("member", ["--group", str(ids["g2"])])}
    for who, (role, extra) in users.items():
        halls_json(build, data, "user", "add", "--name", who, "--email", who + "@example.org",
                   "--role", role, "--password-stdin", *extra, stdin=PASSWORD + "\n")
    return ids


def run(srv, ids):
    tok = {"anon": None}
    for who in ("admin", "mana", "manb", "mem1", "mem2"):
        st, _, body = srv.request("POST", "/api/v1/session",
                                  {"email": who + "@example.org", "password": PASSWORD})
        tok[who] = body["token"]

    def req(who, method, path, body=None):
        return srv.request(method, path, body, token=tok[who])

    weekly = {"room_id": ids["room"], "group_id": ids["g1"], "title": "Choir practice",
              "attendees": 30, "start": "2026-09-01T19:00", "end": "2026-09-01T21:00",
              "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=12"}
    st, _, body = req("anon", "POST", "/api/v1/series", weekly)
    check(st == 401, "POST /series without signing in is 401", st)
    st, _, body = req("mem2", "POST", "/api/v1/series", weekly)
    check(st == 403, "another group's member cannot book for the group", (st, body))
    st, _, body = req("mem1", "POST", "/api/v1/series", dict(weekly, rrule="FREQ=WEEKLY"))
    check(st == 400 and "end" in body.get("detail", ""), "a rule without an end is 400",
          (st, body))
    st, _, body = req("mem1", "POST", "/api/v1/series", dict(weekly, rrule="FREQ=WEEKLY;COUNT=31"))
    check(st == 422 and body.get("type") == "/problems/too-many-occurrences",
          "more dates than the room allows is 422", (st, body))
    st, _, created = req("mem1", "POST", "/api/v1/series", weekly)
    check(st == 201 and not valid("series-detail", created)
          and len(created["occurrences"]) == 12
          and {o["status"] for o in created["occurrences"]} == {"pending"},
          "a member asks for a weekly series: 12 pending dates",
          (st, valid("series-detail", created) if isinstance(created, dict) else created))
    sid = created["series"]["id"]
    occ = created["occurrences"]

    # Visibility.
    st, _, body = req("anon", "GET", "/api/v1/series/%d" % sid)
    check(st == 404, "residents do not see a private series", st)
    st, _, body = req("anon", "GET", "/api/v1/series")
    check(st == 200 and body == [], "nor in the list", body)
    st, _, body = req("manb", "GET", "/api/v1/series/%d" % sid)
    check(st == 404, "another venue's manager does not see it", st)
    st, _, body = req("mana", "GET", "/api/v1/series?room=%d" % ids["room"])
    check(st == 200 and [s["id"] for s in body] == [sid] and not valid("series-list", body),
          "the venue's manager lists it", body)

    # Decisions.
    st, _, body = req("mem1", "POST", "/api/v1/series/%d/approve" % sid)
    check(st == 403, "the group cannot approve its own series", (st, body))
    st, _, body = req("manb", "POST", "/api/v1/series/%d/approve" % sid)
    check(st == 404, "another venue's manager cannot approve it", (st, body))
    st, _, body = req("mana", "POST", "/api/v1/series/%d/approve" % sid,
                      {"from": "2026-10-01T00:00", "note": "welcome"})
    check(st == 200 and body.get("changed") == 7 and body.get("refused") == []
          and not valid("series-detail", body),
          "the manager approves the dates from October", (st, body.get("changed")))
    st, _, body = req("mana", "POST", "/api/v1/series/%d/decline" % sid, {"note": "full"})
    check(st == 200 and body.get("changed") == 5, "and declines the September ones",
          (st, body.get("changed")))
    # Another group books a date the choir does not need any more; the choir moves one.
    st, _, body = req("mem1", "POST", "/api/v1/bookings/%d/cancel" % occ[5]["id"])
    check(st == 200 and body.get("status") == "cancelled", "the group cancels one date", st)
    st, _, body = req("mem1", "PATCH", "/api/v1/bookings/%d" % occ[6]["id"],
                      {"start": "2026-10-13T18:00", "end": "2026-10-13T20:00"})
    check(st == 200 and body.get("original_start", "").startswith("2026-10-13T19:00")
          and body.get("status") == "pending",
          "moving a date keeps where the rule put it, and asks again", (st, body))
    st, _, body = req("mem1", "PATCH", "/api/v1/series/%d" % sid, {"title": "Choir rehearsal"})
    titles = {o["status"]: o["title"] for o in body.get("occurrences", [])}
    check(st == 200 and body["series"]["title"] == "Choir rehearsal"
          and titles.get("approved") == "Choir rehearsal"
          and titles.get("cancelled") == "Choir practice",
          "renaming the series renames the live dates only", titles)
    check([o["start"] for o in body["occurrences"]][6].startswith("2026-10-13T18:00"),
          "and the moved date stays moved")
    st, _, body = req("mem1", "PATCH", "/api/v1/series/%d" % sid, {"rrule": "FREQ=DAILY"})
    check(st == 400, "a series' rule is not edited in place", (st, body))
    st, _, body = req("mem2", "POST", "/api/v1/series/%d/cancel" % sid)
    check(st == 404, "another group's member cannot cancel it", (st, body))
    st, _, body = req("mem1", "POST", "/api/v1/series/%d/cancel" % sid,
                      {"from": "2026-11-01T00:00", "note": "moving halls"})
    statuses = [o["status"] for o in body.get("occurrences", [])]
    check(st == 200 and statuses[-3:] == ["cancelled"] * 3 and body.get("changed") == 3,
          "the group ends the series from November", statuses)

    # A public series with a clash: refused whole, or created without the clash.
    st, _, clash = req("admin", "POST", "/api/v1/bookings", {
        "room_id": ids["room"], "group_id": ids["g2"], "title": "Chess tournament",
        "start": "2026-12-05T10:00", "end": "2026-12-05T16:00", "approve": True})
    saturday = {"room_id": ids["room"], "group_id": ids["g2"], "title": "Chess club",
                "public": True, "start": "2026-11-28T11:00", "end": "2026-11-28T13:00",
                "rrule": "FREQ=WEEKLY;COUNT=4", "approve": True}
    st, _, body = req("mem2", "POST", "/api/v1/series", saturday)
    check(st == 403, "a member cannot approve at once", (st, body))
    st, _, body = req("mana", "POST", "/api/v1/series", saturday)
    dates = body.get("dates", []) if isinstance(body, dict) else []
    check(st == 409 and len(dates) == 1 and dates[0]["start"].startswith("2026-12-05T11:00")
          and dates[0]["conflicts"] == [clash["id"]] and not valid("problem", body),
          "a clash refuses the whole series, listing the date and the booking in the way",
          (st, body))
    st, _, body = req("mem2", "GET", "/api/v1/series")
    check(st == 200 and body == [], "nothing of the refused series was kept", body)
    st, _, body = req("mana", "POST", "/api/v1/series", dict(saturday, skip_conflicts=True))
    check(st == 201 and len(body["occurrences"]) == 3 and len(body["skipped"]) == 1
          and {o["status"] for o in body["occurrences"]} == {"approved"},
          "with skip_conflicts the other three dates are booked and approved",
          (st, body.get("skipped")))
    pub = body["series"]["id"]
    st, _, body = req("anon", "GET", "/api/v1/series/%d" % pub)
    check(st == 200 and body["series"]["title"] == "Chess club",
          "residents see a public series", (st, body))
    st, _, body = req("mem1", "PATCH", "/api/v1/series/%d" % pub, {"title": "Ours now"})
    check(st == 403, "another group's member cannot rename a public series", (st, body))
    st, _, body = req("mem2", "POST", "/api/v1/series/%d/cancel" % pub)
    check(st == 200 and body.get("changed") == 3, "its group cancels every date", (st, body))
    st, _, body = req("mem1", "PATCH", "/api/v1/series/%d" % pub, {"title": "Ours now"})
    check(st == 403, "nor once all its dates are cancelled", (st, body))
    for bad in ({"title": " "}, {"attendees": -1}, {"description": 5}):
        st, _, body = req("mem2", "PATCH", "/api/v1/series/%d" % pub, bad)
        check(st == 400, "with no live date left, %s is still refused" % json.dumps(bad),
              (st, body))
    st, _, body = req("mana", "GET", "/api/v1/audit?venue=%d" % ids["va"])
    kinds = {(e["kind"], e["action"]) for e in body} if st == 200 else set()
    check(("series", "create") in kinds and ("series", "approve") in kinds,
          "the venue's manager sees the series in the audit log", sorted(kinds))


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    run(srv, ids)


if __name__ == "__main__":
    sys.exit(run_suite("test_series", body))
