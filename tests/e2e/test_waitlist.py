#!/usr/bin/env python3
"""Waitlists with timed offers through the real hallsd (docs/fair-access.md).

- Joining: a taken slot only (a free one is 409 invalid-state, saying to request it), once
  per group; members join for their own group only; each reader sees what view.c allows
  (members their groups', managers their venues', the anonymous nothing).
- The booking in the way is cancelled: the first group waiting holds an exclusive offer,
  its members are told by email, and any other group's request is 409 slot-offered with
  the offer's end in words.
- The race: members of four groups, each on its own connection in its own thread, ask for
  the freed slot at once (the offered group's members also accept the offer); only the
  offered group gets it, once, and no two approved bookings of the room ever overlap. It
  runs twice: the second time the slot is freed again and the next group holds the offer.
- Decline passes the offer on; leaving; `halls waitlist list --json` equals the API's
  listing; `halls check` finds nothing wrong.

Replies are validated against schemas/api. The clock is pinned (HALLS_NOW). Prints "ok -
..." or "not ok - ..." per check and, last, "test_waitlist: N passed, M failed".
"""
import os
import sys
import threading

from schema import errors as schema_errors

from harness import Server, check, halls, halls_json, run_suite

NOW = 1796029200  # Monday 30 November 2026, 09:00 UTC
SLOT = ("2026-12-10T19:00", "2026-12-10T21:00")
GROUPS = ("chess", "knit", "choir", "drama")
MEMBERS = 4  # per group


class Api:
    def __init__(self, srv):
        self.srv = srv

    def call(self, method, path, body, token, schema, what, quiet=False):
        st, hdrs, reply = self.srv.request(method, path, body, token=token)
        name = "problem" if st >= 400 else schema
        errs = schema_errors(name, reply) if name else []
        if not quiet or errs:
            check(not errs, "%s: the %d reply matches %s" % (what, st, name), "\n".join(errs))
        return st, reply


def setup(build, data):
    ids, tok = {}, {}
    if halls(build, data, "init").returncode != 0:
        raise RuntimeError("halls init failed")
    ids["v"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road Centre",
                          "--tz", "Europe/London", "--hours", "mon-sun 00:00-24:00")["id"]
    ids["hall"] = halls_json(build, data, "room", "add", "--name", "Main Hall", "--approval",
                             "auto", "--venue", str(ids["v"]), "--capacity", "50", "--notice",
                             "0", "--min-length", "30", "--max-length", "480")["id"]
    halls(build, data, "room", "set", str(ids["hall"]), "--offer-hours", "24")
    for g in GROUPS:
        ids[g] = halls_json(build, data, "group", "add", "--name", g.title())["id"]
        tok[g] = []
        for i in range(MEMBERS):
            email = "%s%d@example.org" % (g, i)
            uid = halls_json(build, data, "user", "add", "--name", "%s %d" % (g, i),
                             "--email", email, "--role", "member", "--group", str(ids[g]))["id"]
            tok[g].append(halls_json(build, data, "token", "issue", "--user", str(uid),
                                     "--label", "test")["token"])
    uid = halls_json(build, data, "user", "add", "--name", "man", "--email",
                     "man@example.org", "--role", "manager", "--venue", str(ids["v"]))["id"]
    tok["man"] = halls_json(build, data, "token", "issue", "--user", str(uid), "--label",
                            "test")["token"]
    return ids, tok


def booking(ids, group, title="Evening"):
    return {"room_id": ids["hall"], "group_id": ids[group], "title": title,
            "start": SLOT[0], "end": SLOT[1]}


def join(api, ids, tok, group, what):
    return api.call("POST", "/api/v1/waitlist",
                    {"room_id": ids["hall"], "group_id": ids[group], "start": SLOT[0],
                     "end": SLOT[1], "title": "%s evening" % group.title()},
                    tok[group][0], "waitlist-entry", what)


def entry(api, tok, eid):
    st, e = api.call("GET", "/api/v1/waitlist/%d" % eid, None, tok["man"], "waitlist-entry",
                     "GET waitlist entry %d as the manager" % eid, quiet=True)
    return e if st == 200 else {}


def approved_overlaps(api, ids, tok):
    st, items = api.call("GET", "/api/v1/bookings?room=%d&status=approved" % ids["hall"], None,
                         tok["man"], "booking-list", "list the room's approved bookings",
                         quiet=True)
    items = sorted(items if isinstance(items, list) else [], key=lambda b: b["start_ts"])
    clashes = [(a["id"], b["id"]) for a, b in zip(items, items[1:])
               if b["start_ts"] < a["end_ts"]]
    return items, clashes


