#!/usr/bin/env python3
"""Users, and the removal of groups, over the API, against the real hallsd: what `halls
user add|list|show|set|rm` and `halls group rm` do, with the same rules and the same words.

Makes a data directory with `halls` (a venue, two groups, an admin, a manager and a
member with passwords), starts hallsd on a free loopback port, and checks that the admin
adds, lists (in pages, following Link), shows, changes and removes a user; that a member
is refused (403) and an anonymous caller asked to sign in (401); that a bad email, a
duplicate email, an unknown role, an empty password and the other refusals are problem
bodies in the words `halls` prints for the same input; that no reply carries a password
or its hash; that a new password ends the user's sessions and a removed user's stop
working; and that a venue a user still manages and a group still in use are refused
alike by both front ends. Every reply is validated by schema.py.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_users_api: N passed, M
failed"; exits 1 when anything failed (harness.run_suite). Environment: BUILD (default
./build); HALLS_SCRYPT_LOG2N (default 10 here, in halls and hallsd alike).
"""
import json
import os
import re
import sys

import schema
from harness import Server, check, halls, halls_json, run_suite

LINK = re.compile(r'^<(/api/v1/users\?[^>]*)>; rel="next"$')


def add_user(build, data, name, email, role, password, *extra):
    return halls_json(build, data, "user", "add", "--name", name, "--email", email,
                      "--role", role, "--password-stdin", *extra, stdin=password + "\n")["id"]


def sign_in(srv, email, password):
    """The session token, or None."""
    st, _, body = srv.request("POST", "/api/v1/session", {"email": email, "password": password})
    return body.get("token") if st == 201 and isinstance(body, dict) else None


def is_shape(body, name):
    return not schema.errors(name, body)


def is_problem(st, hdrs, body, status, kind=None):
    """A problem+json of status (and type /problems/kind) matching the problem schema."""
    return (st == status and (hdrs.get("Content-Type") or "").startswith(
        "application/problem+json") and is_shape(body, "problem")
        and body.get("status") == status
        and (kind is None or body.get("type") == "/problems/" + kind))


def no_secret(raw, *passwords):
    """True when reply bytes raw hold no password hash and none of passwords."""
    text = raw.decode("utf-8", "replace")
    return "password_hash" not in text and "scrypt$" not in text and \
        not any(p in text for p in passwords)


def cli_words(build, data, *args, stdin=None):
    """What `halls ARGS` says when it refuses: its message without "halls: ", or None
    when it did not refuse."""
    r = halls(build, data, *args, stdin=stdin)
    if r.returncode == 0 or not r.stderr.startswith("halls: "):
        return None
    return r.stderr.splitlines()[0][len("halls: "):]


def same_words(srv, build, data, what, method, path, body, token, status, kind, cli_args,
               stdin=None, api_words=None):
    """The API refuses with status and kind, and its detail is what `halls` prints for
    the same input (api_words: the API's own words where the CLI names its option)."""
    st, hdrs, reply = srv.request(method, path, body, token=token)
    check(is_problem(st, hdrs, reply, status, kind), "%s: %d %s problem" % (what, status, kind),
          (st, reply))
    words = cli_words(build, data, *cli_args, stdin=stdin)
    detail = reply.get("detail") if isinstance(reply, dict) else None
    want = api_words(words) if api_words and words else words
    check(words is not None and detail == want,
          "%s: the API says what halls says (%r)" % (what, words), (detail, words))
    return reply


def listing(srv, token, limit):
    """Every user, by following the pages of limit from the first (at most 50 pages):
    (ids in order, number of pages, whether every page matched user-list)."""
    path = "/api/v1/users?limit=%d" % limit
    ids, pages, shaped = [], 0, True
    while path and pages < 50:
        st, hdrs, raw = srv.exchange("GET", path, token=token)
        body = json.loads(raw) if st == 200 else None
        if st != 200 or not is_shape(body, "user-list") or not no_secret(raw):
            shaped = False
            break
        ids += [u["id"] for u in body]
        pages += 1
        m = LINK.match(hdrs.get("Link") or "")
        path = m.group(1) if m else None
    return ids, pages, shaped


