#!/usr/bin/env python3
"""Allowances through the real hallsd and halls (docs/fair-access.md#allowances).

- A manager gives a group 12 hours a month in two rooms (POST /api/v1/allowances); a
  stranger, a member and another venue's manager may not; across the borough is for
  admins. Bad bodies are 400 with words.
- The group's requests count: exactly at the limit is allowed, one minute over is a 422
  over-allowance with the figures, in the API and in `halls booking request` alike.
- An allowance that sends requests for approval turns a member's approved request (a
  room that approves at once) into a pending one (the venue's manager's own stands, and
  is recorded); approving it is refused unless the manager sends
  "override_allowance": true (or `halls booking approve --override-allowance`), and the
  override is in the audit log.
- GET /api/v1/allowances shows use (used and limit minutes, the period) to the group's
  members and the venue's managers, not to others (use null) nor anonymously; ?at= asks
  for another period, and a month across the October clock change has 745 hours.
- PATCH and DELETE by the venue's manager; every change is in the audit log.

Every reply is validated against schemas/api. The clock is pinned (HALLS_NOW) at
2026-09-01T00:00:00Z. Prints "ok - ..." per check and "test_allowance: N passed, M
failed"; exits 1 when anything failed. Environment: BUILD (default ./build).
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
        errs = schema_errors(name, reply) if name is not None else []
        check(not errs, "%s: the %d reply matches %s" % (what, st, name), "\n".join(errs))
        return st, reply


def setup(build, data):
    ids, tok = {}, {}
    if halls(build, data, "init").returncode != 0:
        raise RuntimeError("halls init failed")
    for key, name in (("v", "Hartley Road Centre"), ("v2", "Elm Street Hall")):
        ids[key] = halls_json(build, data, "venue", "add", "--name", name, "--tz",
                              "Europe/London", "--hours", "mon-sun 00:00-24:00")["id"]
    common = ["--capacity", "50", "--notice", "0", "--horizon", "365", "--min-length", "30",
              "--max-length", "720"]
    ids["hall"] = halls_json(build, data, "room", "add", "--venue", str(ids["v"]), "--name",
                             "Main Hall", "--approval", "auto", *common)["id"]
    ids["cr"] = halls_json(build, data, "room", "add", "--venue", str(ids["v"]), "--name",
                           "Committee Room", "--approval", "auto", *common)["id"]
    ids["kitchen"] = halls_json(build, data, "room", "add", "--venue", str(ids["v"]), "--name",
                                "Kitchen", "--approval", "auto", *common)["id"]
    ids["chess"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    ids["knit"] = halls_json(build, data, "group", "add", "--name", "Knitters")["id"]
    for name, role, extra in (("mem", "member", ["--group", str(ids["chess"])]),
                              ("knitter", "member", ["--group", str(ids["knit"])]),
                              ("man", "manager", ["--venue", str(ids["v"])]),
                              ("other", "manager", ["--venue", str(ids["v2"])]),
                              ("admin", "admin", [])):
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        tok[name] = halls_json(build, data, "token", "issue", "--user", str(uid), "--label",
                               "test")["token"]
    return ids, tok


def booking(ids, room, start, end, group="chess"):
    return {"room_id": ids[room], "group_id": ids[group], "title": "Chess night",
            "start": start, "end": end}


def run_setting(api, ids, tok):
    body = {"group_id": ids["chess"], "venue_id": ids["v"], "room_ids": [ids["hall"], ids["cr"]],
            "period": "month", "hours": 12, "note": "Shared fairly"}
    for who in ("mem", "other"):
        st, p = api.call("POST", "/api/v1/allowances", body, tok[who], None,
                         "POST an allowance as " + who)
        check(st == 403, "%s may not give an allowance at this venue" % who, (st, p))
    st, p = api.call("POST", "/api/v1/allowances", body, None, None, "POST anonymously")
    check(st == 401, "nor may a stranger", (st, p))
    st, p = api.call("POST", "/api/v1/allowances", {"group_id": ids["chess"], "period": "year",
                                                    "hours": 100}, tok["man"], None,
                     "POST a borough-wide allowance as a manager")
    check(st == 403, "across the borough is for admins", (st, p))
    for bad, words in (({**body, "period": "fortnight"}, "period must be"),
                       ({**body, "hours": 0}, "hours must be"),
                       ({**body, "hours": 1e300}, "hours must be"),
                       ({**body, "room_ids": list(range(1, 200))}, "room_ids"),
                       ({**body, "evil": True}, "evil"),
                       ({**body, "period": "term"}, "needs its terms")):
        st, p = api.call("POST", "/api/v1/allowances", bad, tok["man"], None, "POST a bad body")
        check(st == 400 and words in p.get("detail", ""), "refused with words: " + words,
              (st, p))
    st, al = api.call("POST", "/api/v1/allowances", body, tok["man"], "allowance",
                      "POST the allowance as the venue's manager")
    check(st == 201 and al.get("minutes") == 720 and al.get("use", {}).get("used_minutes") == 0,
          "the venue's manager gives 12 hours a month; nothing used yet", (st, al))
    return al.get("id", 0)


def run_limit(api, build, data, ids, tok):
    st, b = api.call("POST", "/api/v1/bookings",
                     booking(ids, "hall", "2026-12-01T10:00", "2026-12-01T19:00"), tok["mem"],
                     "booking", "POST 9 hours")
    check(st == 201 and b.get("status") == "approved", "9 hours are approved", (st, b))
    st, p = api.call("POST", "/api/v1/bookings",
                     booking(ids, "cr", "2026-12-02T10:00", "2026-12-02T13:01"), tok["mem"],
                     None, "POST 3 hours and a minute")
    words = ("Chess Club has used 9 of its 12 hours in Main Hall and Committee Room at "
             "Hartley Road Centre this month (December 2026); this booking of 3 hours 1 "
             "minute would make 12 hours 1 minute")
    check(st == 422 and p.get("type") == "/problems/over-allowance"
          and p.get("detail") == words, "one minute over is refused with the figures", (st, p))
    r = halls(build, data, "--json", "booking", "request", "--room", str(ids["cr"]), "--group",
              str(ids["chess"]), "--title", "Chess", "--start", "2026-12-02T10:00", "--end",
              "2026-12-02T13:01")
    check(r.returncode == 1 and words in r.stderr, "halls booking request says the same",
          (r.returncode, r.stderr))
    st, b = api.call("POST", "/api/v1/bookings",
                     booking(ids, "cr", "2026-12-02T10:00", "2026-12-02T13:00"), tok["mem"],
                     "booking", "POST exactly 3 hours")
    check(st == 201, "exactly at the limit is allowed", (st, b))
    st, b = api.call("POST", "/api/v1/bookings",
                     booking(ids, "kitchen", "2026-12-03T10:00", "2026-12-03T20:00"), tok["mem"],
                     "booking", "POST in a room the allowance does not cover")
    check(st == 201, "a room outside the allowance is not limited", (st, b))


def run_use(api, ids, tok, al_id):
    st, lst = api.call("GET", "/api/v1/allowances?venue=%d&at=2026-12-15" % ids["v"], None,
                       tok["mem"], "allowance-list", "GET allowances as a member")
    use = lst[0].get("use") if st == 200 and lst else None
    check(use is not None and use.get("used_minutes") == 720 and use.get("limit_minutes") == 720
          and use.get("start") == "2026-12-01T00:00:00+00:00",
          "a member sees the group's use: 12 of 12 hours in December", (st, lst))
    for who, sees in (("man", True), ("admin", True), ("other", False), ("knitter", False),
                      (None, False)):
        st, o = api.call("GET", "/api/v1/allowances/%d?at=2026-12-15" % al_id, None,
                         tok.get(who), "allowance", "GET the allowance as %s" % who)
        check(st == 200 and (o.get("use") is not None) == sees,
              "%s %s the use" % (who or "anyone", "sees" if sees else "does not see"), (st, o))
    st, o = api.call("GET", "/api/v1/allowances/%d?at=2026-10-10" % al_id, None, tok["man"],
                     "allowance", "GET October's use")
    u = o.get("use") or {}
    check(u.get("end_ts", 0) - u.get("start_ts", 0) == 745 * 3600 and u.get("used_minutes") == 0,
          "October (clocks go back) has 745 hours", u)
    st, p = api.call("GET", "/api/v1/allowances?group=999", None, None, None,
                     "GET allowances of no such group")
    check(st == 404, "a filter naming no group is 404", (st, p))


def run_approval(api, build, data, ids, tok):
    st, al = api.call("POST", "/api/v1/allowances",
                      {"group_id": ids["knit"], "venue_id": ids["v"], "period": "week",
                       "hours": 2, "over": "approval"}, tok["man"], "allowance",
                      "POST an allowance that sends for approval")
    st, b = api.call("POST", "/api/v1/bookings",
                     booking(ids, "hall", "2026-11-02T10:00", "2026-11-02T12:00", "knit"),
                     tok["knitter"], "booking", "POST 2 hours")
    check(b.get("status") == "approved", "within the allowance, approved at once", b)
    st, b = api.call("POST", "/api/v1/bookings",
                     booking(ids, "hall", "2026-11-08T10:00", "2026-11-08T11:00", "knit"),
                     tok["knitter"], "booking", "POST 1 hour over")
    check(st == 201 and b.get("status") == "pending",
          "over an allowance that says approval: pending, for a manager", (st, b))
    path = "/api/v1/bookings/%d/approve" % b.get("id", 0)
    st, p = api.call("POST", path, {}, tok["man"], None, "approve over the allowance")
    check(st == 422 and p.get("type") == "/problems/over-allowance"
          and "would make 3" in p.get("detail", ""),
          "approving it is refused with the figures", (st, p))
    st, p = api.call("POST", path, {"override_allowance": "yes"}, tok["man"], None,
                     "approve with a bad flag")
    check(st == 400, "override_allowance must be true or false", (st, p))
    st, p = api.call("POST", "/api/v1/bookings/%d/decline" % b.get("id", 0),
                     {"override_allowance": True}, tok["man"], None, "decline with the flag")
    check(st == 400, "override_allowance is for approve only", (st, p))
    st, p = api.call("POST", path, {"override_allowance": True}, tok["knitter"], None,
                     "a member overriding")
    check(st == 403, "a member may not approve, overriding or not", (st, p))
    st, ok = api.call("POST", path, {"override_allowance": True, "note": "Half term"},
                      tok["man"], "booking", "approve overriding the allowance")
    check(st == 200 and ok.get("status") == "approved", "the manager overrides", (st, ok))
    entries = halls_json(build, data, "audit", "--booking", str(b.get("id", 0)))
    over = [e for e in entries if e.get("action") == "override-allowance"]
    check(len(over) == 1 and "Knitters has used 2 of its 2 hours" in (over[0].get("note") or "")
          and over[0].get("detail", {}).get("allowance_id") == al.get("id"),
          "the override is in the audit log with the figures", entries)
    # The CLI's override.
    st, c = api.call("POST", "/api/v1/bookings",
                     booking(ids, "hall", "2026-11-07T10:00", "2026-11-07T11:00", "knit"),
                     tok["knitter"], "booking", "POST another hour over")
    r = halls(build, data, "booking", "approve", str(c.get("id", 0)))
    check(c.get("status") == "pending" and r.returncode == 1 and "over the allowance" in r.stderr,
          "halls booking approve refuses too", (c, r.returncode, r.stderr))
    r = halls(build, data, "--json", "booking", "approve", str(c.get("id", 0)),
              "--override-allowance")
    check(r.returncode == 0 and json.loads(r.stdout).get("status") == "approved",
          "halls booking approve --override-allowance approves", (r.returncode, r.stderr))
    # A request the venue's manager makes approved stands: a manager has decided, and the
    # audit log says it was over.
    st, m = api.call("POST", "/api/v1/bookings",
                     {**booking(ids, "hall", "2026-11-06T10:00", "2026-11-06T11:00", "knit"),
                      "approve": True}, tok["man"], "booking", "POST over, as the manager")
    entries = halls_json(build, data, "audit", "--booking", str(m.get("id", 0)))
    check(st == 201 and m.get("status") == "approved"
          and any(e.get("action") == "override-allowance" for e in entries),
          "a manager's own approved request over the allowance stands, recorded", (st, m, entries))


def run_changes(api, build, data, ids, tok, al_id):
    path = "/api/v1/allowances/%d" % al_id
    st, p = api.call("PATCH", path, {"hours": 20}, tok["other"], None, "PATCH as another manager")
    check(st == 403, "another venue's manager may not change it", (st, p))
    st, p = api.call("PATCH", path, {"group_id": ids["knit"]}, tok["man"], None,
                     "PATCH the group")
    check(st == 400, "the group stays", (st, p))
    st, o = api.call("PATCH", path, {"hours": 20, "over": "approval"}, tok["man"], "allowance",
                     "PATCH hours and over")
    check(st == 200 and o.get("minutes") == 1200 and o.get("over") == "approval",
          "the venue's manager changes it", (st, o))
    st, p = api.call("DELETE", path, None, tok["man"], None, "DELETE it")
    check(st == 204, "and removes it", st)
    st, p = api.call("GET", path, None, tok["man"], None, "GET it removed")
    check(st == 404, "it is gone", st)
    acts = [e.get("action") for e in halls_json(build, data, "audit")
            if e.get("kind") == "allowance" and e.get("object_id") == al_id]
    check(acts == ["create", "update", "remove"], "each change is in the audit log", acts)
    st, b = api.call("POST", "/api/v1/bookings",
                     booking(ids, "hall", "2026-12-05T10:00", "2026-12-05T20:00"), tok["mem"],
                     "booking", "POST with the allowance gone")
    check(st == 201, "with the allowance gone the group books freely", (st, b))


def body(build, tmp, servers):
    os.environ["HALLS_NOW"] = str(NOW)
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    api = Api(srv)
    al_id = run_setting(api, ids, tok)
    run_limit(api, build, data, ids, tok)
    run_use(api, ids, tok, al_id)
    run_approval(api, build, data, ids, tok)
    run_changes(api, build, data, ids, tok, al_id)
    check(halls(build, data, "check").returncode == 0, "halls check finds nothing wrong")


if __name__ == "__main__":
    sys.exit(run_suite("test_allowance", body))
