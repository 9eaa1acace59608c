#!/usr/bin/env python3
"""Mail, end to end: hallsd --smtp sends the outbox to a real SMTP server (Debian's
python3-aiosmtpd, started here on a loopback port, recording what it receives). The
messages are made by real flows: a member's request, a manager's decision, a
cancellation, the reminder the delivery thread's sweep makes.

- What arrives (a request, its approval, a password reset): the stored bytes unchanged; From, To, Subject, Date, Message-ID and
  MIME-Version; a MIME structure Python's email package parses without a defect, with a
  text and an HTML part, and the approval's calendar parts passing ics_check's strict
  checks (METHOD:REQUEST); the SMTP envelope (MAIL FROM the site's address, RCPT TO the
  recipient alone).
- The relay down while a booking is approved, then up: the message arrives once. hallsd
  killed (-9) after the commit and before delivery, then restarted: it arrives once.
  hallsd killed after the relay took a message but before its 250 was recorded: it
  arrives again with the same Message-ID, the one window of at-least-once delivery.
- A 5xx refusal fails the message, visible in `halls outbox list`, and `halls outbox
  retry` sends it; a 4xx waits out its backoff (the pinned clock says when); several
  hallsd on one data directory send each message once; reminders are made once by the
  sweep; without --smtp nothing is sent; SIGTERM stops hallsd while a send hangs;
  STARTTLS required, and AUTH from a file.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed.
Environment: BUILD (default ./build)."""
import asyncio
import datetime as dt
import email
import email.policy
import email.utils
import os
import socket
import ssl
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
LATER = NOW + 120  # past the first backoffs (1 and 2 minutes)
SITE = ["--smtp-from", "rooms@hartley.example", "--smtp-from-name", "Hartley Borough rooms",
        "--public-url", "https://rooms.example.org/"]
PAT, PRIYA, GONE = "pat@choir.example", "priya@hartley.example", "gone@chess.example"


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