def admin_crud(srv, build, data, admin, ids):
    # Add: the password is hashed, never returned; the email is stored lower-case.
    new = {"name": "Rita Member", "email": "Rita@Example.org", "role": "member",
           "groups": [ids["group"]], "password": "tea and biscuits"}
    check(is_shape(new, "user-create"), "the test's body matches user-create",
          schema.errors("user-create", new))
    st, hdrs, raw = srv.exchange("POST", "/api/v1/users", new, token=admin)
    user = json.loads(raw) if raw else None
    check(st == 201 and is_shape(user, "user"), "POST /api/v1/users: 201, a user", (st, raw))
    check(no_secret(raw, "tea and biscuits"), "the reply holds no password and no hash", raw)
    uid = user.get("id") if isinstance(user, dict) else None
    check(isinstance(user, dict) and user.get("email") == "rita@example.org"
          and user.get("has_password") is True and user.get("groups") == [ids["group"]],
          "the user is as halls would have made it (lower-case email, has_password)", user)
    if not uid:
        return None
    rita = sign_in(srv, "rita@example.org", "tea and biscuits")
    check(rita is not None, "the new user signs in with the password the API was given")
    shown = halls_json(build, data, "user", "show", str(uid))
    check(shown == user, "halls user show gives the same record", (shown, user))

    # List: in id order, in pages that together hold every user once.
    st, hdrs, raw = srv.exchange("GET", "/api/v1/users", token=admin)
    everyone = json.loads(raw) if st == 200 else None
    check(st == 200 and is_shape(everyone, "user-list") and no_secret(raw, "tea and biscuits"),
          "GET /api/v1/users: every user, no secret", (st, raw[:300]))
    want = [u["id"] for u in halls_json(build, data, "user", "list")]
    check(isinstance(everyone, list) and [u["id"] for u in everyone] == want,
          "the admin's list is halls user list's, in id order", (everyone, want))
    got, pages, shaped = listing(srv, admin, 2)
    check(shaped and got == want and pages >= 3,
          "pages of 2 (Link rel=next) hold every user once, in order", (got, want, pages))
    st, hdrs, reply = srv.request("GET", "/api/v1/users?after=AAAA", token=admin)
    check(is_problem(st, hdrs, reply, 400), "a cursor that is not one of this list is 400",
          (st, reply))
    st, hdrs, reply = srv.request("GET", "/api/v1/users?role=admin", token=admin)
    check(is_problem(st, hdrs, reply, 400) and "role" in reply.get("detail", ""),
          "an unknown query parameter is 400 naming it", (st, reply))

    # Show: the admin anyone, the user themselves.
    for who, tok in (("the admin", admin), ("the user", rita)):
        st, _, raw = srv.exchange("GET", "/api/v1/users/%d" % uid, token=tok)
        check(st == 200 and is_shape(json.loads(raw), "user") and no_secret(raw),
              "GET /api/v1/users/%d as %s: 200, a user" % (uid, who), (st, raw))
    st, hdrs, reply = srv.request("GET", "/api/v1/users/999999", token=admin)
    check(is_problem(st, hdrs, reply, 404, "not-found")
          and reply.get("detail") == "there is no user 999999",
          "an unknown user is 404 in halls' words", (st, reply))

    # Change: fields; then a new password, which ends the user's sessions.
    change = {"name": "Rita Chair", "groups": [ids["group"], ids["spare"]]}
    check(is_shape(change, "user-patch"), "the test's body matches user-patch")
    st, _, raw = srv.exchange("PATCH", "/api/v1/users/%d" % uid, change, token=admin)
    changed = json.loads(raw) if raw else None
    check(st == 200 and is_shape(changed, "user") and changed.get("name") == "Rita Chair"
          and changed.get("groups") == sorted([ids["group"], ids["spare"]]),
          "PATCH /api/v1/users/<id>: 200, the changed user", (st, raw))
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=rita)
    check(st == 200, "a change of name leaves the user signed in", st)
    st, _, raw = srv.exchange("PATCH", "/api/v1/users/%d" % uid,
                              {"password": "coffee and walnut cake"}, token=admin)
    check(st == 200 and no_secret(raw, "coffee and walnut cake"),
          "PATCH a new password: 200, neither password nor hash in the reply", (st, raw))
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=rita)
    check(st == 401, "a new password ends the session made with the old one", st)
    check(sign_in(srv, "rita@example.org", "tea and biscuits") is None,
          "the old password no longer signs in")
    rita = sign_in(srv, "rita@example.org", "coffee and walnut cake")
    check(rita is not None, "the new password signs in")
    return uid, rita


