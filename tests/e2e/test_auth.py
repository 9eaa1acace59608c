#!/usr/bin/env python3
"""Signing in, tokens and /users/me against the real hallsd.

Makes a data directory with `halls`, adds users with passwords, starts hallsd on a free
loopback port and checks sign-in, the single answer to a wrong password or an unknown
email, throttling (429 with Retry-After; one allowance for every spelling of an email;
an attacker at one address cannot lock out the owner at another), sign-out, API tokens
and who may revoke them, their longest life, that a new password ends the old sessions,
that a token issued by `halls token issue` works over HTTP, and that hallsd purges
expired tokens. hallsd runs with --trusted-proxy 127.0.0.1, so X-Forwarded-For names
the client address the throttling counts.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_auth: N passed, M failed";
exits 1 when anything failed (harness.run_suite). Environment: BUILD (default ./build);
HALLS_SCRYPT_LOG2N (default 10 here, for fast hashing, in halls and hallsd alike).
"""
import json
import os
import sys
import time

from harness import Server, check, halls, halls_json, instant, run_suite


def add_user(build, data, name, email, role, password, *extra):
    return halls_json(build, data, "user", "add", "--name", name, "--email", email,
                      "--role", role, "--password-stdin", *extra, stdin=password + "\n")["id"]


def sign_in(srv, email, password):
    return srv.request("POST", "/api/v1/session", {"email": email, "password": password})


MAX_DAYS = 60  # hallsd --token-max-days


def sign_in_from(srv, addr, email, password):
    """A sign-in from client address addr (the proxy's X-Forwarded-For): the status and
    the headers."""
    st, hdrs, _ = srv.request("POST", "/api/v1/session", {"email": email, "password": password},
                              headers={"X-Forwarded-For": addr})
    return st, hdrs


def token_ids(build, data, user):
    r = halls(build, data, "--json", "token", "list", "--user", str(user))
    return [t["id"] for t in json.loads(r.stdout)] if r.returncode == 0 else None


def throttling(srv, ids):
    # Every spelling sign-in takes as one address shares one allowance.
    codes = [sign_in(srv, e, "guess")[0] for e in
             ("dan@example.org", "dan@example.org ", " DAN@example.org", "Dan@Example.org\t",
              "dan@EXAMPLE.ORG")]
    check(codes == [401] * 5, "five wrong passwords under five spellings are 401s", codes)
    st, _, _ = sign_in(srv, "dan@example.org  ", "guess")
    check(st == 429, "a sixth spelling (trailing spaces) shares the allowance: 429", st)

    # An attacker at several addresses fails eve's password: each address is stopped,
    # but eve, at an address with no failures, signs in with her password.
    attack = []
    for a in ("203.0.113.7", "203.0.113.8", "203.0.113.9"):
        attack += [sign_in_from(srv, a, "eve@example.org", "guess-%d" % i)[0] for i in range(6)]
    # The third: past ten failures on the account, an address that has failed on it
    # waits after each further attempt.
    check(attack == ([401] * 5 + [429]) * 2 + [401] + [429] * 5,
          "each attacking address gets five failures, then 429; past ten on the account, "
          "one", attack)
    st, _ = sign_in_from(srv, "198.51.100.2", "eve@example.org", "eve-password")
    check(st == 201, "the owner at another address still signs in with her password", st)
    st, _ = sign_in_from(srv, "198.51.100.3", "eve@example.org", "eve-passwort")
    check(st == 401, "a first wrong password at a fresh address is 401", st)
    st, hdrs = sign_in_from(srv, "198.51.100.3", "eve@example.org", "eve-password")
    retry = hdrs.get("Retry-After") or ""
    check(st == 429 and retry.isdigit() and int(retry) > 0,
          "an address that failed on an account under attack waits (429, Retry-After)",
          (st, retry))
    st, _ = sign_in_from(srv, "203.0.113.7", "ann@example.org", "ann-password")
    check(st == 201, "an attacking address may still sign in to another account", st)
    # One address failing across many accounts is stopped at twenty.
    spray = [sign_in_from(srv, "192.0.2.1", "user%d@example.org" % i, "x")[0]
             for i in range(21)]
    check(spray == [401] * 20 + [429], "twenty failures from one address, then 429", spray)


