#!/usr/bin/env python3
"""Provisional holds (docs/fair-access.md#holds-that-expire) through a real hallsd.

- A room with hold_hours 48: a pending request holds its slot; another group's request
  for it is a 409 /problems/slot-held whose words say until when (in London's time) and
  name no group; the held request shows held_until to its group.
- hallsd is stopped, and started again three days later (HALLS_NOW): the sweep it runs
  at start, before serving, lapses the hold (the request is declined by the clock, with a
  note), and the group and the manager have messages in the outbox (`halls outbox list`).
- The timer while hallsd runs: hallsd's clock is pinned (HALLS_NOW is fixed, it does not
  advance), so the timer cannot be seen to fire at a later time without waiting for it.
  Instead `halls` (another process) makes a hold whose end is already past for hallsd,
  as a request made the day before would be; hallsd re-arms its timer after each of its
  own commits, so the next write through the API is followed at once by a sweep that
  lapses that hold, with nothing slept. The one-minute poll that sees such a hold with no
  write at all is not tested here (it would take a minute).
- `halls sweep` lapses what is due and says what it did.

Replies are validated against schemas/api. Prints "ok - ..." per check and, last,
"test_hold: N passed, M failed". Environment: BUILD (default ./build).
"""
import json
import os
import sys
import time

from schema import errors as schema_errors

from harness import Server, check, halls, halls_json, run_suite

NOW = 1788220800  # Tuesday 1 September 2026, 1am in London (BST)
HOUR = 3600
UNTIL_WORDS = "Thursday 3 September 2026, 1am"  # NOW + 48 hours


