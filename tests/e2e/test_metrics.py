#!/usr/bin/env python3
"""GET /metrics on hallsd's --metrics-listen listener, read with the Prometheus text
parser (prometheus_client, Debian's python3-prometheus-client).

Starts hallsd with --metrics-listen on a free port and checks: the page's Content-Type;
every family docs/operations.md#monitoring lists, with its type; that the counters move
with traffic (requests by route, method and status, a 404 counted as route "other" and
paths a stranger makes up adding no label, latency histograms, a refused sign-in and a
throttled one, a group commit, a feed built, then served from the cache, then built again
after a write, a 304, refusals by the header, body, timeout, connection and reset limits,
the delivery thread's failed try at a relay that is down); that the public listener
answers 404 to /metrics; that the metrics listener speaks plain HTTP when the public one
speaks HTTPS; and that without --metrics-listen hallsd listens on one socket only.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request

from harness import Conn, Server, check, drip, closed, free_port, halls, halls_json, make_cert, run_suite
from prometheus_client.parser import text_string_to_metric_families  # after harness: it finds Debian's packages

TIMEOUT = 2  # hallsd --timeout here, seconds
MAX_CONNECTIONS = 6

# Every family, and its type, as operations.md lists them.
FAMILIES = {
    "halls_build_info": "gauge",
    "process_start_time_seconds": "gauge",
    "halls_http_requests_total": "counter",
    "halls_http_request_duration_seconds": "histogram",
    "halls_http_connections_open": "gauge",
    "halls_http_connections_total": "counter",
    "halls_http_refusals_total": "counter",
    "halls_commits_total": "counter",
    "halls_commit_failures_total": "counter",
    "halls_commit_batch_size": "histogram",
    "halls_commit_duration_seconds": "histogram",
    "halls_hold_lapses_total": "counter",
    "halls_feed_cache_hits_total": "counter",
    "halls_feed_cache_misses_total": "counter",
    "halls_feed_not_modified_total": "counter",
    "halls_feed_builds_total": "counter",
    "halls_feed_build_joins_total": "counter",
    "halls_feed_builds_queued": "gauge",
    "halls_signin_failures_total": "counter",
    "halls_signin_throttled_total": "counter",
    "halls_lmdb_map_size_bytes": "gauge",
    "halls_lmdb_map_used_bytes": "gauge",
    "halls_store_change": "gauge",
    "halls_outbox_messages": "gauge",
    "halls_mail_deliveries_total": "counter",
}
LIMITS = ("connections", "header_size", "body_size", "timeout", "signin_rate", "account_rate",
          "feed_builds")


class Scrape:
    """One GET /metrics, parsed: its status, Content-Type, text and families by name (a
    counter under its name with _total, as it is written)."""

    def __init__(self, port):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
            self.status = r.status
            self.type = r.headers.get("Content-Type")
            self.text = r.read().decode("utf-8")
        self.families = {}
        for f in text_string_to_metric_families(self.text):
            name = f.name + "_total" if f.type == "counter" else f.name
            self.families[name] = f

    def value(self, sample, **labels):
        """The value of the sample named sample with exactly these labels, or None."""
        for f in self.families.values():
            for s in f.samples:
                if s.name == sample and s.labels == labels:
                    return s.value
        return None

    def samples(self, name):
        return [s for f in self.families.values() for s in f.samples if s.name == name]


def delta(before, after, sample, **labels):
    return (after.value(sample, **labels) or 0) - (before.value(sample, **labels) or 0)


def requests(before, after, route, method, code):
    return delta(before, after, "halls_http_requests_total", route=route, method=method,
                 code=code)


def wait_for(port, sample, want, limit=15, **labels):
    """Scrapes until sample reaches want (for what another thread counts); the last scrape."""
    deadline = time.time() + limit
    while True:
        s = Scrape(port)
        if (s.value(sample, **labels) or 0) >= want or time.time() > deadline:
            return s
        time.sleep(0.1)


def families_present(m):
    for name, kind in FAMILIES.items():
        f = m.families.get(name)
        check(f is not None and f.type == kind, "%s is a %s" % (name, kind),
              f and (f.type, f.samples[:2]))
    check(m.value("halls_build_info", version="0.1.0") == 1, "halls_build_info names 0.1.0")
    start = m.value("process_start_time_seconds")
    check(start is not None and abs(start - time.time()) < 600,
          "process_start_time_seconds is the real clock's, near now", start)
    check(all(m.value("halls_http_refusals_total", limit=l) is not None for l in LIMITS),
          "halls_http_refusals_total has every limit, even at 0", LIMITS)
    size = m.value("halls_lmdb_map_size_bytes") or 0
    used = m.value("halls_lmdb_map_used_bytes") or 0
    check(size >= 64 << 20 and 0 < used <= size, "the map's size and use are bytes, used <= size",
          (size, used))
    check(m.value("halls_outbox_messages", state="waiting") is not None,
          "halls_outbox_messages{state=\"waiting\"} is there")


def histogram_sane(m, name, **labels):
    """Cumulative buckets, ending in +Inf, equal to _count."""
    buckets = [s for s in m.samples(name + "_bucket")
               if {k: v for k, v in s.labels.items() if k != "le"} == labels]
    values = [s.value for s in buckets]
    count = m.value(name + "_count", **labels)
    return (len(buckets) > 2 and buckets[-1].labels["le"] == "+Inf"
            and values == sorted(values) and values[-1] == count)


def raw(srv, data):
    """Sends data on a fresh connection: the status of the reply, or None."""
    c = Conn(srv)
    try:
        c.sendall(data)
        r = c.reply()
        return r[0] if r else None
    finally:
        c.close()




def traffic_requests(srv, port):
    before = Scrape(port)
    for _ in range(3):
        srv.request("GET", "/healthz")
    srv.request("GET", "/api/v1/bookings/999999")
    st, _, _ = srv.request("GET", "/api/v1/no-such-thing")
    check(st == 404, "an unknown API path is 404", st)
    # Paths a stranger makes up: each is a 404, and none may become a label.
    made_up = ["/api/v1/zz%dq" % i for i in range(10)] + ["/feeds/zz%dq.ics" % i
                                                        for i in range(10)]
    for p in made_up:
        srv.request("GET", p)
    st, _, _ = srv.request("DELETE", "/api/v1/venues")
    after = Scrape(port)
    check(requests(before, after, "/healthz", "GET", "200") == 3,
          "three GET /healthz count under their route, GET and 200")
    check(requests(before, after, "/api/v1/bookings/<id>", "GET", "404") == 1,
          "a 404 of a routed path counts under the route's pattern, not the path")
    check(requests(before, after, "other", "GET", "404") == 21,
          "unrouted paths (21) count under route \"other\"",
          requests(before, after, "other", "GET", "404"))
    check(requests(before, after, "other", "DELETE", "405") == 1,
          "a method a path does not take is 405 under \"other\"", st)
    check("zz" not in after.text and "no-such-thing" not in after.text,
          "no path a client made up is in the page")
    grown = len(after.samples("halls_http_requests_total")) - len(
        before.samples("halls_http_requests_total"))
    check(grown <= 4, "twenty-two made-up paths add no more than their few labels", grown)
    check(histogram_sane(after, "halls_http_request_duration_seconds", route="/healthz") and
          after.value("halls_http_request_duration_seconds_count", route="/healthz") >= 3,
          "the latency histogram of /healthz is cumulative and counts its requests")
    check(delta(before, after, "halls_http_connections_total") >= 25,
          "each request's connection is counted",
          delta(before, after, "halls_http_connections_total"))
    held = Conn(srv)
    held.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    held.reply()
    m = Scrape(port)
    check((m.value("halls_http_connections_open") or 0) >= 1,
          "a connection held open is counted as open", m.value("halls_http_connections_open"))
    held.close()


def traffic_signin(srv, port):
    before = Scrape(port)
    st, _, _ = srv.request("POST", "/api/v1/session",
                           {"email": "ann@example.org", "password": "wrong"})
    check(st == 401, "a wrong password is 401", st)
    after = Scrape(port)
    check(delta(before, after, "halls_signin_failures_total") == 1,
          "a refused sign-in is counted")
    check(requests(before, after, "/api/v1/session", "POST", "401") == 1,
          "and its request, under POST /api/v1/session and 401")
    st, _, body = srv.request("POST", "/api/v1/session",
                              {"email": "ann@example.org", "password": "ann-password"})
    check(st == 201, "the right password signs in", st)
    after2 = Scrape(port)
    check(delta(after, after2, "halls_commits_total") >= 1 and
          delta(after, after2, "halls_commit_batch_size_count") >= 1 and
          delta(after, after2, "halls_commit_duration_seconds_count") >= 1,
          "the session's group commit is counted, with its size and time")
    check(histogram_sane(after2, "halls_commit_batch_size") and
          histogram_sane(after2, "halls_commit_duration_seconds"),
          "the commit histograms are cumulative")
    codes = [srv.request("POST", "/api/v1/session",
                         {"email": "bob@example.org", "password": "guess"})[0]
             for _ in range(6)]
    after3 = Scrape(port)
    check(codes == [401] * 5 + [429], "five wrong passwords, then 429", codes)
    check(delta(after2, after3, "halls_signin_failures_total") == 5 and
          delta(after2, after3, "halls_signin_throttled_total") == 1 and
          delta(after2, after3, "halls_http_refusals_total", limit="signin_rate") == 1,
          "five failures, one throttled, one refusal by signin_rate")
    return body["token"] if isinstance(body, dict) else None


def traffic_feeds(srv, port, build, data, venue):
    before = Scrape(port)
    st, hdrs, _ = srv.exchange("GET", "/feeds/all.ics")
    srv.exchange("GET", "/feeds/all.ics")
    after = Scrape(port)
    check(st == 200 and delta(before, after, "halls_feed_cache_misses_total") == 1 and
          delta(before, after, "halls_feed_cache_hits_total") == 1,
          "a feed is built once (a miss), then served from the cache (a hit)")
    check(delta(before, after, "halls_feed_builds_total") == 1 and
          delta(before, after, "halls_feed_build_joins_total") == 0 and
          after.value("halls_feed_builds_queued") == 0,
          "one build on the feed builder, none joined, none queued once answered")
    st, _, _ = srv.exchange("GET", "/feeds/all.ics", headers={"If-None-Match": hdrs["ETag"]})
    after2 = Scrape(port)
    check(st == 304 and delta(after, after2, "halls_feed_not_modified_total") == 1 and
          requests(after, after2, "/feeds/all.ics", "GET", "304") == 1,
          "a 304 is counted, and as a request with code 304", st)
    change = after2.value("halls_store_change")
    halls_json(build, data, "room", "add", "--venue", str(venue), "--name", "Annexe",
               "--capacity", "20")
    srv.exchange("GET", "/feeds/all.ics")
    after3 = Scrape(port)
    check(delta(after2, after3, "halls_feed_cache_misses_total") == 1,
          "after a write the feed is built again (a miss)")
    check(after3.value("halls_store_change") == change + 1,
          "halls_store_change counts the write, made by halls", (change,
                                                                after3.value("halls_store_change")))


def traffic_limits(srv, port):
    before = Scrape(port)
    big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    check(raw(srv, big) == 431, "an oversized header is 431")
    check(raw(srv, b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   b"application/json\r\nContent-Length: 70000\r\n\r\n") == 413,
          "an oversized body is 413")
    check(drip(srv, TIMEOUT, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", b"X") == 408,
          "a head dripping in for longer than the timeout is 408")
    check(drip(srv, TIMEOUT, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    b"application/json\r\nContent-Length: 1000\r\n\r\n{", b" ") is None,
          "a body dripping in for longer than the timeout is cut off")
    cut = Conn(srv)
    cut.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                b"\r\nContent-Length: 100\r\n\r\n{")
    check(closed(cut, TIMEOUT + 5), "a body that stops arriving is cut off")
    cut.close()
    after = Scrape(port)
    for limit, n in (("header_size", 1), ("body_size", 1), ("timeout", 3)):
        check(delta(before, after, "halls_http_refusals_total", limit=limit) == n,
              "%d refusal(s) by %s" % (n, limit),
              delta(before, after, "halls_http_refusals_total", limit=limit))
    check(requests(before, after, "other", "-", "431") == 1 and
          requests(before, after, "other", "-", "413") == 1,
          "a refusal is a request of route \"other\" and method \"-\"")

    held = []
    try:
        for _ in range(MAX_CONNECTIONS):
            c = Conn(srv)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            c.reply()
            held.append(c)
        st = raw(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    finally:
        for c in held:
            c.close()
    after2 = Scrape(port)
    check(st == 503 and delta(after, after2, "halls_http_refusals_total",
                              limit="connections") == 1,
          "a connection over the cap is 503, a refusal by connections", st)


def traffic_mail(srv, port):
    before = Scrape(port)
    codes = [srv.request("POST", "/api/v1/password-resets", {"email": "cal@example.org"})[0]
             for _ in range(6)]
    check(codes == [202] * 5 + [429], "five resets of one email, then 429", codes)
    m = wait_for(port, "halls_mail_deliveries_total", 1, result="failed")
    check(delta(before, m, "halls_http_refusals_total", limit="account_rate") == 1,
          "the sixth reset is a refusal by account_rate")
    check((m.value("halls_mail_deliveries_total", result="failed") or 0) >= 1 and
          m.value("halls_mail_deliveries_total", result="sent") == 0,
          "a try at a relay that is down counts as failed (the delivery thread's count)",
          m.samples("halls_mail_deliveries_total"))
    check((m.value("halls_outbox_messages", state="waiting") or 0) >= 5,
          "the resets' messages wait in the outbox",
          m.value("halls_outbox_messages", state="waiting"))


def listeners(srv, port):
    st, _, _ = srv.exchange("GET", "/metrics")
    check(st == 404, "the public listener answers 404 to /metrics", st)
    st, _, _ = srv.exchange("GET", "/metrics", headers={"Host": "127.0.0.1:%d" % port})
    check(st == 404, "whatever Host it names", st)
    for path, want in (("/", 404), ("/metrics/", 404), ("/healthz", 404)):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
                got = r.status
        except urllib.error.HTTPError as e:
            got = e.code
        check(got == want, "the metrics listener answers %s with %d" % (path, want), got)
    req = urllib.request.Request("http://127.0.0.1:%d/metrics" % port, method="HEAD")
    with urllib.request.urlopen(req, timeout=10) as r:
        head = (r.status, r.headers.get("Content-Type"), int(r.headers["Content-Length"]),
                r.read())
    check(head[0] == 200 and head[2] > 1000 and head[3] == b"",
          "HEAD /metrics: 200, the length, no body", head[:3])


def listening_sockets(pid):
    """The TCP ports process pid listens on (from /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:
                    ports.append(int(cols[1].rsplit(":", 1)[1], 16))
    return sorted(ports)


def without_option(build, data, tmp, servers):
    srv = Server(build, data, os.path.join(tmp, "plain.log"))
    servers.append(srv)
    st, _, _ = srv.exchange("GET", "/metrics")
    check(st == 404, "without --metrics-listen, /metrics is 404", st)
    ports = listening_sockets(srv.proc.pid)
    check(ports == [srv.port], "and hallsd listens on --listen alone", ports)


def under_tls(build, data, tmp, servers):
    cert, key = make_cert(tmp, "metrics")
    port = free_port()
    srv = Server(build, data, os.path.join(tmp, "tls.log"),
                 ["--tls-cert", cert, "--tls-key", key, "--metrics-listen",
                  "127.0.0.1:%d" % port], tls=ssl.create_default_context(cafile=cert))
    servers.append(srv)
    st, _, _ = srv.request("GET", "/healthz")
    m = Scrape(port)
    check(st == 200 and m.status == 200 and
          m.value("halls_http_requests_total", route="/healthz", method="GET", code="200") == 1,
          "under TLS, /metrics is plain HTTP on its own listener and counts the HTTPS requests")
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    check(s.recv(16).startswith(b"HTTP/1.1 200"), "a plain request to it is answered in plain")
    s.close()


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    venue = halls_json(build, data, "venue", "add", "--name", "Metrics Hall")["id"]
    halls_json(build, data, "room", "add", "--venue", str(venue), "--name", "Main",
               "--capacity", "20")
    group = halls_json(build, data, "group", "add", "--name", "Choir")["id"]
    for name in ("ann", "bob", "cal"):
        halls_json(build, data, "user", "add", "--name", name.title(), "--email",
                   name + "@example.org", "--role", "member", "--group", str(group),
                   "--password-stdin", stdin=name + "-password\n")
    port = free_port()
    relay = free_port()  # nothing listens there: the relay is down
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"),
                 ["--metrics-listen", "127.0.0.1:%d" % port, "--timeout", str(TIMEOUT),
                  "--max-connections", str(MAX_CONNECTIONS), "--smtp",
                  "smtp://127.0.0.1:%d" % relay, "--smtp-tls", "none"])
    servers.append(srv)
    srv.request("GET", "/healthz")
    m = Scrape(port)
    check(m.status == 200 and m.type == "text/plain; version=0.0.4; charset=utf-8",
          "GET /metrics is 200 in the text format 0.0.4", (m.status, m.type))
    families_present(m)
    traffic_requests(srv, port)
    traffic_signin(srv, port)
    traffic_feeds(srv, port, build, data, venue)
    traffic_limits(srv, port)
    traffic_mail(srv, port)
    listeners(srv, port)
    without_option(build, data, tmp, servers)
    under_tls(build, data, tmp, servers)


if __name__ == "__main__":
    sys.exit(run_suite("test_metrics", body))
