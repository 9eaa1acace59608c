#!/usr/bin/env python3
"""Signing in, tokens and /users/me against the real hallsd.

Makes a data directory with `halls`, adds users with passwords, starts hallsd on a free
loopback port and checks sign-in, the single answer to a wrong password or an unknown
email, throttling (429 with Retry-After), sign-out, API tokens and who may revoke them,
and that a token issued by `halls token issue` works over HTTP.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_auth: N passed, M failed";
exits 1 when anything failed. Environment: BUILD (default ./build); HALLS_SCRYPT_LOG2N
(default 10 here, for fast hashing, in halls and hallsd alike).
"""
import json
import os
import shutil
import sys
import tempfile
import time

from harness import Server, check, halls, instant, tally


def add_user(build, data, name, email, role, password, *extra):
    r = halls(build, data, "--json", "user", "add", "--name", name, "--email", email,
              "--role", role, "--password-stdin", *extra, stdin=password + "\n")
    if r.returncode != 0:
        raise RuntimeError("halls user add %s: %s" % (email, r.stderr))
    return json.loads(r.stdout)["id"]


def sign_in(srv, email, password):
    return srv.request("POST", "/api/v1/session", {"email": email, "password": password})


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
    st, _, body = srv.request("DELETE", "/api/v1/tokens/999999", token=cal)
    check(st == 404, "revoking a token that does not exist is 404", (st, body))
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


def main():
    build = os.environ.get("BUILD", "build")
    build = os.path.abspath(build)
    os.environ.setdefault("HALLS_SCRYPT_LOG2N", "10")
    tmp = tempfile.mkdtemp(prefix="halls-auth.")
    data = os.path.join(tmp, "data")
    srv = None
    try:
        r = halls(build, data, "init")
        if r.returncode != 0:
            raise RuntimeError("halls init: " + r.stderr)
        r = halls(build, data, "--json", "group", "add", "--name", "Chess club")
        group = json.loads(r.stdout)["id"]
        ids = {
            "ann": add_user(build, data, "Ann Admin", "ann@example.org", "admin",
                            "ann-password"),
            "bob": add_user(build, data, "Bob Member", "bob@example.org", "member",
                            "bob-password", "--group", str(group)),
            "cal": add_user(build, data, "Cal Member", "cal@example.org", "member",
                            "cal-password", "--group", str(group)),
        }
        srv = Server(build, data, os.path.join(tmp, "hallsd.log"))
        run(srv, build, data, ids)
    except Exception as e:  # a crash in the test is a failure, not a silent pass
        check(False, "the test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        if srv is not None:
            srv.stop()
            check(srv.proc.returncode == 0, "hallsd stops cleanly on SIGTERM",
                  "exit %s\n%s" % (srv.proc.returncode,
                                   open(os.path.join(tmp, "hallsd.log")).read()[-3000:]))
        shutil.rmtree(tmp, ignore_errors=True)
    print("test_auth: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