def run_joins(api, build, data, ids, tok):
    st, p = join(api, ids, tok, "knit", "join a free slot")
    check(st == 409 and p.get("type") == "/problems/invalid-state"
          and "ask for it with a booking request" in p.get("detail", ""),
          "a free slot is refused, with words saying to request it", (st, p))
    st, b = api.call("POST", "/api/v1/bookings", booking(ids, "chess"), tok["chess"][0],
                     "booking", "chess books the slot")
    check(st == 201 and b.get("status") == "approved", "the chess club's booking is approved",
          (st, b))
    ids["chess_booking"] = b.get("id", 0)
    st, p = join(api, ids, tok, "chess", "chess joins its own slot's waitlist")
    check(st == 409, "the group whose booking is in the way cannot join", (st, p))
    st, p = api.call("POST", "/api/v1/waitlist",
                     {"room_id": ids["hall"], "group_id": ids["choir"], "start": SLOT[0],
                      "end": SLOT[1]}, tok["knit"][0], "waitlist-entry",
                     "a knitter joins for the choir")
    check(st == 403, "a member joins for their own group only", (st, p))
    for g in ("knit", "choir", "drama"):
        st, e = join(api, ids, tok, g, "%s joins" % g)
        check(st == 201 and e.get("state") == "waiting", "%s is waiting" % g, (st, e))
        ids[g + "_entry"] = e.get("id", 0)
    st, p = join(api, ids, tok, "knit", "knit joins twice")
    check(st == 409 and p.get("type") == "/problems/already-exists"
          and "already on the waitlist" in p.get("detail", ""),
          "the same group twice is refused", (st, p))
    st, mine = api.call("GET", "/api/v1/waitlist", None, tok["choir"][1], "waitlist-list",
                        "a choir member lists the waitlist")
    check(st == 200 and [e["group_id"] for e in mine] == [ids["choir"]],
          "a member sees only their group's entries", mine)
    st, all_ = api.call("GET", "/api/v1/waitlist?room=%d" % ids["hall"], None, tok["man"],
                        "waitlist-list", "the manager lists the room's waitlist")
    check(st == 200 and len(all_) == 3, "the manager sees every entry at the venue", all_)
    st, p = api.call("GET", "/api/v1/waitlist/%d" % ids["knit_entry"], None, tok["choir"][0],
                     "waitlist-entry", "a choir member asks for the knitters' entry")
    check(st == 404, "another group's entry is not found", (st, p))
    st, p = api.call("GET", "/api/v1/waitlist", None, None, "waitlist-list",
                     "the anonymous list the waitlist")
    check(st == 401, "the anonymous see no waitlist", (st, p))
    st, p = api.call("GET", "/api/v1/waitlist?state=nonsense", None, tok["man"],
                     "waitlist-list", "a state that is none")
    check(st == 400, "an unknown state is refused", (st, p))
    cli = halls_json(build, data, "waitlist", "list")
    check([e["id"] for e in cli] == [e["id"] for e in all_],
          "halls waitlist list --json lists what the API does")


def free_the_slot(api, ids, tok, booking_id, by, offered):
    st, b = api.call("POST", "/api/v1/bookings/%d/cancel" % booking_id, None, by, "booking",
                     "the booking in the way is cancelled")
    check(st == 200 and b.get("status") == "cancelled", "the booking is cancelled", (st, b))
    e = entry(api, tok, ids[offered + "_entry"])
    check(e.get("state") == "offered" and e.get("offer_until_ts") == NOW + 24 * 3600,
          "the first in line, %s, holds the offer for 24 hours" % offered, e)
    other = "drama" if offered != "drama" else "chess"
    st, p = api.call("POST", "/api/v1/bookings", booking(ids, other), tok[other][0], "booking",
                     "%s asks for the offered slot" % other)
    check(st == 409 and p.get("type") == "/problems/slot-offered" and p.get("detail") ==
          "Main Hall is offered to a group on its waitlist until Tuesday 1 December 2026, 9am",
          "another group's request is 409 slot-offered, saying until when", (st, p))


