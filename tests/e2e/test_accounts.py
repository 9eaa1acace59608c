#!/usr/bin/env python3
"""Accounts that people run themselves, against the real hallsd: invitations, password
resets, password changes and the caller's own record, with the links read from the
messages in the outbox (`halls outbox list --json` and `halls outbox show ID --raw`, as
a person would read them from their mail).

Makes a data directory with `halls` (two venues, groups tied to them in different ways,
an admin, a manager and a member with passwords), starts hallsd with the clock pinned
(HALLS_NOW) and --trusted-proxy 127.0.0.1 (so X-Forwarded-For names the client), and
checks that:
- an invitation by the admin makes an account with no password and a message whose link
  checks, sets a password once (then 410) and lets the person sign in; the link is never a
  bearer token or a feed token; re-inviting someone with a password is 409, without one a
  new link that ends the first;
- a manager invites members for groups trusted at or booked at their venue, and no
  others; a member may not invite at all;
- a reset asked for a known and an unknown email gets the same answer, and only the
  known one a message; its link sets a new password and the owner is told;
- a password change needs the current password, meets the rule, ends the other sessions
  and API tokens but not the one that asked, and is told by email;
- PATCH /api/v1/users/me changes the name and notification choices and nothing else;
- links expire at 7 days and 1 hour exactly (hallsd restarted with a later clock);
- resets are throttled per address asked for and per client address.
Every request body and reply is validated against its schema (schema.py).

Prints "ok - ..." or "not ok - ..." per check and, last, "test_accounts: N passed, M
failed"; exits 1 when anything failed (harness.run_suite). Environment: BUILD (default
./build); HALLS_SCRYPT_LOG2N (default 10 here, in halls and hallsd alike).
"""
import email
import email.policy
import json
import os
import re
import sys

import schema
from harness import Server, check, halls, halls_json, run_suite

T0 = 1796000000  # Monday 30 November 2026, 00:53:20 in London (GMT)
LINK = re.compile(r"/set-password#token=([0-9a-f]{64})")


def shaped(body, name):
    return not schema.errors(name, body)


def is_problem(st, hdrs, body, status, kind):
    return (st == status and (hdrs.get("Content-Type") or "").startswith(
        "application/problem+json") and shaped(body, "problem")
        and body.get("type") == "/problems/" + kind)


def send(srv, method, path, body=None, token=None, schema_in=None, **kw):
    """srv.request, after checking the body against its request schema."""
    if schema_in is not None:
        check(shaped(body, schema_in), "the test's %s body matches %s" % (path, schema_in),
              schema.errors(schema_in, body))
    return srv.request(method, path, body, token=token, **kw)


def add_user(build, data, name, mail, role, password, *extra):
    return halls_json(build, data, "user", "add", "--name", name, "--email", mail, "--role",
                      role, "--password-stdin", *extra, stdin=password + "\n")["id"]


def sign_in(srv, mail, password):
    """The session token, or None."""
    st, _, body = srv.request("POST", "/api/v1/session", {"email": mail, "password": password})
    return body.get("token") if st == 201 and isinstance(body, dict) else None


def messages(build, data, kind, to):
    """The outbox's messages of kind to address to, oldest first."""
    return [m for m in halls_json(build, data, "outbox", "list")
            if m.get("kind") == kind and m.get("to") == to]


