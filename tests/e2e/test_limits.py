#!/usr/bin/env python3
"""hallsd's limits and TLS, over real sockets: oversized bodies and headers, chunked
bodies, slow and silent clients cut off while others are served, the connection cap,
pipelining, and HTTPS with a throwaway certificate (TLS 1.2+ only, reloaded on SIGHUP).

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

# Conn, closed, make_cert and problem live in harness; they are named here too, for
# suites that still import them from test_limits.
from harness import Conn, Server, check, closed, halls, halls_json, make_cert, problem, run_suite

TIMEOUT = 2  # hallsd --timeout for these tests, seconds


def healthy(srv):
    st, _, body = srv.request("GET", "/healthz")
    return st == 200 and isinstance(body, dict) and body.get("status") == "ok"


def test_sizes(srv, what):
    s = Conn(srv)
    s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 70000\r\n\r\n")
    check(problem(s.reply(), 413, "body-too-large"),
          what + "an announced body over 64 KiB is 413 before it is sent")
    check(closed(s, TIMEOUT + 5), what + "and the connection is closed after lingering")
    s.close()

    # The body sent straight after the head: over TLS it arrives in several records, and
    # the refusal must not be dropped with them.
    s = Conn(srv)
    s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000)
    check(problem(s.reply(), 413, "body-too-large"),
          what + "a 100 KB body sent at once is answered 413")
    s.close()

    s = Conn(srv)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 20000 + b"\r\n\r\n")
    check(problem(s.reply(), 431, "headers-too-large"), what + "20 KB of headers is 431")
    s.close()

    s = Conn(srv)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 20000)
    check(problem(s.reply(), 431, "headers-too-large"),
          what + "an unfinished head past the limit is 431 at once")
    s.close()

    s = Conn(srv)
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n")
    check(problem(s.reply(), 411, "length-required"), what + "a chunked body is 411")
    s.close()

    st, _, body = srv.request("POST", "/api/v1/session", raw=b"x" * 70000,
                              ctype="application/json")
    check(st == 413 and body.get("type") == "/problems/body-too-large",
          what + "urllib posting 70 KB gets 413 problem+json", (st, body))
    # A client that keeps its connection is told to close it, and its next request on
    # a new connection is served at once (not after the lingering).
    import http.client
    if srv.tls:
        hc = http.client.HTTPSConnection("127.0.0.1", srv.port, timeout=TIMEOUT + 1,
                                         context=srv.tls)
    else:
        hc = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=TIMEOUT + 1)
    try:
        hc.request("POST", "/api/v1/session", body=b"x" * 70000,
                   headers={"Content-Type": "application/json"})
        r1 = hc.getresponse()
        r1.read()
        hc.request("GET", "/healthz")
        r2 = hc.getresponse()
        r2.read()
        ok = (r1.status == 413 and (r1.getheader("Connection") or "").lower() == "close"
              and r2.status == 200)
        detail = (r1.status, r1.getheader("Connection"), r2.status)
    except (OSError, http.client.HTTPException) as e:
        ok, detail = False, repr(e)
    finally:
        hc.close()
    check(ok, what + "after a 413 the reply says Connection: close and the client's next "
          "request is served", detail)
    st, _, body = srv.request("POST", "/api/v1/session", raw=b" " * 60000 + b"{}",
                              ctype="application/json")
    check(st == 400, what + "a body under the limit is read and judged (400 here)", (st, body))
    check(healthy(srv), what + "the server still serves after the refusals")


def test_framing(srv):
    s = Conn(srv)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/venues/1 HTTP/1.1\r\n"
              b"Host: x\r\n\r\n")
    a, b = s.reply(), s.reply()
    check(a is not None and a[0] == 200 and b is not None and b[0] == 200
          and json.loads(b[2]).get("id") == 1, "two pipelined requests get two replies",
          (a, b))
    # Keep-alive: a body, then another request on the same connection.
    body = b'{"email":"nobody@example.org","password":"x"}'
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    c = s.reply()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    d = s.reply()
    check(c is not None and c[0] == 401 and d is not None and d[0] == 200,
          "a request with a body, then another, on one connection", (c, d))
    # A body sent in pieces, with the head split across packets too.
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHo")
    time.sleep(0.1)
    s.sendall(b"st: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % len(body) + body[:10])
    time.sleep(0.1)
    s.sendall(body[10:])
    e = s.reply()
    check(e is not None and e[0] == 401, "a request that arrives in pieces is served", e)
    s.close()
    # HEAD has no body, whatever Content-Length says: the next requests are requests.
    s = Conn(srv)
    s.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n")
    f = s.reply(no_body=True)
    # Busy past the request deadline: a guard still waiting for HEAD's "body" would cut
    # the connection off.
    replies = []
    for _ in range(int(TIMEOUT / 0.5) + 2):
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            replies.append(None)
            break
        replies.append(s.reply())
        time.sleep(0.5)
    check(f is not None and f[0] == 200
          and all(g is not None and g[0] == 200 for g in replies),
          "after a HEAD with a Content-Length, the connection keeps serving",
          [g and g[0] for g in replies])
    s.close()


def test_slow(srv):
    # A head that never ends, one byte at a time: 408 within the timeout, and other
    # clients are served meanwhile.
    slow = Conn(srv)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    started = time.time()
    served = 0
    reply = None
    slow.settimeout(0.3)
    while time.time() - started < TIMEOUT + 5:
        try:
            slow.sendall(b"X")
        except OSError:
            break
        if healthy(srv):
            served += 1
        try:
            data = slow.recv(65536)
        except socket.timeout:
            continue
        if data:
            st = int(data.split()[1])
            reply = (st, data)
        break
    check(reply is not None and reply[0] == 408 and b"/problems/request-timeout" in reply[1],
          "a head dripping in is answered 408 once the timeout passes", reply)
    check(served >= 2, "other clients were served while it dripped (%d)" % served)
    slow.close()

    # A body that never completes is cut off.
    s = Conn(srv)
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 100\r\n\r\n{")
    check(closed(s, TIMEOUT + 5), "a body that stops arriving is cut off")
    s.close()

    # A client that connects and says nothing is closed.
    s = Conn(srv)
    check(closed(s, TIMEOUT + 5), "a silent connection is closed")
    s.close()


def test_cap(build, data, tmp, servers):
    srv = Server(build, data, os.path.join(tmp, "cap.log"), ["--max-connections", "3"])
    servers.append(srv)
    try:
        time.sleep(0.3)  # the start-up probe's connection has gone
        idle, replies = [], []
        for _ in range(3):
            c = Conn(srv)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            replies.append(c.reply())
            idle.append(c)
        check(all(r is not None and r[0] == 200 for r in replies),
              "three keep-alive clients are served", [r and r[0] for r in replies])
        s = Conn(srv)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = s.reply()
        check(problem(reply, 503, "busy") and reply[1].get("retry-after") == "1",
              "the connection over the cap is answered 503 with Retry-After", reply)
        s.close()
        s = Conn(srv)
        reply = s.reply()
        check(problem(reply, 503, "busy"),
              "a connection over the cap that sends nothing is answered too", reply)
        s.close()
        idle[0].close()
        time.sleep(0.3)
        c = idle[1]
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = c.reply()
        check(reply is not None and reply[0] == 200, "the clients under the cap are still served")
        check(healthy(srv), "once one closes, a new client is served")
        for i in idle[1:]:
            i.close()
    finally:
        srv.stop()


def test_stop(build, data, tmp, servers):
    """SIGTERM while a sign-in is on the worker thread: it is still answered."""
    srv = Server(build, data, os.path.join(tmp, "stop.log"), ["--scrypt-log2n", "16"])
    servers.append(srv)
    got = {}

    def sign_in():
        got["reply"] = srv.request("POST", "/api/v1/session",
                                   {"email": "nobody@example.org", "password": "x" * 12})

    t = threading.Thread(target=sign_in)
    t.start()
    time.sleep(0.05)
    srv.proc.send_signal(signal.SIGTERM)
    t.join(30)
    rc = srv.proc.wait(30)
    st = got.get("reply", (None,))[0]
    check(st == 401, "a sign-in in flight at SIGTERM is still answered (%s)" % st)
    check(rc == 0, "hallsd exits 0 after SIGTERM", rc)
    srv.stop()
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
        refused = False
    except OSError:
        refused = True
    check(refused, "after SIGTERM nothing listens")


def sign_in_from(srv, addr, n):
    """A failed sign-in as if from addr (through a proxy); the status."""
    st, _, _ = srv.request("POST", "/api/v1/session",
                           {"email": "nobody%d@example.org" % n, "password": "x" * 12},
                           headers={"X-Forwarded-For": "203.0.113.9, " + addr})
    return st


def test_proxy(build, data, tmp, servers):
    """Sign-in throttling per client address, behind a proxy named --trusted-proxy."""
    for trusted in (True, False):
        args = ["--scrypt-log2n", "4"] + (["--trusted-proxy", "127.0.0.1"] if trusted else [])
        srv = Server(build, data, os.path.join(tmp, "proxy-%s.log" % (
            "trusted" if trusted else "untrusted")), args)
        servers.append(srv)
        try:
            codes = [sign_in_from(srv, "198.51.100.1", n) for n in range(21)]
            other = sign_in_from(srv, "198.51.100.2", 99)
        finally:
            srv.stop()
        if trusted:
            check(codes[:20] == [401] * 20 and codes[20] == 429 and other == 401,
                  "behind a trusted proxy, one client's failures lock out that client only",
                  (codes[-2:], other))
        else:
            check(codes[20] == 429 and other == 429,
                  "X-Forwarded-For from an untrusted peer is ignored", (codes[-2:], other))


def test_tls(build, data, tmp, servers):
    cert, key = make_cert(tmp, "one")
    live_cert, live_key = os.path.join(tmp, "live.crt"), os.path.join(tmp, "live.key")
    shutil.copy(cert, live_cert)
    shutil.copy(key, live_key)
    ctx = ssl.create_default_context(cafile=cert)
    srv = Server(build, data, os.path.join(tmp, "tls.log"),
                 ["--tls-cert", live_cert, "--tls-key", live_key, "--timeout", str(TIMEOUT)],
                 tls=ctx)
    servers.append(srv)
    try:
        check(healthy(srv), "HTTPS with a throwaway certificate serves /healthz")
        s = Conn(srv)
        check(s.sock.version() in ("TLSv1.2", "TLSv1.3"), "the session is TLS 1.2 or 1.3",
              s.sock.version())
        s.close()

        # openssl s_client can still offer TLS 1.1 (at security level 0); the server must
        # answer with a protocol_version alert, not a session.
        old = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                              "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
                             input=b"", capture_output=True, timeout=10)
        out = (old.stdout + old.stderr).decode("utf-8", "replace")
        check("alert protocol version" in out and "Cipher is (NONE)" in out,
              "a TLS 1.1 client is refused with a protocol_version alert", out[-400:])

        plain = Conn(srv, plain=True)
        plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = plain.reply(5)
        check(reply is None or b'"status":"ok"' not in reply[2], "plain HTTP on the TLS port is not served")
        plain.close()

        test_sizes(srv, "over TLS: ")

        first = ssl.DER_cert_to_PEM_cert(Conn(srv).sock.getpeercert(binary_form=True))
        cert2, key2 = make_cert(tmp, "two")
        shutil.copy(cert2, live_cert)
        shutil.copy(key2, live_key)
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        srv.tls = ssl.create_default_context(cafile=cert2)
        s = Conn(srv)
        second = ssl.DER_cert_to_PEM_cert(s.sock.getpeercert(binary_form=True))
        s.close()
        check(first != second and healthy(srv), "SIGHUP loads the renewed certificate")
        with open(live_key, "w") as f:
            f.write("not a key\n")
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        check(srv.proc.poll() is None and healthy(srv),
              "a broken key on SIGHUP keeps the certificate already loaded")
    finally:
        srv.stop()
    with open(os.path.join(tmp, "tls.log")) as f:
        log = f.read()
    check("keeping the TLS certificate already loaded" in log,
          "the failed reload is reported on stderr")


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    halls_json(build, data, "venue", "add", "--name", "Limits Hall")
    log = os.path.join(tmp, "hallsd.log")
    srv = Server(build, data, log, ["--timeout", str(TIMEOUT)])
    servers.append(srv)
    try:
        test_sizes(srv, "")
        test_framing(srv)
        test_slow(srv)
    finally:
        srv.stop()
    with open(log) as f:
        lines = f.read().splitlines()
    refusals = [line for line in lines if re.search(r" - (408|411|413|431) ", line)]
    check(len(refusals) >= 5 and not any(re.search(r"/[0-9a-f]{32}", line)
                                          for line in lines),
          "refusals are in the access log, without the internal path", refusals[:3])
    test_cap(build, data, tmp, servers)
    test_stop(build, data, tmp, servers)
    test_proxy(build, data, tmp, servers)
    test_tls(build, data, tmp, servers)


if __name__ == "__main__":
    sys.exit(run_suite("test_limits", body))
