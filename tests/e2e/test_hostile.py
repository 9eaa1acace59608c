#!/usr/bin/env python3
"""Hostile text in requests and in stored records never stops hallsd.

A problem body's detail is built from what a request or a record holds: a path with a
raw 0xff byte, a query value with %ff, a value whose UTF-8 a fixed-width message would
cut in the middle of a character, a closure reason long enough to fill the message
buffer. Each used to make json_pack fail and the reply path crash the process. Here
each is sent to the real hallsd over a raw socket or HTTP, and every reply must be a
problem+json body that parses as strict UTF-8 JSON, and the server must still answer
/healthz afterwards.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_hostile: N passed, M
failed". Environment: BUILD (default ./build).
"""
import json
import os
import socket
import sys

from harness import Server, check, halls, halls_json, run_suite

LONG_E = "\u00e9" * 240  # 480 bytes of two-byte characters


def raw_request(port, head, body=b""):
    """Sends bytes as they are; returns (status, headers dict, body bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(head + body)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data:
            top, _, rest = data.partition(b"\r\n\r\n")
            length = [int(line.split(b":", 1)[1]) for line in top.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")]
            if length and len(rest) >= length[0]:
                break
    s.close()
    top, _, rest = data.partition(b"\r\n\r\n")
    lines = top.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return status, headers, rest


def strict_problem(body):
    """The parsed problem body when it is strict UTF-8 JSON with a string detail."""
    try:
        p = json.loads(body.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(p, dict) or not isinstance(p.get("detail"), str):
        return None
    return p


def alive(srv):
    st, _, body = srv.request("GET", "/healthz")
    return st == 200 and isinstance(body, dict) and body.get("status") == "ok"


def check_raw(srv, what, head, want, body=b""):
    st, hdrs, got = raw_request(srv.port, head, body)
    p = strict_problem(got)
    check(st == want and p is not None and p.get("status") == want
          and hdrs.get("content-type") == "application/problem+json",
          "%s: %d with a problem body in strict UTF-8" % (what, want),
          "%s %r %r" % (st, hdrs, got[:300]))
    check(alive(srv), "%s: hallsd still answers /healthz" % what, srv.proc.poll())
    return p


def get(path, extra=b""):
    return b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra + b"\r\n"


def run(srv, ids, tokens):
    cut = ("a" * 39 + "\u00e9").encode()  # a 40-byte cut lands inside the é
    check_raw(srv, "a raw 0xff byte in the path", get(b"/api/v1/\xff"), 404)
    check_raw(srv, "a raw 0xff byte in a routed path", get(b"/api/v1/rooms/1\xff"), 404)
    check_raw(srv, "%ff in the path", get(b"/api/v1/%ff"), 404)
    check_raw(srv, "%ff in a query value", get(b"/api/v1/bookings?room=%ff"), 400)
    check_raw(srv, "a raw 0xff in a query value", get(b"/api/v1/bookings?room=\xff\xfe"), 400)
    check_raw(srv, "a query name in bad UTF-8", get(b"/api/v1/venues?%ff=1"), 400)
    check_raw(srv, "an unknown query name in bad UTF-8",
              get(b"/api/v1/bookings?\xc3=1"), 400)
    p = check_raw(srv, "a value cut inside a character at 40 bytes",
                  get(b"/api/v1/bookings?group=" + cut), 400)
    check(p is not None and "\u00e9" not in p["detail"] and "aaaa" in p["detail"],
          "the cut value is shown up to the last whole character", p)
    p = check_raw(srv, "a control character in a query value",
                  get(b"/api/v1/bookings?room=%1b%5b31m"), 400)
    check(p is not None and "\x1b" not in p["detail"],
          "control characters in a quoted value are escaped", p)
    check_raw(srv, "an unknown feature in UTF-8",
              get(b"/api/v1/rooms?feature=" + ("\u00e9" * 30).encode()), 400)
    check_raw(srv, "a long UTF-8 value",
              get(b"/api/v1/rooms/1/availability?from=" + ("\u00e9" * 300).encode()), 400)
    check_raw(srv, "a bearer token in bad UTF-8",
              get(b"/api/v1/users/me", b"Authorization: Bearer \xff\xfe\r\n"), 401)
    body = b'{"title": "\xff"}'
    check_raw(srv, "a JSON body with a raw 0xff",
              b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              b"Content-Type: application/json\r\nAuthorization: Bearer " +
              tokens["member"].encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body),
              400, body)

    # Stored text: a closure whose long UTF-8 reason fills the message of every booking
    # it refuses.
    st, _, c = srv.request("POST", "/api/v1/closures", body={
        "room_id": ids["room"], "start": "2027-03-02T00:00", "end": "2027-03-03T00:00",
        "reason": LONG_E + "x" * 19}, token=tokens["manager"])
    check(st == 201, "a closure with a 499-byte UTF-8 reason is added", (st, c))
    for attempt in range(3):
        st, _, p = srv.request("POST", "/api/v1/bookings", body={
            "room_id": ids["room"], "group_id": ids["group"], "title": LONG_E[:90],
            "start": "2027-03-02T10:00", "end": "2027-03-02T12:00"},
            token=tokens["member"])
        check(st == 422 and isinstance(p, dict) and p.get("type") == "/problems/closed"
              and LONG_E[:50] in p.get("detail", ""),
              "a booking hitting it is refused with the reason, try %d" % (attempt + 1),
              (st, p))
    check(alive(srv), "hallsd still answers after bookings hit the closure", srv.proc.poll())
    st, _, p = srv.request("POST", "/api/v1/series", body={
        "room_id": ids["room"], "group_id": ids["group"], "title": "Weekly",
        "start": "2027-02-23T10:00", "end": "2027-02-23T12:00",
        "rrule": "FREQ=WEEKLY;COUNT=3"}, token=tokens["member"])
    check(st == 422 and isinstance(p, dict) and isinstance(p.get("dates"), list)
          and any(LONG_E[:50] in d.get("detail", "") for d in p["dates"]),
          "a series whose date hits it lists the refusal with the reason", (st, p))
    check(alive(srv), "hallsd still answers after the series", srv.proc.poll())
    r = halls(srv.build, srv.data, "booking", "request", "--room", str(ids["room"]),
              "--group", str(ids["group"]), "--title", "CLI", "--start", "2027-03-02T10:00",
              "--end", "2027-03-02T12:00")
    check(r.returncode == 1 and LONG_E[:50] in r.stderr,
          "halls booking request shows the reason and exits 1", (r.returncode, r.stderr))
    r = halls(srv.build, srv.data, "--json", "booking", "request", "--room", str(ids["room"]),
              "--group", str(ids["group"]), "--title", "CLI", "--start", "2027-03-02T10:00",
              "--end", "2027-03-02T12:00")
    try:
        err = json.loads(r.stderr)
    except ValueError:
        err = None
    check(r.returncode == 1 and isinstance(err, dict),
          "halls --json booking request prints the refusal as JSON", (r.returncode, r.stderr))


def setup(build, data):
    def hj(*args):
        return halls_json(build, data, *args)

    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    ids = {}
    ids["venue"] = hj("venue", "add", "--name", "Hartley Road Centre", "--tz",
                      "Europe/London")["id"]
    ids["room"] = hj("room", "add", "--venue", str(ids["venue"]), "--name",
                     "H\u00e9l\u00e8ne's Hall " + "\u00e9" * 40, "--capacity", "50",
                     "--approval", "auto", "--notice", "0", "--horizon", "365")["id"]
    ids["group"] = hj("group", "add", "--name", "Knitters")["id"]
    tokens = {}
    for name, role, extra in (("manager", "manager", ["--venue", str(ids["venue"])]),
                              ("member", "member", ["--group", str(ids["group"])])):
        uid = hj("user", "add", "--name", name, "--email", name + "@example.org", "--role",
                 role, *extra)["id"]
        tokens[name] = hj("token", "issue", "--user", str(uid))["token"]
    return ids, tokens


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    env = {"HALLS_NOW": "1801472400"}  # 2027-02-01T09:00:00Z
    os.environ.update(env)
    ids, tokens = setup(build, data)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env=env)
    servers.append(srv)
    srv.build, srv.data = build, data
    run(srv, ids, tokens)


if __name__ == "__main__":
    sys.exit(run_suite("test_hostile", body))
