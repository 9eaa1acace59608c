#!/usr/bin/env python3
"""hallsd keeps its contract: every response body matches schemas/api/*.schema.json.

Makes a demo data directory (`halls init --demo`), starts the real hallsd on a free
loopback port, and validates what it answers against the JSON Schemas (draft 2020-12,
with format checking): every GET route the server has, anonymously and as the admin
(with a token from `halls token issue`); the problem bodies of 400/401/404/405/413/415;
and the writes of the record routes. It also checks that schemas/openapi.yaml documents exactly
the routes of server/router.c, and that the halls command's --json output has the same
shapes.

The routes are those of server/router.c: one that answers 404 "no such path", or does
not answer at all, is a failure, as is a route this test has no schema for or a schema for
a route the server lacks. Each check prints "ok - ..." or "not ok - ..."; the last line
is "test_schemas: N passed, M failed"; the exit status is 1 when anything failed.

Environment: BUILD (default ./build), HALLS_SCRYPT_LOG2N (default 10 here).
Bodies are validated by schema.py, which needs python3-jsonschema; the server, the halls
command and the counters are harness.py's.
"""
import json
import os
import re
import sys
import time

import schema
from harness import Server, check, halls, run_suite

ROOT = schema.ROOT
SCHEMAS = schema.DIR
OPENAPI = os.path.join(ROOT, "schemas", "openapi.yaml")
ROUTER = os.path.join(ROOT, "server", "router.c")
ADMIN = object()  # in the table of problems: the admin's token


def ok(what):
    check(True, what)


def not_ok(what, why=""):
    check(False, what, "\n".join(str(why).splitlines()[:12]))


# Replies ---------------------------------------------------------------------------

def parse_json(text):
    try:
        return json.loads(text.decode("utf-8")), None
    except (ValueError, UnicodeDecodeError) as e:
        return None, "not JSON: %s: %r" % (e, text[:200])


# Routes ----------------------------------------------------------------------------

