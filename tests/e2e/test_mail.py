#!/usr/bin/env python3
"""Mail, end to end: hallsd --smtp sends the outbox to a real SMTP server (Debian's
python3-aiosmtpd, started here on a loopback port, recording what it receives).

- What arrives: the stored bytes unchanged; From, To, Subject, Date, Message-ID and
  MIME-Version; a MIME structure Python's email package parses without a defect, with a
  text and an HTML part (and any text/calendar part passing ics_check's strict checks);
  the SMTP envelope (MAIL FROM the site's address, RCPT TO the recipient).
- The relay down while a message waits, then up: it arrives once. hallsd killed (-9)
  while a message waits to be sent, then restarted: it arrives once. hallsd killed after
  the relay took a message but before its 250 was recorded: it arrives again with the
  same Message-ID, the one window of at-least-once delivery.
- A 5xx refusal fails the message, visible in `halls outbox list`, and `halls outbox
  retry` sends it; a 4xx waits out its backoff (the pinned clock says when); several
  hallsd processes on one data directory send each message once; SIGTERM stops hallsd
  while a send hangs; STARTTLS required and AUTH from a file.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed.
Environment: BUILD (default ./build)."""
import asyncio
import email
import email.policy
import email.utils
import os
import socket
import subprocess
import sys
import threading
import time

from harness import Server, check, free_port, halls, halls_json, make_cert, run_suite

try:
    from aiosmtpd.controller import Controller
except ImportError:
    # A python3 other than Debian's does not see Debian's packages (pure Python).
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

import ics_check

NOW = 1796000000  # Mon 30 Nov 2026 00:53:20 UTC
SITE = ["--smtp-from", "rooms@hartley.example", "--smtp-from-name", "Hartley Borough rooms",
        "--public-url", "https://rooms.example.org/"]


class Relay:
    """An SMTP server on 127.0.0.1:port that records each message it is given (at the
    start of DATA's handling, before it answers). refuse: address -> RCPT reply;
    data_reply: address -> DATA reply (else 250); delay: seconds before DATA's answer."""

    def __init__(self, port):
        self.port = port
        self.received = []
        self.lock = threading.Lock()
        self.refuse = {}
        self.data_reply = {}
        self.delay = 0
        self.controller = None

    def start(self, **kwargs):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "bytes": envelope.original_content})
        if self.delay:
            await asyncio.sleep(self.delay)
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.data_reply:
                return self.data_reply[rcpt]
        return "250 2.0.0 OK queued"

    def copies(self, message_id):
        """The messages received with this Message-ID."""
        with self.lock:
            got = list(self.received)
        return [m for m in got
                if email.message_from_bytes(m["bytes"])["Message-ID"] == message_id]


def wait_for(cond, limit=20.0):
    deadline = time.time() + limit
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


class Mail:
    """The data directory, hallsd and the relay of one suite."""

    def __init__(self, build, tmp, servers):
        self.build, self.tmp, self.servers = build, tmp, servers
        self.data = os.path.join(tmp, "data")
        self.relay = Relay(free_port())
        self.killable = []
        self.nlogs = 0

    def hallsd(self, now=NOW, smtp=True, args=(), stop_by_test=False):
        """hallsd over the data, sending to the relay (smtp), its clock pinned to now.
        One the test kills (stop_by_test) is not stopped by run_suite."""
        self.nlogs += 1
        extra = ["--smtp", "smtp://127.0.0.1:%d" % self.relay.port] if smtp else []
        srv = Server(self.build, self.data, os.path.join(self.tmp, "hallsd%d.log" % self.nlogs),
                     args=extra + list(args), env={"HALLS_NOW": str(now)})
        (self.killable if stop_by_test else self.servers).append(srv)
        return srv

    def kill(self, srv):
        srv.proc.kill()
        srv.proc.wait()
        srv.log.close()

    def queue(self, to, subject, now=NOW):
        """A message queued as a flow of the core queues one: its id."""
        r = subprocess.run([os.path.join(self.build, "test-queue-mail"), self.data, to, subject],
                           capture_output=True, text=True, env=dict(os.environ, HALLS_NOW=str(now)))
        if r.returncode != 0:
            raise RuntimeError("test-queue-mail: " + r.stderr)
        return int(r.stdout)

    def record(self, mid):
        return halls_json(self.build, self.data, "outbox", "show", str(mid))

    def raw(self, mid):
        r = subprocess.run([os.path.join(self.build, "halls"), "--data", self.data, "outbox",
                            "show", str(mid), "--raw"], capture_output=True)
        return r.stdout

    def state(self, mid):
        return self.record(mid)["state"]

    def arrives(self, mid, n=1, limit=20.0):
        """True when message mid has arrived n times (and not more) within limit."""
        message_id = self.record(mid)["message_id"]
        return wait_for(lambda: len(self.relay.copies(message_id)) >= n, limit) and \
            len(self.relay.copies(message_id)) == n


