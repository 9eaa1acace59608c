#!/usr/bin/env python3
"""Nothing a request chooses may hold the loop: far-future and far-past times on every
route that takes a time are refused where they are parsed (400, saying which years halls
takes), ranges are bounded, and series rules that never match are refused in plain
words instead of being searched for until the year 2582 inside the writer. After each
refusal /healthz still answers. The CLI refuses the same times with the same words.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed.
Environment: BUILD (default ./build)."""
import os
import sys

from harness import Server, check, halls, halls_json, run_suite

NOW = 1788220800  # 1 Sep 2026
PASSWORD = "stalls-password"
FAR = ["9999-12-31T23:00", "9999-12-31T23:00:00Z", "2200-01-01T00:00:00Z",
       "1969-12-31T23:59:59Z", "1900-01-01T10:00"]
WORDS = "outside the times halls accepts"


def setup(build, data):
    ids = {}
    halls(build, data, "init")
    ids["venue"] = halls_json(build, data, "venue", "add", "--name", "Riverside Centre")["id"]
    ids["room"] = halls_json(build, data, "room", "add", "--venue", str(ids["venue"]),
                             "--name", "Main Hall", "--capacity", "60", "--horizon", "1000",
                             "--max-occurrences", "30")["id"]
    ids["group"] = halls_json(build, data, "group", "add", "--name", "Choir")["id"]
    halls_json(build, data, "user", "add", "--name", "admin", "--email", "admin@example.org",
               "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    return ids


def refused_time(st, body):
    return (st == 400 and isinstance(body, dict) and body.get("type") == "/problems/invalid-input"
            and WORDS in body.get("detail", ""))


def healthy(srv):
    st, _, _ = srv.request("GET", "/healthz")
    return st == 200


def run_queries(srv, ids, tok):
    room = ids["room"]
    for t in FAR:
        q = t.replace("+", "%2B")
        st, _, body = srv.request("GET", "/api/v1/rooms/%d/availability?from=%s" % (room, q))
        check(refused_time(st, body), "availability from %s is 400 naming the range" % t,
              (st, body))
        st, _, body = srv.request("GET", "/api/v1/rooms/%d/availability?from=2026-09-02T00:00"
                                  "&to=%s" % (room, q))
        check(refused_time(st, body), "availability to %s is 400" % t, (st, body))
        st, _, body = srv.request("GET", "/api/v1/rooms?free_from=%s&free_to=%s" % (q, q))
        check(refused_time(st, body), "rooms free_from %s is 400" % t, (st, body))
        st, _, body = srv.request("GET", "/api/v1/bookings?from=%s" % q, token=tok)
        check(refused_time(st, body), "bookings from %s is 400" % t, (st, body))
    check(healthy(srv), "/healthz answers after the far-future queries")
    st, _, body = srv.request("GET", "/api/v1/rooms/%d/availability?from=2026-09-02T00:00"
                              "&to=2026-12-31T00:00" % room)
    check(st == 400 and "at most 62 days" in body.get("detail", ""),
          "availability over more than 62 days is 400", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?free_from=2026-09-02T00:00"
                              "&free_to=2027-09-02T00:00")
    check(st == 400 and "at most 62 days" in body.get("detail", ""),
          "a free_from/free_to window over 62 days is 400", (st, body))
    st, _, body = srv.request("GET", "/api/v1/rooms?free_from=2026-09-02T10:00"
                              "&free_to=2026-09-02T12:00")
    check(st == 200 and [r["id"] for r in body] == [room], "a short free window still works",
          (st, body))


def run_writes(srv, ids, tok):
    def req(method, path, body):
        return srv.request(method, path, body, token=tok)

    one = {"room_id": ids["room"], "group_id": ids["group"], "title": "Rehearsal",
           "start": "2026-09-10T10:00", "end": "2026-09-10T12:00"}
    for t in FAR:
        st, _, body = req("POST", "/api/v1/bookings", dict(one, start=t))
        check(refused_time(st, body), "a booking starting %s is 400" % t, (st, body))
        st, _, body = req("POST", "/api/v1/bookings", dict(one, end=t))
        check(refused_time(st, body), "a booking ending %s is 400" % t, (st, body))
        st, _, body = req("POST", "/api/v1/closures", {"room_id": ids["room"], "start": t,
                                                       "end": "2026-09-20T00:00",
                                                       "reason": "Works"})
        check(refused_time(st, body), "a closure from %s is 400" % t, (st, body))
        st, _, body = req("POST", "/api/v1/series",
                          dict(one, start=t, rrule="FREQ=WEEKLY;COUNT=3"))
        check(refused_time(st, body), "a series starting %s is 400" % t, (st, body))
    st, _, body = req("POST", "/api/v1/bookings", dict(one, start=253402297200))
    check(refused_time(st, body), "a start in UTC seconds in year 9999 is 400", (st, body))
    st, _, made = req("POST", "/api/v1/bookings", one)
    check(st == 201, "an ordinary booking is made", (st, made))
    if st == 201:
        st, _, body = req("PATCH", "/api/v1/bookings/%d" % made["id"],
                          {"end": "9999-12-31T23:00"})
        check(refused_time(st, body), "moving its end to 9999 is 400", (st, body))
    check(healthy(srv), "/healthz answers after the far-future writes")


def run_series(srv, ids, tok):
    base = {"room_id": ids["room"], "group_id": ids["group"], "title": "Choir",
            "start": "2026-09-29T19:00", "end": "2026-09-29T21:00"}
    cases = [
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=TU;BYSETPOS=2;COUNT=3", 400, "never gives a date"),
        ("FREQ=MONTHLY;BYDAY=5TU;BYMONTHDAY=1;COUNT=3", 422, "gives no date in the 3660 days"),
        ("FREQ=WEEKLY;BYDAY=TU;BYSETPOS=2;COUNT=3", 400, "BYSETPOS needs FREQ=MONTHLY"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=99991231", 400, WORDS),
    ]
    # Six at once, as in the report: each is refused and the server stays up.
    for rule, status, words in cases + cases[:1] * 5:
        st, _, body = srv.request("POST", "/api/v1/series", dict(base, rrule=rule), token=tok)
        check(st == status and words in (body or {}).get("detail", ""),
              "series %s is %d saying why" % (rule, status), (st, body))
    check(healthy(srv), "/healthz answers after the pathological rules")
    st, _, made = srv.request("POST", "/api/v1/series",
                              dict(base, rrule="FREQ=MONTHLY;BYDAY=5TU;COUNT=2"), token=tok)
    check(st == 201 and len(made["occurrences"]) == 2,
          "a rare rule that does match is booked (fifth Tuesdays)", (st, made))
    if st == 201:
        st, _, body = srv.request("POST", "/api/v1/series/%d/cancel" % made["series"]["id"],
                                  {"from": "9999-01-01T00:00"}, token=tok)
        check(refused_time(st, body), "a series decision from 9999 is 400", (st, body))


def run_cli(build, data, ids):
    for args in (["closure", "add", "--room", str(ids["room"]), "--from", "9999-01-01",
                  "--to", "9999-01-02", "--reason", "Works"],
                 ["booking", "request", "--room", str(ids["room"]), "--group",
                  str(ids["group"]), "--start", "1900-01-01T10:00", "--end",
                  "1900-01-01T12:00", "--title", "Old"]):
        r = halls(build, data, *args)
        check(r.returncode != 0 and WORDS in r.stderr,
              "halls %s refuses a far time with the API's words" % " ".join(args[:2]),
              (r.returncode, r.stderr))
    r = subprocess_now(build, data, "99999999999")
    check(r.returncode != 0 and "1970 to 2199" in r.stderr, "HALLS_NOW in year 5138 is refused",
          (r.returncode, r.stderr))


def subprocess_now(build, data, now):
    import subprocess
    return subprocess.run([os.path.join(build, "halls"), "--data", data, "room", "list"],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, HALLS_NOW=now))


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env={"HALLS_NOW": str(NOW)})
    servers.append(srv)
    st, _, reply = srv.request("POST", "/api/v1/session",
                               {"email": "admin@example.org", "password": PASSWORD})
    tok = reply["token"]
    run_queries(srv, ids, tok)
    run_writes(srv, ids, tok)
    run_series(srv, ids, tok)
    run_cli(build, data, ids)


if __name__ == "__main__":
    sys.exit(run_suite("test_stalls", body))