def router_routes():
    """[(METHOD, pattern)] from the route table in server/router.c."""
    with open(ROUTER, encoding="utf-8") as f:
        src = f.read()
    table = re.search(r"routes\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    return re.findall(r'\{\s*EVHTTP_REQ_([A-Z]+),\s*"([^"]+)"', table.group(1) if table else "")


def openapi_routes():
    """[(METHOD, pattern)] from schemas/openapi.yaml, with {token} written as <token> and
    any other {name} as <id>."""
    routes = []
    path = None
    with open(OPENAPI, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^  (/[^:\s]*):\s*$", line)
            if m:
                path = re.sub(r"\{[^}]+\}", "<id>", m.group(1).replace("{token}", "<token>"))
                continue
            if re.match(r"^\S", line):
                path = None
            m = re.match(r"^    (get|post|put|patch|delete|head|options):\s*$", line)
            if m and path:
                routes.append((m.group(1).upper(), path))
    return routes


# Feeds answer iCalendar, not JSON: here only their type is checked (and a private feed's
# 404 for a token that opens nothing); tests/e2e/test_feeds_http.py checks the rest.
FEED = "text/calendar"

# The response schema of each GET route in router.c. A GET route that is not here fails,
# and so does one that is here and not in router.c: the test keeps up with the server.
GET_SCHEMAS = {
    "/healthz": "health",
    "/api/v1/venues": "venue-list",
    "/api/v1/venues/<id>": "venue",
    "/api/v1/rooms": "room-list",
    "/api/v1/rooms/<id>": "room",
    "/api/v1/groups": "group-list",
    "/api/v1/groups/<id>": "group",
    "/api/v1/users/me": "user",
    "/api/v1/users": "user-list",
    "/api/v1/users/<id>": "user",
    "/api/v1/session": "user",
    "/api/v1/tokens": "token-list",
    "/api/v1/feed-tokens": "feed-token-list",
    "/feeds/all.ics": FEED,
    "/feeds/venues/<id>.ics": FEED,
    "/feeds/rooms/<id>.ics": FEED,
    "/feeds/rooms/<id>/busy.ics": FEED,
    "/feeds/private/<token>.ics": FEED,
    "/api/v1/bookings": "booking-list",
    "/api/v1/bookings/<id>": ("booking", "booking-busy"),
    "/api/v1/rooms/<id>/availability": "availability",
    "/api/v1/venues/<id>/availability": "venue-availability",
    "/api/v1/closures": "closure-list",
    "/api/v1/closures/<id>": "closure",
    "/api/v1/date-sets": "date-set-list",
    "/api/v1/date-sets/<id>": "date-set",
    "/api/v1/series": "series-list",
    "/api/v1/series/<id>": "series-detail",
    "/api/v1/audit": "audit-list",
    "/api/v1/rules": "rules",
    "/api/v1/waitlist": "waitlist-list",
    "/api/v1/waitlist/<id>": "waitlist-entry",
    "/api/v1/allowances": "allowance-list",
    "/api/v1/allowances/<id>": "allowance",
    "/api/v1/reports/usage": "report-usage",
    "/api/v1/rounds": "round-list",
    "/api/v1/rounds/<id>": "round",
    "/api/v1/rounds/<id>/applications": "round-application-list",
    "/api/v1/rounds/<id>/inputs": "round-inputs",
    "/api/v1/rounds/<id>/result": "round-result",
}

# Query strings tried besides the bare path (filters; a window for availability).
GET_QUERIES = {
    "/api/v1/rooms": ["venue=1", "min_capacity=20", "feature=step_free"],
    "/api/v1/bookings": ["venue=1", "room=1", "group=1", "status=pending",
                         "from=%(from)s&to=%(to)s"],
    "/api/v1/rooms/<id>/availability": ["from=%(from)s&to=%(to)s"],
    "/api/v1/venues/<id>/availability": ["from=%(from)s&to=%(to)s"],
    "/api/v1/closures": ["venue=1"],
    "/api/v1/allowances": ["venue=1", "group=3", "at=2026-12-05"],
    "/api/v1/reports/usage": ["from=2026-11-01&to=2027-01-01", "venue=1&kind=charity"],
}


def fill(pattern, ids):
    """The pattern with each <id> replaced by an id of the resource named before it (as in
    "/rooms/<id>" and "/rooms/<id>.ics"), and <token> by one that opens nothing."""
    out = []
    prev = None
    for seg in pattern.split("/"):
        out.append(seg.replace("<id>", str(ids.get(prev, 1))).replace("<token>", "0" * 64))
        prev = seg
    return "/".join(out)


def is_route_missing(status, body):
    return status == 404 and isinstance(body, dict) and \
        str(body.get("detail", "")).startswith("no such path")


# Checks ----------------------------------------------------------------------------

def check_body(what, status, headers, text, shape, want_status=None):
    """Validates a reply; shape is a schema's name or a tuple of alternatives. Problems
    (4xx, 5xx) are validated against the problem schema instead."""
    if status == 204 and want_status is None:
        if text:
            not_ok("%s: 204 has no body" % what, text[:300])
        else:
            ok("%s: 204, no body" % what)
        return None
    body, err = parse_json(text)
    if err:
        not_ok(what, err)
        return None
    if want_status is not None and status not in (
            want_status if isinstance(want_status, tuple) else (want_status,)):
        not_ok("%s answers %s" % (what, want_status), "got %d: %s" % (status, text[:300]))
        return body
    if status >= 400:
        ctype = headers.get("content-type", "")
        errs = schema.errors("problem", body)
        if not ctype.startswith("application/problem+json"):
            errs.append("Content-Type is %r, not application/problem+json" % ctype)
        if isinstance(body, dict) and body.get("status") != status:
            errs.append("status field %r is not the HTTP status %d" % (body.get("status"), status))
        if errs:
            not_ok("%s: %d matches problem" % (what, status), "\n".join(errs))
        else:
            ok("%s: %d matches problem (%s)" % (what, status, body.get("type")))
        return body
    names = shape if isinstance(shape, tuple) else (shape,)
    all_errs = []
    for n in names:
        errs = schema.errors(n, body)
        if not errs:
            ok("%s: %d matches %s" % (what, status, n))
            return body
        all_errs += ["[%s] %s" % (n, e) for e in errs]
    ctype = headers.get("content-type", "")
    if not ctype.startswith("application/json"):
        all_errs.append("Content-Type is %r" % ctype)
    not_ok("%s: %d matches %s" % (what, status, "|".join(names)), "\n".join(all_errs))
    return body


def check_formats_read(srv, token, ids):
    """The validator reads formats, not only types and patterns: a real booking whose
    start is 31 February (which the datetime pattern lets through) does not match."""
    st, hd, tx = srv.exchange("GET", "/api/v1/bookings/%d" % ids.get("bookings", 1),
                              token=token)
    booking, err = parse_json(tx)
    if st != 200 or not isinstance(booking, dict) or schema.errors("booking", booking):
        not_ok("a booking to bend", err or (st, tx[:300]))
        return
    bent = dict(booking, start="2026-02-31T19:00:00+00:00")
    errs = schema.errors("booking", bent)
    check(any("date-time" in e for e in errs),
          "a booking starting on 31 February does not match booking (format date-time)",
          "\n".join(errs) or "no error")


def check_feed(pattern, path, status, headers, text):
    """A feed: 200 iCalendar, or (a private feed with a token that opens nothing) 404."""
    if "<token>" in pattern:
        check_body("GET %s (no such feed token)" % pattern, status, headers, text, None,
                   want_status=404)
        return
    ctype = headers.get("content-type", "")
    if status == 200 and ctype.startswith(FEED) and text.startswith(b"BEGIN:VCALENDAR"):
        ok("GET %s: 200 %s" % (path, ctype))
    else:
        not_ok("GET %s: 200 %s" % (path, FEED), "got %d %r: %r" % (status, ctype, text[:200]))


def check_schema_files():
    for name in sorted(schema.schemas()):
        why = schema.schema_errors(name)
        check(why is None, "schemas/api/%s.schema.json is a valid draft 2020-12 schema" % name,
              why)
    unchecked = schema.unchecked_formats()
    check(not unchecked, "schema.py checks every format the schemas use",
          "\n".join("%s (in %s)" % (f, ", ".join(names)) for f, names in unchecked.items()))


def check_openapi():
    served = set(router_routes())
    documented = set(openapi_routes())
    if not served:
        not_ok("server/router.c has a route table")
        return
    missing = sorted(served - documented)
    extra = sorted(documented - served)
    if missing:
        not_ok("openapi.yaml documents every route in router.c",
               "\n".join("%s %s" % r for r in missing))
    else:
        ok("openapi.yaml documents all %d routes in router.c" % len(served))
    if extra:
        not_ok("openapi.yaml documents only routes in router.c",
               "\n".join("%s %s" % r for r in extra))
    else:
        ok("openapi.yaml documents no route the server lacks")
    refs = set()
    with open(OPENAPI, encoding="utf-8") as f:
        refs = set(re.findall(r"api/([a-z0-9-]+)\.schema\.json", f.read()))
    gone = sorted(r for r in refs if not os.path.exists(os.path.join(SCHEMAS, r + ".schema.json")))
    if gone:
        not_ok("every schema openapi.yaml refers to exists", "\n".join(gone))
    else:
        ok("every schema openapi.yaml refers to exists (%d)" % len(refs))
    unknown = sorted(p for m, p in served if m == "GET" and p not in GET_SCHEMAS)
    if unknown:
        not_ok("every GET route has a response schema in this test", "\n".join(unknown))
    gets = {p for m, p in served if m == "GET"}
    stale = sorted(p for p in GET_SCHEMAS if p not in gets)
    check(not stale, "every GET route this test has a schema for is in router.c",
          "\n".join(stale))


def check_cli(build, data):
    """The halls command's --json output has the API's shapes."""
    for args, shape in ((["venue", "list"], "venue-list"), (["room", "list"], "room-list"),
                        (["group", "list"], "group-list"), (["user", "list"], "user-list"),
                        (["booking", "list"], "booking-list"),
                        (["closure", "list"], "closure-list"), (["audit"], "audit-list"),
                        (["report", "usage", "--from", "2026-11-01", "--to", "2027-01-01"],
                         "report-usage"),
                        (["venue", "show", "1"], "venue"), (["room", "show", "1"], "room"),
                        (["group", "show", "1"], "group"), (["user", "show", "1"], "user"),
                        (["booking", "show", "1"], "booking"),
                        (["closure", "show", "1"], "closure")):
        what = "halls --json %s" % " ".join(args)
        r = halls(build, data, "--json", *args)
        if r.returncode != 0:
            not_ok(what, r.stderr)
            continue
        try:
            body = json.loads(r.stdout)
        except ValueError as e:
            not_ok(what, "not JSON: %s" % e)
            continue
        errs = schema.errors(shape, body)
        if errs:
            not_ok("%s matches %s" % (what, shape), "\n".join(errs))
        else:
            ok("%s matches %s" % (what, shape))


def admin_token(build, data):
    """(secret, parsed --json reply) of an API token `halls token issue` gives the demo
    admin (user 1); the secret is None when it gives none, which is a failure."""
    r = halls(build, data, "--json", "token", "issue", "--user", "1", "--label", "test_schemas")
    m = re.search(r"\b[0-9a-f]{64}\b", r.stdout)
    check(r.returncode == 0 and m is not None, "halls token issue gives the admin a token",
          r.stdout + r.stderr)
    try:
        body = json.loads(r.stdout)
    except ValueError:
        body = None
    return (m.group(0) if r.returncode == 0 and m else None), body


def body(build, tmp, servers):
    check_schema_files()
    check_openapi()
    data = os.path.join(tmp, "data")
    r = halls(build, data, "init", "--demo")
    if r.returncode != 0:
        not_ok("halls init --demo", r.stdout + r.stderr)
        return
    check_cli(build, data)
    token, issued = admin_token(build, data)
    errs = schema.errors("token-issued", issued)
    check(not errs, "halls --json token issue matches token-issued", "\n".join(errs))
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"))
    servers.append(srv)
    run_http(srv, token)


def run_http(srv, token):
    now = int(time.time())
    window = {"from": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now + 86400)),
              "to": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(now + 8 * 86400))}

    # The demo admin signs in.
    sign_in = {"email": "admin@halls.example", "password": "demo-password"}
    errs = schema.errors("session-request", sign_in)
    if errs:
        not_ok("the test's sign-in body matches session-request", "\n".join(errs))
    st, hd, tx = srv.exchange("POST", "/api/v1/session", sign_in)
    body = check_body("POST /api/v1/session (admin)", st, hd, tx, "session",
                      want_status=(200, 201))
    if isinstance(body, dict) and isinstance(body.get("token"), str) and token is None:
        token = body["token"]
    st, hd, tx = srv.exchange("POST", "/api/v1/session",
                              {"email": "admin@halls.example", "password": "wrong"})
    check_body("POST /api/v1/session with a wrong password", st, hd, tx, None,
               want_status=(401, 429))
    if token is None:
        not_ok("the admin has a token, by halls or by signing in: nothing else is tried")
        return

    # Ids to fill in <id>: the first of each list, as the admin sees it.
    ids = {}
    for seg, path in (("venues", "/api/v1/venues"), ("rooms", "/api/v1/rooms"),
                      ("groups", "/api/v1/groups"), ("bookings", "/api/v1/bookings"),
                      ("closures", "/api/v1/closures")):
        st, hd, tx = srv.exchange("GET", path, token=token)
        body, _ = parse_json(tx)
        if st == 200 and isinstance(body, list):
            first = next((o.get("id") for o in body if isinstance(o, dict) and o.get("id")), None)
            if first:
                ids[seg] = first

    # Every GET route of router.c answers, anonymously and to the admin, in its shape.
    for pattern in [p for m, p in router_routes() if m == "GET"]:
        shape = GET_SCHEMAS.get(pattern)
        path = fill(pattern, ids)
        st, hd, tx = srv.exchange("GET", path)
        body, _ = parse_json(tx)
        if is_route_missing(st, body):
            not_ok("GET %s is in router.c but hallsd answers 404 (rebuild?)" % pattern)
            continue
        if shape is None:
            not_ok("GET %s has a response schema" % pattern,
                   "add it to GET_SCHEMAS and schemas/api/")
            continue
        if shape == FEED:
            check_feed(pattern, path, st, hd, tx)
            continue
        queries = [""] + ["?" + q % window for q in GET_QUERIES.get(pattern, [])]
        for q in queries:
            st, hd, tx = srv.exchange("GET", path + q)
            check_body("GET %s%s (anonymous)" % (path, q), st, hd, tx, shape)
            st, hd, tx = srv.exchange("GET", path + q, token=token)
            check_body("GET %s%s (admin)" % (path, q), st, hd, tx, shape, want_status=200)
    check_formats_read(srv, token, ids)

    # Paths are canonical before routing; HEAD is answered wherever GET is; bodies
    # have a limit (64 KiB by default), answered with a problem body like every error.
    st, hd, tx = srv.exchange("GET", "/api//v1/venues/")
    check_body("GET /api//v1/venues/ (not canonical)", st, hd, tx, "venue-list",
               want_status=200)
    st, hd, tx = srv.exchange("HEAD", "/api/v1/venues")
    if st == 200 and tx == b"" and hd.get("content-type", "").startswith("application/json"):
        ok("HEAD /api/v1/venues answers 200 with no body")
    else:
        not_ok("HEAD /api/v1/venues answers 200 with no body", "got %d %r" % (st, tx[:100]))
    st, hd, tx = srv.exchange("POST", "/api/v1/venues", raw=b"x" * (65 * 1024), token=token,
                              ctype="application/json")
    check_body("POST /api/v1/venues with a body over 64 KiB", st, hd, tx, None,
               want_status=413)

    # What anonymous callers may not see.
    st, hd, tx = srv.exchange("GET", "/api/v1/groups")
    body, _ = parse_json(tx)
    check(st == 200 and isinstance(body, list)
          and not any("contact" in g for g in body if isinstance(g, dict)),
          "anonymous callers do not see groups' contacts", (st, tx[:300]))

    # Problems.
    for method, path, tok, raw, ctype, want, what in (
            ("GET", "/api/v1/nowhere", None, None, None, 404, "an unknown path"),
            ("GET", "/api/v1/venues/999999", None, None, None, 404, "an unknown venue"),
            ("GET", "/api/v1/rooms/999999", None, None, None, 404, "an unknown room"),
            ("GET", "/api/v1/venues/0", None, None, None, 404, "id 0"),
            ("GET", "/api/v1/venues/../rooms", None, None, None, 404, "a .. segment"),
            ("PUT", "/api/v1/venues", None, None, None, 405, "PUT on a list"),
            ("DELETE", "/healthz", None, None, None, 405, "DELETE /healthz"),
            ("GET", "/api/v1/venues?a&&b", None, None, None, 400, "a malformed query"),
            ("GET", "/api/v1/venues", "0" * 64, None, None, 401, "an unknown token"),
            ("GET", "/api/v1/venues", "not-hex", None, None, 401, "a malformed token"),
            ("POST", "/api/v1/venues", None, b'{"name":"x"}', "application/json", 401,
             "a write without a token"),
            ("POST", "/api/v1/venues", ADMIN, b'{"name":', "application/json", 400,
             "a body that is not JSON"),
            ("POST", "/api/v1/venues", ADMIN, b'[1]', "application/json", 400,
             "a body that is not an object"),
            ("POST", "/api/v1/venues", ADMIN, b'{"name":"x","id":5}', "application/json", 400,
             "a body naming its own id"),
            ("POST", "/api/v1/venues", ADMIN, b'{"name":"x"}', "text/plain", 415,
             "a body that is not application/json"),
            ("POST", "/api/v1/rooms", ADMIN, b'{"name":"x"}', "application/json", 400,
             "a room without a venue"),
            ("PATCH", "/api/v1/rooms/1", ADMIN, b'{"capacity":0}', "application/json", 400,
             "a capacity of 0"),
            ("PATCH", "/api/v1/venues/999999", ADMIN, b'{"name":"x"}', "application/json",
             404, "a change to an unknown venue")):
        st, hd, tx = srv.exchange(method, path, token=token if tok is ADMIN else tok, raw=raw,
                                  ctype=ctype)
        check_body("%s %s (%s)" % (method, path, what), st, hd, tx, None, want_status=want)
        if st == 405 and "allow" not in hd:
            not_ok("405 %s %s names the allowed methods in Allow" % (method, path))
        if st == 401 and "bearer" not in hd.get("www-authenticate", "").lower():
            not_ok("401 %s %s asks for a Bearer token in WWW-Authenticate" % (method, path))

    run_writes(srv, token, window)


def run_writes(srv, token, window):
    """Creates, changes and removes records as the admin; each request body is first
    checked against its request schema, then the reply against its response schema."""
    def send(method, path, schema_in, body, schema_out, want):
        if schema_in is not None:
            errs = schema.errors(schema_in, body)
            if errs:
                not_ok("the test's %s body matches %s" % (path, schema_in), "\n".join(errs))
        st, hd, tx = srv.exchange(method, path, body, token=token)
        b, _ = parse_json(tx)
        if is_route_missing(st, b) or st == 405:
            not_ok("%s %s is served" % (method, path), "got %d: %s" % (st, tx[:300]))
            return None
        if want == 204:
            if st == 204 and tx == b"":
                ok("%s %s answers 204 with no body" % (method, path))
            else:
                check_body("%s %s" % (method, path), st, hd, tx, None, want_status=204)
            return None
        return check_body("%s %s" % (method, path), st, hd, tx, schema_out, want_status=want)

    # Tokens: issue one for user 2, list it, revoke it; a session signs out.
    tk = send("POST", "/api/v1/tokens", "token-create",
              {"label": "test_schemas", "ttl_days": 30, "user_id": 2}, "token-issued", 201)
    if isinstance(tk, dict) and "id" in tk:
        st, hd, tx = srv.exchange("GET", "/api/v1/tokens?user=2", token=token)
        check_body("GET /api/v1/tokens?user=2 (admin)", st, hd, tx, "token-list",
                   want_status=200)
        st, hd, tx = srv.exchange("GET", "/api/v1/session", token=tk.get("token"))
        check_body("GET /api/v1/session with the new token", st, hd, tx, "user",
                   want_status=200)
        send("DELETE", "/api/v1/tokens/%d" % tk["id"], None, None, None, 204)
        st, hd, tx = srv.exchange("GET", "/api/v1/session", token=tk.get("token"))
        check_body("GET /api/v1/session with a revoked token", st, hd, tx, None,
                   want_status=401)
    st, hd, tx = srv.exchange("POST", "/api/v1/session",
                              {"email": "pat@knitters.example", "password": "demo-password"})
    b = check_body("POST /api/v1/session (member)", st, hd, tx, "session", want_status=201)
    sess = b.get("token") if isinstance(b, dict) else None
    if sess:
        st, hd, tx = srv.exchange("POST", "/api/v1/venues", {"name": "Not mine"}, token=sess)
        check_body("POST /api/v1/venues as a member", st, hd, tx, None, want_status=403)
        st, hd, tx = srv.exchange("DELETE", "/api/v1/session", token=sess)
        if st == 204 and tx == b"":
            ok("DELETE /api/v1/session answers 204 with no body")
        else:
            check_body("DELETE /api/v1/session", st, hd, tx, None, want_status=204)
        st, hd, tx = srv.exchange("GET", "/api/v1/users/me", token=sess)
        check_body("GET /api/v1/users/me after signing out", st, hd, tx, None,
                   want_status=401)

    # Feed tokens: the admin has group 1's feed, lists it, revokes it.
    ft = send("POST", "/api/v1/feed-tokens", "feed-token-create",
              {"group_id": 1, "label": "test_schemas"}, "feed-token-issued", 201)
    if isinstance(ft, dict) and "id" in ft:
        st, hd, tx = srv.exchange("GET", "/api/v1/feed-tokens", token=token)
        check_body("GET /api/v1/feed-tokens (admin)", st, hd, tx, "feed-token-list",
                   want_status=200)
        send("DELETE", "/api/v1/feed-tokens/%d" % ft["id"], None, None, None, 204)

    venue = send("POST", "/api/v1/venues", "venue-create",
                 {"name": "Schema Test Hall", "timezone": "Europe/London",
                  "hours": "mon-sun 08:00-22:00", "address": "1 Test Street"}, "venue", 201)
    if not isinstance(venue, dict) or "id" not in venue:
        return
    vid = venue["id"]
    send("PATCH", "/api/v1/venues/%d" % vid, "venue-patch", {"description": "Changed"},
         "venue", 200)
    room = send("POST", "/api/v1/rooms", "room-create",
                {"venue_id": vid, "name": "Test Room", "capacity": 20,
                 "features": ["wifi", "step_free"], "approval": "manual", "min_minutes": 30,
                 "max_minutes": 240, "notice_minutes": 0, "horizon_days": 365}, "room", 201)
    rid = room.get("id") if isinstance(room, dict) else None
    if rid:
        send("PATCH", "/api/v1/rooms/%d" % rid, "room-patch",
             {"capacity": 30, "features": ["wifi"]}, "room", 200)
    group = send("POST", "/api/v1/groups", "group-create",
                 {"name": "Schema Testers", "kind": "charity", "contact": "t@example.org",
                  "trusted_at": [vid]}, "group", 201)
    gid = group.get("id") if isinstance(group, dict) else None
    if gid:
        send("PATCH", "/api/v1/groups/%d" % gid, "group-patch", {"kind": "community"},
             "group", 200)

    if rid and gid:
        # Noon UTC three days ahead: inside the venue's hours whatever the time of the run.
        start = int(time.time()) // 86400 * 86400 + 3 * 86400 + 12 * 3600
        bk = send("POST", "/api/v1/bookings", "booking-create",
                  {"room_id": rid, "group_id": gid, "title": "Schema test", "attendees": 5,
                   "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
                   "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 3600))},
                  "booking", 201)
        if isinstance(bk, dict) and "id" in bk:
            bid = bk["id"]
            send("PATCH", "/api/v1/bookings/%d" % bid, "booking-patch", {"attendees": 6},
                 "booking", 200)
            if bk.get("status") == "pending":
                send("POST", "/api/v1/bookings/%d/approve" % bid, "decision",
                     {"note": "fine"}, "booking", 200)
            st, hd, tx = srv.exchange("POST", "/api/v1/bookings", {
                "room_id": rid, "group_id": gid, "title": "Clash",
                "start": bk.get("start"), "end": bk.get("end")}, token=token)
            check_body("POST /api/v1/bookings over an approved booking", st, hd, tx, None,
                       want_status=409)
            b, _ = parse_json(tx)
            if st == 409 and isinstance(b, dict) and bid not in (b.get("conflicts") or []):
                not_ok("a 409 conflict names the booking in the way", tx[:300])
            send("POST", "/api/v1/bookings/%d/cancel" % bid, "decision", {"note": "done"},
                 "booking", 200)
        cl = send("POST", "/api/v1/closures", "closure-create",
                  {"room_id": rid, "start": window["from"], "end": window["to"],
                   "reason": "Schema test"}, "closure", 201)
        if isinstance(cl, dict) and "id" in cl:
            send("PATCH", "/api/v1/closures/%d" % cl["id"], "closure-patch",
                 {"reason": "Schema test, shorter", "end": cl.get("end")}, "closure", 200)
            send("DELETE", "/api/v1/closures/%d" % cl["id"], None, None, None, 204)

    # Users: added with a password (never sent back), changed, removed; a group nothing
    # refers to any more is removed too.
    user = send("POST", "/api/v1/users", "user-create",
                {"name": "Schema Tester", "email": "schema.tester@example.org",
                 "role": "member", "groups": [gid or 1], "password": "schema passphrase"},
                "user", 201)
    uid = user.get("id") if isinstance(user, dict) else None
    if uid:
        send("PATCH", "/api/v1/users/%d" % uid, "user-patch", {"name": "Schema Tester II"},
             "user", 200)
        send("DELETE", "/api/v1/users/%d" % uid, None, None, None, 204)
    spare_g = send("POST", "/api/v1/groups", "group-create", {"name": "Spare Group"}, "group",
                   201)
    if isinstance(spare_g, dict) and "id" in spare_g:
        send("DELETE", "/api/v1/groups/%d" % spare_g["id"], None, None, None, 204)

    if rid:
        st, hd, tx = srv.exchange("DELETE", "/api/v1/venues/%d" % vid, token=token)
        check_body("DELETE /api/v1/venues/%d while it has a room" % vid, st, hd, tx, None,
                   want_status=409)
        # A room with bookings on record (even cancelled) keeps them: removal is in-use.
        st, hd, tx = srv.exchange("DELETE", "/api/v1/rooms/%d" % rid, token=token)
        check_body("DELETE /api/v1/rooms/%d with bookings on record" % rid, st, hd, tx,
                   None, want_status=409)
    # A room and venue nothing refers to can be removed.
    spare_v = send("POST", "/api/v1/venues", "venue-create", {"name": "Spare Hall"}, "venue", 201)
    svid = spare_v.get("id") if isinstance(spare_v, dict) else None
    if svid:
        spare_r = send("POST", "/api/v1/rooms", "room-create",
                       {"venue_id": svid, "name": "Spare Room", "capacity": 5}, "room", 201)
        if isinstance(spare_r, dict) and "id" in spare_r:
            send("DELETE", "/api/v1/rooms/%d" % spare_r["id"], None, None, None, 204)
        send("DELETE", "/api/v1/venues/%d" % svid, None, None, None, 204)
        st, hd, tx = srv.exchange("GET", "/api/v1/venues/%d" % svid)
        check_body("GET /api/v1/venues/%d after its removal" % svid, st, hd, tx, None,
                   want_status=404)


if __name__ == "__main__":
    sys.exit(run_suite("test_schemas", body))
