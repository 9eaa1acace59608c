#!/usr/bin/env python3
"""Group commit (server/commit.c) against the real hallsd: a batch of writes that were all
refused is aborted, not committed.

Serves the demo data (`halls init --demo`) with --metrics-listen and checks: that three
refused booking requests (two clashes, 409, and one outside the venue's opening hours,
422), one after another and then all at once, leave /healthz's change counter,
halls_commits_total and a room feed's ETag as they were, and the cached feed still served
from the cache; and that refused and accepted requests sent together keep every accepted
booking, durably (read back after hallsd is killed with SIGKILL and started again), and
none of the refused ones, with one commit counted per change of the counter. How the
requests fall into batches is up to the loop, so nothing here depends on it.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import datetime
import json
import os
import signal
import sys
import threading
import urllib.request

from harness import Server, check, free_port, halls, run_suite
from prometheus_client.parser import text_string_to_metric_families  # after harness: it finds Debian's packages

ROOM = 1  # a demo room that an admin may book outright


def slot(days, hour, minutes=60):
    """Local wall-clock start and end, days ahead at hour o'clock (the venue's zone)."""
    d = (datetime.date.today() + datetime.timedelta(days=days)).isoformat()
    start = datetime.datetime.fromisoformat("%sT%02d:00" % (d, hour))
    end = start + datetime.timedelta(minutes=minutes)
    return start.strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M")


def booking(days, hour, title):
    start, end = slot(days, hour)
    return {"room_id": ROOM, "group_id": 1, "title": title, "attendees": 5, "public": True,
            "approve": True, "start": start, "end": end}


class Watch:
    """What a commit would move: the change counter, the commits counted, a feed's ETag,
    and the feed cache's counters."""

    def __init__(self, srv, metrics_port):
        st, _, health = srv.request("GET", "/healthz")
        self.change = health["change"]
        st, hd, _ = srv.exchange("GET", "/feeds/rooms/%d.ics" % ROOM)
        self.etag = hd.get("ETag")
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % metrics_port,
                                    timeout=10) as r:
            text = r.read().decode("utf-8")
        values = {}
        for f in text_string_to_metric_families(text):
            for s in f.samples:
                if not s.labels:
                    values[s.name] = s.value
        self.commits = values.get("halls_commits_total")
        self.misses = values.get("halls_feed_cache_misses_total")


def post_all(srv, token, bodies):
    """POSTs every body at once, each on its own connection: the statuses and bodies."""
    results = [None] * len(bodies)
    gate = threading.Barrier(len(bodies))

    def one(i):
        gate.wait()
        st, _, b = srv.request("POST", "/api/v1/bookings", bodies[i], token=token)
        results[i] = (st, b)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def refused_leave_all_as_it_was(srv, token, metrics_port, taken):
    clash = booking(taken[0], taken[1], "A clash")
    closed = booking(taken[0] + 1, 3, "Before the doors open")
    before = Watch(srv, metrics_port)
    check(before.etag is not None, "the feed has an ETag")
    statuses = [srv.request("POST", "/api/v1/bookings", b, token=token)[0]
                for b in (clash, clash, closed)]
    check(statuses == [409, 409, 422], "three refused requests, one after another",
          str(statuses))
    after = Watch(srv, metrics_port)
    check(after.change == before.change, "refusals leave the change counter as it was",
          "%s -> %s" % (before.change, after.change))
    check(after.commits == before.commits, "refusals commit nothing (halls_commits_total)",
          "%s -> %s" % (before.commits, after.commits))
    check(after.etag == before.etag, "refusals leave the feed's ETag as it was")
    check(after.misses == before.misses, "refusals leave the cached feed in the cache",
          "misses %s -> %s" % (before.misses, after.misses))
    st, _, _ = srv.exchange("GET", "/feeds/rooms/%d.ics" % ROOM,
                            headers={"If-None-Match": before.etag})
    check(st == 304, "the app's copy is still current after the refusals", str(st))

    together = post_all(srv, token, [clash, closed, clash])
    check(sorted(st for st, _ in together) == [409, 409, 422],
          "three refused requests at once", str([st for st, _ in together]))
    last = Watch(srv, metrics_port)
    check(last.change == before.change and last.commits == before.commits,
          "refusals at once commit nothing either",
          "change %s -> %s, commits %s -> %s" % (before.change, last.change, before.commits,
                                                 last.commits))
    check(last.etag == before.etag and last.misses == before.misses,
          "refusals at once leave the feed and its cache as they were")


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init", "--demo")
    if r.returncode != 0:
        raise RuntimeError("halls init --demo: %s" % r.stderr)
    metrics_port = free_port()
    args = ["--metrics-listen", "127.0.0.1:%d" % metrics_port]
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), args=args)
    st, _, s = srv.request("POST", "/api/v1/session",
                           {"email": "admin@halls.example", "password": "demo-password"})
    if st != 201:
        srv.stop()
        raise RuntimeError("sign-in: %s %s" % (st, s))
    token = s["token"]
    first = booking(60, 10, "Taken")
    st, _, made = srv.request("POST", "/api/v1/bookings", first, token=token)
    check(st == 201, "a booking is made", "%s %s" % (st, made))

    try:
        refused_leave_all_as_it_was(srv, token, metrics_port, (60, 10))

        # Refused and accepted together: the accepted ones are kept, the refused not.
        before = Watch(srv, metrics_port)
        mixed = [booking(60, 10, "Clash again"), booking(61, 10, "Accepted one"),
                 booking(61, 3, "Too early"), booking(62, 10, "Accepted two")]
        got = post_all(srv, token, mixed)
        check([st for st, _ in got] == [409, 201, 422, 201],
              "refused and accepted requests at once", str([st for st, _ in got]))
        after = Watch(srv, metrics_port)
        moved = after.change - before.change
        check(1 <= moved <= 2, "the accepted writes moved the change counter",
              "%s -> %s" % (before.change, after.change))
        check(after.commits - before.commits == moved,
              "one commit counted per change of the counter",
              "commits %s -> %s" % (before.commits, after.commits))
        check(after.etag != before.etag, "the feed changed with the accepted bookings")
        kept = [b["id"] for st, b in got if st == 201]
    finally:
        # Killed, not stopped: nothing may depend on a clean shutdown.
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.stop()

    again = Server(build, data, os.path.join(tmp, "hallsd2.log"))
    servers.append(again)
    titles = []
    for i in kept:
        st, _, b = again.request("GET", "/api/v1/bookings/%d" % i, token=token)
        check(st == 200, "accepted booking %d is there after a SIGKILL" % i, str(st))
        titles.append(b.get("title") if st == 200 else None)
    check(sorted(titles) == ["Accepted one", "Accepted two"],
          "the accepted bookings are the ones kept", json.dumps(titles))
    window = "from=%s&to=%s" % (slot(59, 0)[0][:10], slot(63, 0)[0][:10])
    st, _, listed = again.request("GET", "/api/v1/bookings?room=%d&%s" % (ROOM, window),
                                  token=token)
    names = sorted(b.get("title") for b in listed) if isinstance(listed, list) else listed
    check(names == ["Accepted one", "Accepted two", "Taken"],
          "the room's bookings are the accepted ones, and no refused one",
          json.dumps(names))


if __name__ == "__main__":
    sys.exit(run_suite("test_commit", body))