def log_of(srv):
    with open(srv.log_path, errors="replace") as f:
        return f.read()


# --- what arrives ---

def check_message(m, mid, raw, record):
    """The message as the relay got it, against its record and its stored bytes."""
    check(m["bytes"] == raw, "the relay got the stored bytes unchanged (message %d)" % mid,
          (len(m["bytes"]), len(raw)))
    check(m["from"] == "rooms@hartley.example", "MAIL FROM is the site's address", m["from"])
    check(m["to"] == [record["to"]], "RCPT TO is the recipient alone", m["to"])
    msg = email.message_from_bytes(m["bytes"], policy=email.policy.default)
    defects = [(p.get_content_type(), p.defects) for p in msg.walk() if p.defects]
    check(not defects, "the message parses without a defect", defects)
    for h in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
        check(len(msg.get_all(h) or []) == 1, "one %s header" % h, msg.get_all(h))
    check(msg["From"].addresses[0].addr_spec == "rooms@hartley.example" and
          msg["From"].addresses[0].display_name == "Hartley Borough rooms",
          "From is the site's name and address", str(msg["From"]))
    check(msg["To"].addresses[0].addr_spec == record["to"], "To is the recipient", str(msg["To"]))
    check(str(msg["Subject"]) == record["subject"], "the Subject decodes to the record's",
          (str(msg["Subject"]), record["subject"]))
    check(msg["Message-ID"] == record["message_id"], "the Message-ID is the record's",
          msg["Message-ID"])
    check(email.utils.parsedate_to_datetime(msg["Date"]).timestamp() == record_created(record),
          "the Date is when the message was made", msg["Date"])
    check(msg["MIME-Version"] == "1.0", "MIME-Version: 1.0")
    types = [p.get_content_type() for p in msg.walk()]
    check("text/plain" in types and "text/html" in types, "a text part and an HTML part",
          types)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    check("https://rooms.example.org/" in text and "https://rooms.example.org/" in html,
          "links point to --public-url", text[-300:])
    for p in msg.walk():
        if p.get_content_type() == "text/calendar":
            data = p.get_payload(decode=True)
            try:
                ics_check.check_feed(data)
                ok, detail = True, ""
            except AssertionError as e:
                ok, detail = False, str(e)
            check(ok, "the calendar part passes the feeds' strict checks", detail)


def record_created(record):
    import datetime as dt
    return dt.datetime.fromisoformat(record["created_at"].replace("Z", "+00:00")).timestamp()


def test_sent(t):
    """A message queued while hallsd runs is sent within a poll, and is what was stored."""
    t.relay.start()
    srv = t.hallsd(args=SITE)
    mid = t.queue("pat@knitters.example", "Your request for Main Hall: Caf\u00e9 night")
    check(t.arrives(mid), "a message queued by another process arrives, once")
    check(wait_for(lambda: t.state(mid) == "sent"), "its record says sent")
    rec = t.record(mid)
    check(rec["sent_at"] == "2026-11-30T00:53:20Z" and rec["attempts"] == 0 and
          rec["last_error"] is None, "sent at the pinned clock's time, no failed attempt", rec)
    got = t.relay.copies(rec["message_id"])
    if got:
        check_message(got[0], mid, t.raw(mid), rec)
    check("mail %d (test) sent" % mid in log_of(srv), "the log says it was sent")
    return srv


