#!/usr/bin/env python3
"""Feeds are built off the event loop, on hallsd's feed builder (server/h_feed.c).

Makes a store with `halls import`: the demo, and a venue whose four rooms hold 2,500
upcoming bookings each (so that /feeds/all.ics and the venue's feed hold 10,000 events and
take a while to build), and checks against the real hallsd:

- while a big feed is being built, GET /healthz on another connection is answered, and the
  feed's reply has not come yet (ordering of replies, never a clock);
- concurrent requests for one cold feed get the same bytes and ETag, from one build
  (halls_feed_builds_total);
- read-your-writes: a booking made while its room's feed is being built shows in the
  feed fetched after the booking was answered;
- a rebuild that makes the same bytes answers If-None-Match with 304;
- past --max-feed-builds builds at once, a feed is answered 503 busy with a problem body,
  Retry-After and halls_http_refusals_total{limit="feed_builds"};
- a client gone before its build is done does no harm;
- SIGTERM with builds queued answers them all before hallsd exits 0.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_feed_builds: N passed, M
failed"; exits 1 when anything failed (harness.run_suite). Environment: BUILD (default
./build); HALLS_SCRYPT_LOG2N (default 10 here, for fast hashing).
"""
import json
import os
import select
import sys
import threading
import time
import urllib.request

from harness import Conn, Server, check, free_port, halls, problem, run_suite

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import store_gen  # noqa: E402  (the benchmark stores' records)

NOW = 1796083200  # 2026-12-01T00:00:00Z, as the benchmark's stores
ENV = {"HALLS_NOW": str(NOW)}
BIG = 2500  # upcoming bookings in each big room
ROOMS = (16, 17, 18, 19)
VENUE = store_gen.FIRST_VENUE
ATTEMPTS = 5  # a check of ordering is tried again with another cold feed, up to this often


def make_store(build, tmp):
    demo = os.path.join(tmp, "demo")
    data = os.path.join(tmp, "data")
    r = halls(build, demo, "init", "--demo", env=ENV)
    if r.returncode != 0:
        raise RuntimeError("halls init: %s" % r.stderr)
    r = halls(build, demo, "export", env=ENV)
    if r.returncode != 0:
        raise RuntimeError("halls export: %s" % r.stderr)
    lines = r.stdout.splitlines(keepends=True)
    kinds = [json.loads(l)["kind"] for l in lines]
    next_id = 1 + max(json.loads(l)["record"]["id"] for l, k in zip(lines, kinds)
                      if k == "booking")
    out = []
    for i, (l, kind) in enumerate(zip(lines, kinds)):
        out.append(l)
        after = kinds[i + 1] if i + 1 < len(kinds) else None
        if kind == "venue" and after != "venue":
            out.append(store_gen.venue())
        elif kind == "room" and after != "room":
            out.extend(store_gen.room(rid, "Big Hall %d" % rid) for rid in ROOMS)
        elif kind == "booking" and after != "booking":
            for rid in ROOMS:
                for _, start in store_gen.future(rid, BIG, 10, NOW):
                    out.append(store_gen.booking(next_id, rid, start, NOW,
                                                 "Event %d" % next_id))
                    next_id += 1
    path = os.path.join(tmp, "store.jsonl")
    with open(path, "w") as f:
        f.writelines(out)
    r = halls(build, data, "import", path, env=ENV)
    if r.returncode != 0:
        raise RuntimeError("halls import: %s" % r.stderr)
    return data


class Metrics:
    def __init__(self, port):
        self.port = port

    def value(self, name, labels=""):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port,
                                    timeout=30) as r:
            text = r.read().decode()
        for line in text.splitlines():
            if line.startswith(name + labels + " "):
                return float(line.split()[-1])
        return None


def send(srv, path, headers=""):
    c = Conn(srv)
    c.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n" % (path, headers)).encode())
    return c


def pending(c):
    """True when nothing of c's reply has arrived yet."""
    if c.buf:
        return False
    r, _, _ = select.select([c.sock], [], [], 0)
    return not r


def token(srv):
    st, _, b = srv.request("POST", "/api/v1/session",
                           {"email": "admin@halls.example", "password": "demo-password"})
    if st != 201:
        raise RuntimeError("sign-in: %s %s" % (st, b))
    return b["token"]