def read_message(build, data, msg_id):
    """The message's exact bytes, parsed: (the email.message, its text part)."""
    r = halls(build, data, "outbox", "show", str(msg_id), "--raw")
    if r.returncode != 0:
        raise RuntimeError("halls outbox show %s --raw: %s" % (msg_id, r.stderr))
    msg = email.message_from_string(r.stdout, policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",))
    return msg, text.get_content() if text is not None else ""


def last_link(build, data, kind, to):
    """The secret of the set-password link in the latest message of kind to to, the
    message and its text; (None, None, "") when there is none."""
    found = messages(build, data, kind, to)
    if not found:
        return None, None, ""
    msg, text = read_message(build, data, found[-1]["id"])
    m = LINK.search(text)
    return (m.group(1) if m else None), msg, text


def link_check(srv, secret):
    return send(srv, "POST", "/api/v1/account-links/check", {"token": secret},
                schema_in="account-link-request")


def link_use(srv, secret, password):
    return send(srv, "POST", "/api/v1/account-links/use", {"token": secret, "password": password},
                schema_in="account-link-use")


def invite(srv, token, mail, name, role, **extra):
    body = dict({"email": mail, "name": name, "role": role}, **extra)
    return send(srv, "POST", "/api/v1/invitations", body, token=token,
                schema_in="invitation-create")


def invitation_flow(srv, build, data, admin, ids):
    st, hdrs, raw = srv.exchange("POST", "/api/v1/invitations",
                                 {"email": "Nina.Patel@Example.org", "name": "Nina Patel",
                                  "role": "member", "groups": [ids["trusted"]]}, token=admin)
    body = json.loads(raw) if raw else None
    check(st == 201 and shaped(body, "invitation"), "POST /api/v1/invitations: 201, an invitation",
          (st, raw))
    user = (body or {}).get("user", {})
    check(user.get("email") == "nina.patel@example.org" and user.get("has_password") is False,
          "the invited account has the email, lower-case, and no password yet", user)
    secret, msg, text = last_link(build, data, "invitation", "nina.patel@example.org")
    check(secret is not None, "the invitation in the outbox carries a set-password link", text)
    if secret is None:
        return
    check(secret.encode() not in raw, "the API's reply does not carry the link's secret")
    check(msg["Subject"] == "You are invited to halls" and "Nina Patel" in msg["To"],
          "the invitation's Subject and To", (msg["Subject"], msg["To"]))
    check("Ada Admin has invited you to halls to book rooms for Trusted Club." in text
          and "The link works once, until Monday 7 December 2026, 12:53am." in text
          and "You get this because Ada Admin invited nina.patel@example.org." in text,
          "the invitation says who invited whom to what, and until when", text)
    html = msg.get_body(preferencelist=("html",)).get_content()
    check(secret in html, "the HTML alternative carries the same link")

    # The secret is not a bearer token and opens no feed.
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=secret)
    check(st == 401, "a link's secret is not a bearer token", st)
    st, _, _ = srv.request("GET", "/feeds/private/%s.ics" % secret)
    check(st == 404, "a link's secret opens no private feed", st)

    st, _, body = link_check(srv, secret)
    check(st == 200 and shaped(body, "account-link") and body.get("purpose") == "invitation"
          and body.get("email") == "nina.patel@example.org" and body.get("name") == "Nina Patel"
          and body.get("expires_at") == "2026-12-07T00:53:20Z",
          "check: 200, an invitation for Nina that ends in 7 days", (st, body))
    for bad, what in (("eleven char", "11 characters"), ("nina.patel is the best", "the email's first part"),
                      ("Password1234", "a common password")):
        st, hdrs, body = srv.request("POST", "/api/v1/account-links/use",
                                     {"token": secret, "password": bad})
        check(is_problem(st, hdrs, body, 400, "invalid-input") and bad not in body["detail"],
              "use with %s: 400, in words that do not quote it" % what, (st, body))
    st, _, _ = link_check(srv, secret)
    check(st == 200, "a refused password leaves the link working", st)
    st, _, body = link_use(srv, secret, "a quiet morning by the river")
    check(st == 204 and body is None, "use: 204, the password is set", (st, body))
    check(sign_in(srv, "nina.patel@example.org", "a quiet morning by the river") is not None,
          "Nina signs in with the password she chose")
    for what, (st, hdrs, body) in (("use again", link_use(srv, secret, "another good password")),
                                   ("check again", link_check(srv, secret))):
        check(is_problem(st, hdrs, body, 410, "link-expired"),
              "%s: 410 link-expired" % what, (st, body))
    st, hdrs, body = link_check(srv, "0" * 64)
    check(is_problem(st, hdrs, body, 410, "link-expired") and body["detail"] == (
        "this link has expired or has already been used: ask for a new one"),
          "an unknown link: the same 410, in the same words", body)
    check(not messages(build, data, "password-changed", "nina.patel@example.org"),
          "a first password is not a change: no password-changed message")

    # Invited again: with a password, 409; without, a new link that ends the first.
    st, hdrs, body = invite(srv, admin, "nina.patel@example.org", "Nina", "member",
                            groups=[ids["trusted"]])
    check(is_problem(st, hdrs, body, 409, "already-exists"),
          "inviting someone who has a password: 409", (st, body))
    invite(srv, admin, "oli@example.org", "Oli", "member", groups=[ids["trusted"]])
    first, _, _ = last_link(build, data, "invitation", "oli@example.org")
    st, _, body = invite(srv, admin, "oli@example.org", "Oliver", "member",
                         groups=[ids["trusted"]])
    second, _, _ = last_link(build, data, "invitation", "oli@example.org")
    check(st == 201 and body["user"]["name"] == "Oliver" and first != second,
          "inviting someone who never set a password: 201, a new link", (st, body))
    st, _, _ = link_check(srv, first)
    check(st == 410, "the new invitation ends the first link", st)
    st, _, _ = link_check(srv, second)
    check(st == 200, "the new link works", st)
    ids["oli_link"] = second


