#!/usr/bin/env python3
"""Allocation rounds through the real hallsd (docs/fair-access.md#allocation-rounds).

A manager opens a round of 20 weekly slots; 50 groups apply with 4 preferences each (200
preference rows: one application per group per round, so "50 groups and 200 applications"
is read as 50 applications of 4 ranked preferences). Members apply only for their own
group, once, and change their application before the deadline; nobody can allocate before
it, nor read the inputs. hallsd is then restarted with its clock past the deadline: the
manager allocates, the inputs and result are public, and `halls round verify` re-runs the
allocation from the round in the store and from the downloaded JSON alone (no data
directory), and fails on a result or seed that was changed. Every reply is validated
against schemas/api.

Prints "ok - ..." or "not ok - ..."; the last line is "test_round: N passed, M failed".
Environment: BUILD (default ./build); HALLS_SCRYPT_LOG2N (default 10 here).
"""
import json
import os
import sys

from schema import errors as schema_errors

from harness import Server, check, halls, halls_json, run_suite

NOW = 1796029200  # Monday 30 November 2026 09:00 UTC
DEADLINE = NOW + 7 * 86400
GROUPS = 50
SLOTS = 20


def call(srv, method, path, body, token, schema, what, want):
    st, hdrs, reply = srv.request(method, path, body, token=token)
    name = "problem" if st >= 400 else schema
    errs = schema_errors(name, reply) if name else []
    check(st == want and not errs, "%s: %d (want %d), reply matches %s" % (what, st, want, name),
          "\n".join(errs) + "\n" + json.dumps(reply)[:400])
    return reply


def setup(build, data):
    ids, tok = {"groups": []}, {}
    halls(build, data, "init")
    ids["v"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road",
                          "--hours", "mon-sun 08:00-22:00")["id"]
    ids["room"] = halls_json(build, data, "room", "add", "--venue", str(ids["v"]), "--name",
                             "Main Hall", "--capacity", "50", "--approval", "manual")["id"]
    for i in range(GROUPS):
        ids["groups"].append(halls_json(build, data, "group", "add", "--name",
                                        "Group %02d" % (i + 1), "--kind",
                                        "charity" if i % 10 == 0 else "community")["id"])
    for name, role, extra in (("man", "manager", ["--venue", str(ids["v"])]),
                              ("mem1", "member", ["--group", str(ids["groups"][0])]),
                              ("mem2", "member", ["--group", str(ids["groups"][1])])):
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        tok[name] = halls_json(build, data, "token", "issue", "--user", str(uid), "--label",
                               "test")["token"]
    return ids, tok


