#!/usr/bin/env python3
"""Browser sign-in with a session cookie, and no cross-site writes, against the real hallsd.

Makes a venue, a room that approves at once, a group and a member with a password (with
`halls`), then checks: a sign-in that asks for a cookie gets Set-Cookie (HttpOnly,
SameSite=Lax, Path=/, no Secure over plain HTTP) and no token in its JSON; it must come
from the site's own pages; the cookie authenticates /users/me; a write with the cookie
from another site (Sec-Fetch-Site: cross-site or same-site, Origin of another site,
Origin: null, no Sec-Fetch-Site and no Origin, duplicated or huge headers) is 403
/problems/cross-site-request and books nothing, while one from the same origin books;
bearer requests are not affected; sign-out ends the session and clears the cookie, after
which the old cookie is 401 on a write and anonymous on a read; the access log never
holds the cookie's value. Then under TLS, and behind a --trusted-proxy that says
X-Forwarded-Proto: https: the cookie is __Host-halls_session and Secure.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_cookies: N passed, M
failed" (harness.run_suite). Environment: BUILD (default ./build).
"""
import datetime
import os
import re
import ssl
import sys

import schema
from harness import Conn, Server, check, halls, halls_json, make_cert, problem, run_suite

PASSWORD = "correct horse battery"
COOKIE = "halls_session"
SECURE_COOKIE = "__Host-halls_session"


def setup(build, data):
    r = halls(build, data, "init")
    if r.returncode != 0:
        raise RuntimeError("halls init: " + r.stderr)
    ids = {}
    ids["venue"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road Centre",
                              "--tz", "Europe/London", "--hours", "mon-sun 08:00-22:00")["id"]
    ids["room"] = halls_json(build, data, "room", "add", "--venue", str(ids["venue"]),
                             "--name", "Main Hall", "--capacity", "100", "--approval", "auto",
                             "--notice", "0", "--horizon", "365", "--min-length", "30",
                             "--max-length", "480")["id"]
    ids["group"] = halls_json(build, data, "group", "add", "--name", "Knitters")["id"]
    ids["member"] = halls_json(build, data, "user", "add", "--name", "Mo", "--email",
                               "mo@example.org", "--role", "member", "--group",
                               str(ids["group"]), "--password-stdin",
                               stdin=PASSWORD + "\n")["id"]
    return ids


def set_cookies(hdrs):
    return hdrs.get_all("Set-Cookie") or [] if hasattr(hdrs, "get_all") else []