def manager_invites(srv, build, data, ids, mia, mo):
    for group, what in ((ids["trusted"], "trusted at her venue"),
                        (ids["booked"], "with a booking at her venue")):
        st, _, body = invite(srv, mia, "for%d@example.org" % group, "Someone", "member",
                             groups=[group])
        check(st == 201 and shaped(body, "invitation"),
              "a manager invites a member of a group %s: 201" % what, (st, body))
    check(len(messages(build, data, "invitation", "for%d@example.org" % ids["booked"])) == 1,
          "the manager's invitation is in the outbox")
    for kw, what in (({"role": "member", "groups": [ids["elsewhere"]]},
                      "for a group her venue has never seen"),
                     ({"role": "member", "groups": [ids["trusted"], ids["elsewhere"]]},
                      "for one of hers and one not"),
                     ({"role": "manager", "venues": [ids["v1"]]}, "as a manager")):
        role = kw.pop("role")
        st, hdrs, body = invite(srv, mia, "refused@example.org", "Refused", role, **kw)
        check(is_problem(st, hdrs, body, 403, "forbidden"),
              "a manager inviting %s: 403" % what, (st, body))
    check(not messages(build, data, "invitation", "refused@example.org"),
          "a refused invitation queues no message")
    st, hdrs, body = invite(srv, mo, "x@example.org", "X", "member", groups=[ids["trusted"]])
    check(is_problem(st, hdrs, body, 403, "forbidden"), "a member may not invite: 403", (st, body))
    st, hdrs, body = invite(srv, None, "x@example.org", "X", "member", groups=[ids["trusted"]])
    check(is_problem(st, hdrs, body, 401, "unauthorized"), "nobody signed in: 401", (st, body))


def reset_flow(srv, build, data, mo):
    answers = []
    for mail in ("mo@example.org", "nobody@example.org"):
        st, hdrs, raw = srv.exchange("POST", "/api/v1/password-resets", {"email": mail},
                                     headers={"X-Forwarded-For": "198.51.100.1"})
        answers.append((st, raw, hdrs.get("Content-Type"), hdrs.get("Content-Length")))
    check(answers[0] == answers[1] and answers[0][0] == 202
          and shaped(json.loads(answers[0][1]), "password-reset-accepted")
          and answers[0][2] == "application/json",
          "a reset for a known and an unknown email: the same 202, word for word", answers)
    check(shaped({"email": "nobody@example.org"}, "password-reset-request"),
          "the reset body matches password-reset-request")
    check(not halls_json(build, data, "outbox", "list") or
          not messages(build, data, "password-reset", "nobody@example.org"),
          "no message for an email with no account")
    secret, msg, text = last_link(build, data, "password-reset", "mo@example.org")
    check(secret is not None and msg["Subject"] == "Reset your password for halls"
          and "for one hour: until Monday 30 November 2026, 1:53am." in text
          and "If you did not ask, ignore this email." in text,
          "the reset message: its link, one hour, and what to do if you did not ask", text)
    st, hdrs, body = srv.request("POST", "/api/v1/password-resets", {"email": "not an address"})
    check(is_problem(st, hdrs, body, 400, "invalid-input"), "a reset for a malformed email: 400",
          (st, body))
    if secret is None:
        return
    st, _, body = link_check(srv, secret)
    check(st == 200 and body.get("purpose") == "reset"
          and body.get("expires_at") == "2026-11-30T01:53:20Z",
          "check: a reset link, for one hour", (st, body))
    st, _, _ = link_use(srv, secret, "mo's brand new passphrase")
    check(st == 204, "the reset link sets a new password: 204", st)
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=mo)
    check(st == 401, "a reset ends every session of the account", st)
    check(sign_in(srv, "mo@example.org", "mo's first passphrase") is None
          and sign_in(srv, "mo@example.org", "mo's brand new passphrase") is not None,
          "the old password no longer signs in; the new one does")
    changed = messages(build, data, "password-changed", "mo@example.org")
    _, text = read_message(build, data, changed[-1]["id"]) if changed else (None, "")
    check(len(changed) == 1 and "with a reset link sent to this address" in text
          and "token=" not in text,
          "the owner is told the password changed, with no link secret in it", text)


