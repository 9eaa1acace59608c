#!/usr/bin/env python3
"""hallsd's access log, in both formats (--log-format text and json), and what it says
when it cannot listen.

The same requests go to a hallsd of each format, one at a time, so that the log's lines
follow them in order: plain ones, user agents a stranger chose (bytes that are not UTF-8,
control characters, quotes and backslashes that would forge fields, 8 KB of them), a
head the framing refuses, a sign-in and a request with its token, and a refusal by each
limit (headers, body, a head and a body over the timeout, a body cut off in silence, the
connection cap, the sign-in throttle). Each request must have exactly one line: valid
UTF-8 with no control byte, in the text format a line of known fields, in JSON one
object with known members; request ids unique and rising; the user id once signed in;
the user agent escaped; each refusal naming its limit. Then hallsd is started where it
cannot listen (an address in use, by --listen and by --metrics-listen; a host that does
not resolve; a port below 1024 without root: as root, the check runs hallsd as nobody
with setpriv, and is skipped, saying so, when that cannot be done) and must say why.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

from harness import Conn, Server, check, drip, closed, free_port, halls, halls_json, run_suite

TIMEOUT = 2
MAX_CONNECTIONS = 4

TEXT_LINE = re.compile(
    r'^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (?P<client>\S+) (?P<method>\S+) '
    r'(?P<path>\S+) (?P<status>\d{3}|-) (?P<bytes>\d+) (?P<ms>\d+\.\d{3})ms '
    r'id=(?P<id>\d+) user=(?P<user>-|\d+) ua=(?P<ua>-|"(?:[^"\\]|\\.)*")'
    r'(?: limit=(?P<limit>[a-z_]+))?$')
JSON_KEYS = ["time", "client", "id", "user", "method", "path", "route", "status", "bytes",
             "ms", "ua", "limit"]

# User agents a stranger sends, and how each is logged: (bytes, text, JSON). Bytes that
# are not UTF-8 and control characters are \xHH, a backslash \\; in text a quote is \".
AGENTS = [
    (b"probe/1.0", "probe/1.0", "probe/1.0"),
    (b"caf\xc3\xa9 \xe2\x9c\x93", "caf\u00e9 \u2713", "caf\u00e9 \u2713"),
    (b"bad\xff\xfe\xc3(", r"bad\xFF\xFE\xC3(", r"bad\xFF\xFE\xC3("),
    (b"tab\there \xc2\x9b31m", r"tab\x09here \xC2\x9B31m", r"tab\x09here \xC2\x9B31m"),
    (b'a"b\\c" user=1 ua="forged', r'a\"b\\c\" user=1 ua=\"forged',
     r'a"b\\c" user=1 ua="forged'),
    (b"A" * 8192, "A" * 256 + "...", "A" * 256 + "..."),
]


def exchange(srv, head, body=b""):
    """One request on a fresh connection: the reply (status, headers, body) or None."""
    c = Conn(srv)
    try:
        c.sendall(head + body)
        return c.reply()
    finally:
        c.close()


def request(srv, method, path, ua=b"probe/1.0", body=None, token=None):
    head = b"%s %s HTTP/1.1\r\nHost: x\r\nUser-Agent: %s\r\n" % (method.encode(), path.encode(),
                                                                ua)
    data = b""
    if token:
        head += b"Authorization: Bearer %s\r\n" % token.encode()
    if body is not None:
        data = json.dumps(body).encode()
        head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
    return exchange(srv, head + b"\r\n", data)




def exercise(srv, bob):
    """Sends the requests, one at a time; what each line must say, in order: dicts of
    method, path, status, user, ua (an index into AGENTS, or None for none), limit."""
    want = []

    def expect(method, path, status, ua=0, user=None, limit=None):
        want.append({"method": method, "path": path, "status": status, "ua": ua,
                     "user": user, "limit": limit})

    for i, (agent, _, _) in enumerate(AGENTS):
        r = request(srv, "GET", "/healthz", ua=agent)
        check(r and r[0] == 200, "a user agent of %d bytes is served" % len(agent), r)
        expect("GET", "/healthz", 200, ua=i)
    r = request(srv, "GET", "/healthz", ua=b"esc \x1b[2J")
    check(r and r[0] == 400, "a control byte in a header is refused (400)", r)
    expect(None, None, 400, ua=None)
    r = request(srv, "GET", "/no/such/page")
    expect("GET", "/no/such/page", 404)
    r = request(srv, "POST", "/api/v1/session",
                body={"email": "bob@example.org", "password": "bob-password"})
    token = json.loads(r[2])["token"] if r and r[0] == 201 else None
    check(token is not None, "bob signs in", r)
    expect("POST", "/api/v1/session", 201, user=bob)
    r = request(srv, "GET", "/api/v1/users/me", token=token)
    expect("GET", "/api/v1/users/me", 200, user=bob)

    r = exchange(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 +
                 b"\r\n\r\n")
    expect(None, None, 431, ua=None, limit="header_size")
    r = exchange(srv, b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      b"application/json\r\nContent-Length: 70000\r\n\r\n")
    expect(None, None, 413, ua=None, limit="body_size")
    st = drip(srv, TIMEOUT, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", b"X")
    check(st == 408, "a head dripping in past the timeout is 408", st)
    expect(None, None, 408, ua=None, limit="timeout")
    st = drip(srv, TIMEOUT, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   b"application/json\r\nContent-Length: 1000\r\n\r\n{", b" ")
    check(st is None, "a body dripping in past the timeout is cut off", st)
    expect(None, None, None, ua=None, limit="timeout")
    c = Conn(srv)
    c.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
              b"\r\nContent-Length: 100\r\n\r\n{")
    check(closed(c, TIMEOUT + 5), "a body that stops arriving is cut off")
    c.close()
    expect(None, None, None, ua=None, limit="timeout")

    held = []
    try:
        for _ in range(MAX_CONNECTIONS):
            c = Conn(srv)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: probe/1.0\r\n\r\n")
            c.reply()
            held.append(c)
            expect("GET", "/healthz", 200)
        r = exchange(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        check(r and r[0] == 503, "a connection over the cap is 503", r)
        expect(None, None, 503, ua=None, limit="connections")
    finally:
        for c in held:
            c.close()
    for _ in range(5):
        request(srv, "POST", "/api/v1/session", body={"email": "cal@example.org",
                                                      "password": "guess"})
        expect("POST", "/api/v1/session", 401)
    r = request(srv, "POST", "/api/v1/session", body={"email": "cal@example.org",
                                                      "password": "guess"})
    check(r and r[0] == 429, "the sixth wrong password is 429", r)
    expect("POST", "/api/v1/session", 429, limit="signin_rate")
    return want


def log_bytes(path):
    with open(path, "rb") as f:
        raw = f.read()
    check(all(b >= 0x20 or b == 0x0a for b in raw), "the log holds no control byte")
    try:
        raw.decode("utf-8", "strict")
        check(True, "the log is valid UTF-8")
    except UnicodeDecodeError as e:
        check(False, "the log is valid UTF-8", e)
    return raw.decode("utf-8", "replace").splitlines()


def ids_rise(got, fmt):
    ids = [int(g["id"]) for g in got]
    check(ids == list(range(ids[0], ids[0] + len(ids))) if ids else False,
          "%s: request ids are unique and rise by one a request" % fmt, ids)


def check_text(path, want):
    lines = log_bytes(path)
    got = [TEXT_LINE.match(line) for line in lines]
    check(all(got), "text: every line has the fields, the user agent one quoted string",
          [line[:200] for line, m in zip(lines, got) if not m][:3])
    check(len(lines) == len(want), "text: one line per request (%d)" % len(want),
          "%d lines" % len(lines))
    if not all(got) or len(lines) != len(want):
        return
    ids_rise(got, "text")
    bad = []
    for w, m, line in zip(want, got, lines):
        ua = "-" if w["ua"] is None else '"%s"' % AGENTS[w["ua"]][1]
        if (m["method"] != (w["method"] or "-") or m["path"] != (w["path"] or "-") or
                m["status"] != (str(w["status"]) if w["status"] else "-") or
                m["user"] != (str(w["user"]) if w["user"] else "-") or m["ua"] != ua or
                m["limit"] != w["limit"] or m["client"] != "127.0.0.1"):
            bad.append((w, line[:300]))
    check(not bad, "text: each line says what its request was", bad[:3])
    long_line = [line for line in lines if "AAAA" in line]
    check(long_line and len(long_line[0]) < 500, "text: an 8 KB user agent is cut to 256 bytes",
          long_line and len(long_line[0]))


def check_json(path, want):
    lines = log_bytes(path)
    got = []
    for line in lines:
        try:
            got.append(json.loads(line))
        except ValueError:
            got.append(None)
    check(all(isinstance(g, dict) and list(g) == JSON_KEYS for g in got),
          "json: every line is one object with the same members", [
              line[:200] for line, g in zip(lines, got) if not isinstance(g, dict)][:3])
    check(len(lines) == len(want), "json: one object per request (%d)" % len(want),
          "%d lines" % len(lines))
    if not all(isinstance(g, dict) for g in got) or len(lines) != len(want):
        return
    ids_rise(got, "json")
    bad = []
    for w, g in zip(want, got):
        ua = None if w["ua"] is None else AGENTS[w["ua"]][2]
        if (g["method"] != w["method"] or g["path"] != w["path"] or g["status"] != w["status"]
                or g["user"] != w["user"] or g["ua"] != ua or g["limit"] != w["limit"] or
                g["client"] != "127.0.0.1" or not isinstance(g["ms"], (int, float)) or
                not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", g["time"])):
            bad.append((w, g))
    check(not bad, "json: each object says what its request was", bad[:3])
    routes = {g["route"] for g in got}
    check(routes == {"/healthz", "other", "/api/v1/session", "/api/v1/users/me", None},
          "json: routes are the route table's patterns, \"other\", or null for no reply",
          routes)


def run_format(build, data, tmp, servers, fmt, bob):
    log = os.path.join(tmp, "access-%s.log" % fmt)
    srv = Server(build, data, os.path.join(tmp, "hallsd-%s.log" % fmt),
                 ["--log", log, "--log-format", fmt, "--timeout", str(TIMEOUT),
                  "--max-connections", str(MAX_CONNECTIONS)])
    servers.append(srv)
    try:
        want = exercise(srv, bob)
    finally:
        srv.stop()
    (check_text if fmt == "text" else check_json)(log, want)


def hallsd(build, data, *args, user=None):
    """Runs hallsd to its exit (it cannot listen): (status, standard error)."""
    cmd = [os.path.join(build, "hallsd"), "--data", data] + list(args)
    if user is not None:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    return r.returncode, r.stderr


def privileged_port(build, tmp):
    """A port below 1024, as a user without root: "Permission denied"."""
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
        start = int(f.read())
    if start <= 1:
        print("# skipped: a port below 1024 without root (anyone may bind one here: "
              "net.ipv4.ip_unprivileged_port_start is %d)" % start)
        return
    port = start - 1 if start <= 1024 else 1023
    user, data = None, os.path.join(tmp, "data")
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            print("# skipped: a port below 1024 without root (running as root, no setpriv)")
            return
        # As nobody, over a data directory of nobody's.
        user, data = 65534, os.path.join(tmp, "nobody-data")
        r = halls(build, data, "init")
        if r.returncode != 0:
            raise RuntimeError("halls init: " + r.stderr)
        os.chmod(tmp, 0o711)
        subprocess.run(["chown", "-R", "65534:65534", data], check=True)
        print("# running as root: hallsd runs as nobody (setpriv) for this check")
    rc, err = hallsd(build, data, "--listen", "127.0.0.1:%d" % port, user=user)
    check(rc == 1 and "hallsd: cannot listen on 127.0.0.1:%d: Permission denied (ports below "
          "1024 need root or CAP_NET_BIND_SERVICE)" % port in err,
          "a port below 1024 without root: \"Permission denied\", and the way out", (rc, err))


def cannot_listen(build, data, tmp):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        rc, err = hallsd(build, data, "--listen", "127.0.0.1:%d" % port)
        check(rc == 1 and "hallsd: cannot listen on 127.0.0.1:%d: Address already in use "
              "(another program, or another hallsd, serves there)\n" % port in err,
              "an address in use: \"Address already in use\"", (rc, err))
        rc, err = hallsd(build, data, "--listen", "127.0.0.1:%d" % free_port(),
                         "--metrics-listen", "127.0.0.1:%d" % port)
        check(rc == 1 and "hallsd: cannot listen on 127.0.0.1:%d: Address already in use" % port
              in err, "--metrics-listen at an address in use says so too", (rc, err))
    finally:
        taken.close()
    rc, err = hallsd(build, data, "--listen", "no-such-host.invalid:8080")
    check(rc == 1 and "hallsd: cannot listen on no-such-host.invalid:8080: cannot resolve "
          "no-such-host.invalid: " in err, "a host that does not resolve: \"cannot resolve\"",
          (rc, err))
    rc, err = hallsd(build, data, "--log-format", "xml")
    check(rc == 2 and "--log-format is text or json" in err, "--log-format xml is refused",
          (rc, err))
    privileged_port(build, tmp)


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    group = halls_json(build, data, "group", "add", "--name", "Choir")["id"]
    ids = {}
    for name in ("bob", "cal"):
        ids[name] = halls_json(build, data, "user", "add", "--name", name.title(), "--email",
                               name + "@example.org", "--role", "member", "--group",
                               str(group), "--password-stdin",
                               stdin=name + "-password\n")["id"]
    run_format(build, data, tmp, servers, "text", ids["bob"])
    run_format(build, data, tmp, servers, "json", ids["bob"])
    cannot_listen(build, data, tmp)


if __name__ == "__main__":
    sys.exit(run_suite("test_access_log", body))