def parse_set_cookie(line):
    """(name, value, {attribute lower-case: value or True})."""
    parts = [p.strip() for p in line.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, eq, v = p.partition("=")
        attrs[k.lower()] = v if eq else True
    return name, value, attrs


def sign_in_cookie(srv, headers):
    return srv.request("POST", "/api/v1/session",
                       {"email": "mo@example.org", "password": PASSWORD, "cookie": True},
                       headers=headers)


class Booker:
    """Books one-hour slots, each a different hour, so none conflicts with another."""

    def __init__(self, ids):
        self.ids = ids
        self.day = datetime.date.today() + datetime.timedelta(days=10)
        self.hour = 8

    def body(self):
        if self.hour >= 21:
            self.day += datetime.timedelta(days=1)
            self.hour = 8
        self.hour += 1
        at = "%sT%02d:00" % (self.day.isoformat(), self.hour)
        end = "%sT%02d:00" % (self.day.isoformat(), self.hour + 1)
        return {"room_id": self.ids["room"], "group_id": self.ids["group"], "title": "Knit",
                "start": at, "end": end}


def is_cross_site(st, body):
    return (st == 403 and isinstance(body, dict)
            and body.get("type") == "/problems/cross-site-request"
            and "this site" in body.get("detail", ""))


def booking_count(srv, token):
    st, _, body = srv.request("GET", "/api/v1/bookings", token=token)
    return len(body) if st == 200 and isinstance(body, list) else -1


def cookie_sign_in(srv, own):
    # Asked for a cookie from another site: refused before the password is checked.
    st, hdrs, body = sign_in_cookie(srv, {"Sec-Fetch-Site": "cross-site"})
    check(is_cross_site(st, body) and not set_cookies(hdrs),
          "a cookie sign-in from another site is 403 cross-site-request, no cookie", (st, body))
    st, _, body = sign_in_cookie(srv, {"Origin": "https://evil.example"})
    check(is_cross_site(st, body), "a cookie sign-in with a foreign Origin is 403", (st, body))
    st, _, body = srv.request("POST", "/api/v1/session",
                              {"email": "mo@example.org", "password": PASSWORD,
                               "cookie": "yes"}, headers={"Sec-Fetch-Site": "same-origin"})
    check(st == 400 and "cookie" in body.get("detail", ""), "\"cookie\": \"yes\" is 400",
          (st, body))

    st, hdrs, raw = srv.exchange("POST", "/api/v1/session",
                                 {"email": "mo@example.org", "password": PASSWORD,
                                  "cookie": True}, headers={"Sec-Fetch-Site": "same-origin"})
    lines = set_cookies(hdrs)
    check(st == 201 and len(lines) == 1, "a same-origin cookie sign-in is 201 with one "
          "Set-Cookie", (st, lines))
    name, value, attrs = parse_set_cookie(lines[0] if lines else "")
    check(name == COOKIE and re.fullmatch("[0-9a-f]{64}", value or ""),
          "the cookie is %s=<64 hex digits>" % COOKIE, lines)
    check(attrs.get("httponly") is True and attrs.get("samesite") == "Lax"
          and attrs.get("path") == "/", "the cookie is HttpOnly, SameSite=Lax, Path=/", attrs)
    check("secure" not in attrs, "over plain HTTP the cookie is not Secure", attrs)
    check(str(attrs.get("max-age", "")).isdigit() and int(attrs["max-age"]) > 86400,
          "the cookie lasts as long as the session (Max-Age)", attrs)
    body = __import__("json").loads(raw)
    check("token" not in body and value not in raw.decode()
          and body.get("user", {}).get("email") == "mo@example.org",
          "the JSON reply carries the user and no token", body)
    errs = schema.errors("session", body)
    check(not errs, "the cookie sign-in's reply matches session.schema.json", errs)

    # Origin equal to the request's own origin (no Sec-Fetch-Site) also signs in.
    st, hdrs, _ = sign_in_cookie(srv, {"Origin": own})
    check(st == 201 and len(set_cookies(hdrs)) == 1,
          "a cookie sign-in with the site's own Origin is 201", (st, own))
    return value


def cross_site_writes(srv, ids, cookie, own, bearer, booker):
    jar = {"Cookie": "%s=%s" % (COOKIE, cookie)}
    before = booking_count(srv, bearer)
    cases = [
        ("Sec-Fetch-Site: cross-site", {"Sec-Fetch-Site": "cross-site", "Origin": own}),
        ("Sec-Fetch-Site: same-site", {"Sec-Fetch-Site": "same-site"}),
        ("an unknown Sec-Fetch-Site", {"Sec-Fetch-Site": "Same-Origin"}),
        ("Origin: https://evil.example, no Sec-Fetch-Site", {"Origin": "https://evil.example"}),
        ("Origin: null", {"Origin": "null"}),
        ("no Sec-Fetch-Site and no Origin", {}),
        ("Origin of the same host on another port", {"Origin": own + "1"}),
        ("Origin with https for an http site", {"Origin": own.replace("http:", "https:")}),
        ("Origin with a path", {"Origin": own + "/"}),
        ("a huge Origin", {"Origin": own + "x" * 8000}),
    ]
    for what, headers in cases:
        st, _, body = srv.request("POST", "/api/v1/bookings", booker.body(),
                                  headers=dict(jar, **headers))
        check(is_cross_site(st, body), "a cookie POST with %s is 403 cross-site-request" % what,
              (st, body))
    for method, path in (("PATCH", "/api/v1/bookings/1"), ("DELETE", "/api/v1/session"),
                         ("POST", "/api/v1/tokens")):
        st, _, body = srv.request(method, path, {"title": "x"} if method == "PATCH" else
                                  ({} if method == "POST" else None),
                                  headers=dict(jar, **{"Origin": "https://evil.example"}))
        check(is_cross_site(st, body), "a cross-site %s %s with the cookie is 403" % (method, path),
              (st, body))
    # Duplicated headers: one could be read by a proxy and the other by hallsd.
    for dup in ("Origin: %s\r\nOrigin: %s" % (own, own),
                "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Site: same-origin"):
        c = Conn(srv)
        raw = ("POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s=%s\r\n%s\r\n"
               "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
               % (srv.port, COOKIE, cookie, dup))
        c.sendall(raw.encode())
        rep = c.reply()
        c.close()
        check(problem(rep, 403, "cross-site-request"),
              "a cookie POST with a duplicated %s header is 403" % dup.split(":")[0],
              rep and rep[:2])
    check(booking_count(srv, bearer) == before, "no cross-site request booked anything",
          (before, booking_count(srv, bearer)))
    # Reads are not cross-site checked: SameSite=Lax lets a link from elsewhere show the
    # signed-in page, and CORS keeps another site from reading it.
    st, _, body = srv.request("GET", "/api/v1/users/me",
                              headers=dict(jar, **{"Sec-Fetch-Site": "cross-site"}))
    check(st == 200 and body.get("id") == ids["member"],
          "a cross-site GET with the cookie is the signed-in user", (st, body))


def same_origin_writes(srv, ids, cookie, own, bearer, booker):
    jar = {"Cookie": "%s=%s" % (COOKIE, cookie)}
    for what, headers in (("Sec-Fetch-Site: same-origin", {"Sec-Fetch-Site": "same-origin"}),
                          ("Sec-Fetch-Site: none", {"Sec-Fetch-Site": "none"}),
                          ("the site's own Origin", {"Origin": own}),
                          ("the Origin in another case", {"Origin": own.upper()})):
        st, _, body = srv.request("POST", "/api/v1/bookings", booker.body(),
                                  headers=dict(jar, **headers))
        check(st == 201 and body.get("status") == "approved"
              and body.get("created_by") == ids["member"],
              "a cookie POST with %s books as the member" % what, (st, body))
    # A Host with a port, and another name for the same server: Origin must match it.
    c = Conn(srv)
    data = __import__("json").dumps(booker.body())
    raw = ("POST /api/v1/bookings HTTP/1.1\r\nHost: localhost:%d\r\nCookie: %s=%s\r\n"
           "Origin: http://localhost:%d\r\nContent-Type: application/json\r\n"
           "Content-Length: %d\r\n\r\n%s" % (srv.port, COOKIE, cookie, srv.port, len(data), data))
    c.sendall(raw.encode())
    rep = c.reply()
    check(rep is not None and rep[0] == 201, "Origin matching a Host of localhost:port books",
          rep and rep[:2])
    raw = raw.replace("Origin: http://localhost:%d" % srv.port,
                      "Origin: http://127.0.0.1:%d" % srv.port)
    c.sendall(raw.encode())
    rep = c.reply()
    c.close()
    check(problem(rep, 403, "cross-site-request"),
          "an Origin naming another host than Host is 403", rep and rep[:2])

    # Bearer requests are not affected: no ambient credential, no check.
    st, _, body = srv.request("POST", "/api/v1/bookings", booker.body(), token=bearer,
                              headers={"Sec-Fetch-Site": "cross-site", "Origin": "null"})
    check(st == 201, "a bearer POST with cross-site headers still books", (st, body))
    # Both: the bearer token is the credential, and a bad one is not rescued by the cookie.
    st, _, body = srv.request("GET", "/api/v1/users/me", token="0" * 64, headers=jar)
    check(st == 401, "a bad bearer token beside a good cookie is 401", (st, body))
    c = Conn(srv)
    c.sendall(("GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Authorization: Bearer %s\r\n\r\n" % (bearer, bearer)).encode())
    rep = c.reply()
    c.close()
    check(problem(rep, 401, "unauthorized"), "two Authorization headers are 401", rep and rep[:2])


def sign_out(srv, ids, cookie, booker, bearer):
    jar = {"Cookie": "%s=%s" % (COOKIE, cookie)}
    st, _, body = srv.request("GET", "/api/v1/session", headers=jar)
    check(st == 200 and body.get("id") == ids["member"], "GET /api/v1/session with the cookie",
          (st, body))
    st, hdrs, _ = srv.request("DELETE", "/api/v1/session",
                              headers=dict(jar, **{"Sec-Fetch-Site": "same-origin"}))
    lines = set_cookies(hdrs)
    name, value, attrs = parse_set_cookie(lines[0] if lines else "")
    check(st == 204 and name == COOKIE and value == "" and attrs.get("max-age") == "0",
          "sign-out with the cookie is 204 and clears it (Max-Age=0)", (st, lines))
    st, _, _ = srv.request("GET", "/api/v1/session", headers=jar)
    check(st == 204, "after sign-out GET /api/v1/session with the old cookie is 204 (nobody)",
          st)
    st, _, _ = srv.request("GET", "/api/v1/session")
    check(st == 204, "GET /api/v1/session with no credentials is 204 (nobody)", st)
    st, _, _ = srv.request("GET", "/api/v1/session", token="not-a-token")
    check(st == 401, "GET /api/v1/session with a bad bearer token is 401", st)
    st, hdrs, body = srv.request("GET", "/api/v1/users/me", headers=jar)
    check(st == 401, "after sign-out the old cookie is not signed in: /users/me is 401",
          (st, body))
    st, hdrs, body = srv.request("GET", "/api/v1/rooms/%d" % ids["room"], headers=jar)
    lines = set_cookies(hdrs)
    check(st == 200 and body.get("id") == ids["room"],
          "after sign-out a read with the old cookie is answered as anonymous", (st, body))
    check(any(parse_set_cookie(x)[2].get("max-age") == "0" for x in lines),
          "... and the browser is told to forget the cookie", lines)
    st, _, body = srv.request("GET", "/api/v1/bookings", headers=jar)
    check(st == 200 and isinstance(body, list) and body
          and all(b.get("id") is None and b.get("title") == "Booked" for b in body),
          "after sign-out the old cookie sees the member's bookings only as anyone does "
          "(busy, no ids)", (st, body))
    st, _, body = srv.request("POST", "/api/v1/bookings", booker.body(),
                              headers=dict(jar, **{"Sec-Fetch-Site": "same-origin"}))
    check(st == 401 and body.get("type") == "/problems/unauthorized"
          and "ended" in body.get("detail", ""),
          "after sign-out a same-origin write with the old cookie is 401", (st, body))
    st, _, body = srv.request("DELETE", "/api/v1/session",
                              headers=dict(jar, **{"Sec-Fetch-Site": "same-origin"}))
    check(st == 401, "signing out again with the old cookie is 401", (st, body))
    # Signing in again with the stale cookie still in the jar works.
    st, hdrs, body = sign_in_cookie(srv, dict(jar, **{"Sec-Fetch-Site": "same-origin"}))
    lines = set_cookies(hdrs)
    fresh = [parse_set_cookie(x)[1] for x in lines if parse_set_cookie(x)[1]]
    check(st == 201 and len(lines) == 1 and len(fresh) == 1 and fresh[0] != cookie,
          "signing in again with the stale cookie sent is 201 with one Set-Cookie, a new "
          "cookie", (st, lines))
    # Garbage, and the cookie twice.
    for what, value in (("a malformed cookie", "%s=zz" % COOKIE),
                        ("the cookie twice", "%s=%s; %s=%s" % (COOKIE, "a" * 64, COOKIE,
                                                              "b" * 64))):
        st, _, _ = srv.request("GET", "/api/v1/rooms", headers={"Cookie": value})
        st2, _, body = srv.request("POST", "/api/v1/bookings", booker.body(),
                                   headers={"Cookie": value, "Sec-Fetch-Site": "same-origin"})
        check(st == 200 and st2 == 401, "%s: reads anonymous, writes 401" % what, (st, st2, body))
    # Another site's cookie of another name is nothing.
    st, _, body = srv.request("POST", "/api/v1/bookings", booker.body(),
                              headers={"Cookie": "other=1; halls_sessionx=2",
                                       "Origin": "https://evil.example"})
    check(st == 401 and body.get("type") == "/problems/unauthorized",
          "other cookies are ignored: an anonymous write is 401, not a CSRF 403", (st, body))


def secure_cookie(srv, what, headers, own):
    st, hdrs, body = sign_in_cookie(srv, dict(headers, **{"Origin": own}))
    lines = set_cookies(hdrs)
    name, value, attrs = parse_set_cookie(lines[0] if lines else "")
    check(st == 201 and name == SECURE_COOKIE and attrs.get("secure") is True
          and attrs.get("path") == "/" and "domain" not in attrs
          and attrs.get("httponly") is True and attrs.get("samesite") == "Lax",
          "%s: the cookie is %s, Secure, Path=/, HttpOnly, SameSite=Lax" % (what, SECURE_COOKIE),
          (st, lines, body))
    st, _, body = srv.request("GET", "/api/v1/users/me",
                              headers=dict(headers, **{"Cookie": "%s=%s" % (SECURE_COOKIE,
                                                                            value)}))
    check(st == 200 and body.get("email") == "mo@example.org",
          "%s: the cookie authenticates /users/me" % what, (st, body))
    st, _, body = srv.request("GET", "/api/v1/users/me",
                              headers=dict(headers, **{"Cookie": "%s=%s" % (COOKIE, value)}))
    check(st == 401, "%s: the plain-HTTP cookie name is not read" % what, (st, body))
    return value


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids = setup(build, data)
    log = os.path.join(tmp, "hallsd.log")
    srv = Server(build, data, log)
    servers.append(srv)
    own = "http://127.0.0.1:%d" % srv.port
    booker = Booker(ids)

    st, _, plain = srv.request("POST", "/api/v1/session",
                               {"email": "mo@example.org", "password": PASSWORD})
    check(st == 201 and "token" in plain, "a sign-in without \"cookie\" still returns a token",
          (st, plain))
    bearer = plain["token"]

    cookie = cookie_sign_in(srv, own)
    st, _, me = srv.request("GET", "/api/v1/users/me", headers={"Cookie": "a=b; %s=%s; c=d" %
                                                                 (COOKIE, cookie)})
    check(st == 200 and me.get("id") == ids["member"],
          "the cookie (among others) authenticates GET /api/v1/users/me", (st, me))
    cross_site_writes(srv, ids, cookie, own, bearer, booker)
    same_origin_writes(srv, ids, cookie, own, bearer, booker)
    sign_out(srv, ids, cookie, booker, bearer)

    # Not behind a trusted proxy: X-Forwarded-Proto is not believed.
    st, hdrs, _ = sign_in_cookie(srv, {"Sec-Fetch-Site": "same-origin",
                                       "X-Forwarded-Proto": "https"})
    lines = set_cookies(hdrs)
    check(st == 201 and lines and parse_set_cookie(lines[0])[0] == COOKIE
          and "secure" not in parse_set_cookie(lines[0])[2],
          "X-Forwarded-Proto from an untrusted peer does not make the cookie Secure", lines)

    with open(log, errors="replace") as f:
        text = f.read()
    check(cookie not in text and bearer not in text and "Cookie" not in text,
          "the access log holds no cookie value and no token", text[-500:])

    # Under TLS.
    cert, key = make_cert(tmp, "cookie")
    tls = Server(build, data, os.path.join(tmp, "tls.log"),
                 ["--tls-cert", cert, "--tls-key", key],
                 tls=ssl.create_default_context(cafile=cert))
    servers.append(tls)
    secure_cookie(tls, "under TLS", {}, "https://127.0.0.1:%d" % tls.port)

    # Behind a trusted proxy that says the client spoke HTTPS.
    proxied = Server(build, data, os.path.join(tmp, "proxied.log"),
                     ["--trusted-proxy", "127.0.0.1"])
    servers.append(proxied)
    secure_cookie(proxied, "behind a proxy saying X-Forwarded-Proto: https",
                  {"X-Forwarded-Proto": "https"}, "https://127.0.0.1:%d" % proxied.port)
    st, hdrs, _ = sign_in_cookie(proxied, {"X-Forwarded-Proto": "http",
                                           "Origin": "http://127.0.0.1:%d" % proxied.port})
    lines = set_cookies(hdrs)
    check(st == 201 and lines and "secure" not in parse_set_cookie(lines[0])[2],
          "behind a proxy saying X-Forwarded-Proto: http the cookie is not Secure", lines)


if __name__ == "__main__":
    sys.exit(run_suite("test_cookies", body))