def sessions_end(srv, build, data, ids):
    # A new password ends the sessions and API tokens made under the old one.
    st, _, body = sign_in(srv, "fay@example.org", "fay-password")
    old = body.get("token") if isinstance(body, dict) else None
    st, _, api = srv.request("POST", "/api/v1/tokens", {"label": "script"}, token=old)
    api = api.get("token") if isinstance(api, dict) else None
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=old)
    check(st == 200 and api is not None, "fay's session and API token work", st)
    r = halls(build, data, "user", "set", str(ids["fay"]), "--password-stdin",
              stdin="fay-new-password\n")
    check(r.returncode == 0, "halls user set --password-stdin", r.stdout + r.stderr)
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=old)
    check(st == 401, "the old session is refused after a new password", st)
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=api)
    check(st == 401, "the old API token is refused after a new password", st)
    st, _, _ = sign_in(srv, "fay@example.org", "fay-password")
    check(st == 401, "the old password no longer signs in", st)
    st, _, body = sign_in(srv, "fay@example.org", "fay-new-password")
    new = body.get("token") if isinstance(body, dict) else None
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=new)
    check(st == 200, "the new password signs in and its session works", st)

    # The longest life of an API token.
    for asked in ({"label": "forever"}, {"label": "long", "ttl_days": 36500},
                  {"label": "zero", "ttl_days": 0}):
        st, _, tok = srv.request("POST", "/api/v1/tokens", asked, token=new)
        life = (instant(tok.get("expires_at")) or 0) - instant(tok.get("created_at")) \
            if isinstance(tok, dict) else None
        check(st == 201 and life == MAX_DAYS * 86400,
              "POST /tokens %s lives --token-max-days" % json.dumps(asked), (st, tok))
    st, _, tok = srv.request("POST", "/api/v1/tokens", {"label": "week", "ttl_days": 7},
                             token=new)
    check(st == 201 and instant(tok.get("expires_at")) - instant(tok.get("created_at"))
          == 7 * 86400,
          "a shorter life is given as asked", (st, tok))


