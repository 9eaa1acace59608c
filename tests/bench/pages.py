#!/usr/bin/env python3
"""What one page of a listing costs the event loop, as the store grows.

Makes a demo data directory, adds public approved bookings through the API (BOOKINGS,
default 20000, in 20 rooms of a venue of their own), then asks hallsd for pages of
GET /api/v1/bookings of several sizes and for /healthz, the anchor, RUNS times each
(default 7), alternating them. Prints the median time of each in the server (the access
log's time, so the client's own cost is left out) and its ratio to
/healthz. Prints figures and asserts nothing: see docs/operations.md#benchmarks.

Usage: python3 tests/bench/pages.py [BUILD]
"""
import concurrent.futures
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from harness import Server, halls  # noqa: E402

NOW = "1796083200"  # 2026-12-01T00:00:00Z, so the demo's dates are stable


def request(port, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=json.dumps(body).encode() if body else None,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def fill(port, n):
    _, s = request(port, "POST", "/api/v1/session",
                   {"email": "admin@halls.example", "password": "demo-password"})
    tok = s["token"]
    _, v = request(port, "POST", "/api/v1/venues", {
        "name": "Bench Centre", "timezone": "Europe/London",
        "hours": "mon-sun 00:00-24:00"}, tok)
    rooms = [request(port, "POST", "/api/v1/rooms", {
        "venue_id": v["id"], "name": "Room %d" % i, "capacity": 50, "approval": "auto",
        "horizon_days": 3650, "notice_minutes": 0}, tok)[1]["id"] for i in range(20)]
    base = datetime.datetime(2027, 1, 1)

    def one(k):
        slot = k // len(rooms)
        start = base + datetime.timedelta(days=slot // 10, hours=(slot % 10) * 2)
        return request(port, "POST", "/api/v1/bookings", {
            "room_id": rooms[k % len(rooms)], "group_id": 1, "title": "Bench %d" % k,
            "public": True, "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
            tok)[0]

    with concurrent.futures.ThreadPoolExecutor(32) as ex:
        statuses = list(ex.map(one, range(n)))
    return statuses.count(201)


def server_us(log_path, count):
    """The time in the server, in microseconds, of the last count requests (hallsd runs
    with --log-format json: the "ms" member of each access-log line)."""
    with open(log_path, errors="replace") as f:
        lines = [json.loads(l) for l in f if l.startswith("{")]
    return [round(l["ms"] * 1000) for l in lines[-count:]]


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    n = int(os.environ.get("BOOKINGS", "20000"))
    runs = int(os.environ.get("RUNS", "7"))
    os.environ.setdefault("HALLS_SCRYPT_LOG2N", "10")
    env = {"HALLS_NOW": NOW}
    os.environ.update(env)
    tmp = tempfile.mkdtemp(prefix="halls-bench-pages.")
    data, log = os.path.join(tmp, "data"), os.path.join(tmp, "hallsd.log")
    srv = None
    try:
        r = halls(build, data, "init", "--demo")
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        srv = Server(build, data, log, ["--log-format", "json"], env=env)
        added = fill(srv.port, n)
        paths = ["/healthz"] + ["/api/v1/bookings?limit=%d" % l for l in (1, 10, 50, 100)]
        times = {p: [] for p in paths}
        for _ in range(runs):
            for p in paths:  # alternating, so that a busy moment falls on all alike
                request(srv.port, "GET", p)
                times[p].extend(server_us(log, 1))
        anchor = statistics.median(times["/healthz"])
        print("store: the demo and %d more bookings; medians of %d, in the server" %
              (added, runs))
        print("%-34s %10s %10s" % ("request", "median us", "/healthz"))
        for p in paths:
            med = statistics.median(times[p])
            print("%-34s %10.0f %10.1f" % (p, med, med / anchor if anchor else 0))
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