def test_refused(t):
    """A 5xx to the recipient fails the message for good; retry sends it."""
    t.relay.refuse["gone@chess.example"] = "550 5.1.1 <gone@chess.example>: mailbox unavailable"
    mid = t.queue("gone@chess.example", "Your booking was approved")
    check(wait_for(lambda: t.state(mid) == "failed"), "a message the relay refuses (550) fails")
    rec = t.record(mid)
    check(rec["attempts"] == 1 and "550 5.1.1" in (rec["last_error"] or "") and
          "RCPT TO" in rec["last_error"], "its record keeps the relay's words", rec)
    r = halls(t.build, t.data, "outbox", "list", "--state", "failed")
    check(r.returncode == 0 and "gone@chess.example" in r.stdout and "550 5.1.1" in r.stdout,
          "`halls outbox list --state failed` shows it and why", r.stdout)
    check(not t.relay.copies(rec["message_id"]), "nothing arrived")
    del t.relay.refuse["gone@chess.example"]
    r = halls(t.build, t.data, "outbox", "retry", str(mid), env={"HALLS_NOW": str(NOW)})
    check(r.returncode == 0, "`halls outbox retry` takes it", r.stderr)
    check(t.arrives(mid), "the retried message arrives, once")
    check(wait_for(lambda: t.state(mid) == "sent"), "and is recorded sent")
    r = halls(t.build, t.data, "outbox", "retry", str(mid))
    check(r.returncode == 1 and "sent already" in r.stderr, "a sent message is not retried",
          r.stderr)
    r = halls(t.build, t.data, "outbox", "drop", str(mid))
    check(r.returncode == 1 and "sent already" in r.stderr, "nor dropped", r.stderr)


def test_backoff(t):
    """A 4xx waits out its backoff; meanwhile later messages go."""
    t.relay.data_reply["busy@chess.example"] = "451 4.3.0 try again later"
    mid = t.queue("busy@chess.example", "Reminder: Chess Club tomorrow")
    check(wait_for(lambda: t.record(mid)["attempts"] == 1), "a 451 is one failed attempt")
    rec = t.record(mid)
    check(rec["state"] == "waiting" and rec["due_at"] == "2026-11-30T00:54:20Z" and
          "451 4.3.0" in (rec["last_error"] or ""),
          "the message waits a minute (the first backoff) with the relay's words", rec)
    del t.relay.data_reply["busy@chess.example"]
    later = t.queue("sam@chess.example", "A later message")
    check(t.arrives(later), "a message queued after it goes first")
    rec = t.record(mid)
    check(rec["state"] == "waiting" and rec["attempts"] == 1 and
          len(t.relay.copies(rec["message_id"])) == 1,
          "the waiting one is not tried again before its time (one copy: the refused try)",
          rec)
    return mid


def test_relay_down(t, srv, busy):
    """The relay down while a message waits, then up: it arrives once."""
    t.relay.stop()
    mid = t.queue("pat@knitters.example", "Your booking was approved")
    check(wait_for(lambda: t.record(mid)["attempts"] == 1),
          "with the relay down, the try fails")
    rec = t.record(mid)
    check(rec["state"] == "waiting" and "connect" in (rec["last_error"] or "").lower(),
          "the message waits, saying the relay could not be reached", rec)
    t.relay.start()
    srv.stop()
    # Two minutes on: both backoffs (this one's and the 451's) are over.
    srv = t.hallsd(now=NOW + 120)
    check(t.arrives(mid), "the relay up again and the backoff over, the message arrives once")
    check(t.arrives(busy, 2), "so does the one that had a 451 (its second copy)")
    check(wait_for(lambda: t.state(mid) == "sent" and t.state(busy) == "sent"),
          "both recorded sent")
    return srv


