#!/usr/bin/env python3
"""Messages about bookings, end to end: real changes through `halls` (HALLS_NOW pinned)
and through hallsd write their messages to the outbox, read back with `halls outbox`.

- A request: the group's receipt to each member, a request to decide to the manager;
  nothing to another group. Through hallsd, a member's request is acknowledged to the
  member too (the group's receipt), and the manager's approval is not told to the
  manager.
- Approval and cancellation carry the booking as an invitation (METHOD:REQUEST, then
  METHOD:CANCEL with STATUS:CANCELLED), ORGANIZER the venue's email, ATTENDEE the
  recipient, the UID and SEQUENCE the room's feed has; each attached calendar passes the
  feeds' strict parser (ics_check.check_feed), in the text/calendar alternative and in
  invite.ics alike.
- A series asked for and approved is one message each time, not one per date, and its
  invitation expands to its dates at the same wall-clock time across the clock change.
- A closure over a booking tells the group; a refused change writes nothing.
- Every message is RFC 5322 with a text and an HTML part and a footer linking to the
  choices.

Prints "ok"/"not ok" lines and a summary; exits 1 when anything failed (harness.run_suite).
Environment: BUILD (default ./build)."""
import datetime as dt
import email
import email.policy
import os
import sys

from harness import Server, check, halls, halls_json, run_suite

import ics_check

NOW = 1793610000  # Mon 2 Nov 2026 09:00 UTC
ENV = {"HALLS_NOW": str(NOW)}
UTC = dt.timezone.utc


