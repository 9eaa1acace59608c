#!/usr/bin/env python3
"""hallsd under systemd's Type=notify (server/service.c), with a notification socket
the test owns in place of systemd's: READY=1 only once hallsd listens with its data
open, RELOADING=1 (with MONOTONIC_USEC) then READY=1 around SIGHUP, STOPPING=1 on
SIGTERM, each with a STATUS= line; an unusable NOTIFY_SOCKET changes nothing.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import os
import signal
import socket
import subprocess
import sys
import time

from harness import Server, check, free_port, halls, run_suite

JUNK = b"junk: fills the queue"


class NotifiedServer(Server):
    """hallsd with NOTIFY_SOCKET=notify_path, started without waiting for anything."""

    def __init__(self, build, data, log, notify_path):
        self.port = free_port()
        self.tls = None
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [os.path.join(build, "hallsd"), "--data", data, "--listen",
             "127.0.0.1:%d" % self.port],
            stdout=self.log, stderr=subprocess.STDOUT,
            env=dict(os.environ, NOTIFY_SOCKET=notify_path))


def fill(path):
    """Queues datagrams on the socket at path until it takes no more, so that the next
    sender blocks there (as a busy systemd would make it); returns how many."""
    w = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    w.setblocking(False)
    n = 0
    while True:
        try:
            w.sendto(JUNK, path)
        except BlockingIOError:
            break
        n += 1
    w.close()
    return n


def connect_when_listening(srv):
    """A connection to srv once its port accepts one (10 s at most), or None."""
    deadline = time.time() + 10
    while time.time() < deadline and srv.proc.poll() is None:
        try:
            return socket.create_connection(("127.0.0.1", srv.port), timeout=0.2)
        except OSError:
            time.sleep(0.05)
    return None


def fields(msg):
    """A notification's KEY=VALUE lines as a dict."""
    return dict(line.split("=", 1) for line in msg.decode().split("\n") if "=" in line)


def next_message(sock):
    """The next notification that is not junk, or None after 10 s."""
    while True:
        try:
            msg = sock.recv(4096)
        except socket.timeout:
            return None
        if msg != JUNK:
            return msg


def read_reply(conn):
    conn.settimeout(10)
    data = b""
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            return data
        data += chunk


def test_lifecycle(build, tmp, servers):
    data = os.path.join(tmp, "data")
    halls(build, data, "init")
    path = os.path.join(tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)

    # With the queue full, hallsd's READY=1 waits in sd_notify, and hallsd with it: if
    # it said READY=1 before listening, its port would never accept a connection.
    queued = fill(path)
    srv = NotifiedServer(build, data, os.path.join(tmp, "hallsd.log"), path)
    servers.append(srv)
    conn = connect_when_listening(srv)
    if not check(conn is not None, "hallsd listens before it says READY=1 "
                 "(its READY=1 held back by a full notification socket)"):
        return
    conn.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
    got = [sock.recv(4096) for _ in range(queued)]
    check(got == [JUNK] * queued, "the full queue held only the test's own datagrams")
    msg = next_message(sock)
    check(msg is not None and msg.startswith(b"READY=1\n"),
          "READY=1 is the first thing hallsd tells systemd", msg)
    status = fields(msg or b"").get("STATUS", "")
    check("Serving %s on http://127.0.0.1:%d/" % (data, srv.port) in status
          and "outbox" in status,
          "its STATUS= line names the data directory, the address and where mail goes",
          status)
    reply = read_reply(conn)
    conn.close()
    check(reply.startswith(b"HTTP/1.0 200") and b'"status":"ok"' in reply.replace(b" ", b""),
          "the /healthz sent while READY=1 was held back is answered 200", reply[:200])

    srv.proc.send_signal(signal.SIGHUP)
    msg = next_message(sock)
    f = fields(msg or b"")
    now_usec = time.monotonic_ns() // 1000
    check(msg is not None and msg.startswith(b"RELOADING=1\n"),
          "SIGHUP: RELOADING=1 first", msg)
    check(f.get("MONOTONIC_USEC", "").isdigit() and 0 < int(f["MONOTONIC_USEC"]) <= now_usec,
          "with MONOTONIC_USEC on the monotonic clock", msg)
    msg = next_message(sock)
    check(msg is not None and msg.startswith(b"READY=1\n") and b"STATUS=Serving" in msg,
          "then READY=1 again, with the STATUS= line", msg)
    st, _, body = srv.request("GET", "/healthz")
    check(st == 200, "hallsd serves after the reload", body)

    srv.proc.send_signal(signal.SIGTERM)
    msg = next_message(sock)
    check(msg is not None and msg.startswith(b"STOPPING=1\n"), "SIGTERM: STOPPING=1", msg)
    srv.proc.wait(timeout=15)
    check(srv.proc.returncode == 0, "and hallsd exits 0", srv.proc.returncode)
    # hallsd has exited: whatever it sent is queued already.
    sock.setblocking(False)
    rest = []
    try:
        while True:
            rest.append(sock.recv(4096))
    except BlockingIOError:
        pass
    check(rest == [], "nothing after STOPPING=1", rest)
    sock.close()


def test_no_listener(build, tmp, servers):
    """A NOTIFY_SOCKET nobody listens on: hallsd serves all the same."""
    data = os.path.join(tmp, "data")
    srv = NotifiedServer(build, data, os.path.join(tmp, "hallsd-nobody.log"),
                         os.path.join(tmp, "nobody.sock"))
    servers.append(srv)
    conn = connect_when_listening(srv)
    check(conn is not None, "with NOTIFY_SOCKET naming no socket hallsd still serves")
    if conn is not None:
        conn.close()
        st, _, _ = srv.request("GET", "/healthz")
        check(st == 200, "and answers /healthz", st)


def body(build, tmp, servers):
    test_lifecycle(build, tmp, servers)
    test_no_listener(build, tmp, servers)


if __name__ == "__main__":
    sys.exit(run_suite("test_service", body))