def race(api, ids, tok, offered):
    """Every member of every group asks at once; the offered group also accepts."""
    barrier = threading.Barrier(len(GROUPS) * MEMBERS + MEMBERS)
    results, lock = [], threading.Lock()

    def go(group, token, accept):
        barrier.wait()
        if accept:
            st, _, r = api.srv.request("POST", "/api/v1/waitlist/%d/accept"
                                       % ids[offered + "_entry"], None, token=token)
        else:
            st, _, r = api.srv.request("POST", "/api/v1/bookings", booking(ids, group),
                                       token=token)
        with lock:
            results.append((group, accept, st, r))

    threads = [threading.Thread(target=go, args=(g, t, False)) for g in GROUPS for t in tok[g]]
    threads += [threading.Thread(target=go, args=(offered, t, True)) for t in tok[offered]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results if r[2] == 201]
    check(len(won) == 1 and won[0][0] == offered,
          "only the offered group (%s) takes the slot, once" % offered,
          [(g, a, s) for g, a, s, _ in results])
    others = [r for r in results if r[0] != offered]
    # Before the offered group's request commits, the offer refuses; after, its booking.
    check(all(s == 409 and (r.get("type") == "/problems/conflict" or (
              r.get("type") == "/problems/slot-offered" and
              "is offered to a group on its waitlist until Tuesday 1 December 2026, 9am"
              in r.get("detail", ""))) for _, _, s, r in others),
          "every other group's request is 409, slot-offered (with the offer's end) or taken",
          [(g, s, r) for g, _, s, r in others][:3])
    mine = [r for r in results if r[0] == offered and r[2] != 201]
    check(all(s == 409 for _, _, s, _ in mine),
          "the offered group's other tries are refused as asked already or answered", mine[:3])
    items, clashes = approved_overlaps(api, ids, tok)
    check(not clashes and len(items) == 1 and items[0]["group_id"] == ids[offered],
          "no two approved bookings overlap, and the one is %s's" % offered, items)
    e = entry(api, tok, ids[offered + "_entry"])
    check(e.get("state") == "accepted" and e.get("booking_id") == items[0]["id"] if items
          else False, "the offer is closed, naming the booking", e)
    return items[0]["id"] if items else 0


def run_offers(api, build, data, ids, tok):
    free_the_slot(api, ids, tok, ids["chess_booking"], tok["chess"][0], "knit")
    out = halls_json(build, data, "outbox", "list")
    offered = [m for m in out if m.get("kind") == "waitlist-offered"]
    check(len(offered) == MEMBERS and all(m["to"].startswith("knit") for m in offered),
          "each knitter is told of the offer by email", [(m["kind"], m["to"]) for m in out][-8:])
    knit_booking = race(api, ids, tok, "knit")
    # Freed again: the choir is next in line.
    free_the_slot(api, ids, tok, knit_booking, tok["knit"][0], "choir")
    race(api, ids, tok, "choir")


def run_decline_and_leave(api, build, data, ids, tok):
    st, items = api.call("GET", "/api/v1/bookings?room=%d&status=approved" % ids["hall"], None,
                         tok["man"], "booking-list", "the choir's booking", quiet=True)
    choir = items[0]["id"] if items else 0
    free_the_slot(api, ids, tok, choir, tok["man"], "drama")
    st, p = api.call("POST", "/api/v1/waitlist/%d/decline" % ids["drama_entry"], None,
                     tok["knit"][0], "waitlist-entry", "a knitter declines the drama's offer")
    check(st == 403, "another group cannot decline the offer", (st, p))
    st, e = api.call("POST", "/api/v1/waitlist/%d/decline" % ids["drama_entry"], None,
                     tok["drama"][1], "waitlist-entry", "drama declines")
    check(st == 200 and e.get("state") == "declined", "the drama group declines", (st, e))
    st, b = api.call("POST", "/api/v1/bookings", booking(ids, "chess"), tok["chess"][2],
                     "booking", "chess asks again")
    check(st == 201, "with nobody left in line, the slot is anyone's", (st, b))
    # Taken again: the knitters join, and leave.
    st, e = join(api, ids, tok, "knit", "knit joins again")
    check(st == 201, "a group may join again once its last entry is done", (st, e))
    st, e = api.call("DELETE", "/api/v1/waitlist/%d" % e.get("id", 0), None, tok["knit"][3],
                     "waitlist-entry", "a knitter leaves")
    check(st == 200 and e.get("state") == "left", "the group left the waitlist", (st, e))
    audit = halls_json(build, data, "audit")
    acts = [a["action"] for a in audit if a.get("kind") == "waitlist"]
    check(all(a in acts for a in ("join", "offer", "accept", "decline", "leave")),
          "every act is in the audit log", acts)
    check(halls(build, data, "check").returncode == 0, "halls check finds nothing wrong")


def body(build, tmp, servers):
    os.environ["HALLS_NOW"] = str(NOW)
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    api = Api(srv)
    run_joins(api, build, data, ids, tok)
    run_offers(api, build, data, ids, tok)
    run_decline_and_leave(api, build, data, ids, tok)


if __name__ == "__main__":
    sys.exit(run_suite("test_waitlist", body))