def run_halls(build, data, *args):
    """halls --json ARGS at NOW, parsed; a refusal raises."""
    r = halls(build, data, "--json", *args, env=ENV)
    if r.returncode != 0:
        raise RuntimeError("halls %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def hj(build, data, *args):
    import json
    return json.loads(run_halls(build, data, *args))


def outbox(build, data):
    return halls_json(build, data, "outbox", "list")


def since(build, data, mark):
    """The messages queued after id mark."""
    return [m for m in outbox(build, data) if m["id"] > mark]


def last_id(build, data):
    return max([m["id"] for m in outbox(build, data)] or [0])


def count(msgs, kind, to=None):
    return sum(1 for m in msgs if m["kind"] == kind and (to is None or m["to"] == to))


def find(msgs, kind, to):
    for m in msgs:
        if m["kind"] == kind and m["to"] == to:
            return m
    raise AssertionError("no %s to %s in %s" % (kind, to, [(m["kind"], m["to"]) for m in msgs]))


def raw(build, data, mid):
    r = halls(build, data, "outbox", "show", str(mid), "--raw")
    if r.returncode != 0:
        raise RuntimeError("outbox show: " + r.stderr)
    return r.stdout.encode()


def parts(data):
    """(message, text, html, calendar alternative bytes, invite.ics bytes)."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    text = html = cal = ics = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/plain":
            text = part.get_content()
        elif ctype == "text/html":
            html = part.get_content()
        elif ctype == "text/calendar":
            cal = part.get_payload(decode=True)
        elif part.get_filename() == "invite.ics":
            ics = part.get_payload(decode=True)
    return msg, text, html, cal, ics


def prop(cal_bytes, name):
    """The first value of property name in the unfolded calendar (params dropped): of the
    calendar for METHOD, else of its first VEVENT."""
    text = cal_bytes.decode().replace("\r\n ", "")
    if name != "METHOD":
        text = text[text.find("BEGIN:VEVENT"):]
    for line in text.split("\r\n"):
        head, _, value = line.partition(":")
        if head.split(";")[0] == name:
            return value
    return None


def strict(cal_bytes, what):
    """The feeds' strict parser: True when it accepts."""
    try:
        ics_check.check_feed(cal_bytes)
        return check(True, what + " passes the feeds' strict parser")
    except ics_check.FeedError as e:
        return check(False, what + " passes the feeds' strict parser", e)


def setup(build, data):
    ids = {}
    halls(build, data, "init")
    ids["venue"] = hj(build, data, "venue", "add", "--name", "Riverside Centre", "--address",
                      "2 Quay Street, London E9 1AA", "--email", "bookings@riverside.example",
                      "--hours", "mon-sun 08:00-23:00")["id"]
    ids["room"] = hj(build, data, "room", "add", "--venue", str(ids["venue"]), "--name",
                     "Main Hall", "--capacity", "60")["id"]
    ids["choir"] = hj(build, data, "group", "add", "--name", "Riverside Choir")["id"]
    ids["knit"] = hj(build, data, "group", "add", "--name", "Knitters")["id"]
    for who, name, role, extra in (
            ("mana", "Priya Shah", "manager", ["--venue", str(ids["venue"])]),
            ("pat", "Pat Okafor", "member", ["--group", str(ids["choir"])]),
            ("lee", "Lee Chan", "member", ["--group", str(ids["choir"])]),
            ("ola", "Ola Nowak", "member", ["--group", str(ids["knit"])])):
        ids[who] = hj(build, data, "user", "add", "--name", name, "--email",
                      who + "@example.org", "--role", role, *extra)["id"]
    return ids


def check_message(build, data, m, what):
    """Every message: RFC 5322, text and HTML, the footer with the choices link."""
    msg, text, html, _, _ = parts(raw(build, data, m["id"]))
    check(msg["Message-ID"] == m["message_id"] and msg["Date"] and msg["MIME-Version"] == "1.0"
          and m["to"] in str(msg["To"]) and msg["Subject"] == m["subject"],
          what + ": headers (Message-ID, Date, MIME-Version, To, Subject)",
          (dict(msg.items()), m))
    check(text is not None and html is not None and "/account#notifications" in text
          and "/account#notifications" in html and "You get this message because" in text,
          what + ": a text and an HTML part, each with the footer", text)
    return text


def body(build, data, tmp, servers):
    ids = setup(build, data)
    venue = hj(build, data, "venue", "show", str(ids["venue"]))
    check(venue["email"] == "bookings@riverside.example", "a venue keeps its email", venue)
    r = halls(build, data, "venue", "set", str(ids["venue"]), "--email", "not an address")
    check(r.returncode == 1 and "email must be an address" in r.stderr,
          "an email that is not an address is refused", r.stderr)
    mark = last_id(build, data)

    # A request through halls (the console, so everyone concerned hears of it).
    b = hj(build, data, "booking", "request", "--room", str(ids["room"]), "--group",
           str(ids["choir"]), "--start", "2026-12-08T19:00", "--end", "2026-12-08T21:00",
           "--title", "Choir practice", "--attendees", "30")
    msgs = since(build, data, mark)
    check(count(msgs, "booking-requested", "pat@example.org") == 1
          and count(msgs, "booking-requested", "lee@example.org") == 1
          and count(msgs, "booking-request-to-decide", "mana@example.org") == 1
          and len(msgs) == 3,
          "a request: a receipt to each member, a request to decide to the manager, no more",
          [(m["kind"], m["to"]) for m in msgs])
    check(all(m["about_id"] == b["id"] and m["state"] == "waiting" for m in msgs),
          "each names the booking and waits (no --smtp)", msgs)
    text = check_message(build, data, find(msgs, "booking-request-to-decide", "mana@example.org"),
                         "the request to decide")
    check("When: Tuesday 8 December 2026, 7pm to 9pm" in text
          and "http://localhost:8080/requests" in text,
          "it says when in the venue's words and links to the requests page", text)

    # A refused change writes nothing.
    mark = last_id(build, data)
    r = halls(build, data, "booking", "request", "--room", str(ids["room"]), "--group",
              str(ids["choir"]), "--start", "2026-12-08T19:00", "--end", "2026-12-08T21:00",
              "--title", "Again", env=ENV)
    check(r.returncode != 0, "asking twice is refused", r.stderr)
    r = halls(build, data, "booking", "approve", "999", env=ENV)
    check(r.returncode != 0 and since(build, data, mark) == [],
          "refused changes write no message", since(build, data, mark))

    # Approved: an invitation, as the feed has the booking.
    run_halls(build, data, "booking", "approve", str(b["id"]), "--note",
              "Please use the side door after 6pm")
    msgs = since(build, data, mark)
    check(count(msgs, "booking-approved") == 2 and len(msgs) == 2,
          "approved: one message to each member", [(m["kind"], m["to"]) for m in msgs])
    m = find(msgs, "booking-approved", "pat@example.org")
    text = check_message(build, data, m, "the approval")
    check("Please use the side door after 6pm" in text, "the manager's note is quoted", text)
    msg, _, _, cal, ics = parts(raw(build, data, m["id"]))
    check(cal is not None and ics == cal, "the invitation is an alternative and invite.ics",
          (cal, ics))
    strict(cal, "the approval's calendar")
    check(prop(cal, "METHOD") == "REQUEST" and prop(cal, "STATUS") == "CONFIRMED"
          and prop(cal, "ORGANIZER") == "mailto:bookings@riverside.example"
          and prop(cal, "ATTENDEE") == "mailto:pat@example.org",
          "METHOD:REQUEST, ORGANIZER the venue's email, ATTENDEE the member",
          cal.decode())
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"), env=ENV)
    servers.append(srv)
    st, _, feed = srv.exchange("GET", "/feeds/rooms/%d.ics" % ids["room"])
    check(st == 200 and prop(feed, "UID") == prop(cal, "UID")
          and prop(feed, "SEQUENCE") == prop(cal, "SEQUENCE"),
          "the UID and SEQUENCE are the room feed's",
          (prop(feed, "UID"), prop(cal, "UID"), prop(feed, "SEQUENCE"), prop(cal, "SEQUENCE")))
    seq = int(prop(cal, "SEQUENCE"))

    # Cancelled: METHOD:CANCEL for the same event, a higher SEQUENCE.
    mark = last_id(build, data)
    run_halls(build, data, "booking", "cancel", str(b["id"]), "--note", "The hall floods")
    msgs = since(build, data, mark)
    check(count(msgs, "booking-cancelled") == 3, "cancelled: both members and the manager",
          [(m["kind"], m["to"]) for m in msgs])
    _, _, _, cal2, _ = parts(raw(build, data, find(msgs, "booking-cancelled", "lee@example.org")["id"]))
    strict(cal2, "the cancellation's calendar")
    check(prop(cal2, "METHOD") == "CANCEL" and prop(cal2, "STATUS") == "CANCELLED"
          and prop(cal2, "UID") == prop(cal, "UID") and int(prop(cal2, "SEQUENCE")) > seq,
          "METHOD:CANCEL, STATUS:CANCELLED, the same UID, a higher SEQUENCE", cal2.decode())
    _, _, _, none, _ = parts(raw(build, data, find(msgs, "booking-cancelled", "mana@example.org")["id"]))
    check(none is None, "the manager's message carries no calendar")

    # A series: one message when asked for, one when approved.
    mark = last_id(build, data)
    s = hj(build, data, "series", "add", "--room", str(ids["room"]), "--group",
           str(ids["choir"]), "--title", "Spring practice", "--start", "2027-03-16T19:00",
           "--end", "2027-03-16T21:00", "--rrule", "FREQ=WEEKLY;COUNT=4")
    sid = s["series"]["id"] if "series" in s else s["id"]
    msgs = since(build, data, mark)
    check(count(msgs, "series-requested") == 2 and count(msgs, "series-request-to-decide") == 1
          and len(msgs) == 3, "a series asked for: one message each, not one per date",
          [(m["kind"], m["to"]) for m in msgs])
    mark = last_id(build, data)
    run_halls(build, data, "series", "approve", str(sid))
    msgs = since(build, data, mark)
    check(count(msgs, "series-decided") == 2 and len(msgs) == 2,
          "a series approved: one message each", [(m["kind"], m["to"]) for m in msgs])
    m = find(msgs, "series-decided", "lee@example.org")
    check_message(build, data, m, "the series' decision")
    _, _, _, cal, _ = parts(raw(build, data, m["id"]))
    strict(cal, "the series' calendar")
    occ = ics_check.expand(cal)
    # 7pm in London: GMT before 28 March 2027, BST after.
    want = [dt.datetime(2027, 3, 16, 19, tzinfo=UTC), dt.datetime(2027, 3, 23, 19, tzinfo=UTC),
            dt.datetime(2027, 3, 30, 18, tzinfo=UTC), dt.datetime(2027, 4, 6, 18, tzinfo=UTC)]
    check([o.start_utc for o in occ] == want and prop(cal, "RRULE") == "FREQ=WEEKLY;COUNT=4",
          "its invitation is the series' rule: four dates at 7pm across the clock change",
          (prop(cal, "RRULE"), occ))

    # A closure over one of the dates.
    mark = last_id(build, data)
    run_halls(build, data, "closure", "add", "--room", str(ids["room"]), "--from",
              "2027-03-23T08:00", "--to", "2027-03-24T08:00", "--reason", "Floor sanding")
    msgs = since(build, data, mark)
    check(count(msgs, "closure-notice", "pat@example.org") == 1
          and count(msgs, "closure-notice", "lee@example.org") == 1 and len(msgs) == 2,
          "a closure over a booking: one message to each member of the group",
          [(m["kind"], m["to"]) for m in msgs])
    text = check_message(build, data, find(msgs, "closure-notice", "pat@example.org"),
                         "the closure notice")
    check("Spring practice: Main Hall, Tuesday 23 March 2027, 7pm to 9pm (approved)" in text
          and "Floor sanding" in text and "/request?room=%d" % ids["room"] in text,
          "it names the booking hit, the reason, and where to ask again", text)

    # Through hallsd, as a member and a manager: the same messages.
    tok = {who: hj(build, data, "token", "issue", "--user", str(ids[who]), "--label",
                   "test")["token"] for who in ("pat", "mana")}
    mark = last_id(build, data)
    st, _, made = srv.request("POST", "/api/v1/bookings", {
        "room_id": ids["room"], "group_id": ids["choir"], "title": "Concert",
        "start": "2026-12-15T19:00", "end": "2026-12-15T21:00"}, token=tok["pat"])
    check(st == 201, "a member asks through hallsd", (st, made))
    msgs = since(build, data, mark)
    check(count(msgs, "booking-requested", "pat@example.org") == 1
          and count(msgs, "booking-requested", "lee@example.org") == 1
          and count(msgs, "booking-request-to-decide", "mana@example.org") == 1
          and len(msgs) == 3,
          "hallsd writes the same: the asker gets the group's receipt",
          [(m["kind"], m["to"]) for m in msgs])
    mark = last_id(build, data)
    st, _, _ = srv.request("POST", "/api/v1/bookings/%d/approve" % made["id"], {},
                           token=tok["mana"])
    msgs = since(build, data, mark)
    check(st == 200 and count(msgs, "booking-approved") == 2
          and count(msgs, "booking-approved", "mana@example.org") == 0,
          "the manager's approval is told to the members, not to the manager",
          [(m["kind"], m["to"]) for m in msgs])
    check(all(m["to"] != "ola@example.org" for m in outbox(build, data)),
          "another group's member is told nothing")


if __name__ == "__main__":
    sys.exit(run_suite("test_notify", lambda build, tmp, servers: body(
        build, os.path.join(tmp, "data"), tmp, servers)))