def blackhole():
    """A listening socket that never answers: a relay that has not said hello yet."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s


def test_kill_before_delivery(t, srv):
    """hallsd killed while a committed message is still unsent: on restart, once."""
    srv.stop()
    t.relay.stop()
    hole = blackhole()
    hole.bind(("127.0.0.1", t.relay.port))
    hole.listen(8)
    victim = t.hallsd(now=NOW + 120, stop_by_test=True)
    mid = t.queue("pat@knitters.example", "Your request was received", now=NOW + 120)
    time.sleep(6)  # more than a poll: the thread is waiting for the relay's greeting
    t.kill(victim)
    rec = t.record(mid)
    check(rec["state"] == "waiting" and rec["attempts"] == 0,
          "killed mid-send, the message is still waiting, no attempt recorded", rec)
    hole.close()
    t.relay.start()
    srv = t.hallsd(now=NOW + 120)
    check(t.arrives(mid), "after a restart it arrives, once")
    check(wait_for(lambda: t.state(mid) == "sent"), "recorded sent")
    return srv


def test_kill_after_acceptance(t, srv):
    """Killed after the relay took the message, before its 250 was recorded: sent again,
    with the same Message-ID (at-least-once)."""
    t.relay.delay = 30
    mid = t.queue("priya@halls.example", "Requests waiting", now=NOW + 120)
    message_id = t.record(mid)["message_id"]
    check(wait_for(lambda: len(t.relay.copies(message_id)) == 1),
          "the relay has the message and holds back its 250")
    t.kill(srv)
    t.servers.remove(srv)
    check(t.state(mid) == "waiting", "killed before the answer, the message is not recorded sent")
    t.relay.stop()
    t.relay.delay = 0
    t.relay.start()
    srv = t.hallsd(now=NOW + 120)
    check(t.arrives(mid, 2), "after a restart it arrives a second time")
    copies = t.relay.copies(message_id)
    check(len(copies) == 2 and copies[0]["bytes"] == copies[1]["bytes"],
          "both copies are the same bytes, with the same Message-ID", len(copies))
    check(wait_for(lambda: t.state(mid) == "sent"), "recorded sent this time")
    return srv


def test_once_each(t, first):
    """Nothing the relay took and hallsd recorded was sent again by any restart."""
    got = t.relay.received
    ids = [email.message_from_bytes(m["bytes"])["Message-ID"] for m in got]
    again = {i for i in ids if ids.count(i) > 1}
    rows = halls_json(t.build, t.data, "outbox", "list")
    # The two sent twice by design: the 451 (refused, then taken) and the killed one.
    expected = {r["message_id"] for r in rows if r["subject"] in
                ("Reminder: Chess Club tomorrow", "Requests waiting")}
    check(again == expected, "every message arrived once, but the two that had to be resent",
          (again, expected))
    check(all(r["state"] == "sent" for r in rows), "every message is sent",
          [(r["id"], r["state"]) for r in rows])


def test_several_processes(t, srv):
    """Two hallsd on one data directory: each message arrives once."""
    other = t.hallsd(now=NOW + 120)
    mids = [t.queue("m%d@knitters.example" % i, "Message %d" % i, now=NOW + 120)
            for i in range(4)]
    check(all(t.arrives(m) for m in mids), "with two hallsd sending, each message arrives once")
    check(wait_for(lambda: "another hallsd on this data directory sends the outbox"
                   in log_of(srv) + log_of(other)), "one of them says the other sends")
    other.stop()


def test_without_smtp(t, srv):
    srv.stop()
    quiet = t.hallsd(now=NOW + 120, smtp=False)
    mid = t.queue("pat@knitters.example", "Nobody sends this", now=NOW + 120)
    time.sleep(6)  # more than a poll
    rec = t.record(mid)
    check(rec["state"] == "waiting" and rec["attempts"] == 0 and
          not t.relay.copies(rec["message_id"]),
          "without --smtp nothing is sent: the message waits", rec)
    check("no --smtp relay" in log_of(quiet), "hallsd says so at start")
    quiet.stop()
    r = halls(t.build, t.data, "outbox", "drop", str(mid))
    check(r.returncode == 0, "a waiting message can be dropped", r.stderr)


def test_stop_mid_send(t):
    """SIGTERM while a send hangs on a silent relay: hallsd stops, status 0."""
    t.relay.stop()
    hole = blackhole()
    hole.bind(("127.0.0.1", t.relay.port))
    hole.listen(8)
    srv = t.hallsd(now=NOW + 120, stop_by_test=True)
    mid = t.queue("pat@knitters.example", "Sent during a stop", now=NOW + 120)
    time.sleep(6)
    started = time.time()
    srv.proc.terminate()
    try:
        rc = srv.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        srv.proc.kill()
        rc = srv.proc.wait()
    srv.log.close()
    check(rc == 0, "SIGTERM during a hanging send stops hallsd cleanly", rc)
    check(time.time() - started < 15, "within the grace given to the send",
          time.time() - started)
    check(t.state(mid) == "waiting", "the abandoned message still waits")
    hole.close()
    halls(t.build, t.data, "outbox", "drop", str(mid))


def test_options(t):
    bad = [
        (["--smtp", "smtp://user:secret@127.0.0.1:25"], "--smtp-auth-file"),
        (["--smtp", "ftp://127.0.0.1"], "smtp://HOST"),
        (["--smtp", "smtp://127.0.0.1", "--smtp-tls", "sometimes"], "sometimes"),
        (["--smtp", "smtp://127.0.0.1", "--smtp-timeout", "0"], "unusable"),
        (["--smtp", "smtp://127.0.0.1", "--smtp-auth-file", "/nonexistent"], "/nonexistent"),
        (["--public-url", "ftp://rooms.example.org"], "site url"),
        (["--smtp-from", "not an address"], "from address"),
        (["--smtp-from-name", "two\nlines"], "control character"),
    ]
    for args, words in bad:
        r = subprocess.run([os.path.join(t.build, "hallsd"), "--data", t.data, "--listen",
                            "127.0.0.1:%d" % free_port()] + args,
                           capture_output=True, text=True, timeout=20)
        check(r.returncode == 2 and words in r.stderr,
              "hallsd refuses %s (exit 2, saying %s)" % (" ".join(map(repr, args)), words),
              (r.returncode, r.stderr))
    r = subprocess.run([os.path.join(t.build, "hallsd"), "--help"], capture_output=True,
                       text=True)
    check(all(o in r.stdout for o in ("--smtp URL", "--smtp-tls", "--smtp-auth-file",
                                      "--smtp-from ADDR", "--smtp-from-name", "--public-url")),
          "hallsd --help lists the mail options")


def test_tls_and_auth(t):
    """STARTTLS required: refused by a relay without it, used with one that has it; AUTH
    with the credentials of --smtp-auth-file."""
    cert, key = make_cert(t.tmp, "relay")
    import ssl
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    auth_file = os.path.join(t.tmp, "relay.auth")
    with open(auth_file, "w") as f:
        f.write("halls:correct horse battery\n")
    os.chmod(auth_file, 0o600)
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"halls" and
                          auth_data.password == b"correct horse battery")

    t.relay.stop()
    t.relay.start()
    tls_args = ["--smtp-tls", "required", "--smtp-ca", cert]
    srv = t.hallsd(now=NOW + 120, args=tls_args)
    mid = t.queue("pat@knitters.example", "Over TLS", now=NOW + 120)
    check(wait_for(lambda: t.record(mid)["attempts"] == 1),
          "--smtp-tls required and a relay without STARTTLS: not sent")
    rec = t.record(mid)
    check(rec["state"] == "waiting" and not t.relay.copies(rec["message_id"]),
          "the message waits", rec)
    srv.stop()
    t.relay.stop()
    t.relay.start(tls_context=ctx, require_starttls=True, authenticator=authenticator,
                  auth_required=True)
    halls(t.build, t.data, "outbox", "retry", str(mid), env={"HALLS_NOW": str(NOW + 120)})
    srv = t.hallsd(now=NOW + 120, args=tls_args + ["--smtp-auth-file", auth_file])
    check(t.arrives(mid), "with STARTTLS offered and the relay's CA given, it arrives")
    check(seen and seen[-1] == (b"halls", b"correct horse battery"),
          "hallsd authenticated with the file's user and password", seen)
    check("correct horse" not in log_of(srv), "the password is not in hallsd's log")
    srv.stop()


def body(build, tmp, servers):
    t = Mail(build, tmp, servers)
    halls(build, t.data, "init")
    try:
        test_options(t)
        srv = test_sent(t)
        test_refused(t)
        busy = test_backoff(t)
        srv = test_relay_down(t, srv, busy)
        srv = test_kill_before_delivery(t, srv)
        srv = test_kill_after_acceptance(t, srv)
        test_several_processes(t, srv)
        test_once_each(t, srv)
        test_without_smtp(t, srv)
        test_stop_mid_send(t)
        test_tls_and_auth(t)
    finally:
        for srv in t.killable:
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait()
        t.relay.stop()


if __name__ == "__main__":
    sys.exit(run_suite("test_mail", body))
