#!/usr/bin/env python3
"""What a cold feed build costs as a store's history grows.

Makes two data directories with `halls import`: the demo's venues, rooms, groups and
users, and per room three bookings a day (some pending, declined or cancelled, long ago
and lately) and back-to-back weekly series of 20 dates (each with a cancelled, a moved
and a renamed date), from SHORT (default 1) or LONG (default 6) years before mid-2027.
For each, RUNS times (default 7): a write through `halls` (which makes every cached feed
stale), then the time to the first byte of a room's feed, a venue's and the all-halls
feed, against /healthz, the anchor. Prints medians in ms, each build's ratio to
/healthz, and the long store's time over the short one's: a feed reads only its window,
so that ratio should stay near 1 however long the history. Prints figures and asserts
nothing: see docs/operations.md#benchmarks.

Usage: python3 tests/bench/feeds.py [BUILD [SHORT LONG [RUNS]]]
"""
import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from harness import Server, halls  # noqa: E402

NOW = 1796299200  # 2026-12-03T12:00:00Z
LAST = datetime.date(2027, 6, 28)
LONDON = ZoneInfo("Europe/London")
PATHS = ["/feeds/rooms/1.ics", "/feeds/venues/1.ics", "/feeds/all.ics"]


def at(day, hour):
    return int(datetime.datetime(day.year, day.month, day.day, hour,
                                 tzinfo=LONDON).timestamp())


def line(kind, record):
    return json.dumps({"kind": kind, "record": record}, separators=(",", ":"),
                      sort_keys=True)


class History:
    """The export's lines of bookings and series, ids counted from 1."""

    def __init__(self):
        self.bookings, self.series = [], []

    def booking(self, **kw):
        start = kw["start_ts"]
        b = dict(attendees=10, created_at=start - 20 * 86400, created_by=0,
                 decided_at=None, decided_by=None, description="", group_id=1, note=None,
                 public=True, sequence=0, series_id=None, status="approved",
                 title="Booking", updated_at=start - 20 * 86400, was_approved=True)
        b.update(kw, id=len(self.bookings) + 1)
        b["group_id"] = 1 + b["id"] % 10
        if b["status"] == "approved":
            b["decided_at"], b["decided_by"] = b["updated_at"], 0
        self.bookings.append(line("booking", b))

    def one_offs(self, room, first):
        day = first
        while day <= LAST:
            for hour in (9, 12, 15):
                n = len(self.bookings) + 1
                kw = dict(room_id=room, start_ts=at(day, hour), end_ts=at(day, hour + 2),
                          public=n % 3 != 0, title="Booking %d" % n)
                if n % 11 == 0:
                    kw.update(status="pending", was_approved=False)
                elif n % 13 == 0:  # cancelled, long ago or in the last weeks
                    kw.update(status="cancelled",
                              updated_at=min(kw["start_ts"] - 86400, NOW - n % 50 * 86400))
                elif n % 17 == 0:
                    kw.update(status="declined", was_approved=False)
                self.booking(**kw)
            day += datetime.timedelta(days=1)

    def weekly(self, room, first):
        day = first + datetime.timedelta(days=(1 - first.weekday()) % 7)  # a Tuesday
        while day <= LAST:
            sid = len(self.series) + 1
            created = at(day, 19) - 30 * 86400
            changed = created
            for i in range(20):
                start = at(day + datetime.timedelta(weeks=i), 19)
                kw = dict(room_id=room, series_id=sid, recurrence_id=start, start_ts=start,
                          end_ts=start + 7200, title="Series %d" % sid, created_at=created,
                          updated_at=created, public=sid % 2 == 0)
                if i == 2:
                    kw.update(status="cancelled",
                              updated_at=min(start - 86400, NOW - sid % 40 * 86400))
                elif i == 4:
                    kw.update(start_ts=start + 3600, end_ts=start + 10800,
                              updated_at=created + 86400)
                elif i == 6:
                    kw.update(title="Series %d (special)" % sid, updated_at=created + 86400)
                changed = max(changed, kw["updated_at"])
                self.booking(**kw)
            self.series.append(line("series", dict(
                attendees=10, created_at=created, created_by=0, description="",
                duration_seconds=7200, first_start_ts=at(day, 19), group_id=1 + sid % 10,
                id=sid, public=sid % 2 == 0, room_id=room,
                rrule="FREQ=WEEKLY;COUNT=20;BYDAY=TU", sequence=3, title="Series %d" % sid,
                updated_at=changed, zone="Europe/London")))
            day += datetime.timedelta(weeks=20)


def make_store(build, tmp, name, years):
    """A data directory with the demo's places and `years` of history; its booking count."""
    demo = os.path.join(tmp, "demo")
    if not os.path.exists(demo):
        halls(build, demo, "init", "--demo")
    export = halls(build, demo, "export").stdout
    keep = [l for l in export.splitlines()
            if json.loads(l)["kind"] not in ("booking", "series", "audit")]
    rooms = [json.loads(l)["record"]["id"] for l in keep if '"kind":"room"' in l]
    h = History()
    first = LAST - datetime.timedelta(days=int(365.25 * years))
    for room in rooms:
        h.one_offs(room, first)
        h.weekly(room, first)
    path = os.path.join(tmp, name + ".jsonl")
    with open(path, "w") as f:
        f.write("\n".join(keep + h.series + h.bookings) + "\n")
    data = os.path.join(tmp, name)
    r = halls(build, data, "import", path)
    if r.returncode != 0:
        sys.exit("import failed: " + r.stderr)
    return data, len(h.bookings)


def ttfb(port, path):
    c = socket.create_connection(("127.0.0.1", port))
    t0 = time.perf_counter()
    c.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
    c.recv(1)
    took = time.perf_counter() - t0
    while c.recv(65536):
        pass
    c.close()
    return took * 1000


def measure(build, tmp, data, runs):
    """{path: median ms}, each feed's build made cold by a write before it."""
    env = {"HALLS_NOW": str(NOW)}
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env=env)
    times = {p: [] for p in ["/healthz"] + PATHS}
    try:
        for i in range(runs):
            times["/healthz"].append(ttfb(srv.port, "/healthz"))
            for p in PATHS:
                halls(build, data, "group", "set", "10", "--description", "run %d %s" % (i, p),
                      env=env)
                times[p].append(ttfb(srv.port, p))
    finally:
        srv.stop()
    return {p: statistics.median(t) for p, t in times.items()}


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    short, long_ = (float(a) for a in (sys.argv[2:4] if len(sys.argv) > 3 else (1, 6)))
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    tmp = tempfile.mkdtemp(prefix="halls-bench-feeds.")
    try:
        stores = [make_store(build, tmp, "y%g" % y, y) for y in (short, long_)]
        res = [measure(build, tmp, data, runs) for data, _ in stores]
        print("cold feed builds after a write, medians of %d, time to first byte (ms)" % runs)
        print("%-22s %18s %18s %12s" % ("", "%d bookings" % stores[0][1],
                                        "%d bookings" % stores[1][1], "long/short"))
        for p in ["/healthz"] + PATHS:
            a, b = res[0][p], res[1][p]
            print("%-22s %8.1f (%6.0fx) %8.1f (%6.0fx) %12.2f" % (
                p, a, a / res[0]["/healthz"], b, b / res[1]["/healthz"], b / a))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