def round_body(ids):
    slots = [{"room_id": ids["room"], "weekday": s % 5 + 1,
              "start": "%02d:00" % (9 + 2 * (s // 5)), "end": "%02d:00" % (10 + 2 * (s // 5))}
             for s in range(SLOTS)]
    return {"venue_id": ids["v"], "name": "Spring 2027", "slots": slots,
            "first_date": "2027-03-01", "last_date": "2027-04-30", "deadline": DEADLINE,
            "classes": [{"group_kinds": ["charity"], "says": "charities"}],
            "outcome": "pending"}


def prefs_of(g):
    return [(g * 3) % 20 + 1, (g * 3 + 5) % 20 + 1, (g * 3 + 10) % 20 + 1,
            (g * 3 + 15) % 20 + 1]


def before_deadline(srv, ids, tok):
    body = round_body(ids)
    call(srv, "POST", "/api/v1/rounds", body, None, None, "open anonymously", 401)
    call(srv, "POST", "/api/v1/rounds", body, tok["mem1"], None, "open as a member", 403)
    bad = dict(body, deadline=NOW - 1)
    call(srv, "POST", "/api/v1/rounds", bad, tok["man"], None, "a deadline in the past", 400)
    rnd = call(srv, "POST", "/api/v1/rounds", body, tok["man"], "round", "open as manager", 201)
    rid = rnd.get("id", 1)
    check(rnd.get("seed") is None and len(rnd.get("commitment", "")) == 64,
          "the seed is hidden, its commitment published")
    call(srv, "GET", "/api/v1/rounds", None, None, "round-list", "list rounds", 200)
    path = "/api/v1/rounds/%d/applications" % rid
    call(srv, "POST", path, {"group_id": ids["groups"][1], "preferences": [1]}, tok["mem1"],
         None, "a member applies for another group", 403)
    call(srv, "POST", path, {"group_id": ids["groups"][0], "preferences": [99]}, tok["mem1"],
         None, "a slot the round has not", 400)
    call(srv, "POST", path, {"group_id": ids["groups"][0], "preferences": [1, 1]}, tok["mem1"],
         None, "a slot named twice", 400)
    app = call(srv, "POST", path, {"group_id": ids["groups"][0], "preferences": [2]},
               tok["mem1"], "round-application", "a member applies", 201)
    call(srv, "POST", path, {"group_id": ids["groups"][0], "preferences": [3]}, tok["mem1"],
         None, "the same group again", 409)
    call(srv, "PATCH", "%s/%d" % (path, app.get("id", 0)), {"preferences": prefs_of(0)},
         tok["mem1"], "round-application", "a member changes the preferences", 200)
    call(srv, "DELETE", "%s/%d" % (path, app.get("id", 0)), None, tok["mem2"], None,
         "another group's member withdraws it", 403)
    call(srv, "POST", path, {"group_id": ids["groups"][1], "preferences": prefs_of(1)},
         tok["mem2"], "round-application", "a second member applies", 201)
    for g in range(2, GROUPS):
        st, _, _ = srv.request("POST", path, {"group_id": ids["groups"][g],
                                              "preferences": prefs_of(g)}, token=tok["man"])
        if st != 201:
            check(False, "the manager applies for group %d" % (g + 1), "status %d" % st)
    mine = call(srv, "GET", path, None, tok["mem1"], "round-application-list",
                "a member lists applications", 200)
    check(len(mine) == 1, "a member sees only their group's application", len(mine))
    every = call(srv, "GET", path, None, tok["man"], "round-application-list",
                 "the manager lists applications", 200)
    check(len(every) == GROUPS, "the manager sees all %d" % GROUPS, len(every))
    call(srv, "GET", "/api/v1/rounds/%d/inputs" % rid, None, None, None,
         "the inputs before allocation", 409)
    call(srv, "POST", "/api/v1/rounds/%d/allocate" % rid, None, tok["man"], None,
         "allocating before the deadline", 409)
    return rid


def after_deadline(srv, build, data, tmp, ids, tok, rid):
    path = "/api/v1/rounds/%d" % rid
    call(srv, "POST", path + "/applications", {"group_id": ids["groups"][0], "preferences": [1]},
         tok["mem1"], None, "applying after the deadline", 409)
    rnd = call(srv, "GET", path, None, None, "round", "the round after the deadline", 200)
    check(isinstance(rnd.get("seed"), str), "the seed is published at the deadline")
    call(srv, "POST", path + "/allocate", None, tok["mem1"], None, "a member allocates", 403)
    res = call(srv, "POST", path + "/allocate", None, tok["man"], "round-result",
               "the manager allocates", 200)
    granted = [a for a in res.get("allocation", {}).get("applications", [])
               if a.get("slot_id")]
    check(len(granted) == SLOTS, "every one of the %d slots is given" % SLOTS, len(granted))
    check(len(res.get("series", [])) == SLOTS and
          all(s.get("series_id") for s in res.get("series", [])),
          "one series per successful application")
    call(srv, "POST", path + "/allocate", None, tok["man"], None, "allocating twice", 409)
    inputs = call(srv, "GET", path + "/inputs", None, None, "round-inputs",
                  "the inputs, anonymously", 200)
    result = call(srv, "GET", path + "/result", None, None, "round-result",
                  "the result, anonymously", 200)
    check(sum(len(a["preferences"]) for a in inputs.get("applications", [])) == 4 * GROUPS,
          "the inputs hold 200 preference rows")
    ip, rp = os.path.join(tmp, "inputs.json"), os.path.join(tmp, "result.json")
    with open(ip, "w") as f:
        json.dump(inputs, f)
    with open(rp, "w") as f:
        json.dump(result, f)
    r = halls(build, os.path.join(tmp, "nowhere"), "round", "verify", "--inputs", ip,
              "--result", rp)
    check(r.returncode == 0 and "verified" in r.stdout,
          "halls round verify --inputs --result (no data directory)", r.stdout + r.stderr)
    r = halls(build, data, "round", "verify", str(rid))
    check(r.returncode == 0, "halls round verify ID", r.stdout + r.stderr)
    result["allocation"]["applications"][0]["slot_id"] = None
    with open(rp, "w") as f:
        json.dump(result, f)
    r = halls(build, data, "round", "verify", "--inputs", ip, "--result", rp)
    check(r.returncode == 1 and "differs" in r.stderr, "a changed result fails verify",
          r.stdout + r.stderr)
    inputs["seed"] = "0" * 64
    with open(ip, "w") as f:
        json.dump(inputs, f)
    r = halls(build, data, "round", "verify", "--inputs", ip, "--result", rp)
    check(r.returncode == 1 and "commitment" in r.stderr, "another seed fails verify",
          r.stdout + r.stderr)


def body(build, tmp, servers):
    os.environ["HALLS_NOW"] = str(NOW)
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    rid = before_deadline(srv, ids, tok)
    srv.stop()
    servers.remove(srv)
    os.environ["HALLS_NOW"] = str(DEADLINE)
    srv = Server(build, data, os.path.join(tmp, "hallsd2.log"),
                 env={"HALLS_NOW": str(DEADLINE)})
    servers.append(srv)
    after_deadline(srv, build, data, tmp, ids, tok, rid)
    check(halls(build, data, "check").returncode == 0, "halls check finds nothing wrong")


if __name__ == "__main__":
    sys.exit(run_suite("test_round", body))