def call(srv, method, path, body, token, schema, what):
    st, hdrs, reply = srv.request(method, path, body, token=token)
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
    ids["hall"] = halls_json(build, data, "room", "add", "--name", "Main Hall", "--approval",
                             "manual", "--venue", str(ids["v"]), "--capacity", "50",
                             "--notice", "0", "--horizon", "365")["id"]
    room = halls_json(build, data, "room", "set", str(ids["hall"]), "--hold-hours", "48",
                      "--hold-lapse", "release")
    check(room.get("hold_hours") == 48 and room.get("hold_lapse") == "release",
          "halls room set gives the room a 48-hour hold that releases", room)
    ids["chess"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    ids["knit"] = halls_json(build, data, "group", "add", "--name", "Knitters")["id"]
    for name, role, extra in (("chess", "member", ["--group", str(ids["chess"])]),
                              ("knit", "member", ["--group", str(ids["knit"])]),
                              ("man", "manager", ["--venue", str(ids["v"])])):
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        tok[name] = halls_json(build, data, "token", "issue", "--user", str(uid), "--label",
                               "test")["token"]
    return ids, tok


def ask(srv, ids, tok, who, group, start, end, what):
    return call(srv, "POST", "/api/v1/bookings",
                {"room_id": ids["hall"], "group_id": ids[group], "title": what,
                 "start": start, "end": end}, tok[who], "booking", "POST " + what)


def outbox(build, data, kind):
    return [m for m in halls_json(build, data, "outbox", "list") if m["kind"] == kind]


def run_held(srv, ids, tok):
    st, held = ask(srv, ids, tok, "chess", "chess", "2026-09-10T19:00", "2026-09-10T21:00",
                   "Chess night")
    check(st == 201 and held.get("status") == "pending", "the request is pending", held)
    check(held.get("held_until") == "2026-09-03T01:00:00+01:00" and
          held.get("held_until_ts") == NOW + 48 * HOUR,
          "it is held for 48 hours, held_until in the venue's offset", held)
    st, refused = ask(srv, ids, tok, "knit", "knit", "2026-09-10T20:00", "2026-09-10T22:00",
                      "Knit night")
    check(st == 409 and refused.get("type") == "/problems/slot-held",
          "another group's request for the held slot is a 409 slot-held", refused)
    words = refused.get("detail", "")
    check("Main Hall is held for another group's request until %s" % UNTIL_WORDS in words,
          "the refusal says until when, in the venue's time", words)
    check("Chess" not in words, "the refusal does not name the group that holds it", words)
    st, mine = ask(srv, ids, tok, "chess", "chess", "2026-09-10T20:00", "2026-09-10T22:00",
                   "Chess night, longer")
    check(st == 201, "the same group may ask again over its own hold", mine)
    st, seen = call(srv, "GET", "/api/v1/bookings/%d" % held["id"], None, tok["man"],
                    "booking", "GET the held request as the manager")
    check(seen.get("held_until_ts") == NOW + 48 * HOUR, "the manager sees the hold", seen)
    return held["id"], mine["id"]


def status_of(srv, tok, bid):
    st, b = srv.request("GET", "/api/v1/bookings/%d" % bid, token=tok["man"])[0::2]
    return b.get("status") if isinstance(b, dict) else None


def run_restart(build, tmp, data, servers, ids, tok, held, mine):
    later = NOW + 72 * HOUR
    srv = Server(build, data, os.path.join(tmp, "hallsd-later.log"),
                 env={"HALLS_NOW": str(later)})
    servers.append(srv)
    st, b = call(srv, "GET", "/api/v1/bookings/%d" % held, None, tok["chess"], "booking",
                 "GET the request after the restart")
    check(b.get("status") == "declined" and "held_until" not in b,
          "the hold lapsed while hallsd was down: released at start, before serving", b)
    check("The provisional hold ended on %s" % UNTIL_WORDS in (b.get("note") or ""),
          "the decline's note says the hold ended, and when", b.get("note"))
    check(status_of(srv, tok, mine) == "declined", "the group's second held request too")
    lapsed = outbox(build, data, "hold-lapsed")
    to = sorted(set(m["to"] for m in lapsed))
    check(to == ["chess@example.org", "man@example.org"],
          "the group's member and the venue's manager are told (halls outbox list)", lapsed)
    audit = halls_json(build, data, "audit", "--booking", str(held))
    check([e["action"] for e in audit].count("hold-lapse") == 1, "the lapse is in the audit log",
          [e["action"] for e in audit])
    st, again = ask(srv, ids, tok, "knit", "knit", "2026-09-10T20:00", "2026-09-10T22:00",
                    "Knit night")
    check(st == 201, "the freed slot can be asked for", again)
    return srv, later, again.get("id")


def run_timer(build, data, srv, ids, tok, later):
    # Made by halls the day before hallsd's now: held until a moment hallsd has passed.
    made = later - 48 * HOUR - 60
    r = halls(build, data, "--json", "booking", "request", "--room", str(ids["hall"]),
              "--group", str(ids["chess"]), "--title", "Chess cup", "--start",
              "2026-09-20T10:00", "--end", "2026-09-20T12:00", env={"HALLS_NOW": str(made)})
    check(r.returncode == 0, "halls makes a held request in another process", r.stderr)
    cup = json.loads(r.stdout)
    check(cup.get("held_until_ts") == later - 60, "held until a minute before hallsd's now", cup)
    st, other = ask(srv, ids, tok, "knit", "knit", "2026-09-21T10:00", "2026-09-21T12:00",
                    "Knit afternoon")
    check(st == 201, "a write through hallsd commits", other)
    # The sweep runs on the loop right after that commit: look until it has (no sleep of
    # any length is counted on; the deadline only ends a failing test).
    deadline = time.time() + 10
    while status_of(srv, tok, cup["id"]) == "pending" and time.time() < deadline:
        time.sleep(0.05)
    check(status_of(srv, tok, cup["id"]) == "declined",
          "hallsd's timer lapses the hold once its commit re-arms it")


def run_cli_sweep(build, data, ids, later):
    r = halls(build, data, "--json", "booking", "request", "--room", str(ids["hall"]),
              "--group", str(ids["knit"]), "--title", "Knit day", "--start",
              "2026-09-22T10:00", "--end", "2026-09-22T12:00", env={"HALLS_NOW": str(later)})
    check(r.returncode == 0, "a held request made by halls", r.stderr)
    bid = json.loads(r.stdout)["id"]
    r = halls(build, data, "sweep", env={"HALLS_NOW": str(later + 47 * HOUR)})
    check(r.returncode == 0 and "swept: 0 holds lapsed" in r.stdout,
          "halls sweep before the end lapses nothing", r.stdout + r.stderr)
    check(len(outbox(build, data, "hold-ending")) >= 2, "the warning went before the end")
    r = halls(build, data, "--json", "sweep", env={"HALLS_NOW": str(later + 48 * HOUR)})
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    lapsed = out.get("lapsed", [])
    check(bid in [l["booking_id"] for l in lapsed] and
          all(l["status"] == "declined" for l in lapsed) and out.get("next_due") is None,
          "halls sweep at the end lapses it (and the others made then) and says so",
          r.stdout + r.stderr)


def body(build, tmp, servers):
    os.environ["HALLS_NOW"] = str(NOW)
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    held, mine = run_held(srv, ids, tok)
    srv.stop()
    check(srv.proc.returncode == 0, "hallsd stops cleanly")
    srv, later, _ = run_restart(build, tmp, data, servers, ids, tok, held, mine)
    run_timer(build, data, srv, ids, tok, later)
    srv.stop()
    run_cli_sweep(build, data, ids, later)
    check(halls(build, data, "check").returncode == 0, "halls check finds nothing wrong")


if __name__ == "__main__":
    sys.exit(run_suite("test_hold", body))
