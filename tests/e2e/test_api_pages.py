#!/usr/bin/env python3
"""What the web pages ask of the API, over HTTP (docs/api.md): names beside ids, a venue's
week in one call, and free times offered with a refusal.

Makes a venue open 09:00-21:00 with three rooms (a hall that approves at once, a meeting
room that needs approval, a snug for four), a second venue, two groups and their members,
and the first venue's manager. Then checks that bookings carry room_name, venue_id,
venue_name and group_name, and a busy slot (another group's private booking) the room
and venue but never the group; that rooms carry venue_name; that
GET /api/v1/venues/<id>/availability gives every room of the venue, each exactly as
GET /api/v1/rooms/<id>/availability shows it, with pending requests only for those who
may see them (the venue's manager, the requesting group), a week by default and 400/404
as the room route; and that a request or a move refused for its slot (409 conflict, 422
outside the hours) offers "suggestions": free slots of the same length, in the same room
first and then in rooms that hold the attendees, which can then be booked. Every body is
checked against its schema.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_api_pages: N passed, M
failed"; exits 1 when anything failed. Environment: BUILD (default ./build);
HALLS_SCRYPT_LOG2N (default 10 here).
"""
import os
import sys
import urllib.parse

import schema
from harness import Server, check, day, halls, halls_json, instant, run_suite