def refusals(srv, build, data, admin, member, ids):
    """Each refusal in the words of halls for the same input."""
    group = str(ids["group"])
    same_words(srv, build, data, "a bad email", "POST", "/api/v1/users",
               {"name": "X", "email": "not-an-address", "role": "member",
                "groups": [ids["group"]]}, admin, 400, "invalid-input",
               ["user", "add", "--name", "X", "--email", "not-an-address", "--role", "member",
                "--group", group])
    same_words(srv, build, data, "a duplicate email (another spelling)", "POST",
               "/api/v1/users",
               {"name": "X", "email": " MEG@example.org", "role": "member",
                "groups": [ids["group"]]}, admin, 409, "already-exists",
               ["user", "add", "--name", "X", "--email", " MEG@example.org", "--role",
                "member", "--group", group])
    same_words(srv, build, data, "an unknown role", "POST", "/api/v1/users",
               {"name": "X", "email": "x@example.org", "role": "boss"}, admin, 400,
               "invalid-input",
               ["user", "add", "--name", "X", "--email", "x@example.org", "--role", "boss"])
    same_words(srv, build, data, "a manager without a venue", "POST", "/api/v1/users",
               {"name": "X", "email": "x@example.org", "role": "manager"}, admin, 400,
               "invalid-input",
               ["user", "add", "--name", "X", "--email", "x@example.org", "--role", "manager"])
    same_words(srv, build, data, "a group that does not exist", "POST", "/api/v1/users",
               {"name": "X", "email": "x@example.org", "role": "member", "groups": [999]},
               admin, 404, "not-found",
               ["user", "add", "--name", "X", "--email", "x@example.org", "--role", "member",
                "--group", "999"])
    same_words(srv, build, data, "a change to an email another user has", "PATCH",
               "/api/v1/users/%d" % ids["meg"], {"email": "mo@example.org"}, admin, 409,
               "already-exists",
               ["user", "set", str(ids["meg"]), "--email", "mo@example.org"])
    # halls names its option (--password-stdin); the rule and its words are the core's.
    same_words(srv, build, data, "an empty password", "POST", "/api/v1/users",
               {"name": "X", "email": "x@example.org", "role": "member",
                "groups": [ids["group"]], "password": ""}, admin, 400, "invalid-input",
               ["user", "add", "--name", "X", "--email", "x@example.org", "--role", "member",
                "--group", group, "--password-stdin"], stdin="\n",
               api_words=lambda w: w.replace("--password-stdin: ", ""))
    same_words(srv, build, data, "a password over 1024 bytes", "PATCH",
               "/api/v1/users/%d" % ids["meg"], {"password": "p" * 1025}, admin, 400,
               "invalid-input",
               ["user", "set", str(ids["meg"]), "--password-stdin"], stdin="p" * 1025 + "\n",
               api_words=lambda w: w.replace("--password-stdin: ", ""))
    # The rule after NIST SP 800-63B: 12 characters, not the email, not a common one.
    same_words(srv, build, data, "a password of 11 characters", "POST", "/api/v1/users",
               {"name": "X", "email": "x@example.org", "role": "member",
                "groups": [ids["group"]], "password": "eleven char"}, admin, 400,
               "invalid-input",
               ["user", "add", "--name", "X", "--email", "x@example.org", "--role", "member",
                "--group", group, "--password-stdin"], stdin="eleven char\n",
               api_words=lambda w: w.replace("--password-stdin: ", ""))
    same_words(srv, build, data, "a password holding the user's email", "PATCH",
               "/api/v1/users/%d" % ids["meg"], {"password": "MEG@example.org forever"}, admin,
               400, "invalid-input",
               ["user", "set", str(ids["meg"]), "--password-stdin"],
               stdin="MEG@example.org forever\n",
               api_words=lambda w: w.replace("--password-stdin: ", ""))
    same_words(srv, build, data, "a common password", "PATCH",
               "/api/v1/users/%d" % ids["meg"], {"password": "Password1234"}, admin, 400,
               "invalid-input",
               ["user", "set", str(ids["meg"]), "--password-stdin"], stdin="Password1234\n",
               api_words=lambda w: w.replace("--password-stdin: ", ""))
    for body, what in (({"name": "X", "email": "x@example.org", "role": "admin",
                         "password_hash": "scrypt$10$8$1$00$00"}, "a password hash"),
                       ({"name": "X", "email": "x@example.org", "role": "admin",
                         "password": 12345678}, "a password that is not a string"),
                       ({"name": "X", "email": "x@example.org", "role": "admin", "id": 7},
                        "an id")):
        st, hdrs, reply = srv.request("POST", "/api/v1/users", body, token=admin)
        check(is_problem(st, hdrs, reply, 400, "invalid-input"),
              "a body with %s is 400" % what, (st, reply))
    st, _, _ = srv.request("GET", "/api/v1/users?limit=500", token=admin)
    check(st == 400, "a page over 100 is 400", st)
    check(halls_json(build, data, "user", "list")[-1]["email"] != "x@example.org",
          "no refused request added a user")

    # Who may: a member is refused every change and every other user; anonymous: 401.
    for method, path, body in (("GET", "/api/v1/users", None),
                               ("POST", "/api/v1/users",
                                {"name": "X", "email": "x@example.org", "role": "admin",
                                 "password": "let-me-in"}),
                               ("GET", "/api/v1/users/%d" % ids["admin"], None),
                               ("PATCH", "/api/v1/users/%d" % ids["meg"], {"role": "admin"}),
                               ("DELETE", "/api/v1/users/%d" % ids["admin"], None),
                               ("DELETE", "/api/v1/groups/%d" % ids["spare"], None)):
        st, hdrs, reply = srv.request(method, path, body, token=member)
        check(is_problem(st, hdrs, reply, 403, "forbidden")
              and reply.get("detail") == "only an administrator may do this",
              "%s %s as a member: 403 in halls' words" % (method, path), (st, reply))
        st, hdrs, reply = srv.request(method, path, body)
        check(is_problem(st, hdrs, reply, 401), "%s %s without a token: 401" % (method, path),
              (st, reply))
    st, _, me = srv.request("GET", "/api/v1/users/%d" % ids["meg"], token=member)
    check(st == 200 and is_shape(me, "user") and me.get("id") == ids["meg"],
          "a member reads their own record by id", (st, me))
    st, _, me = srv.request("GET", "/api/v1/users/me", token=member)
    check(st == 200 and is_shape(me, "user") and me.get("role") == "member",
          "GET /api/v1/users/me is as before", (st, me))