def change_flow(srv, build, data):
    here = sign_in(srv, "mo@example.org", "mo's brand new passphrase")
    there = sign_in(srv, "mo@example.org", "mo's brand new passphrase")
    st, _, api = srv.request("POST", "/api/v1/tokens", {"label": "script"}, token=here)
    api = api.get("token") if st == 201 else None
    check(here and there and api, "Mo has two sessions and an API token")
    path = "/api/v1/users/me/password"
    st, hdrs, body = send(srv, "POST", path, {"current_password": "not my password",
                                              "new_password": "a perfectly good one"},
                          token=here, schema_in="password-change")
    check(is_problem(st, hdrs, body, 403, "forbidden"), "a wrong current password: 403",
          (st, body))
    st, hdrs, body = send(srv, "POST", path, {"current_password": "mo's brand new passphrase",
                                              "new_password": "too short"}, token=here)
    check(is_problem(st, hdrs, body, 400, "invalid-input"), "a new password of 9 characters: 400",
          (st, body))
    st, _, body = send(srv, "POST", path, {"current_password": "mo's brand new passphrase",
                                           "new_password": "autumn leaves on the common"},
                       token=here, schema_in="password-change")
    check(st == 204 and body is None, "a password change: 204", (st, body))
    st, _, me = srv.request("GET", "/api/v1/users/me", token=here)
    check(st == 200, "the session that asked stays signed in", st)
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=there)
    check(st == 401, "the other session has ended", st)
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=api)
    check(st == 401, "the API token has ended", st)
    check(sign_in(srv, "mo@example.org", "autumn leaves on the common") is not None,
          "the new password signs in")
    changed = messages(build, data, "password-changed", "mo@example.org")
    _, text = read_message(build, data, changed[-1]["id"]) if changed else (None, "")
    check(len(changed) == 2 and "by someone signed in to your account" in text
          and "/forgot-password" in text,
          "the change is told by email, with what to do if it was not them", text)
    return here


def self_update(srv, token):
    body = {"name": "Mo Khan", "notifications": {"reminders": False, "reminder_hours": 48}}
    st, _, user = send(srv, "PATCH", "/api/v1/users/me", body, token=token,
                       schema_in="user-me-patch")
    check(st == 200 and shaped(user, "user") and user["name"] == "Mo Khan"
          and user["notifications"]["reminders"] is False
          and user["notifications"]["reminder_hours"] == 48
          and user["notifications"]["requests"] is True,
          "PATCH /api/v1/users/me: 200, name and choices changed, the rest kept", (st, user))
    for field in ({"role": "admin"}, {"email": "mo2@example.org"}, {"groups": [1]},
                  {"password": "a new password here"}):
        st, hdrs, body = srv.request("PATCH", "/api/v1/users/me", field, token=token)
        check(is_problem(st, hdrs, body, 400, "invalid-input")
              and ("administrator" in body["detail"] or "current one" in body["detail"]),
              "PATCH /api/v1/users/me with %s: 400, saying who changes it" % list(field)[0],
              (st, body))


def expiry(build, data, tmp, servers, admin_pw, oli_link):
    """hallsd again with the clock later: links end at 7 days and 1 hour exactly."""
    def at(t):
        srv = Server(build, data, os.path.join(tmp, "hallsd-%d.log" % t),
                     args=("--trusted-proxy", "127.0.0.1"), env={"HALLS_NOW": str(t)})
        servers.append(srv)
        return srv

    srv = at(T0)
    admin = sign_in(srv, "ada@example.org", admin_pw)
    srv.request("POST", "/api/v1/password-resets", {"email": "ada@example.org"})
    reset, _, _ = last_link(build, data, "password-reset", "ada@example.org")
    srv.stop()
    srv = at(T0 + 3599)
    st, _, _ = link_check(srv, reset)
    check(st == 200, "a reset link works 59 minutes 59 seconds on", st)
    srv.stop()
    srv = at(T0 + 3600)
    st, hdrs, body = link_check(srv, reset)
    check(is_problem(st, hdrs, body, 410, "link-expired"), "a reset link has expired at one hour",
          (st, body))
    srv.stop()
    srv = at(T0 + 7 * 86400 - 1)
    st, _, _ = link_check(srv, oli_link)
    check(st == 200, "an invitation works until the last second of its 7 days", st)
    srv.stop()
    srv = at(T0 + 7 * 86400)
    st, hdrs, body = link_use(srv, oli_link, "too late for this one")
    check(is_problem(st, hdrs, body, 410, "link-expired"), "an invitation has expired at 7 days",
          (st, body))
    check(admin is not None, "the admin signed in at the first clock")
    return srv


