#!/usr/bin/env python3
"""A series' preview (POST /api/v1/series/preview) and the dates a group leaves out of a
series (exdates): the preview judges every date as the request would, writes nothing, and
agrees with what POST /api/v1/series then does; a date left out is neither booked nor
refused, and the group's feed shows it as an exception.

A week of daily dates at one venue meets each kind of refusal: a closure (closed), another
group's private booking (conflict, its id shown only to the venue's manager), a Sunday the
venue is shut (outside-opening-hours). Replies are validated against schemas/api.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import os
import sys

import schema
from harness import Server, check, halls, halls_json, run_suite

NOW = 1788220800  # Tuesday 1 September 2026
PASSWORD = "preview-password"


def valid(name, body):
    """The first few reasons body does not match schemas/api/NAME; [] when it does."""
    return schema.errors(name, body)[:3]


def setup(build, data):
    ids = {}
    halls(build, data, "init")
    ids["venue"] = halls_json(build, data, "venue", "add", "--name", "Riverside Centre",
                              "--hours", "mon-sat 09:00-22:00")["id"]
    ids["other_venue"] = halls_json(build, data, "venue", "add", "--name", "Park Pavilion")["id"]
    ids["hall"] = halls_json(build, data, "room", "add", "--venue", str(ids["venue"]),
                             "--name", "Main Hall", "--capacity", "60",
                             "--max-occurrences", "30")["id"]
    # Approves everyone at once; twelve hours to set up and twelve to clear away, so that
    # a date approved today is in the way of the same time tomorrow.
    ids["studio"] = halls_json(build, data, "room", "add", "--venue", str(ids["venue"]),
                               "--name", "Studio", "--capacity", "10", "--approval", "auto",
                               "--setup", "720", "--cleanup", "720")["id"]
    ids["g1"] = halls_json(build, data, "group", "add", "--name", "Choir")["id"]
    ids["g2"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    users = {"mana": ("manager", ["--venue", str(ids["venue"])]),
             "manb": ("manager", ["--venue", str(ids["other_venue"])]),
             "mem1": ("member", ["--group", str(ids["g1"])]),
             "mem2": ("member", ["--group", str(ids["g2"])])}
    for who, (role, extra) in users.items():
        halls_json(build, data, "user", "add", "--name", who, "--email", who + "@example.org",
                   "--role", role, "--password-stdin", *extra, stdin=PASSWORD + "\n")
    # Wednesday 9 September: the hall is closed. Friday 11: the chess club has it (below).
    halls_json(build, data, "closure", "add", "--room", str(ids["hall"]), "--from",
               "2026-09-09T00:00", "--to", "2026-09-10T00:00", "--reason", "Floor polishing")
    return ids


def change(srv):
    return srv.request("GET", "/healthz")[2]["change"]


def run(srv, ids):
    tok = {"anon": None}
    for who in ("mana", "manb", "mem1", "mem2"):
        st, _, body = srv.request("POST", "/api/v1/session",
                                  {"email": who + "@example.org", "password": PASSWORD})
        tok[who] = body["token"]

    def req(who, method, path, body=None):
        return srv.request(method, path, body, token=tok[who])

    st, _, body = req("mana", "POST", "/api/v1/bookings", {
        "room_id": ids["hall"], "group_id": ids["g2"], "title": "Chess match",
        "start": "2026-09-11T18:00", "end": "2026-09-11T20:00", "approve": True})
    ids["chess"] = body["id"]

    # Monday 7 to Sunday 13 September, 19:00 to 21:00.
    week = {"room_id": ids["hall"], "group_id": ids["g1"], "title": "Choir week",
            "attendees": 30, "start": "2026-09-07T19:00", "end": "2026-09-07T21:00",
            "rrule": "FREQ=DAILY;COUNT=7"}

    # Whole-series refusals are the request's own.
    st, _, body = req("anon", "POST", "/api/v1/series/preview", week)
    check(st == 401, "a preview needs someone signed in", (st, body))
    st, _, body = req("mem2", "POST", "/api/v1/series/preview", week)
    check(st == 403, "another group's member may not preview for the group", (st, body))
    st, _, body = req("manb", "POST", "/api/v1/series/preview", week)
    check(st == 403, "nor another venue's manager", (st, body))
    for rule, status in (("FREQ=DAILY", 400), ("FREQ=DAILY;COUNT=31", 422),
                         ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", 400)):
        st, _, body = req("mem1", "POST", "/api/v1/series/preview", dict(week, rrule=rule))
        st2, _, body2 = req("mem1", "POST", "/api/v1/series", dict(week, rrule=rule))
        check(st == status and (st2, body2.get("detail")) == (st, body.get("detail")),
              "rule %s: the preview refuses it as the request does (%d)" % (rule, status),
              (st, body, st2, body2))
    st, _, body = req("mem1", "POST", "/api/v1/series/preview", dict(week, colour="red"))
    check(st == 400 and "colour" in body.get("detail", ""), "an unknown field is 400",
          (st, body))

    # Each date judged, nothing written.
    before = change(srv)
    st, _, pv = req("mem1", "POST", "/api/v1/series/preview", week)
    outcomes = [d["outcome"] for d in pv.get("dates", [])] if st == 200 else []
    types = [d.get("type") for d in pv.get("dates", [])] if st == 200 else []
    check(st == 200 and not valid("series-preview", pv), "a member previews a week of dates",
          (st, valid("series-preview", pv) if isinstance(pv, dict) else pv))
    check(outcomes == ["pending", "pending", "refused", "pending", "refused", "pending",
                       "refused"], "each date's outcome, in rule order", outcomes)
    check(types[2] == "/problems/closed" and types[4] == "/problems/conflict"
          and types[6] == "/problems/outside-opening-hours",
          "closed on Wednesday, taken on Friday, shut on Sunday", types)
    check(pv.get("fit") == 4 and pv.get("refused") == 3 and pv.get("left_out") == 0
          and pv.get("rrule") == "FREQ=DAILY;COUNT=7" and pv.get("zone") == "Europe/London",
          "with the counts and the rule as it would be stored", pv)
    check(pv["dates"][4]["conflicts"] == [], "another group's private booking is not named "
          "to the member", pv["dates"][4])
    check(pv["dates"][0]["start"] == "2026-09-07T19:00:00+01:00"
          and pv["dates"][0]["end_ts"] - pv["dates"][0]["start_ts"] == 7200,
          "times in the venue's offset and in UTC seconds", pv["dates"][0])
    st, _, body = req("mana", "POST", "/api/v1/series/preview", week)
    check(st == 200 and body["dates"][4]["conflicts"] == [ids["chess"]],
          "the venue's manager sees which booking is in the way", body.get("dates"))
    st, _, body = req("mana", "POST", "/api/v1/series/preview", dict(week, approve=True))
    check(st == 200 and body["dates"][0]["outcome"] == "approved",
          "a manager's approve shows the dates approved at once", body.get("dates"))
    st, _, body = req("mem1", "POST", "/api/v1/series/preview", dict(week, approve=True))
    check(st == 403, "a member's approve is refused, as for the request", (st, body))
    check(change(srv) == before, "a preview changes nothing (the change counter stands)",
          (before, change(srv)))
    st, _, body = req("mem1", "GET", "/api/v1/series")
    check(st == 200 and body == [], "and stores no series", body)

    # The request agrees with the preview.
    refused = [d["start"] for d in pv["dates"] if d["outcome"] == "refused"]
    st, _, body = req("mem1", "POST", "/api/v1/series", week)
    check(st == 409 and [d["start"] for d in body.get("dates", [])] == refused,
          "the request refuses exactly the dates the preview refused", (st, body))

    # Leaving dates out.
    for bad, words in ((["2026-09-09T18:00"], "not one of the rule's dates"),
                       (["2026-09-09T19:00", "2026-09-09T19:00"], "twice"),
                       ([d["start"] for d in pv["dates"]], "every date"),
                       ("2026-09-09T19:00", "array"),
                       (["Wednesday"], "not a time"),
                       (["2026-09-09T19:00"] * 1001, "at most 1000")):
        st, _, body = req("mem1", "POST", "/api/v1/series/preview", dict(week, exdates=bad))
        st2, _, body2 = req("mem1", "POST", "/api/v1/series", dict(week, exdates=bad))
        check(st == 400 and words in body.get("detail", "") and st2 == 400,
              "exdates %s is refused (%s)" % (str(bad)[:40], words), (st, body, st2))
    st, _, body = req("mem1", "POST", "/api/v1/series/preview", dict(week, exdates=refused))
    check(st == 200 and [d["outcome"] for d in body["dates"]] == [
        "pending", "pending", "left-out", "pending", "left-out", "pending", "left-out"]
          and body["fit"] == 4 and body["left_out"] == 3 and body["refused"] == 0,
          "the dates left out are shown as such", body.get("dates"))
    st, _, made = req("mem1", "POST", "/api/v1/series", dict(week, exdates=refused))
    check(st == 201 and not valid("series-detail", made) and made.get("skipped") == []
          and [o["start"] for o in made["occurrences"]]
          == [d["start"] for d in pv["dates"] if d["outcome"] == "pending"]
          and {o["status"] for o in made["occurrences"]} == {"pending"},
          "the series is made without them: four pending dates, nothing skipped",
          (st, made))
    st, _, body = req("mem1", "GET", "/api/v1/series/%d" % made["series"]["id"])
    check(st == 200 and len(body["occurrences"]) == 4
          and body["series"]["rrule"] == "FREQ=DAILY;COUNT=7",
          "the series keeps its whole rule and has four dates", body)
    st, _, link = req("mem1", "POST", "/api/v1/feed-tokens", {"group_id": ids["g1"]})
    st, _, feed = srv.exchange("GET", link["path"]) if st == 201 else (st, None, b"")
    text = feed.decode()
    check(st == 200 and text.count("EXDATE;TZID=Europe/London:202609") == 3,
          "the group's feed shows the three dates as exceptions", text[-800:])
    st, _, body = req("mem1", "POST", "/api/v1/series/preview", week)
    check(st == 409 and "already asked for this" in body.get("detail", ""),
          "asking again for the same series is refused by the preview too", (st, body))

    # An approved date is in the way of the next (the studio approves everyone, with a
    # day's buffers): the preview sees what storing the dates one by one would do.
    daily = {"room_id": ids["studio"], "group_id": ids["g1"], "title": "Practice",
             "start": "2026-09-14T10:00", "end": "2026-09-14T12:00",
             "rrule": "FREQ=DAILY;COUNT=4"}
    st, _, pv = req("mem1", "POST", "/api/v1/series/preview", daily)
    outcomes = [d["outcome"] for d in pv.get("dates", [])] if st == 200 else []
    check(outcomes == ["approved", "refused", "approved", "refused"]
          and pv["dates"][1]["type"] == "/problems/conflict",
          "each approved date blocks the next within the buffers", outcomes)
    st, _, made = req("mem1", "POST", "/api/v1/series", dict(daily, skip_conflicts=True))
    check(st == 201 and [o["start"] for o in made["occurrences"]]
          == [d["start"] for d in pv["dates"] if d["outcome"] == "approved"]
          and [s["start"] for s in made["skipped"]]
          == [d["start"] for d in pv["dates"] if d["outcome"] == "refused"],
          "and the request books and skips the same dates", (st, made))


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    run(srv, ids)


if __name__ == "__main__":
    sys.exit(run_suite("test_series_preview", body))