def setup(build, data):
    ids, tok = {}, {}
    if halls(build, data, "init").returncode != 0:
        raise RuntimeError("halls init failed")
    ids["va"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road Centre",
                           "--hours", "mon-sun 09:00-21:00")["id"]
    ids["vb"] = halls_json(build, data, "venue", "add", "--name", "Rue Library")["id"]
    common = ["--notice", "0", "--horizon", "365", "--min-length", "30", "--max-length", "480"]
    for key, venue, name, cap, approval in (("hall", "va", "Main Hall", "100", "auto"),
                                            ("meet", "va", "Meeting Room", "10", "manual"),
                                            ("snug", "va", "Snug", "4", "auto"),
                                            ("study", "vb", "Study Room", "10", "auto")):
        ids[key] = halls_json(build, data, "room", "add", "--venue", str(ids[venue]),
                              "--name", name, "--capacity", cap, "--approval", approval,
                              *common)["id"]
    ids["g1"] = halls_json(build, data, "group", "add", "--name", "Knitters")["id"]
    ids["g2"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    for name, role, extra in (("mgr", "manager", ["--venue", str(ids["va"])]),
                              ("mem1", "member", ["--group", str(ids["g1"])]),
                              ("mem2", "member", ["--group", str(ids["g2"])])):
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        tok[name] = halls_json(build, data, "token", "issue", "--user", str(uid),
                               "--label", "test")["token"]
    tok["anon"] = None
    return ids, tok


def book(build, data, ids, room, group, start, end, public=False, approve=True):
    args = ["booking", "request", "--room", str(ids[room]), "--group", str(ids[group]),
            "--start", start, "--end", end, "--title", "Meet", "--attendees", "3"]
    if public:
        args.append("--public")
    if approve:
        args.append("--approve")
    return halls_json(build, data, *args)["id"]


def fill(build, data, ids):
    b = {}
    b["private"] = book(build, data, ids, "hall", "g2", day(3, "10:00"), day(3, "12:00"))
    b["public"] = book(build, data, ids, "hall", "g1", day(3, "14:00"), day(3, "15:00"),
                       public=True)
    b["pending"] = book(build, data, ids, "meet", "g2", day(3, "10:00"), day(3, "11:00"),
                        approve=False)
    return b


def valid(name, body, what):
    errs = schema.errors(name, body)
    return check(not errs, "%s matches %s" % (what, name), "\n".join(errs[:5]))


def q(**kw):
    return "?" + urllib.parse.urlencode(kw)


def check_names(srv, ids, tok, b):
    st, _, items = srv.request("GET", "/api/v1/bookings" + q(room=ids["hall"]))
    check(st == 200, "anonymous list of the hall: 200", st)
    by_start = {x["start"][:16]: x for x in items or []}
    busy = by_start.get(day(3, "10:00"))
    pub = by_start.get(day(3, "14:00"))
    check(busy is not None and busy.get("busy") is True and busy.get("room_name") == "Main Hall"
          and busy.get("venue_name") == "Hartley Road Centre"
          and busy.get("venue_id") == ids["va"],
          "a busy slot names its room and venue", busy)
    check(busy is not None and "group_name" not in busy and "group_id" not in busy,
          "a busy slot never names its group", busy)
    check(pub is not None and pub.get("group_name") == "Knitters"
          and pub.get("room_name") == "Main Hall", "a public booking names its group", pub)
    valid("booking-list", items, "anonymous list with names")
    st, _, own = srv.request("GET", "/api/v1/bookings/%d" % b["private"], token=tok["mem2"])
    check(st == 200 and own.get("group_name") == "Chess Club"
          and own.get("venue_name") == "Hartley Road Centre",
          "a group sees its own private booking with names", own)
    valid("booking", own, "GET /api/v1/bookings/<id> with names")
    # Names are read when shown, never stored: the dump's record has none.
    rec = halls_json(srv.build, srv.data, "booking", "show", str(b["private"]))
    check("group_name" not in rec and "room_name" not in rec,
          "the stored record carries no names", sorted(rec))
    st, _, room = srv.request("GET", "/api/v1/rooms/%d" % ids["meet"])
    check(st == 200 and room.get("venue_name") == "Hartley Road Centre",
          "a room names its venue", room)
    valid("room", room, "GET /api/v1/rooms/<id>")
    st, _, rooms = srv.request("GET", "/api/v1/rooms")
    names = {r["id"]: r.get("venue_name") for r in rooms or []}
    check(st == 200 and names.get(ids["study"]) == "Rue Library"
          and names.get(ids["hall"]) == "Hartley Road Centre",
          "every room listed names its venue", names)
    valid("room-list", rooms, "GET /api/v1/rooms")


def check_week(srv, ids, tok, b):
    window = q(**{"from": day(3, "00:00"), "to": day(4, "00:00")})
    path = "/api/v1/venues/%d/availability" % ids["va"]
    for who in ("anon", "mgr", "mem1", "mem2"):
        st, _, week = srv.request("GET", path + window, token=tok[who])
        if not check(st == 200, "%s: the venue's day: 200" % who, (st, week)):
            continue
        valid("venue-availability", week, "%s: GET %s" % (who, path))
        got = [r["room_id"] for r in week["rooms"]]
        check(got == [ids["hall"], ids["meet"], ids["snug"]],
              "%s: every room of the venue, in id order, none of another" % who, got)
        for r in week["rooms"]:
            st, _, one = srv.request("GET", "/api/v1/rooms/%d/availability%s"
                                     % (r["room_id"], window), token=tok[who])
            one = dict(one or {})
            one.pop("from", None)
            one.pop("to", None)
            check(st == 200 and one == r,
                  "%s: room %d as its own availability shows it" % (who, r["room_id"]),
                  (one, r))
        meet = [r for r in week["rooms"] if r["room_id"] == ids["meet"]]
        pending = [x.get("id") for x in meet[0]["pending"]] if meet else None
        sees = who in ("mgr", "mem2")
        check(pending == ([b["pending"]] if sees else []),
              "%s: %s the pending request" % (who, "sees" if sees else "does not see"),
              pending)
        hall = [r for r in week["rooms"] if r["room_id"] == ids["hall"]][0]
        check(len(hall["busy"]) == 2 and hall["pending"] == [],
              "%s: the hall's two approved bookings are busy, none pending" % who, hall)
    st, _, week = srv.request("GET", path)
    if check(st == 200, "the venue's week by default: 200", st):
        span = instant(week["to"]) - instant(week["from"])
        check(6 * 86400 <= span <= 8 * 86400 and week["from"][11:19] == "00:00:00",
              "by default a week from local midnight", (week["from"], week["to"]))
    st, _, p = srv.request("GET", path + q(**{"from": day(1, "00:00"), "to": day(90, "00:00")}))
    check(st == 400, "a window of more than 62 days: 400", (st, p))
    st, _, p = srv.request("GET", "/api/v1/venues/999/availability")
    check(st == 404, "an unknown venue: 404", (st, p))
    st, _, p = srv.request("GET", path + "?when=today")
    check(st == 400, "an unknown parameter: 400", (st, p))


def overlaps(s, start, end):
    """Whether suggestion s overlaps [start, end), local times in the venue's zone."""
    return s["start"][:16] < end and start < s["end"][:16]


def check_suggestions(srv, ids, tok, b):
    req = {"room_id": ids["hall"], "group_id": ids["g1"], "title": "Yarn swap",
           "attendees": 5, "start": day(3, "10:30"), "end": day(3, "11:30")}
    st, _, p = srv.request("POST", "/api/v1/bookings", req, token=tok["mem1"])
    check(st == 409, "a request over another group's booking: 409", (st, p))
    valid("problem", p, "409 with suggestions")
    sug = (p or {}).get("suggestions") or []
    check(1 <= len(sug) <= 5, "a 409 offers between one and five free slots", sug)
    check(all(instant(s["end"]) - instant(s["start"]) == 3600 for s in sug),
          "each suggestion is as long as the request", sug)
    check(all(not (s["room_id"] == ids["hall"]
                   and overlaps(s, day(3, "10:00"), day(3, "12:00"))) for s in sug),
          "no suggestion in the hall overlaps its booking", sug)
    check(sug[:1] and sug[0]["room_id"] == ids["hall"] and sug[0]["room_name"] == "Main Hall",
          "the same room comes first", sug[:1])
    others = [s for s in sug if s["room_id"] != ids["hall"]]
    check([s["room_id"] for s in others] == [ids["meet"]]
          and others[0]["start"][:16] == req["start"] and others[0]["room_name"] == "Meeting Room",
          "then the same slot in the room that holds five (a pending request does not block"
          " it; the snug holds four)", others)
    if sug:
        again = dict(req, start=sug[0]["start"], end=sug[0]["end"])
        st, _, made = srv.request("POST", "/api/v1/bookings", again, token=tok["mem1"])
        check(st == 201, "the first suggestion can be booked", (st, made))
    # A move refused the same way.
    st, _, p = srv.request("PATCH", "/api/v1/bookings/%d" % b["public"],
                           {"start": day(3, "11:00")}, token=tok["mem1"])
    sug = (p or {}).get("suggestions") or []
    check(st == 409 and sug and all(
        instant(s["end"]) - instant(s["start"]) == 3600 for s in sug),
        "a move (a start alone keeps the hour's length) over another booking: 409 with"
        " suggestions an hour long", (st, p))
    # Outside the opening hours: the nearest open times.
    late = dict(req, start=day(5, "21:30"), end=day(5, "22:30"))
    st, _, p = srv.request("POST", "/api/v1/bookings", late, token=tok["mem1"])
    sug = (p or {}).get("suggestions") or []
    check(st == 422 and sug and sug[0]["end"][11:16] == "21:00"
          and sug[0]["room_id"] == ids["hall"],
          "outside the hours: the latest slot before closing comes first", (st, p))
    valid("problem", p, "422 with suggestions")
    # Refusals that are not about the slot offer nothing.
    big = dict(req, attendees=500, start=day(6, "10:00"), end=day(6, "11:00"))
    st, _, p = srv.request("POST", "/api/v1/bookings", big, token=tok["mem1"])
    check(st == 422 and "suggestions" not in (p or {}),
          "over capacity: no suggestions", (st, p))


def check_in_the_way(srv, ids, tok):
    """A pending request read by its venue's manager names what stands in its way, as
    approval would find it; nobody else is told."""
    data, build = srv.data, srv.build
    # A request cannot be made over an approved booking, so the one in the way is
    # approved after the others were asked for.
    first = book(build, data, ids, "meet", "g1", day(5, "10:30"), day(5, "11:30"), approve=False)
    rival = book(build, data, ids, "meet", "g2", day(5, "11:00"), day(5, "12:00"), approve=False)
    clear = book(build, data, ids, "meet", "g1", day(5, "15:00"), day(5, "16:00"), approve=False)
    taken = book(build, data, ids, "meet", "g2", day(5, "09:30"), day(5, "11:00"), approve=False)
    st, _, _ = srv.request("POST", "/api/v1/bookings/%d/approve" % taken, {}, token=tok["mgr"])
    check(st == 200, "the booking in the way is approved", st)
    st, _, b = srv.request("GET", "/api/v1/bookings/%d" % first, token=tok["mgr"])
    check(st == 200 and b.get("conflicts") == [taken] and b.get("conflicting_pending") == [rival],
          "the manager sees what is in a request's way: the approved booking and the rival",
          b)
    valid("booking", b, "a pending request with what is in its way")
    st, _, items = srv.request("GET", "/api/v1/bookings" + q(room=ids["meet"], status="pending"),
                               token=tok["mgr"])
    by_id = {x["id"]: x for x in items or []}
    check(by_id.get(clear, {}).get("conflicts") == [] and
          by_id.get(clear, {}).get("conflicting_pending") == [],
          "a request with nothing in its way lists nothing", by_id.get(clear))
    check(by_id.get(rival, {}).get("conflicts") == [] and
          by_id.get(rival, {}).get("conflicting_pending") == [first],
          "listed requests carry the same, read from the same walk (touching is not in the "
          "way)", by_id.get(rival))
    st, _, own = srv.request("GET", "/api/v1/bookings/%d" % first, token=tok["mem1"])
    check(st == 200 and "conflicts" not in own and "conflicting_pending" not in own,
          "the group that asked is not shown other groups' bookings in its way", own)
    st, _, again = srv.request("POST", "/api/v1/bookings/%d/approve" % first, {},
                               token=tok["mgr"])
    check(st == 409 and (again or {}).get("conflicts") == [taken],
          "approving it is refused for the booking it named", (st, again))


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    b = fill(build, data, ids)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"))
    srv.build, srv.data = build, data
    servers.append(srv)
    check_names(srv, ids, tok, b)
    check_week(srv, ids, tok, b)
    check_suggestions(srv, ids, tok, b)
    check_in_the_way(srv, ids, tok)


if __name__ == "__main__":
    sys.exit(run_suite("test_api_pages", body))