def run(srv, build, data, ids):
    # Signing in.
    st, _, body = sign_in(srv, "ann@example.org", "ann-password")
    check(st == 201 and isinstance(body, dict) and len(body.get("token", "")) == 64,
          "sign-in with the right password gives 201 and a token", (st, body))
    ann = body.get("token") if isinstance(body, dict) else None
    check(isinstance(body, dict) and body.get("user", {}).get("email") == "ann@example.org"
          and "password_hash" not in body.get("user", {})
          and (instant(body.get("expires_at")) or 0) > time.time(),
          "the session names the user (no hash) and when it expires", body)
    st, _, me = srv.request("GET", "/api/v1/users/me", token=ann)
    check(st == 200 and isinstance(me, dict) and me.get("id") == ids["ann"],
          "the session token works on /users/me", (st, me))

    st, _, body = srv.request("POST", "/api/v1/session", {"email": "ann@example.org",
                                                          "password": "ann-password",
                                                          "remember": True})
    check(st == 400 and "remember" in body.get("detail", ""),
          "an unknown field in a sign-in is 400 naming it", (st, body))

    # One answer for a wrong password and for an unknown email.
    st1, h1, wrong = sign_in(srv, "ann@example.org", "not-her-password")
    check(st1 == 401, "a wrong password is 401", (st1, wrong))
    st2, _, unknown = sign_in(srv, "nobody@example.org", "whatever")
    check(st2 == 401, "an unknown email is 401", (st2, unknown))
    check(wrong == unknown and isinstance(wrong, dict) and wrong.get("status") == 401,
          "the two 401 bodies are identical", (wrong, unknown))
    check(h1.get("Content-Type", "").startswith("application/problem+json"),
          "the 401 is a problem body", h1.get("Content-Type"))
    st, _, _ = sign_in(srv, "ann@example.org", "ann-password")
    check(st == 201, "a success after a failure still signs in", st)
    st, _, body = srv.request("POST", "/api/v1/session", {"email": "ann@example.org"})
    check(st == 400, "a sign-in without a password is 400", (st, body))

    # Throttling: five failures for an account, then 429 even with the right password.
    codes = [sign_in(srv, "bob@example.org", "guess-%d" % i)[0] for i in range(5)]
    check(codes == [401] * 5, "five wrong passwords are five 401s", codes)
    st, hdrs, body = sign_in(srv, "bob@example.org", "guess-6")
    retry = hdrs.get("Retry-After")
    check(st == 429 and retry is not None and retry.isdigit() and 0 < int(retry) <= 900,
          "the sixth failed attempt is 429 with Retry-After", (st, retry, body))
    check(isinstance(body, dict) and body.get("status") == 429
          and body.get("type", "").endswith("too-many-attempts"), "the 429 is a problem body",
          body)
    st, _, _ = sign_in(srv, "bob@example.org", "bob-password")
    check(st == 429, "a locked account is refused even with the right password", st)
    st, _, _ = sign_in(srv, "ann@example.org", "ann-password")
    check(st == 201, "another account from the same address still signs in", st)

    # Signing out.
    st, _, tmp_session = sign_in(srv, "ann@example.org", "ann-password")
    tok = tmp_session.get("token") if isinstance(tmp_session, dict) else None
    st, _, body = srv.request("DELETE", "/api/v1/session", token=tok)
    check(st == 204 and body is None, "DELETE /session is 204", (st, body))
    st, _, body = srv.request("GET", "/api/v1/users/me", token=tok)
    check(st == 401, "the token is refused after signing out", (st, body))
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=ann)
    check(st == 200, "another session of the same user still works", st)
    st, _, body = srv.request("DELETE", "/api/v1/session")
    check(st == 401, "DELETE /session without a token is 401", (st, body))

    # /users/me anonymously.
    st, hdrs, body = srv.request("GET", "/api/v1/users/me")
    check(st == 401 and isinstance(body, dict) and body.get("status") == 401
          and "Bearer" in (hdrs.get("WWW-Authenticate") or ""),
          "anonymous /users/me is 401 with WWW-Authenticate", (st, body))

    # API tokens.
    st, _, cal = sign_in(srv, "cal@example.org", "cal-password")
    cal = cal.get("token") if isinstance(cal, dict) else None
    check(st == 201, "the member signs in", st)
    st, _, issued = srv.request("POST", "/api/v1/tokens", {"label": "laptop", "ttl_days": 30},
                                token=cal)
    ok = (st == 201 and isinstance(issued, dict) and len(issued.get("token", "")) == 64
          and issued.get("label") == "laptop" and issued.get("kind") == "api"
          and issued.get("user_id") == ids["cal"] and (instant(issued.get("expires_at")) or 0) > time.time())
    check(ok, "POST /tokens issues an API token", (st, issued))
    api = issued.get("token") if ok else None
    st, _, me = srv.request("GET", "/api/v1/users/me", token=api)
    check(st == 200 and isinstance(me, dict) and me.get("id") == ids["cal"],
          "the API token works on /users/me", (st, me))
    st, _, body = srv.request("POST", "/api/v1/tokens", {"label": "x", "nope": 1}, token=cal)
    check(st == 400, "an unknown field in POST /tokens is 400", (st, body))
    check(isinstance(body, dict) and body.get("detail") == "unknown field nope",
          "it is named in the words every body uses", body)
    st, _, body = srv.request("POST", "/api/v1/tokens", {"user_id": ids["ann"]}, token=cal)
    check(st == 403, "a member cannot issue a token for another user", (st, body))
    st, _, listed = srv.request("GET", "/api/v1/tokens", token=cal)
    check(st == 200 and isinstance(listed, list)
          and all(t.get("user_id") == ids["cal"] for t in listed)
          and any(t.get("id") == issued.get("id") for t in listed),
          "GET /tokens lists the caller's tokens", (st, listed))
    check(isinstance(listed, list) and not any("token" in t or "sha256" in t for t in listed),
          "GET /tokens never shows a secret or its hash", listed)

    # Someone else's token: not found for a member, revocable by an admin.
    st, _, ann_tok = srv.request("POST", "/api/v1/tokens", {"label": "ann's"}, token=ann)
    ann_id = ann_tok.get("id") if isinstance(ann_tok, dict) else 0
    st, _, body = srv.request("DELETE", "/api/v1/tokens/%d" % ann_id, token=cal)
    check(st == 404, "a member cannot revoke another user's token (404)", (st, body))
    check(isinstance(body, dict) and body.get("detail") == "there is no token %d" % ann_id,
          "as if there were none", body)
    st, _, body = srv.request("DELETE", "/api/v1/tokens/999999", token=cal)
    check(st == 404, "revoking a token that does not exist is 404", (st, body))
    check(isinstance(body, dict) and body.get("detail") == "there is no token 999999",
          "in the same words", body)
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=ann_tok.get("token"))
    check(st == 200, "the other user's token still works", st)
    st, _, body = srv.request("DELETE", "/api/v1/tokens/%d" % issued.get("id", 0), token=cal)
    check(st == 204, "the owner revokes their own token (204)", (st, body))
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=api)
    check(st == 401, "a revoked API token is refused", st)
    st, _, body = srv.request("POST", "/api/v1/tokens",
                              {"label": "for cal", "user_id": ids["cal"]}, token=ann)
    check(st == 201 and isinstance(body, dict) and body.get("user_id") == ids["cal"],
          "an admin issues a token for another user", (st, body))
    st, _, body = srv.request("DELETE", "/api/v1/tokens/%d" % body.get("id", 0), token=ann)
    check(st == 204, "an admin revokes another user's token", (st, body))

    # A token from the halls command.
    r = halls(build, data, "--json", "token", "issue", "--user", str(ids["cal"]),
              "--label", "cli")
    try:
        cli = json.loads(r.stdout)
    except ValueError:
        cli = {}
    check(r.returncode == 0 and len(cli.get("token", "")) == 64 and cli.get("label") == "cli",
          "halls token issue prints the secret", r.stdout + r.stderr)
    st, _, me = srv.request("GET", "/api/v1/users/me", token=cli.get("token"))
    check(st == 200 and isinstance(me, dict) and me.get("id") == ids["cal"],
          "a token issued by halls works over HTTP", (st, me))
    r = halls(build, data, "--json", "token", "list", "--user", str(ids["cal"]))
    try:
        lst = json.loads(r.stdout)
    except ValueError:
        lst = None
    check(r.returncode == 0 and isinstance(lst, list)
          and any(t.get("id") == cli.get("id") for t in lst),
          "halls token list shows it", r.stdout + r.stderr)
    r = halls(build, data, "token", "revoke", str(cli.get("id", 0)))
    check(r.returncode == 0, "halls token revoke revokes it", r.stdout + r.stderr)
    st, _, _ = srv.request("GET", "/api/v1/users/me", token=cli.get("token"))
    check(st == 401, "a token revoked by halls is refused over HTTP at once", st)
    r = halls(build, data, "token", "revoke", str(cli.get("id", 0)))
    check(r.returncode == 1, "revoking it again is refused (exit 1)", r.returncode)
    r = halls(build, data, "token", "issue")
    check(r.returncode == 2, "halls token issue without --user is a usage error", r.returncode)

    throttling(srv, ids)
    sessions_end(srv, build, data, ids)


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    group = halls_json(build, data, "group", "add", "--name", "Chess club")["id"]
    ids = {
        "ann": add_user(build, data, "Ann Admin", "ann@example.org", "admin", "ann-password"),
        "bob": add_user(build, data, "Bob Member", "bob@example.org", "member",
                        "bob-password", "--group", str(group)),
        "cal": add_user(build, data, "Cal Member", "cal@example.org", "member",
                        "cal-password", "--group", str(group)),
    }
    for name in ("dan", "eve", "fay"):
        ids[name] = add_user(build, data, name.title(), name + "@example.org", "member",
                             name + "-password", "--group", str(group))
    # Issued 400 days ago for a day: expired, and purged when hallsd starts.
    r = halls(build, data, "--json", "token", "issue", "--user", str(ids["dan"]), "--days",
              "1", env={"HALLS_NOW": str(int(time.time() - 400 * 86400))})
    expired = json.loads(r.stdout)["id"] if r.returncode == 0 else None
    check(expired is not None and expired in (token_ids(build, data, ids["dan"]) or []),
          "an expired token is listed before hallsd runs", r.stdout + r.stderr)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"),
                 args=("--trusted-proxy", "127.0.0.1", "--token-max-days", str(MAX_DAYS)))
    servers.append(srv)
    left = None
    for _ in range(100):  # the purge runs on hallsd's loop, soon after it starts
        left = token_ids(build, data, ids["dan"])
        if left is not None and expired not in left:
            break
        time.sleep(0.1)
    check(left is not None and expired not in left, "hallsd purges the expired token", left)
    run(srv, build, data, ids)


if __name__ == "__main__":
    sys.exit(run_suite("test_auth", body))
