#!/usr/bin/env python3
"""hallsd's limits and TLS, over real sockets: oversized bodies and headers, chunked
bodies, slow and silent clients cut off while others are served, the connection cap,
pipelining, and HTTPS with a throwaway certificate (TLS 1.2+ only, reloaded on SIGHUP).

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed.
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
import tempfile
import time

from harness import Server, check, halls, tally

TIMEOUT = 2  # hallsd --timeout for these tests, seconds


class Conn:
    """A client connection that reads replies one at a time (pipelining included)."""

    def __init__(self, srv):
        self.sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        if srv.tls:
            self.sock = srv.tls.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""

    def sendall(self, data):
        self.sock.sendall(data)

    def settimeout(self, t):
        self.sock.settimeout(t)

    def recv(self, n):
        if self.buf:
            data, self.buf = self.buf[:n], self.buf[n:]
            return data
        return self.sock.recv(n)

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("closed")
        self.buf += chunk

    def reply(self, limit=10.0, no_body=False):
        """(status, headers dict, body bytes) of the next reply, or None if the server
        closed the connection or said nothing within limit seconds."""
        self.sock.settimeout(limit)
        try:
            while b"\r\n\r\n" not in self.buf:
                self._fill()
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {k.strip().lower(): v.strip()
                       for k, v in (line.split(":", 1) for line in lines[1:])}
            want = 0 if no_body else int(headers.get("content-length", "0"))
            while len(self.buf) < want:
                self._fill()
            body, self.buf = self.buf[:want], self.buf[want:]
            return status, headers, body
        except (socket.timeout, ConnectionResetError, ssl.SSLError, OSError):
            return None


def connect(srv):
    return Conn(srv)


def read_reply(c, limit=10.0):
    return c.reply(limit)


def closed(c, limit=10.0):
    """True when the server ends the connection within limit seconds."""
    s = c.sock
    s.settimeout(limit)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, ssl.SSLError):
        return True
    except socket.timeout:
        return False


def problem(reply, status, kind):
    if reply is None:
        return False
    st, hd, body = reply
    try:
        p = json.loads(body)
    except ValueError:
        return False
    return (st == status and hd.get("content-type") == "application/problem+json"
            and p.get("type") == "/problems/" + kind and p.get("status") == status)


def healthy(srv):
    st, _, body = srv.request("GET", "/healthz")
    return st == 200 and isinstance(body, dict) and body.get("status") == "ok"


def test_sizes(srv, what):
    s = connect(srv)
    s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 70000\r\n\r\n")
    check(problem(read_reply(s), 413, "body-too-large"),
          what + "an announced body over 64 KiB is 413 before it is sent")
    check(closed(s, TIMEOUT + 5), what + "and the connection is closed after lingering")
    s.close()

    # The body sent straight after the head: over TLS it arrives in several records, and
    # the refusal must not be dropped with them.
    s = connect(srv)
    s.sendall(b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000)
    check(problem(read_reply(s), 413, "body-too-large"),
          what + "a 100 KB body sent at once is answered 413")
    s.close()

    s = connect(srv)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 20000 + b"\r\n\r\n")
    check(problem(read_reply(s), 431, "headers-too-large"), what + "20 KB of headers is 431")
    s.close()

    s = connect(srv)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 20000)
    check(problem(read_reply(s), 431, "headers-too-large"),
          what + "an unfinished head past the limit is 431 at once")
    s.close()

    s = connect(srv)
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n")
    check(problem(read_reply(s), 411, "length-required"), what + "a chunked body is 411")
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
    s = connect(srv)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/venues/1 HTTP/1.1\r\n"
              b"Host: x\r\n\r\n")
    a, b = read_reply(s), read_reply(s)
    check(a is not None and a[0] == 200 and b is not None and b[0] == 200
          and json.loads(b[2]).get("id") == 1, "two pipelined requests get two replies",
          (a, b))
    # Keep-alive: a body, then another request on the same connection.
    body = b'{"email":"nobody@example.org","password":"x"}'
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    c = read_reply(s)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    d = read_reply(s)
    check(c is not None and c[0] == 401 and d is not None and d[0] == 200,
          "a request with a body, then another, on one connection", (c, d))
    # A body sent in pieces, with the head split across packets too.
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHo")
    time.sleep(0.1)
    s.sendall(b"st: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % len(body) + body[:10])
    time.sleep(0.1)
    s.sendall(body[10:])
    e = read_reply(s)
    check(e is not None and e[0] == 401, "a request that arrives in pieces is served", e)
    s.close()
    # HEAD has no body, whatever Content-Length says: the next requests are requests.
    s = connect(srv)
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
        replies.append(read_reply(s))
        time.sleep(0.5)
    check(f is not None and f[0] == 200
          and all(g is not None and g[0] == 200 for g in replies),
          "after a HEAD with a Content-Length, the connection keeps serving",
          [g and g[0] for g in replies])
    s.close()


def test_slow(srv):
    # A head that never ends, one byte at a time: 408 within the timeout, and other
    # clients are served meanwhile.
    slow = connect(srv)
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
    s = connect(srv)
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 100\r\n\r\n{")
    check(closed(s, TIMEOUT + 5), "a body that stops arriving is cut off")
    s.close()

    # A client that connects and says nothing is closed.
    s = connect(srv)
    check(closed(s, TIMEOUT + 5), "a silent connection is closed")
    s.close()


def test_cap(build, data, tmp):
    srv = Server(build, data, os.path.join(tmp, "cap.log"), ["--max-connections", "3"])
    try:
        time.sleep(0.3)  # the start-up probe's connection has gone
        idle = []
        for _ in range(3):
            c = connect(srv)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = c.reply()
            idle.append(c)
        check(reply is not None and reply[0] == 200, "three keep-alive clients are served")
        s = connect(srv)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = read_reply(s)
        check(problem(reply, 503, "busy") and reply[1].get("retry-after") == "1",
              "the connection over the cap is answered 503 with Retry-After", reply)
        s.close()
        s = connect(srv)
        reply = read_reply(s)
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


def test_stop(build, data, tmp):
    """SIGTERM while a sign-in is on the worker thread: it is still answered."""
    import threading
    srv = Server(build, data, os.path.join(tmp, "stop.log"), ["--scrypt-log2n", "16"])
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
    import urllib.request
    import urllib.error
    req = urllib.request.Request(
        "http://127.0.0.1:%d/api/v1/session" % srv.port,
        data=json.dumps({"email": "nobody%d@example.org" % n, "password": "x" * 12}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9, " + addr},
        method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def test_proxy(build, data, tmp):
    """Sign-in throttling per client address, behind a proxy named --trusted-proxy."""
    for trusted in (True, False):
        args = ["--scrypt-log2n", "4"] + (["--trusted-proxy", "127.0.0.1"] if trusted else [])
        srv = Server(build, data, os.path.join(tmp, "proxy.log"), args)
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


def make_cert(tmp, name):
    cert, key = os.path.join(tmp, name + ".crt"), os.path.join(tmp, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def test_tls(build, data, tmp):
    cert, key = make_cert(tmp, "one")
    live_cert, live_key = os.path.join(tmp, "live.crt"), os.path.join(tmp, "live.key")
    shutil.copy(cert, live_cert)
    shutil.copy(key, live_key)
    ctx = ssl.create_default_context(cafile=cert)
    srv = Server(build, data, os.path.join(tmp, "tls.log"),
                 ["--tls-cert", live_cert, "--tls-key", live_key, "--timeout", str(TIMEOUT)],
                 tls=ctx)
    try:
        check(healthy(srv), "HTTPS with a throwaway certificate serves /healthz")
        s = connect(srv)
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

        srv.tls, ctx_saved = None, srv.tls
        plain = connect(srv)
        srv.tls = ctx_saved
        plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = read_reply(plain, 5)
        check(reply is None or b'"status":"ok"' not in reply[2], "plain HTTP on the TLS port is not served")
        plain.close()

        test_sizes(srv, "over TLS: ")

        first = ssl.DER_cert_to_PEM_cert(connect(srv).sock.getpeercert(binary_form=True))
        cert2, key2 = make_cert(tmp, "two")
        shutil.copy(cert2, live_cert)
        shutil.copy(key2, live_key)
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        srv.tls = ssl.create_default_context(cafile=cert2)
        s = connect(srv)
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


def main():
    build = os.path.abspath(os.environ.get("BUILD", "build"))
    tmp = tempfile.mkdtemp(prefix="halls-limits-")
    data = os.path.join(tmp, "data")
    try:
        r = halls(build, data, "init")
        if r.returncode != 0:
            print("not ok - halls init: " + r.stderr)
            return 1
        halls(build, data, "venue", "add", "--name", "Limits Hall")
        log = os.path.join(tmp, "hallsd.log")
        srv = Server(build, data, log, ["--timeout", str(TIMEOUT)])
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
        test_cap(build, data, tmp)
        test_stop(build, data, tmp)
        test_proxy(build, data, tmp)
        test_tls(build, data, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("test_limits: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