class Writer:
    """Bookings made through the API, each on a day of its own: every one is a write, so
    that every feed must be built again."""

    def __init__(self, srv):
        self.srv = srv
        self.tok = token(srv)
        self.day = 400

    def book(self, room, title):
        self.day += 1
        date = store_gen.DAY * self.day + NOW
        day = time.strftime("%Y-%m-%d", time.gmtime(date))
        st, _, b = self.srv.request("POST", "/api/v1/bookings", {
            "room_id": room, "group_id": 1, "title": title, "public": True,
            "start": day + "T20:00", "end": day + "T21:00"}, token=self.tok)
        if st != 201:
            raise RuntimeError("booking: %s %s" % (st, b))
        return b


def cold_feeds():
    """Feeds that take a while to build, the biggest first."""
    return (["/feeds/all.ics", "/feeds/venues/%d.ics" % VENUE] +
            ["/feeds/rooms/%d.ics" % r for r in ROOMS] +
            ["/feeds/rooms/%d/busy.ics" % r for r in ROOMS])


def check_loop_free(srv, writer):
    """/healthz is answered while a big feed is being built."""
    seen = 0
    for attempt in range(ATTEMPTS):
        writer.book(ROOMS[0], "Make every feed cold %d" % attempt)
        health = Conn(srv)
        feed = send(srv, "/feeds/all.ics")
        health.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        h = health.reply(limit=30)
        first = h is not None and h[0] == 200 and pending(feed)
        f = feed.reply(limit=60)
        health.close()
        feed.close()
        check(f is not None and f[0] == 200 and b"BEGIN:VCALENDAR" in f[2],
              "the big feed is answered 200 after its build (attempt %d)" % (attempt + 1))
        if first:
            seen += 1
            break
    check(seen == 1, "GET /healthz is answered while /feeds/all.ics is being built",
          "in none of %d attempts did /healthz come first" % ATTEMPTS)


def check_coalesced(srv, metrics, path, n=8):
    """n requests at once for one cold feed: one build, the same bytes for all."""
    before = metrics.value("halls_feed_builds_total")
    gate = threading.Barrier(n)
    replies = [None] * n

    def one(i):
        c = Conn(srv)
        gate.wait()
        c.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode())
        replies[i] = c.reply(limit=60)
        c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = metrics.value("halls_feed_builds_total")
    ok = all(r is not None and r[0] == 200 for r in replies)
    check(ok, "%d requests at once for %s are all answered 200" % (n, path),
          [r and r[0] for r in replies])
    if not ok:
        return
    check(len({r[2] for r in replies}) == 1 and len({r[1].get("etag") for r in replies}) == 1,
          "they get the same bytes and the same ETag")
    check(after - before == 1, "and the feed was built once (halls_feed_builds_total)",
          (before, after))


def check_read_your_writes(srv, writer):
    """A booking answered while its room's feed is being built shows in a feed fetched
    after it: that request does not wait for the build that began before the write."""
    room = ROOMS[1]
    path = "/feeds/rooms/%d.ics" % room
    for attempt in range(3):
        writer.book(ROOMS[0], "Make the feed cold %d" % attempt)
        early = send(srv, path)
        title = "Seen at once %d" % attempt
        made = writer.book(room, title)
        st, _, text = srv.exchange("GET", path)
        e = early.reply(limit=60)
        early.close()
        check(e is not None and e[0] == 200, "the feed asked for before the booking is 200")
        check(st == 200 and title.encode() in text,
              "a booking made while its room's feed was being built is in the feed fetched "
              "after it (booking %s, attempt %d)" % (made.get("id"), attempt + 1))


def check_not_modified(srv, writer):
    """A write elsewhere makes the feed be built again, to the same bytes: 304."""
    path = "/feeds/rooms/%d/busy.ics" % ROOMS[3]
    st, hd, _ = srv.exchange("GET", path)
    tag = hd.get("ETag")
    writer.book(ROOMS[0], "Elsewhere")
    st2, hd2, b2 = srv.exchange("GET", path, headers={"If-None-Match": tag})
    check(st == 200 and st2 == 304 and hd2.get("ETag") == tag and not b2,
          "after a write elsewhere the rebuilt, unchanged feed answers If-None-Match 304",
          (st, st2, tag, hd2.get("ETag")))