def still_in_use(srv, build, data, admin, ids):
    """What refers to a venue or a group keeps it, through either front end alike."""
    venue, group = ids["venue"], ids["group"]
    same_words(srv, build, data, "a venue a user still manages", "DELETE",
               "/api/v1/venues/%d" % venue, None, admin, 409, "in-use",
               ["venue", "rm", str(venue)])
    same_words(srv, build, data, "a group that still has members", "DELETE",
               "/api/v1/groups/%d" % group, None, admin, 409, "in-use",
               ["group", "rm", str(group)])
    # A user who manages a venue may be removed (halls user rm may): then the venue can go.
    st, _, raw = srv.exchange("DELETE", "/api/v1/users/%d" % ids["manager"], token=admin)
    check(st == 204 and raw == b"", "a user who manages a venue is removed: 204, as halls "
          "user rm does", (st, raw))
    st, _, raw = srv.exchange("DELETE", "/api/v1/venues/%d" % venue, token=admin)
    check(st == 204, "then the venue nothing refers to is removed", (st, raw))
    # A group nothing refers to is removed; then it is gone.
    st, _, raw = srv.exchange("DELETE", "/api/v1/groups/%d" % ids["empty"], token=admin)
    check(st == 204 and raw == b"", "DELETE /api/v1/groups/<id> of an unused group: 204",
          (st, raw))
    st, hdrs, reply = srv.request("GET", "/api/v1/groups/%d" % ids["empty"])
    check(is_problem(st, hdrs, reply, 404, "not-found"), "the removed group is 404", (st, reply))
    st, hdrs, reply = srv.request("DELETE", "/api/v1/groups/%d" % ids["empty"], token=admin)
    check(is_problem(st, hdrs, reply, 404, "not-found"), "removing it again is 404",
          (st, reply))


