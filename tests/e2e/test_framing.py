#!/usr/bin/env python3
"""Request framing at hallsd's connection guard, over raw sockets: every head whose
framing evhttp could read differently from the guard (two Content-Lengths, lengths that
are not plain digits, Transfer-Encoding, folded lines, bare CR or LF, NULs and control
bytes, names with a space before the colon, bad request lines, unknown methods) is
refused 400 (411, 413, 501) with problem+json, and the connection is closed, even when
the head was pipelined behind a good request; the access log escapes what clients send
and records the refusals; every reply carries nosniff, and HSTS under TLS.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import os
import re
import ssl
import sys

from harness import Conn, Server, check, closed, halls, make_cert, problem, run_suite

GOOD = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"

# (what, head, status, problem type): each a class of head the guard must refuse.
REFUSED = [
    ("two Content-Lengths", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 1"
     b"\r\nContent-Length: 40\r\n\r\n{", 400, "invalid-input"),
    ("two equal Content-Lengths", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length: 2\r\ncontent-length: 2\r\n\r\n{}", 400, "invalid-input"),
    ("a signed Content-Length", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length: +2\r\n\r\n{}", 400, "invalid-input"),
    ("a Content-Length with text after it", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length: 2x\r\n\r\n{}", 400, "invalid-input"),
    ("a Content-Length list", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length: 2, 2\r\n\r\n{}", 400, "invalid-input"),
    ("an empty Content-Length", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length:\r\n\r\n", 400, "invalid-input"),
    ("a Content-Length past 64 bits", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length: 184467440737095516170\r\n\r\n", 413, "body-too-large"),
    ("Transfer-Encoding beside Content-Length", b"POST /api/v1/session HTTP/1.1\r\nHost: x"
     b"\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400,
     "invalid-input"),
    ("Transfer-Encoding in another case and form", b"POST /api/v1/session HTTP/1.1\r\n"
     b"Host: x\r\ntransfer-encoding: gzip, CHUNKED\r\n\r\n0\r\n\r\n", 411, "length-required"),
    ("Transfer-Encoding on a GET", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
     b"Transfer-Encoding: identity\r\n\r\n", 411, "length-required"),
    ("a space before the colon", b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
     b"Content-Length : 2\r\n\r\n{}", 400, "invalid-input"),
    ("a folded header line", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n"
     b" Content-Length: 5\r\n\r\n", 400, "invalid-input"),
    ("a bare LF", b"GET /healthz HTTP/1.1\nHost: x\n\n", 400, "invalid-input"),
    ("a bare CR", b"GET /healthz HTTP/1.1\r\nHost: x\rContent-Length: 5\r\n\r\n", 400,
     "invalid-input"),
    ("a NUL", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\x00Content-Length: 5\r\n\r\n", 400,
     "invalid-input"),
    ("a control byte in a value", b"GET /healthz HTTP/1.1\r\nHost: x\x1b[2J\r\n\r\n", 400,
     "invalid-input"),
    ("a line with no colon", b"GET /healthz HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n", 400,
     "invalid-input"),
    ("a space in the target", b"GET /health z HTTP/1.1\r\nHost: x\r\n\r\n", 400,
     "invalid-input"),
    ("an unknown version", b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 400, "invalid-input"),
    ("a double space in the request line", b"GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400,
     "invalid-input"),
    ("an empty line before the request", b"\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400,
     "invalid-input"),
    ("HTTP/1.1 without Host", b"GET /healthz HTTP/1.1\r\n\r\n", 400, "invalid-input"),
    ("two Hosts", b"GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400,
     "invalid-input"),
    ("an unknown method", b"BREW /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"
     b"GET ", 501, "not-implemented"),
    ("TRACE", b"TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not-implemented"),
]


def refused_and_closed(srv, head, status, kind):
    """The reply to head, then whether the connection was closed after it."""
    c = Conn(srv)
    c.sendall(head)
    reply = c.reply()
    ok = problem(reply, status, kind) and reply[1].get("connection") == "close"
    gone = closed(c, 10)
    c.close()
    return ok, gone, reply


def test_refusals(srv, what):
    for name, head, status, kind in REFUSED:
        ok, gone, reply = refused_and_closed(srv, head, status, kind)
        check(ok and gone, what + "%s is %d %s and closed" % (name, status, kind),
              (reply, gone))


def test_pipelined(srv, what):
    bad = REFUSED[0][1]
    c = Conn(srv)
    c.sendall(GOOD + bad + GOOD)
    a, b, d = c.reply(), c.reply(), c.reply(3)
    check(a is not None and a[0] == 200 and problem(b, 400, "invalid-input") and d is None,
          what + "behind a good request, a refused head is answered 400 and the request "
          "after it is not served", (a and a[0], b, d))
    c.close()
    # The bytes of a long head all count: a length padded far past any fixed window is
    # read whole, so the body is 2 bytes and the next request is a request.
    c = Conn(srv)
    c.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: " + b"0" * 300 + b"2\r\n\r\n{}" + GOOD)
    a, b = c.reply(), c.reply()
    check(a is not None and a[0] == 400 and b"password" in a[2] and b is not None
          and b[0] == 200, what + "a Content-Length with 300 leading zeros is read in full",
          (a, b and b[0]))
    c.close()


def test_headers(srv, what):
    st, hd, _ = srv.request("GET", "/healthz")
    check(st == 200 and hd.get("X-Content-Type-Options") == "nosniff",
          what + "a reply says X-Content-Type-Options: nosniff", dict(hd))
    st, hd, _ = srv.request("GET", "/no/such/path")
    check(st == 404 and hd.get("X-Content-Type-Options") == "nosniff",
          what + "an error says nosniff", dict(hd))
    ok, gone, reply = refused_and_closed(srv, REFUSED[0][1], 400, "invalid-input")
    check(reply is not None and reply[1].get("x-content-type-options") == "nosniff",
          what + "a guard refusal says nosniff", reply)
    hsts = reply is not None and reply[1].get("strict-transport-security")
    if srv.tls:
        check(hsts == "max-age=31536000" and
              hd.get("Strict-Transport-Security") == "max-age=31536000",
              what + "HSTS for a year on every reply", (hsts, dict(hd)))
    else:
        check(not hsts and hd.get("Strict-Transport-Security") is None,
              what + "no HSTS over plain HTTP", (hsts, dict(hd)))


def test_log_escapes(srv):
    c = Conn(srv)
    c.sendall(b"GET /caf\xc3\x28/\xff HTTP/1.1\r\nHost: x\r\n\r\n")
    a = c.reply()
    c.close()
    check(a is not None and a[0] == 404, "a path that is not UTF-8 is 404", a)
    st, _, _ = srv.request("GET", "/feeds/private/" + "ab" * 32 + ".ics")
    check(st == 404, "an unknown private feed is 404", st)


def check_log(path):
    with open(path, "rb") as f:
        raw = f.read()
    lines = raw.decode("utf-8", "strict").splitlines()
    access = [line for line in lines if re.match(r"\d{4}-\d\d-\d\dT", line)]
    check(any(r"/caf\xC3(/\xFF 404" in line for line in access),
          "the access log escapes bytes that are not UTF-8", access[-5:])
    check(all(0x20 <= b < 0x7f or b >= 0x80 or b == 0x0a for b in raw),
          "the log holds no control bytes from requests")
    check(len([line for line in access if " - 400 " in line]) >= 15,
          "the refusals (400) are in the access log",
          len([line for line in access if " - 400 " in line]))
    check(any(" - 501 " in line for line in access) and
          any(" - 411 " in line for line in access),
          "501 for an unknown method and 411 are logged too")
    check(not any("abab" in line for line in access) and
          any("/feeds/private/-.ics" in line for line in access),
          "a private feed's token is never logged")


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    log = os.path.join(tmp, "hallsd.log")
    srv = Server(build, data, log, ["--timeout", "2"])
    servers.append(srv)
    try:
        test_refusals(srv, "")
        test_pipelined(srv, "")
        test_headers(srv, "")
        test_log_escapes(srv)
        st, _, _ = srv.request("GET", "/healthz")
        check(st == 200, "the server still serves after every refusal", st)
    finally:
        srv.stop()
    check_log(log)

    cert, key = make_cert(tmp, "framing")
    srv = Server(build, data, os.path.join(tmp, "tls.log"),
                 ["--tls-cert", cert, "--tls-key", key, "--timeout", "2"],
                 tls=ssl.create_default_context(cafile=cert))
    servers.append(srv)
    for name, head, status, kind in (REFUSED[0], REFUSED[7], REFUSED[12]):
        ok, gone, reply = refused_and_closed(srv, head, status, kind)
        check(ok and gone, "over TLS: %s is %d and closed" % (name, status), (reply, gone))
    test_pipelined(srv, "over TLS: ")
    test_headers(srv, "over TLS: ")


if __name__ == "__main__":
    sys.exit(run_suite("test_framing", body))