def check_gone_client(srv, writer):
    writer.book(ROOMS[0], "Cold for a client that leaves")
    c = send(srv, "/feeds/all.ics")
    c.close()
    st, _, _ = srv.exchange("GET", "/feeds/venues/%d.ics" % VENUE)
    st2, _, _ = srv.exchange("GET", "/healthz")
    check(st == 200 and st2 == 200,
          "a client that left before its feed was built does no harm", (st, st2))


def check_cap(build, data, servers, tmp, writer):
    """--max-feed-builds 1: a second feed while one is being built is 503 busy."""
    mport = free_port()
    srv = Server(build, data, os.path.join(tmp, "cap.log"),
                 ["--max-feed-builds", "1", "--metrics-listen", "127.0.0.1:%d" % mport],
                 env=ENV)
    servers.append(srv)
    metrics = Metrics(mport)
    refused = None
    for attempt in range(ATTEMPTS):
        writer.book(ROOMS[0], "Cold for the cap %d" % attempt)
        first, second = Conn(srv), Conn(srv)
        first.sendall(b"GET /feeds/all.ics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        # The first build has begun once the gauge shows it (or it is done already).
        for _ in range(200):
            if (metrics.value("halls_feed_builds_queued") or 0) >= 1 or not pending(first):
                break
        second.sendall(("GET /feeds/venues/%d.ics HTTP/1.1\r\nHost: localhost\r\n\r\n" %
                        VENUE).encode())
        r = second.reply(limit=60)
        still = pending(first)
        f = first.reply(limit=60)
        first.close()
        second.close()
        check(f is not None and f[0] == 200, "the build in flight is answered 200")
        if still and r is not None:
            refused = r
            break
    check(refused is not None, "a second feed was asked for while the first was being built",
          "not in %d attempts" % ATTEMPTS)
    if refused is None:
        return
    check(problem(refused, 503, "busy") and refused[1].get("retry-after") == "1",
          "past --max-feed-builds a feed is 503 busy with a problem body and Retry-After: 1",
          refused[:2])
    detail = json.loads(refused[2]).get("detail", "")
    check("feeds are being built" in detail, "the problem says why", detail)
    n = metrics.value("halls_http_refusals_total", '{limit="feed_builds"}')
    check(n is not None and n >= 1, 'halls_http_refusals_total{limit="feed_builds"} counts it', n)
    st, _, _ = srv.exchange("GET", "/feeds/venues/%d.ics" % VENUE)
    check(st == 200, "once the builder is free the same feed is built (200)", st)
    srv.stop()


def check_stop(build, data, servers, tmp, writer):
    """SIGTERM with builds queued: each is answered, then hallsd exits 0."""
    mport = free_port()
    srv = Server(build, data, os.path.join(tmp, "stop.log"),
                 ["--metrics-listen", "127.0.0.1:%d" % mport], env=ENV)
    servers.append(srv)
    metrics = Metrics(mport)
    writer.book(ROOMS[0], "Cold for the stop")
    paths = cold_feeds()[:4]
    conns = [send(srv, p) for p in paths]
    for _ in range(400):
        if (metrics.value("halls_feed_builds_total") or 0) >= len(paths):
            break
    srv.proc.send_signal(15)
    replies = [c.reply(limit=60) for c in conns]
    for c in conns:
        c.close()
    check(all(r is not None and r[0] == 200 and r[2].startswith(b"BEGIN:VCALENDAR")
              for r in replies),
          "SIGTERM with %d feed builds queued: every one is answered 200" % len(paths),
          [r and r[0] for r in replies])
    srv.proc.wait(timeout=60)
    check(srv.proc.returncode == 0, "and hallsd then exits 0", srv.proc.returncode)


def body(build, tmp, servers):
    data = make_store(build, tmp)
    mport = free_port()
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"),
                 ["--metrics-listen", "127.0.0.1:%d" % mport], env=ENV)
    servers.append(srv)
    metrics = Metrics(mport)
    writer = Writer(srv)
    check_loop_free(srv, writer)
    writer.book(ROOMS[0], "Cold for the crowd")
    check_coalesced(srv, metrics, "/feeds/venues/%d.ics" % VENUE)
    check_read_your_writes(srv, writer)
    check_not_modified(srv, writer)
    check_gone_client(srv, writer)
    check_cap(build, data, servers, tmp, writer)
    check_stop(build, data, servers, tmp, writer)


if __name__ == "__main__":
    sys.exit(run_suite("test_feed_builds", body))