def blackhole(port):
    """A socket listening on port that never answers: a relay that has not said hello."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    return s


def log_of(srv):
    with open(srv.log_path, errors="replace") as f:
        return f.read()


class Mail:
    """The data directory, its people, hallsd and the relay of one suite."""

    def __init__(self, build, tmp, servers):
        self.build, self.tmp, self.servers = build, tmp, servers
        self.data = os.path.join(tmp, "data")
        self.relay = Relay(free_port())
        self.killable = []
        self.nlogs = 0
        self.seen = 0  # the highest message id looked at by new()
        self.ids, self.tok = {}, {}

    def setup(self):
        b, d = self.build, self.data
        halls(b, d, "init")
        self.ids["venue"] = halls_json(b, d, "venue", "add", "--name",
                                       "Hartley Road Community Centre", "--tz", "Europe/London",
                                       "--email", "bookings@hartley.example")["id"]
        self.ids["room"] = halls_json(b, d, "room", "add", "--venue", str(self.ids["venue"]),
                                      "--name", "Main Hall", "--capacity", "80", "--approval",
                                      "manual", "--notice", "0", "--horizon", "365")["id"]
        self.ids["choir"] = halls_json(b, d, "group", "add", "--name", "Riverside Choir")["id"]
        self.ids["chess"] = halls_json(b, d, "group", "add", "--name", "Chess Club")["id"]
        for name, email_, role, extra in [
                ("Priya Shah", PRIYA, "manager", ["--venue", str(self.ids["venue"])]),
                ("Pat Okafor", PAT, "member", ["--group", str(self.ids["choir"])]),
                ("Sam Gone", GONE, "member", ["--group", str(self.ids["chess"])])]:
            uid = halls_json(b, d, "user", "add", "--name", name, "--email", email_, "--role",
                             role, *extra)["id"]
            self.tok[email_] = halls_json(b, d, "token", "issue", "--user", str(uid))["token"]

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
        if srv in self.servers:
            self.servers.remove(srv)

    # --- the flows that make messages ---

    def request(self, srv, who, group, day, title):
        body = {"room_id": self.ids["room"], "group_id": self.ids[group], "title": title,
                "start": "%sT19:00" % day, "end": "%sT21:00" % day}
        st, _, b = srv.request("POST", "/api/v1/bookings", body, token=self.tok[who])
        if st != 201:
            raise RuntimeError("request: %s %s" % (st, b))
        return b["id"]

    def decide(self, srv, who, booking, verb, note=None):
        st, _, b = srv.request("POST", "/api/v1/bookings/%d/%s" % (booking, verb),
                               {"note": note} if note else None, token=self.tok[who])
        if st != 200:
            raise RuntimeError("%s: %s %s" % (verb, st, b))

    def console_request(self, day, title, approve=False, now=NOW):
        r = halls(self.build, self.data, "--json", "booking", "request", "--room",
                  str(self.ids["room"]), "--group", str(self.ids["choir"]), "--start",
                  "%sT19:00" % day, "--end", "%sT21:00" % day, "--title", title,
                  *(["--approve"] if approve else []), env={"HALLS_NOW": str(now)})
        if r.returncode != 0:
            raise RuntimeError("halls booking request: " + r.stderr)

    # --- the outbox ---

    def outbox(self):
        return halls_json(self.build, self.data, "outbox", "list")

    def new_rows(self):
        """The messages made since the last call (of this or new)."""
        rows = [r for r in self.outbox() if r["id"] > self.seen]
        if rows:
            self.seen = max(r["id"] for r in rows)
        return rows

    def new(self):
        """{(kind, to): record} of the messages made since the last call."""
        return {(r["kind"], r["to"]): r for r in self.new_rows()}

    def record(self, mid):
        return halls_json(self.build, self.data, "outbox", "show", str(mid))

    def raw(self, mid):
        return subprocess.run([os.path.join(self.build, "halls"), "--data", self.data,
                               "outbox", "show", str(mid), "--raw"], capture_output=True).stdout

    def state(self, mid):
        return self.record(mid)["state"]

    def arrives(self, rec, n=1, limit=20.0):
        """True when message rec has arrived n times (and not more) within limit."""
        def count():
            return len(self.relay.copies(rec["message_id"]))
        return wait_for(lambda: count() >= n, limit) and count() == n


# --- what arrives ---

def check_message(t, m, rec):
    """The message as the relay got it, against its record and its stored bytes."""
    what = rec["kind"]
    check(m["bytes"] == t.raw(rec["id"]), "%s: the relay got the stored bytes unchanged" % what)
    check(m["from"] == "rooms@hartley.example", "%s: MAIL FROM is the site's address" % what,
          m["from"])
    check(m["to"] == [rec["to"]], "%s: RCPT TO is the recipient alone" % what, m["to"])
    msg = email.message_from_bytes(m["bytes"], policy=email.policy.default)
    defects = [(p.get_content_type(), p.defects) for p in msg.walk() if p.defects]
    check(not defects, "%s: the message parses without a defect" % what, defects)
    for h in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
        check(len(msg.get_all(h) or []) == 1, "%s: one %s header" % (what, h), msg.get_all(h))
    frm = msg["From"].addresses[0]
    check(frm.addr_spec == "rooms@hartley.example" and frm.display_name ==
          "Hartley Borough rooms", "%s: From is the site's name and address" % what,
          str(msg["From"]))
    check(msg["To"].addresses[0].addr_spec == rec["to"], "%s: To is the recipient" % what,
          str(msg["To"]))
    check(str(msg["Subject"]) == rec["subject"], "%s: the Subject decodes to the record's" % what,
          (str(msg["Subject"]), rec["subject"]))
    check(msg["Message-ID"] == rec["message_id"], "%s: the Message-ID is the record's" % what,
          msg["Message-ID"])
    created = dt.datetime.fromisoformat(rec["created_at"].replace("Z", "+00:00"))
    check(email.utils.parsedate_to_datetime(str(msg["Date"])) == created,
          "%s: the Date is when the message was made" % what, msg["Date"])
    check(msg["MIME-Version"] == "1.0", "%s: MIME-Version: 1.0" % what)
    types = [p.get_content_type() for p in msg.walk()]
    check("text/plain" in types and "text/html" in types,
          "%s: a text part and an HTML part" % what, types)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    check("https://rooms.example.org/" in text and "https://rooms.example.org/" in html,
          "%s: links point to --public-url" % what, text[-300:])
    calendars = [p for p in msg.walk()
                 if p.get_content_type() in ("text/calendar", "application/ics")]
    for p in calendars:
        try:
            ics_check.check_feed(p.get_payload(decode=True))
            ok, detail = True, ""
        except AssertionError as e:
            ok, detail = False, str(e)
        check(ok, "%s: its calendar part passes the feeds' strict checks" % what, detail)
    return msg, calendars


def test_sent(t):
    """A request and its approval, as the relay gets them."""
    t.relay.start()
    srv = t.hallsd(args=SITE)
    b1 = t.request(srv, PAT, "choir", "2026-12-08", "Choir practice")
    new = t.new()
    check(set(new) == {("booking-requested", PAT), ("booking-request-to-decide", PRIYA)},
          "a request makes the receipt and the managers' message", list(new))
    for rec in new.values():
        check(t.arrives(rec), "%s arrives, once" % rec["kind"])
        got = t.relay.copies(rec["message_id"])
        if got:
            check_message(t, got[0], rec)
    check(wait_for(lambda: all(t.state(r["id"]) == "sent" for r in new.values())),
          "both are recorded sent")
    rec = t.record(new[("booking-requested", PAT)]["id"])
    check(rec["sent_at"] == "2026-11-30T00:53:20Z" and rec["attempts"] == 0 and
          rec["last_error"] is None, "sent at the pinned clock's time, no failed attempt", rec)
    t.decide(srv, PRIYA, b1, "approve", "See you there")
    new = t.new()
    check(set(new) == {("booking-approved", PAT)}, "an approval tells the group", list(new))
    rec = new.get(("booking-approved", PAT))
    if rec and check(t.arrives(rec), "the approval arrives, once"):
        msg, calendars = check_message(t, t.relay.copies(rec["message_id"])[0], rec)
        check(len(calendars) == 2 and all(b"METHOD:REQUEST" in p.get_payload(decode=True)
                                           for p in calendars),
              "it carries the booking as an invitation (the alternative and invite.ics)",
              [p.get_content_type() for p in msg.walk()])
    check("(booking-approved) sent" in log_of(srv), "the log says what was sent")
    st, _, _ = srv.request("POST", "/api/v1/password-resets", {"email": PAT})
    new = t.new()
    rec = new.get(("password-reset", PAT))
    check(st == 202 and rec is not None, "a password reset asked for makes its message",
          (st, list(new)))
    if rec and check(t.arrives(rec), "the reset arrives, once"):
        msg, _ = check_message(t, t.relay.copies(rec["message_id"])[0], rec)
        check("https://rooms.example.org/set-password#token=" in
              msg.get_body(("plain",)).get_content(),
              "it carries the link to set a new password, at the site's address")
    return srv


def test_refused(t, srv):
    """A 5xx to the recipient fails the message for good; retry sends it."""
    t.relay.refuse[GONE] = "550 5.1.1 <%s>: mailbox unavailable" % GONE
    t.request(srv, GONE, "chess", "2026-12-09", "Chess evening")
    new = t.new()
    gone, priya = new[("booking-requested", GONE)], new[("booking-request-to-decide", PRIYA)]
    check(wait_for(lambda: t.state(gone["id"]) == "failed"),
          "a message the relay refuses (550) fails")
    check(t.arrives(priya), "the other message of the same request arrives")
    rec = t.record(gone["id"])
    check(rec["attempts"] == 1 and "550 5.1.1" in (rec["last_error"] or "") and
          "RCPT TO" in rec["last_error"], "its record keeps the relay's words", rec)
    r = halls(t.build, t.data, "outbox", "list", "--state", "failed")
    check(r.returncode == 0 and GONE in r.stdout and "550 5.1.1" in r.stdout,
          "`halls outbox list --state failed` shows it and why", r.stdout)
    check(not t.relay.copies(rec["message_id"]), "nothing arrived")
    del t.relay.refuse[GONE]
    r = halls(t.build, t.data, "outbox", "retry", str(rec["id"]), env={"HALLS_NOW": str(NOW)})
    check(r.returncode == 0, "`halls outbox retry` takes it", r.stderr)
    check(t.arrives(rec), "the retried message arrives, once")
    check(wait_for(lambda: t.state(rec["id"]) == "sent"), "and is recorded sent")
    r = halls(t.build, t.data, "outbox", "retry", str(rec["id"]))
    check(r.returncode == 1 and "sent already" in r.stderr, "a sent message is not retried",
          r.stderr)
    r = halls(t.build, t.data, "outbox", "drop", str(rec["id"]))
    check(r.returncode == 1 and "sent already" in r.stderr, "nor dropped", r.stderr)


def test_backoff(t, srv):
    """A 4xx waits out its backoff; meanwhile later messages go."""
    t.relay.data_reply[PRIYA] = "451 4.3.0 try again later"
    b3 = t.request(srv, PAT, "choir", "2026-12-10", "Choir concert")
    busy = t.new()[("booking-request-to-decide", PRIYA)]
    check(wait_for(lambda: t.record(busy["id"])["attempts"] == 1), "a 451 is one failed attempt")
    rec = t.record(busy["id"])
    check(rec["state"] == "waiting" and rec["due_at"] == "2026-11-30T00:54:20Z" and
          "451 4.3.0" in (rec["last_error"] or ""),
          "the message waits a minute (the first backoff) with the relay's words", rec)
    del t.relay.data_reply[PRIYA]
    b4 = t.request(srv, PAT, "choir", "2026-12-11", "Choir social")
    later = t.new()[("booking-request-to-decide", PRIYA)]
    check(t.arrives(later), "a later message to the same person goes first")
    rec = t.record(busy["id"])
    check(rec["state"] == "waiting" and rec["attempts"] == 1 and
          len(t.relay.copies(rec["message_id"])) == 1,
          "the waiting one is not tried again before its time (one copy: the refused try)",
          rec)
    return busy, b3, b4


def test_relay_down(t, srv, busy, b3):
    """The relay down while a booking is approved, then up: the message arrives once."""
    t.relay.stop()
    t.decide(srv, PRIYA, b3, "approve")
    rec = t.new()[("booking-approved", PAT)]
    check(wait_for(lambda: t.record(rec["id"])["attempts"] == 1),
          "with the relay down, the try fails")
    r = t.record(rec["id"])
    check(r["state"] == "waiting" and "connect" in (r["last_error"] or "").lower(),
          "the message waits, saying the relay could not be reached", r)
    t.relay.start()
    srv.stop()
    srv = t.hallsd(now=LATER)  # both backoffs (this one's and the 451's) are over
    check(t.arrives(rec), "the relay up again and the backoff over, the message arrives once")
    check(t.arrives(busy, 2), "so does the one that had a 451 (its second copy)")
    check(wait_for(lambda: t.state(rec["id"]) == "sent" and t.state(busy["id"]) == "sent"),
          "both are recorded sent")
    return srv


def test_kill_before_delivery(t, srv, b4):
    """hallsd killed after the commit and before delivery: on restart, once."""
    srv.stop()
    t.relay.stop()
    hole = blackhole(t.relay.port)
    victim = t.hallsd(now=LATER, stop_by_test=True)
    t.decide(victim, PRIYA, b4, "decline", "The hall is being painted that week")
    rec = t.new()[("booking-declined", PAT)]
    time.sleep(2)  # the thread is waiting for the relay's greeting
    t.kill(victim)
    r = t.record(rec["id"])
    check(r["state"] == "waiting" and r["attempts"] == 0,
          "killed mid-send, the declined message waits, no attempt recorded", r)
    hole.close()
    t.relay.start()
    srv = t.hallsd(now=LATER)
    check(t.arrives(rec), "after a restart it arrives, once")
    check(wait_for(lambda: t.state(rec["id"]) == "sent"), "recorded sent")
    got = t.relay.copies(rec["message_id"])
    if got:
        body = email.message_from_bytes(got[0]["bytes"], policy=email.policy.default)
        check("The hall is being painted that week" in body.get_body(("plain",)).get_content(),
              "it carries the manager's note")
    return srv


def test_kill_after_acceptance(t, srv, b3):
    """Killed after the relay took the message, before its 250 was recorded: sent again,
    with the same Message-ID (at-least-once)."""
    t.relay.delay = 30
    st, _, body = srv.request("POST", "/api/v1/bookings/%d/cancel" % b3,
                              {"note": "The choir is ill"}, token=t.tok[PAT])
    check(st == 200, "the member cancels the approved booking", (st, body))
    rec = t.new()[("booking-cancelled", PRIYA)]
    check(wait_for(lambda: len(t.relay.copies(rec["message_id"])) == 1),
          "the relay has the message and holds back its 250")
    t.kill(srv)
    check(t.state(rec["id"]) == "waiting",
          "killed before the answer, the message is not recorded sent")
    t.relay.stop()
    t.relay.delay = 0
    t.relay.start()
    srv = t.hallsd(now=LATER)
    check(t.arrives(rec, 2), "after a restart it arrives a second time")
    copies = t.relay.copies(rec["message_id"])
    check(len(copies) == 2 and copies[0]["bytes"] == copies[1]["bytes"],
          "both copies are the same bytes, with the same Message-ID", len(copies))
    check(wait_for(lambda: t.state(rec["id"]) == "sent"), "recorded sent this time")
    return srv, rec


def test_several_processes(t, srv):
    """Two hallsd on one data directory: each message arrives once."""
    other = t.hallsd(now=LATER)
    for day in ("2026-12-14", "2026-12-15"):
        t.request(other, PAT, "choir", day, "Extra rehearsal")
    new = t.new_rows()
    check(len(new) == 4 and all(t.arrives(r) for r in new),
          "with two hallsd sending, each message arrives once",
          [(r["kind"], r["to"]) for r in new])
    check(wait_for(lambda: "another hallsd on this data directory sends the outbox"
                   in log_of(srv) + log_of(other)), "one of them says the other sends")
    other.stop()


def test_reminders(t, srv):
    """The sweep at start makes a reminder once, and it is sent."""
    srv.stop()
    t.console_request("2026-11-30", "Choir warm-up", approve=True, now=LATER)
    t.new()
    srv = t.hallsd(now=LATER)
    check(wait_for(lambda: any(r["kind"] == "reminder" for r in t.outbox())),
          "the sweep at start makes the reminder of a booking this evening")
    rem = [r for r in t.outbox() if r["kind"] == "reminder"]
    if rem:
        check(t.arrives(rem[0]) and rem[0]["to"] == PAT, "it is sent to the member, once")
    srv.stop()
    srv = t.hallsd(now=LATER + 60)
    time.sleep(2)
    check(len([r for r in t.outbox() if r["kind"] == "reminder"]) == 1,
          "a restart (and its sweep) does not make it again")
    t.new()
    return srv


def test_once_each(t, resent):
    """Nothing the relay took and hallsd recorded was sent again by any restart."""
    ids = [email.message_from_bytes(m["bytes"])["Message-ID"] for m in t.relay.received]
    again = {i for i in ids if ids.count(i) > 1}
    check(again == set(resent), "every message arrived once, but the two that had to be resent",
          (again, resent))
    check(wait_for(lambda: all(r["state"] == "sent" for r in t.outbox())),
          "every message is sent")
    rows = t.outbox()
    check(all(r["state"] == "sent" for r in rows), "every message is sent, in the end",
          [(r["id"], r["kind"], r["state"]) for r in rows if r["state"] != "sent"])


def test_without_smtp(t, srv):
    srv.stop()
    quiet = t.hallsd(now=LATER, smtp=False)
    t.console_request("2026-12-16", "Nobody hears of this", now=LATER)
    new = t.new()
    time.sleep(6)  # more than a poll
    check(new and all(t.record(r["id"])["state"] == "waiting" and
                      t.record(r["id"])["attempts"] == 0 and
                      not t.relay.copies(r["message_id"]) for r in new.values()),
          "without --smtp nothing is sent: the messages wait", list(new))
    check("no --smtp relay" in log_of(quiet), "hallsd says so at start")
    quiet.stop()
    for r in new.values():
        d = halls(t.build, t.data, "outbox", "drop", str(r["id"]))
        check(d.returncode == 0, "a waiting message can be dropped", d.stderr)


def test_stop_mid_send(t):
    """SIGTERM while a send hangs on a silent relay: hallsd stops, status 0."""
    t.relay.stop()
    hole = blackhole(t.relay.port)
    srv = t.hallsd(now=LATER, stop_by_test=True)
    t.console_request("2026-12-17", "Sent during a stop", now=LATER)
    new = t.new()
    time.sleep(2)
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
    check(all(t.state(r["id"]) == "waiting" for r in new.values()),
          "the abandoned message still waits")
    hole.close()
    for r in new.values():
        halls(t.build, t.data, "outbox", "drop", str(r["id"]))


def test_tls_and_auth(t):
    """STARTTLS required: refused by a relay without it, used with one that has it; AUTH
    with the credentials of --smtp-auth-file."""
    cert, key = make_cert(t.tmp, "relay")
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

    t.relay.start()
    tls_args = ["--smtp-tls", "required", "--smtp-ca", cert]
    srv = t.hallsd(now=LATER, args=tls_args)
    t.console_request("2026-12-18", "Over TLS", now=LATER)
    new = list(t.new().values())
    check(new and wait_for(lambda: all(t.record(r["id"])["attempts"] == 1 for r in new)),
          "--smtp-tls required and a relay without STARTTLS: not sent")
    check(all("STARTTLS" in (t.record(r["id"])["last_error"] or "") and
              not t.relay.copies(r["message_id"]) for r in new),
          "the messages wait, saying why", [t.record(r["id"]) for r in new])
    srv.stop()
    t.relay.stop()
    t.relay.start(tls_context=ctx, require_starttls=True, authenticator=authenticator,
                  auth_required=True)
    for r in new:
        halls(t.build, t.data, "outbox", "retry", str(r["id"]), env={"HALLS_NOW": str(LATER)})
    srv = t.hallsd(now=LATER, args=tls_args + ["--smtp-auth-file", auth_file])
    check(all(t.arrives(r) for r in new),
          "with STARTTLS offered and the relay's CA given, they arrive")
    check(seen and seen[-1] == (b"halls", b"correct horse battery"),
          "hallsd authenticated with the file's user and password", seen)
    srv.stop()
    check("correct horse" not in log_of(srv), "the password is not in hallsd's log")


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


def body(build, tmp, servers):
    t = Mail(build, tmp, servers)
    t.setup()
    try:
        test_options(t)
        srv = test_sent(t)
        test_refused(t, srv)
        busy, b3, b4 = test_backoff(t, srv)
        srv = test_relay_down(t, srv, busy, b3)
        srv = test_kill_before_delivery(t, srv, b4)
        srv, killed = test_kill_after_acceptance(t, srv, b3)
        test_several_processes(t, srv)
        srv = test_reminders(t, srv)
        test_once_each(t, [busy["message_id"], killed["message_id"]])
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