def removal(srv, build, data, admin, uid, session):
    st, _, raw = srv.exchange("DELETE", "/api/v1/users/%d" % uid, token=admin)
    check(st == 204 and raw == b"", "DELETE /api/v1/users/<id>: 204, no body", (st, raw))
    st, hdrs, reply = srv.request("GET", "/api/v1/users/me", token=session)
    check(is_problem(st, hdrs, reply, 401), "the removed user's session stops working",
          (st, reply))
    st, _, _ = srv.request("GET", "/api/v1/bookings", token=session)
    check(st == 401, "and opens no other route either", st)
    check(sign_in(srv, "rita@example.org", "coffee and walnut cake") is None,
          "the removed user cannot sign in")
    st, hdrs, reply = srv.request("GET", "/api/v1/users/%d" % uid, token=admin)
    check(is_problem(st, hdrs, reply, 404, "not-found"), "the removed user is 404", (st, reply))
    words = cli_words(build, data, "user", "rm", str(uid))
    st, hdrs, reply = srv.request("DELETE", "/api/v1/users/%d" % uid, token=admin)
    check(is_problem(st, hdrs, reply, 404, "not-found") and reply.get("detail") == words,
          "removing it again is 404, in halls' words", (st, reply, words))
    check(uid not in [u["id"] for u in halls_json(build, data, "user", "list")],
          "halls user list no longer has the user")


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init")
    check(r.returncode == 0, "halls init", r.stderr)
    ids = {"venue": halls_json(build, data, "venue", "add", "--name", "Centre")["id"]}
    ids["group"] = halls_json(build, data, "group", "add", "--name", "Choir")["id"]
    ids["spare"] = halls_json(build, data, "group", "add", "--name", "Scouts")["id"]
    ids["empty"] = halls_json(build, data, "group", "add", "--name", "Gone Soon")["id"]
    ids["admin"] = add_user(build, data, "Ada Admin", "ada@example.org", "admin", "ada-password")
    ids["manager"] = add_user(build, data, "Max Manager", "max@example.org", "manager",
                              "max-password", "--venue", str(ids["venue"]))
    ids["meg"] = add_user(build, data, "Meg Member", "meg@example.org", "member",
                          "meg-password", "--group", str(ids["group"]))
    add_user(build, data, "Mo Member", "mo@example.org", "member", "mo-passphrase", "--group",
             str(ids["spare"]))
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"))
    servers.append(srv)
    admin = sign_in(srv, "ada@example.org", "ada-password")
    member = sign_in(srv, "meg@example.org", "meg-password")
    if not check(admin and member, "the admin and a member sign in"):
        return
    made = admin_crud(srv, build, data, admin, ids)
    refusals(srv, build, data, admin, member, ids)
    still_in_use(srv, build, data, admin, ids)
    if made:
        removal(srv, build, data, admin, *made)


if __name__ == "__main__":
    sys.exit(run_suite("test_users_api", body))
