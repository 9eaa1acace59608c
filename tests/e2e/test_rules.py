#!/usr/bin/env python3
"""Which rules apply where: GET /api/v1/rules and `halls rules`, on the demo.

- Public: no sign-in is needed, and a token changes nothing.
- Every venue's opening hours and every room's approval, limits and waitlist are there;
  a hold only where the room gives one. Each rule's words carry the room's own figures,
  and change when the room does (through the API, by its manager).
- ?venue=N gives that venue's alone; an unknown venue is a 404 problem, a malformed one
  a 400; an unknown query parameter a 400.
- `halls rules --json` says exactly what the API says.

Replies are validated against schemas/api. Prints "ok - ..." per check and, last,
"test_rules: N passed, M failed"; exits 1 when anything failed.
"""
import json
import os

from harness import Server, check, halls, run_suite  # first: it finds Debian's packages

from schema import errors as schema_errors  # noqa: E402

NOW = "1796029200"  # Monday 30 November 2026 09:00 UTC, as the docs' demo


def valid(name, body, what):
    errs = schema_errors(name, body)
    check(not errs, "%s matches %s" % (what, name), "\n".join(errs))


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    env = {"HALLS_NOW": NOW}
    check(halls(build, data, "init", "--demo", env=env).returncode == 0, "the demo is made")
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env=env)
    servers.append(srv)

    st, _, everything = srv.request("GET", "/api/v1/rules")
    check(st == 200, "GET /api/v1/rules is public", str(st))
    valid("rules", everything, "the rules")
    rules = everything.get("rules", [])
    st, _, venues = srv.request("GET", "/api/v1/venues")
    st, _, rooms = srv.request("GET", "/api/v1/rooms")
    for v in venues:
        hours = [r for r in rules if r["rule"] == "opening-hours" and r["venue_id"] == v["id"]]
        check(len(hours) == 1 and v["name"] in hours[0]["says"],
              "%s's opening hours are published" % v["name"], hours)
    for room in rooms:
        own = {r["rule"]: r for r in rules if r["room_ids"] == [room["id"]]}
        check({"approval", "booking-limits", "waitlist"} <= set(own),
              "%s has its approval, limits and waitlist rules" % room["name"], sorted(own))
        check(("hold" in own) == (room["hold_hours"] > 0),
              "%s has a hold rule only when it gives holds" % room["name"])
        limits = own.get("booking-limits", {}).get("says", "")
        check("up to %d people" % room["capacity"] in limits and
              "at most %d days ahead" % room["horizon_days"] in limits,
              "%s's limits carry its own figures" % room["name"], limits)

    st, _, token = srv.request("POST", "/api/v1/session",
                               {"email": "manager.hartley@halls.example",
                                "password": "demo-password"})
    priya = token.get("token")
    st, _, signed = srv.request("GET", "/api/v1/rules", token=priya)
    check(st == 200 and signed == everything, "a signed-in reader gets the same rules")

    st, _, room = srv.request("PATCH", "/api/v1/rooms/3",
                              {"hold_hours": 36, "hold_lapse": "release", "offer_hours": 6,
                               "waitlist_priority": ["school", "charity"]}, token=priya)
    check(st == 200, "the venue's manager gives the kitchen a hold and a waitlist order", room)
    st, _, one = srv.request("GET", "/api/v1/rules?venue=1")
    valid("rules", one, "one venue's rules")
    def kinds(rs):
        return set((r["rule"], tuple(r["room_ids"])) for r in rs)

    before = [r for r in rules if r["venue_id"] in (1, None)]
    check(all(r["venue_id"] in (1, None) for r in one.get("rules", [])) and
          kinds(one.get("rules", [])) == kinds(before) | {("hold", (3,))},
          "?venue=1 gives Hartley Road's (and the borough's) alone, with the kitchen's hold")
    said = {r["rule"]: r["says"] for r in one["rules"] if r["room_ids"] == [3]}
    check(said.get("hold", "").startswith("Community Kitchen: a request holds its slot for "
                                          "36 hours") and "released" in said.get("hold", ""),
          "the hold is said with its hours and what its end does", said.get("hold"))
    check("for 6 hours; groups are offered it in this order: schools, then charities, "
          "then everyone else" in said.get("waitlist", ""),
          "the waitlist is said with its offer time and its order", said.get("waitlist"))

    for query, status, what in (("?venue=99", 404, "an unknown venue"),
                                ("?venue=x", 400, "a malformed venue"),
                                ("?venue=1&colour=red", 400, "an unknown parameter"),
                                ("?venue=%ff", 400, "a byte that is not UTF-8")):
        st, hdrs, problem = srv.request("GET", "/api/v1/rules" + query)
        check(st == status and hdrs.get("Content-Type", "").startswith(
            "application/problem+json"), "%s is %d with a problem body" % (what, status),
              "%s %s" % (st, problem))
        if st >= 400:
            valid("problem", problem, what)

    cli = halls(build, data, "--json", "rules", "--venue", "1", env=env)
    check(cli.returncode == 0 and json.loads(cli.stdout) == one,
          "`halls rules --json --venue 1` says what the API says", cli.stdout[:300])
    cli = halls(build, data, "rules", "--venue", "99", env=env)
    check(cli.returncode == 1 and "there is no venue 99" in cli.stderr,
          "`halls rules` refuses an unknown venue in words", cli.stderr)


raise SystemExit(run_suite("test_rules", body))