def throttle(srv):
    """Resets count as attempts, per (email, client) and per client, as sign-ins do."""
    def ask(mail, addr):
        return srv.exchange("POST", "/api/v1/password-resets", {"email": mail},
                            headers={"X-Forwarded-For": addr})

    got = [ask("ada@example.org", "203.0.113.5")[0] for _ in range(6)]
    check(got == [202] * 5 + [429], "the 6th reset for one email from one client: 429", got)
    st, hdrs, raw = ask("ada@example.org", "203.0.113.5")
    body = json.loads(raw)
    check(is_problem(st, hdrs, body, 429, "too-many-attempts")
          and int(hdrs.get("Retry-After", "0")) > 0, "the 429 says when to try again",
          (st, dict(hdrs), body))
    st, _, _ = ask("ada@example.org", "203.0.113.6")
    check(st == 202, "another client may still ask for the same email", st)
    got = [ask("someone%d@example.org" % i, "203.0.113.7")[0] for i in range(21)]
    check(got == [202] * 20 + [429], "a client asking for 21 emails: the 21st is 429", got)


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    os.environ["HALLS_NOW"] = str(T0)
    halls_json(build, data, "init")
    v1 = halls_json(build, data, "venue", "add", "--name", "Hartley Hall")["id"]
    v2 = halls_json(build, data, "venue", "add", "--name", "Other Hall")["id"]
    r1 = halls_json(build, data, "room", "add", "--venue", str(v1), "--name", "Main",
                    "--capacity", "50", "--approval", "auto")["id"]
    r2 = halls_json(build, data, "room", "add", "--venue", str(v2), "--name", "Small",
                    "--capacity", "20", "--approval", "auto")["id"]
    ids = {"v1": v1,
           "trusted": halls_json(build, data, "group", "add", "--name", "Trusted Club", "--kind",
                                 "community", "--trusted-at", str(v1))["id"],
           "booked": halls_json(build, data, "group", "add", "--name", "Booked Club", "--kind",
                                "community")["id"],
           "elsewhere": halls_json(build, data, "group", "add", "--name", "Elsewhere Club",
                                   "--kind", "community")["id"]}
    for room, group in ((r1, ids["booked"]), (r2, ids["elsewhere"])):
        halls_json(build, data, "booking", "request", "--room", str(room), "--group", str(group),
                   "--title", "Meeting", "--start", "2026-12-08T19:00", "--end", "2026-12-08T20:00",
                   "--approve")
    admin_pw = "ada's long admin passphrase"
    add_user(build, data, "Ada Admin", "ada@example.org", "admin", admin_pw)
    add_user(build, data, "Mia Manager", "mia@example.org", "manager", "mia's managing words",
             "--venue", str(v1))
    add_user(build, data, "Mo Member", "mo@example.org", "member", "mo's first passphrase",
             "--group", str(ids["trusted"]))
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"),
                 args=("--trusted-proxy", "127.0.0.1"))
    servers.append(srv)
    admin = sign_in(srv, "ada@example.org", admin_pw)
    mia = sign_in(srv, "mia@example.org", "mia's managing words")
    mo = sign_in(srv, "mo@example.org", "mo's first passphrase")
    if not check(admin and mia and mo, "the admin, the manager and the member sign in"):
        return
    invitation_flow(srv, build, data, admin, ids)
    manager_invites(srv, build, data, ids, mia, mo)
    reset_flow(srv, build, data, mo)
    here = change_flow(srv, build, data)
    self_update(srv, here)
    srv.stop()
    if "oli_link" in ids:
        srv = expiry(build, data, tmp, servers, admin_pw, ids["oli_link"])
        throttle(srv)
    check(halls(build, data, "check").returncode == 0, "halls check finds every index right")


if __name__ == "__main__":
    sys.exit(run_suite("test_accounts", body))
