#!/usr/bin/env python3
"""Bookings, rooms, closures and the audit log over HTTP, for every kind of caller.

Makes a data directory by hand with `halls` (two venues, three rooms, two groups, an
admin, a manager of each venue and a member of each group), issues a bearer token per
user with `halls token issue --json`, starts hallsd on a free loopback port and checks
each route for anonymous callers, members of the group, members of another group,
managers of the venue and of another venue, and admins: visibility (a private booking
is a busy slot to others, a pending one of another group is 404), 409 naming only the
conflicts the caller may see, 422 for a rule, 400 for a bad parameter, and that a
booking written by `halls booking request` while the server runs is visible at once.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_bookings: N passed, M
failed"; exits 1 when anything failed (harness.run_suite). Environment: BUILD (default
./build); HALLS_SCRYPT_LOG2N (default 10 here).
"""
import datetime
import json
import os
import sys

from harness import Server, check, halls, halls_json, run_suite


def setup(build, data):
    """The records; returns a dict of their ids."""
    ids = {}
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    ids["va"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road Centre",
                           "--tz", "Europe/London", "--hours", "mon-sun 08:00-22:00")["id"]
    ids["vb"] = halls_json(build, data, "venue", "add", "--name", "Rue Library",
                           "--tz", "Europe/Paris")["id"]
    common = ["--notice", "0", "--horizon", "365", "--min-length", "30", "--max-length", "480"]
    ids["r1"] = halls_json(build, data, "room", "add", "--venue", str(ids["va"]), "--name",
                           "Meeting Room", "--capacity", "20", "--setup", "15", "--cleanup",
                           "15", "--approval", "manual", "--feature", "wifi", *common)["id"]
    ids["r2"] = halls_json(build, data, "room", "add", "--venue", str(ids["va"]), "--name",
                           "Main Hall", "--capacity", "100", "--approval", "auto",
                           "--feature", "stage", *common)["id"]
    ids["r3"] = halls_json(build, data, "room", "add", "--venue", str(ids["vb"]), "--name",
                           "Study Room", "--capacity", "10", "--approval", "auto",
                           *common)["id"]
    ids["g1"] = halls_json(build, data, "group", "add", "--name", "Knitters",
                           "--contact", "01632 960123")["id"]
    ids["g2"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    users = [
        ("admin", "admin", []),
        ("mana", "manager", ["--venue", str(ids["va"])]),
        ("manb", "manager", ["--venue", str(ids["vb"])]),
        ("mem1", "member", ["--group", str(ids["g1"])]),
        ("mem2", "member", ["--group", str(ids["g2"])]),
    ]
    tokens = {}
    for name, role, extra in users:
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        ids[name] = uid
        tokens[name] = halls_json(build, data, "token", "issue", "--user", str(uid),
                                  "--label", "test")["token"]
    tokens["anon"] = None
    return ids, tokens


def is_busy_slot(o):
    return (isinstance(o, dict) and o.get("id") is None and o.get("busy") is True
            and o.get("title") == "Booked" and o.get("status") == "approved"
            and not any(k in o for k in ("group_id", "description", "attendees", "note")))


def run(srv, build, data, ids, tok):
    day = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    day2 = (datetime.date.today() + datetime.timedelta(days=11)).isoformat()

    def at(hhmm, d=None):
        return "%sT%s" % (d or day, hhmm)

    def book(who, room, group, start, end, **kw):
        body = {"room_id": ids[room], "group_id": ids[group], "title": kw.pop("title", "Meet"),
                "start": start, "end": end}
        body.update(kw)
        return srv.request("POST", "/api/v1/bookings", body, token=tok[who])

    # Requests.
    st, _, body = book("anon", "r1", "g1", at("10:00"), at("12:00"))
    check(st == 401, "anonymous POST /bookings is 401", (st, body))
    st, _, body = book("mem2", "r1", "g1", at("10:00"), at("12:00"))
    check(st == 403, "a member of another group cannot book for the group", (st, body))
    st, _, b1 = book("mem1", "r1", "g1", at("10:00"), at("12:00"), title="Knit night",
                     description="Bring needles", attendees=12)
    check(st == 201 and isinstance(b1, dict) and b1.get("status") == "pending"
          and b1.get("start", "").startswith(at("10:00")) and "start_ts" in b1,
          "a member's request in a manual room is 201 pending, start in local time", (st, b1))
    b1 = b1.get("id") if isinstance(b1, dict) else 0
    st, _, b2 = book("mem2", "r1", "g2", at("11:00"), at("13:00"), title="Chess")
    check(st == 201 and b2.get("status") == "pending", "an overlapping pending request is 201",
          (st, b2))
    b2 = b2.get("id") if isinstance(b2, dict) else 0
    st, _, body = book("mem1", "r1", "g1", at("14:00"), at("15:00"), attendees=500)
    check(st == 422 and body.get("type", "").startswith("/problems/"),
          "more attendees than the room holds is 422", (st, body))
    st, _, body = book("mem1", "r1", "g1", at("21:30"), at("23:00"))
    check(st == 422, "a request outside opening hours is 422", (st, body))
    st, _, body = book("mem1", "r1", "g1", "tomorrow", at("12:00"))
    check(st == 400 and "start" in body.get("detail", ""), "a malformed start is 400", (st, body))
    st, _, body = book("mem1", "r1", "g1", at("10:00"), at("12:00"), colour="red")
    check(st == 400, "an unknown field is 400", (st, body))
    st, _, body = book("mem1", "r1", "g1", at("10:00"), at("12:00"), approve=True)
    check(st == 403, "a member cannot approve at once", (st, body))

    # Who sees a pending request.
    for who, want in (("anon", 404), ("mem2", 404), ("manb", 404), ("mem1", 200),
                      ("mana", 200), ("admin", 200)):
        st, _, body = srv.request("GET", "/api/v1/bookings/%d" % b1, token=tok[who])
        check(st == want, "GET a pending booking as %s is %d" % (who, want), (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings/%d" % b1, token=tok["mem1"])
    check(body.get("description") == "Bring needles" and body.get("attendees") == 12,
          "the group's member sees everything of its booking", body)

    # Decisions.
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/approve" % b1, token=tok["mem1"])
    check(st == 403, "a member cannot approve", (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/approve" % b1, token=tok["manb"])
    check(st == 404, "a manager of another venue gets 404 for a pending booking", (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/approve" % b1, raw=b"text",
                              ctype="text/plain", token=tok["mana"])
    check(st == 415, "a decision with a non-JSON body is 415", (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/approve" % b1, token=tok["mana"])
    check(st == 200 and body.get("status") == "approved"
          and body.get("conflicting_pending") == [b2],
          "the manager approves with no body; conflicting_pending names the other", (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/approve" % b2,
                              {"note": "try"}, token=tok["mana"])
    check(st == 409 and body.get("conflicts") == [b1], "approving the overlap is 409 naming it",
          (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/decline" % b2,
                              {"note": "the room is taken"}, token=tok["mana"])
    check(st == 200 and body.get("status") == "declined" and body.get("note") ==
          "the room is taken", "the manager declines with a note", (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/cancel" % b2, token=tok["mem2"])
    check(st == 409 or st == 422 or st == 400 or (st >= 400 and st < 500 and st != 404),
          "a declined booking cannot be cancelled", (st, body))

    # A private approved booking, to others.
    for who in ("anon", "mem2", "manb"):
        st, _, body = srv.request("GET", "/api/v1/bookings/%d" % b1, token=tok[who])
        check(st == 200 and is_busy_slot(body) and body.get("start", "").startswith(at("10:00")),
              "a private approved booking is a busy slot to %s" % who, (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings/%d" % b1, token=tok["admin"])
    check(st == 200 and body.get("id") == b1 and body.get("title") == "Knit night",
          "the admin sees the private booking in full", (st, body))

    # 409 names only the conflicts the caller may see.
    st, _, b3 = book("mem1", "r2", "g1", at("14:00"), at("15:00"), title="Private")
    check(st == 201 and b3.get("status") == "approved", "an auto room approves at once", (st, b3))
    b3 = b3.get("id") if isinstance(b3, dict) else 0
    st, _, b4 = book("mem1", "r2", "g1", at("16:00"), at("17:00"), title="Open day",
                     public=True)
    b4 = b4.get("id") if isinstance(b4, dict) else 0
    st, _, body = book("mem2", "r2", "g2", at("14:30"), at("15:30"))
    check(st == 409 and not body.get("conflicts")
          and "booking %d" % b3 not in body.get("detail", "booking %d" % b3),
          "409 to another group does not name a private booking, in the list or the words",
          (st, body))
    st, _, body = book("admin", "r2", "g2", at("14:30"), at("15:30"))
    check(st == 409 and body.get("conflicts") == [b3], "409 to the admin names it", (st, body))
    st, _, body = book("mem2", "r2", "g2", at("16:30"), at("17:30"))
    check(st == 409 and body.get("conflicts") == [b4],
          "409 to another group names a public booking", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings/%d" % b4)
    check(st == 200 and body.get("title") == "Open day" and body.get("id") == b4
          and body.get("note") is None, "a public booking shows its title, not the note",
          (st, body))

    # Lists.
    st, _, body = srv.request("GET", "/api/v1/bookings?room=%d" % ids["r1"])
    check(st == 200 and len(body) == 1 and is_busy_slot(body[0]),
          "anonymous list of the room: one busy slot", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings?room=%d" % ids["r1"], token=tok["mem2"])
    check(st == 200 and sorted(str(b.get("id")) for b in body) == sorted(["None", str(b2)]),
          "another group's member sees the slot and its own declined request", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings?venue=%d" % ids["va"], token=tok["mana"])
    check(st == 200 and {b1, b2, b3, b4} <= {b.get("id") for b in body},
          "the manager lists everything at the venue", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings?venue=%d" % ids["va"], token=tok["manb"])
    check(st == 200 and b2 not in {b.get("id") for b in body},
          "a manager of another venue does not see a declined request", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings?group=%d" % ids["g1"], token=tok["mem2"])
    check(st == 200 and [b.get("id") for b in body] == [b4],
          "listing another group's bookings shows only its public ones", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings?status=pending&venue=%d" % ids["va"])
    check(st == 200 and body == [], "anonymous callers see no pending requests", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings?from=%s&to=%s&room=%d"
                              % (at("13:00"), at("23:00"), ids["r2"]), token=tok["admin"])
    check(st == 200 and [b.get("id") for b in body] == [b3, b4], "from/to select by time",
          (st, body))
    for q, name in (("room=abc", "room"), ("from=yesterday", "from"), ("status=maybe", "status"),
                    ("group=0", "group"), ("colour=red", "colour")):
        st, _, body = srv.request("GET", "/api/v1/bookings?" + q)
        check(st == 400 and name in body.get("detail", ""),
              "GET /bookings?%s is 400 naming %s" % (q, name), (st, body))

    # Changes.
    st, _, body = srv.request("PATCH", "/api/v1/bookings/%d" % b3,
                              {"start": at("18:00"), "end": at("19:30"), "title": "Moved"},
                              token=tok["mem1"])
    check(st == 200 and body.get("start", "").startswith(at("18:00")) and body.get("title") ==
          "Moved", "the member moves its booking with RFC 3339 / local times", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/bookings/%d" % b3, {"title": "Mine"},
                              token=tok["mem2"])
    check(st == 403 or st == 404, "another group's member cannot change it", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/bookings/%d" % b2, {"title": "x"},
                              token=tok["mem1"])
    check(st == 404, "a change to a booking the caller cannot see is 404", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/bookings/%d" % b3, {"start": "5pm"},
                              token=tok["mem1"])
    check(st == 400, "a start that is not a time string is 400", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/bookings/%d" % b3, {"attendees": 1000},
                              token=tok["mem1"])
    check(st == 422, "a change that breaks a rule is 422", (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/cancel" % b3, {"note": "ill"},
                              token=tok["mem1"])
    check(st == 200 and body.get("status") == "cancelled", "the member cancels", (st, body))

    # Rooms.
    st, _, body = srv.request("GET", "/api/v1/rooms?venue=%d" % ids["va"])
    check(st == 200 and [r["id"] for r in body] == [ids["r1"], ids["r2"]],
          "rooms of a venue", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?venue_id=%d" % ids["va"])
    check(st == 400 and body.get("type") == "/problems/invalid-input"
          and "venue_id" in body.get("detail", ""),
          "an unknown query parameter is 400 naming it", (st, body))
    st, _, body = srv.request("GET", "/api/v1/bookings?venue=999")
    check(st == 404 and "venue 999" in body.get("detail", ""),
          "listing the bookings of a venue that does not exist is 404", (st, body))
    st, _, body = srv.request("GET", "/api/v1/venues/%d?verbose=1" % ids["va"])
    check(st == 400 and "verbose" in body.get("detail", ""),
          "a query parameter on a path that takes none is 400", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/rooms/%d" % ids["r1"], {}, token=tok["admin"])
    check(st == 400 and body.get("type") == "/problems/invalid-input",
          "a PATCH that changes nothing is 400", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?min_capacity=50")
    check(st == 200 and [r["id"] for r in body] == [ids["r2"]], "rooms by capacity", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?feature=wifi")
    check(st == 200 and [r["id"] for r in body] == [ids["r1"]], "rooms by feature", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?venue=%d&free_from=%s&free_to=%s"
                              % (ids["va"], at("11:00"), at("11:30")))
    check(st == 200 and [r["id"] for r in body] == [ids["r2"]],
          "free_from/free_to drop a booked room", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?venue=%d&free_from=%s&free_to=%s"
                              % (ids["va"], at("12:00"), at("12:20")))
    check(st == 200 and [r["id"] for r in body] == [ids["r2"]],
          "a room inside a booking's buffers is not free", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?venue=%d&free_from=%s&free_to=%s"
                              % (ids["va"], at("12:30"), at("13:00")))
    check(st == 200 and [r["id"] for r in body] == [ids["r1"], ids["r2"]],
          "both rooms are free after the buffers", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?venue=%d&free_from=%s&free_to=%s"
                              % (ids["va"], at("22:00"), at("23:00")))
    check(st == 200 and body == [], "no room is free outside opening hours", (st, body))
    for q, name in (("min_capacity=-1", "min_capacity"), ("feature=moat", "feature"),
                    ("free_from=" + at("10:00"), "free_"), ("venue=x", "venue")):
        st, _, body = srv.request("GET", "/api/v1/rooms?" + q)
        check(st == 400 and name in body.get("detail", ""),
              "GET /rooms?%s is 400" % q, (st, body))

    # Availability.
    path = "/api/v1/rooms/%d/availability?from=%s&to=%s" % (ids["r1"], at("00:00"),
                                                            at("00:00", day2))
    st, _, body = srv.request("GET", path)
    busy = body.get("busy", []) if isinstance(body, dict) else []
    free = body.get("free", []) if isinstance(body, dict) else []
    check(st == 200 and body.get("room_id") == ids["r1"] and len(busy) == 1
          and is_busy_slot(busy[0]), "anonymous availability: one busy slot, no id or title",
          (st, body))
    check([(f["start"][11:16], f["end"][11:16]) for f in free] ==
          [("08:00", "09:30"), ("12:30", "22:00")],
          "free = opening hours minus the booking and its buffers", free)
    st, _, body = srv.request("GET", path, token=tok["mem1"])
    busy = body.get("busy", []) if isinstance(body, dict) else []
    check(st == 200 and [b.get("id") for b in busy] == [b1] and busy[0].get("title") ==
          "Knit night", "the group's member sees its booking's id and title", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms/%d/availability" % ids["r1"])
    check(st == 200 and body.get("from", "").endswith(("+00:00", "+01:00"))
          and body.get("from", "")[11:19] == "00:00:00", "availability defaults to today",
          (st, body))
    far = (datetime.date.today() + datetime.timedelta(days=80)).isoformat()
    st, _, body = srv.request("GET", "/api/v1/rooms/%d/availability?to=%sT00:00"
                              % (ids["r1"], far))
    check(st in (400, 422), "more than 62 days is refused", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms/%d/availability?from=soon" % ids["r1"])
    check(st == 400 and "from" in body.get("detail", ""), "a bad from is 400", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms/999/availability")
    check(st == 404, "availability of no room is 404", (st, body))

    # Closures.
    closure = {"room_id": ids["r1"], "start": at("08:00", day2), "end": at("22:00", day2),
               "reason": "Floor works"}
    for who, want in (("anon", 401), ("mem1", 403), ("manb", 403)):
        st, _, body = srv.request("POST", "/api/v1/closures", closure, token=tok[who])
        check(st == want, "POST /closures as %s is %d" % (who, want), (st, body))
    st, _, c1 = srv.request("POST", "/api/v1/closures", closure, token=tok["mana"])
    check(st == 201 and c1.get("room_id") == ids["r1"]
          and c1.get("start", "").startswith(at("08:00", day2)),
          "the venue's manager closes the room", (st, c1))
    c1 = c1.get("id") if isinstance(c1, dict) else 0
    st, _, body = srv.request("POST", "/api/v1/closures",
                              dict(closure, start="later"), token=tok["mana"])
    check(st == 400, "a closure with a bad time is 400", (st, body))
    st, _, body = srv.request("GET", "/api/v1/closures?room=%d" % ids["r1"])
    check(st == 200 and [c["id"] for c in body] == [c1], "closures of the room", (st, body))
    st, _, body = srv.request("GET", "/api/v1/closures?venue=%d" % ids["va"])
    check(st == 200 and [c["id"] for c in body] == [c1], "closures at the venue", (st, body))
    st, _, body = srv.request("GET", "/api/v1/closures?venue=%d" % ids["vb"])
    check(st == 200 and body == [], "no closures at the other venue", (st, body))
    st, _, body = srv.request("GET", "/api/v1/closures?room=1x")
    check(st == 400, "GET /closures?room=1x is 400", (st, body))
    st, _, body = book("mem1", "r1", "g1", at("10:00", day2), at("11:00", day2))
    check(st == 422 and "closed" in body.get("type", ""), "a request while closed is 422",
          (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms/%d/availability?from=%s&to=%s"
                              % (ids["r1"], at("00:00", day2), at("23:00", day2)))
    check(st == 200 and body.get("free") == [], "a closed day has no free time", (st, body))
    for who, want in (("anon", 401), ("mem1", 403), ("manb", 403)):
        st, _, body = srv.request("PATCH", "/api/v1/closures/%d" % c1, {"reason": "x"},
                                  token=tok[who])
        check(st == want, "PATCH /closures/<id> as %s is %d" % (who, want), (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/closures/%d" % c1,
                              {"end": "%sT12:00" % day2, "reason": "Floor works, mornings"},
                              token=tok["mana"])
    check(st == 200 and body.get("reason") == "Floor works, mornings"
          and body.get("end", "").startswith(at("12:00", day2))
          and body.get("start", "").startswith(at("08:00", day2)),
          "the venue's manager shortens the closure (local time in the venue's zone)",
          (st, body))
    st, _, body = book("mem1", "r1", "g1", at("13:00", day2), at("14:00", day2))
    check(st == 201, "the afternoon is bookable again", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/closures/%d" % c1, {"room_id": ids["r2"]},
                              token=tok["mana"])
    check(st == 400, "a closure cannot move to another room", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/closures/%d" % c1,
                              {"end": at("07:00", day2)}, token=tok["mana"])
    check(st == 422, "a closure that would end before it starts is 422", (st, body))
    st, _, body = srv.request("PATCH", "/api/v1/closures/999", {"reason": "x"},
                              token=tok["mana"])
    check(st == 404, "PATCH of no closure is 404", (st, body))
    st, _, body = srv.request("DELETE", "/api/v1/closures/%d" % c1, token=tok["manb"])
    check(st == 403, "a manager of another venue cannot remove the closure", (st, body))
    st, _, body = srv.request("DELETE", "/api/v1/closures/%d" % c1, token=tok["mana"])
    check(st == 204, "the venue's manager removes it", (st, body))
    st, _, body = srv.request("GET", "/api/v1/closures/%d" % c1)
    check(st == 404, "a removed closure is 404", (st, body))

    # Audit.
    for who, want in (("anon", 401), ("mem1", 403), ("mem2", 403)):
        st, _, body = srv.request("GET", "/api/v1/audit", token=tok[who])
        check(st == want, "GET /audit as %s is %d" % (who, want), (st, body))
    st, _, body = srv.request("GET", "/api/v1/audit?booking=%d" % b1, token=tok["mana"])
    check(st == 200 and [e.get("action") for e in body] == ["request", "approve"]
          and all(e.get("object_id") == b1 for e in body),
          "the manager reads the booking's history", (st, body))
    st, _, body = srv.request("GET", "/api/v1/audit", token=tok["manb"])
    check(st == 200 and len(body) == 2 and all(
        (e["kind"] == "venue" and e["object_id"] == ids["vb"])
        or (e["kind"] == "room" and e["detail"]["venue_id"] == ids["vb"]) for e in body),
        "a manager sees only entries about its venues", (st, body))
    st, _, body = srv.request("GET", "/api/v1/audit?booking=%d" % b1, token=tok["manb"])
    check(st == 200 and body == [], "a manager of another venue reads nothing of the booking",
          (st, body))
    st, _, body = srv.request("GET", "/api/v1/audit?venue=%d" % ids["va"], token=tok["manb"])
    check(st == 403, "a manager cannot ask for another venue's log", (st, body))
    st, _, body = srv.request("GET", "/api/v1/audit", token=tok["admin"])
    check(st == 200 and any(e.get("kind") == "user" for e in body)
          and any(e.get("kind") == "closure" for e in body), "the admin sees everything",
          (st, len(body) if isinstance(body, list) else body))
    st, _, body = srv.request("GET", "/api/v1/audit?booking=b1", token=tok["admin"])
    check(st == 400 and "booking" in body.get("detail", ""), "GET /audit?booking=b1 is 400",
          (st, body))

    # A list filtered by a record that does not exist is refused by the core, so the API
    # (404) and the CLI (exit 1) say so in the same words.
    for path, args, words in (
            ("/api/v1/bookings?room=999", ("booking", "list", "--room", "999"), "room"),
            ("/api/v1/bookings?venue=999", ("booking", "list", "--venue", "999"), "venue"),
            ("/api/v1/bookings?group=999", ("booking", "list", "--group", "999"), "group"),
            ("/api/v1/rooms?venue=999", ("room", "list", "--venue", "999"), "venue"),
            ("/api/v1/closures?room=999", ("closure", "list", "--room", "999"), "room"),
            ("/api/v1/series?room=999", ("series", "list", "--room", "999"), "room"),
            ("/api/v1/series?group=999", ("series", "list", "--group", "999"), "group"),
            ("/api/v1/audit?booking=999", ("audit", "--booking", "999"), "booking"),
            ("/api/v1/tokens?user=999", ("token", "list", "--user", "999"), "user"),
            ("/api/v1/feed-tokens?user=999", ("feed-token", "list", "--user", "999"), "user")):
        want = "there is no %s 999" % words
        st, _, body = srv.request("GET", path, token=tok["admin"])
        check(st == 404 and body.get("detail") == want, "GET %s is 404: %s" % (path, want),
              (st, body))
        r = halls(build, data, *args)
        check(r.returncode == 1 and r.stderr == "halls: %s\n" % want and r.stdout == "",
              "halls %s refuses: %s" % (" ".join(args), want), (r.returncode, r.stderr))

    # A booking written by the CLI while the server runs.
    r = halls(build, data, "--json", "booking", "request", "--room", str(ids["r2"]), "--group",
              str(ids["g2"]), "--start", at("09:00", day2), "--end", at("10:00", day2),
              "--title", "From the console", "--public")
    cli = json.loads(r.stdout) if r.returncode == 0 else {}
    check(r.returncode == 0 and cli.get("status") == "approved", "halls booking request works",
          r.stderr)
    st, _, body = srv.request("GET", "/api/v1/bookings/%d" % cli.get("id", 0))
    check(st == 200 and body.get("title") == "From the console",
          "the server sees the CLI's booking at once", (st, body))

    # What a time may be is the core's rule, so the API and halls agree: a date alone is
    # local midnight in both, and a malformed one is refused in the same words.
    st, _, body = srv.request("GET", "/api/v1/bookings?room=%d&from=%s&to=%s" % (
        ids["r2"], day2, day2 + "T23:59"), token=tok["admin"])
    r = halls(build, data, "--json", "booking", "list", "--room", str(ids["r2"]), "--from",
              day2, "--to", day2 + "T23:59")
    api_ids = sorted(b["id"] for b in body) if st == 200 else None
    cli_ids = sorted(b["id"] for b in json.loads(r.stdout)) if r.returncode == 0 else None
    check(api_ids is not None and api_ids == cli_ids and cli.get("id") in api_ids,
          "a bare date is the start of that day for the API and for halls alike",
          (st, api_ids, cli_ids, r.stderr))
    st, _, body = srv.request("GET", "/api/v1/bookings?from=2026-12-1", token=tok["admin"])
    r = halls(build, data, "booking", "list", "--from", "2026-12-1")
    want = '"2026-12-1" is not a time'
    check(st == 400 and want in body.get("detail", "") and r.returncode != 0 and
          body["detail"].split(": ", 1)[-1] in r.stderr,
          "a malformed date is refused by both, in the same words", (st, body, r.stderr))

    fields(srv, ids, tok, b1, at)


def fields(srv, ids, tok, b1, at):
    """Each field judged once, by the core: what POST refuses PATCH refuses, integers are
    never cut to fit, and a key no field has is 400 naming it, on every write route."""
    big = 4294967297  # 2^32 + 1: stored as 1 when cut to 32 bits
    st, _, before = srv.request("GET", "/api/v1/bookings/%d" % b1, token=tok["admin"])
    for value in (big, -1, 2 ** 63 - 1, 1.5, "3"):
        body = {"room_id": ids["r1"], "group_id": ids["g1"], "title": "Big",
                "start": at("16:00"), "end": at("17:00"), "attendees": value}
        st, _, got = srv.request("POST", "/api/v1/bookings", body, token=tok["mem1"])
        check(st == 400 and "attendees" in got.get("detail", ""),
              "POST attendees %r is 400 naming attendees" % (value,), (st, got))
        st, _, got = srv.request("PATCH", "/api/v1/bookings/%d" % b1, {"attendees": value},
                                 token=tok["mem1"])
        check(st == 400 and "attendees" in got.get("detail", ""),
              "PATCH attendees %r is 400 naming attendees" % (value,), (st, got))
    st, _, after = srv.request("GET", "/api/v1/bookings/%d" % b1, token=tok["admin"])
    check(after.get("attendees") == before.get("attendees"),
          "refused PATCHes left attendees as they were", (before, after))
    for key, value in (("start", 2 ** 40), ("end", -5), ("start", 2 ** 63 - 1),
                       ("room_id", big), ("group_id", 0)):
        body = {"room_id": ids["r1"], "group_id": ids["g1"], "title": "Far",
                "start": at("16:00"), "end": at("17:00")}
        body[key] = value
        st, _, got = srv.request("POST", "/api/v1/bookings", body, token=tok["mem1"])
        # An id past 2^32 is an id (of no room, so 404); past 2^63 or 0 it is none.
        check(st in (400, 404) and key.split("_")[0] in got.get("detail", ""),
              "POST %s %r is refused naming it" % (key, value), (st, got))
    for key, value in (("start", 2 ** 40), ("end", 2 ** 63 - 1), ("room_id", ids["r2"]),
                       ("public", 1), ("title", 7), ("colour", "red")):
        st, _, got = srv.request("PATCH", "/api/v1/bookings/%d" % b1, {key: value},
                                 token=tok["mem1"])
        check(st == 400 and key in got.get("detail", ""),
              "PATCH %s %r is 400 naming %s" % (key, value, key), (st, got))

    # Rooms: every integer in range, never cut.
    for key in ("capacity", "setup_minutes", "cleanup_minutes", "min_minutes", "max_minutes",
                "notice_minutes", "horizon_days", "max_occurrences"):
        st, _, got = srv.request("PATCH", "/api/v1/rooms/%d" % ids["r1"], {key: big},
                                 token=tok["admin"])
        check(st == 400 and key in got.get("detail", ""),
              "PATCH room %s 2^32+1 is 400 naming it" % key, (st, got))
    st, _, got = srv.request("GET", "/api/v1/rooms/%d" % ids["r1"])
    check(st == 200 and got.get("capacity") == 20, "the room's capacity is unchanged", got)
    st, _, got = srv.request("POST", "/api/v1/rooms", {"venue_id": big * 2 ** 30 * 4,
                             "name": "Huge", "capacity": 5}, token=tok["admin"])
    check(st == 400, "POST room with venue_id past 2^63 is 400", (st, got))

    # Unknown fields on venues, rooms and groups, POST and PATCH.
    creates = {
        "venues": {"name": "Typo Hall"},
        "rooms": {"venue_id": ids["va"], "name": "Typo Room", "capacity": 5},
        "groups": {"name": "Typo Club"},
    }
    targets = {"venues": ids["va"], "rooms": ids["r1"], "groups": ids["g1"]}
    for route, body in creates.items():
        st, _, listed = srv.request("GET", "/api/v1/" + route, token=tok["admin"])
        n = len(listed) if isinstance(listed, list) else -1
        for bad in ("capactiy", "id", "colour"):
            st, _, got = srv.request("POST", "/api/v1/" + route, dict(body, **{bad: 1}),
                                     token=tok["admin"])
            check(st == 400 and bad in got.get("detail", ""),
                  "POST /%s with field %s is 400 naming it" % (route, bad), (st, got))
            st, _, got = srv.request("PATCH", "/api/v1/%s/%d" % (route, targets[route]),
                                     {bad: 1}, token=tok["admin"])
            check(st == 400 and bad in got.get("detail", ""),
                  "PATCH /%s/ID with field %s is 400 naming it" % (route, bad), (st, got))
        st, _, listed = srv.request("GET", "/api/v1/" + route, token=tok["admin"])
        check(isinstance(listed, list) and len(listed) == n,
              "refused POST /%s stored nothing" % route, (n, listed))

    # Closures and series: the same instants and ids.
    st, _, got = srv.request("POST", "/api/v1/closures",
                             {"room_id": ids["r1"], "start": 2 ** 40, "end": 2 ** 40 + 3600,
                              "reason": "Far"}, token=tok["admin"])
    check(st == 400 and "start" in got.get("detail", ""),
          "a closure starting past 2200 is 400", (st, got))


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"))
    servers.append(srv)
    run(srv, build, data, ids, tok)


if __name__ == "__main__":
    sys.exit(run_suite("test_bookings", body))
