#!/usr/bin/env python3
"""The calendar feeds and feed tokens against the real hallsd.

Makes a data directory with `halls` (a venue with two rooms, two groups, an admin, a
manager and a member of each group), starts hallsd on a free loopback port and checks:
the feeds' content type, strong ETags (the SHA-256 of the bytes) and Last-Modified; 304s
for If-None-Match (a tag, a list, "*") and If-Modified-Since, and If-None-Match taking
precedence; bytes and ETag unchanged when nothing changed (also after an unrelated write)
and changed after a booking change, whether made by halls or through the API; HEAD;
404 for an unknown room, venue or token; feed tokens issued, listed and revoked through
the API and `halls feed-token`; who may have which feed; that a feed token cannot sign
in and a bearer token cannot open a feed; that a revoked token, and one whose user has
left the group, answers 404; and that the access log never holds a token.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_feeds_http: N passed, M
failed"; exits 1 when anything failed (harness.run_suite). Environment: BUILD (default
./build); HALLS_SCRYPT_LOG2N (default 10 here, for fast hashing).
"""
import hashlib
import json
import os
import re
import sys
import time
from email.utils import parsedate_to_datetime

from harness import Server, check, halls, halls_json, run_suite

CAL_TYPE = "text/calendar; charset=utf-8"
TAG = re.compile(r'^"[0-9a-f]{64}"$')


def get(srv, path, headers=None, method="GET"):
    """(status, headers with lower-case names, body bytes), headers sent as given."""
    st, hd, body = srv.exchange(method, path, headers=headers)
    return st, dict((k.lower(), v) for k, v in hd.items()), body


def api(srv, method, path, body=None, token=None):
    st, hd, b = srv.request(method, path, body, token=token)
    return st, b


def must(build, data, *args):
    """halls ARGS, which must succeed: set-up, not a check."""
    r = halls(build, data, *args)
    if r.returncode != 0:
        raise RuntimeError("halls %s: %s" % (" ".join(args), r.stderr))


def password_of(email):
    """Each user's own password, which (by the rule) may not contain their email."""
    return "a secret for user %d" % sum(email.encode())


def add_user(build, data, name, email, role, *extra):
    return halls_json(build, data, "user", "add", "--name", name, "--email", email, "--role",
                      role, "--password-stdin", *extra, stdin=password_of(email) + "\n")["id"]


def sign_in(srv, email):
    st, body = api(srv, "POST", "/api/v1/session", {"email": email, "password": password_of(email)})
    if st != 201:
        raise RuntimeError("sign-in %s: %s %s" % (email, st, body))
    return body["token"]


def day_at(days, hour):
    """RFC 3339 UTC, days ahead at hour o'clock."""
    t = int(time.time()) // 86400 * 86400 + days * 86400 + hour * 3600
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def book(build, data, room, group, days, title):
    return halls_json(build, data, "booking", "request", "--room", str(room), "--group",
                      str(group), "--start", day_at(days, 12), "--end", day_at(days, 13),
                      "--title", title, "--public", "--approve")["id"]


def setup(build, data):
    must(build, data, "init")
    ids = {}
    ids["venue"] = halls_json(build, data, "venue", "add", "--name", "Feed Hall",
                              "--address", "1 Feed Street")["id"]
    for name in ("Main", "Side"):
        ids["room_" + name] = halls_json(build, data, "room", "add", "--venue",
                                         str(ids["venue"]), "--name", name + " Room",
                                         "--capacity", "30", "--approval", "auto")["id"]
    for name in ("knit", "chess"):
        ids[name] = halls_json(build, data, "group", "add", "--name",
                               name.title() + " Club")["id"]
    ids["admin"] = add_user(build, data, "Ann Admin", "ann@example.org", "admin")
    ids["mgr"] = add_user(build, data, "Max Manager", "max@example.org", "manager",
                          "--venue", str(ids["venue"]))
    ids["kim"] = add_user(build, data, "Kim Knitter", "kim@example.org", "member",
                          "--group", str(ids["knit"]))
    ids["cat"] = add_user(build, data, "Cat Chess", "cat@example.org", "member",
                          "--group", str(ids["chess"]))
    ids["b1"] = book(build, data, ids["room_Main"], ids["knit"], 3, "Knit night")
    book(build, data, ids["room_Side"], ids["chess"], 4, "Chess evening")
    return ids


def check_public(srv, build, data, ids):
    room = "/feeds/rooms/%d.ics" % ids["room_Main"]
    paths = ["/feeds/all.ics", "/feeds/venues/%d.ics" % ids["venue"], room,
             "/feeds/rooms/%d/busy.ics" % ids["room_Main"]]
    for p in paths:
        st, hd, body = get(srv, p)
        tag = hd.get("etag", "")
        check(st == 200 and hd.get("content-type") == CAL_TYPE
              and body.startswith(b"BEGIN:VCALENDAR\r\n"),
              "GET %s is 200 text/calendar; charset=utf-8" % p,
              (st, hd.get("content-type"), body[:80]))
        check(TAG.match(tag) is not None
              and tag.strip('"') == hashlib.sha256(body).hexdigest(),
              "%s: the ETag is the quoted SHA-256 of the bytes" % p, tag)
        check(hd.get("cache-control") == "max-age=300",
              "%s: Cache-Control: max-age=300" % p, hd.get("cache-control"))
        try:
            parsedate_to_datetime(hd.get("last-modified", ""))
            lm_ok = hd.get("last-modified", "").endswith(" GMT")
        except (TypeError, ValueError):
            lm_ok = False
        check(lm_ok, "%s: Last-Modified is an HTTP-date" % p, hd.get("last-modified"))

    st, hd, body = get(srv, room)
    tag, lm = hd.get("etag"), hd.get("last-modified")
    check(b"Knit night" in body and b"Chess evening" not in body,
          "the room feed shows its own public booking only", body[:400])
    st, hd, busy = get(srv, "/feeds/rooms/%d/busy.ics" % ids["room_Main"])
    check(b"Knit night" not in busy and b"SUMMARY:Busy" in busy,
          "the busy feed says Busy, not the title", busy[:400])

    # Conditional requests.
    st, hd, b = get(srv, room, {"If-None-Match": tag})
    check(st == 304 and b == b"" and hd.get("etag") == tag
          and hd.get("cache-control") == "max-age=300",
          "If-None-Match with the ETag is 304, no body, with the ETag", (st, hd, b[:80]))
    st, _, _ = get(srv, room, {"If-None-Match": '"0000", %s , "ffff"' % tag})
    check(st == 304, "If-None-Match with the ETag in a list is 304", st)
    st, _, _ = get(srv, room, {"If-None-Match": "*"})
    check(st == 304, "If-None-Match: * is 304", st)
    st, _, b = get(srv, room, {"If-None-Match": '"%s"' % ("0" * 64)})
    check(st == 200 and b == body, "If-None-Match with another tag is 200 with the feed", st)
    st, hd, b = get(srv, room, {"If-Modified-Since": lm})
    check(st == 304 and b == b"" and hd.get("etag") == tag,
          "If-Modified-Since the Last-Modified is 304", (st, lm))
    st, _, b = get(srv, room, {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    check(st == 200 and b == body, "If-Modified-Since an earlier date is 200", st)
    st, _, _ = get(srv, room, {"If-Modified-Since": "not a date"})
    check(st == 200, "a malformed If-Modified-Since is ignored (200)", st)
    st, _, _ = get(srv, room, {"If-None-Match": '"%s"' % ("0" * 64), "If-Modified-Since": lm})
    check(st == 200, "If-None-Match takes precedence over If-Modified-Since", st)

    # HEAD.
    st, hd, b = get(srv, room, method="HEAD")
    check(st == 200 and b == b"" and hd.get("etag") == tag
          and hd.get("content-type") == CAL_TYPE
          and hd.get("content-length") == str(len(body)),
          "HEAD is 200 with the headers of GET and no body", (st, hd))
    st, hd, b = get(srv, room, {"If-None-Match": tag}, method="HEAD")
    check(st == 304 and b == b"", "HEAD with If-None-Match is 304", st)

    # Unchanged, changed.
    st, hd, again = get(srv, room)
    check(again == body and hd.get("etag") == tag,
          "the same feed twice: byte-identical, same ETag", hd.get("etag"))
    must(build, data, "group", "add", "--name", "Unrelated Group")
    st, hd, again = get(srv, room)
    check(again == body and hd.get("etag") == tag and hd.get("last-modified") == lm,
          "a write elsewhere (a new group) leaves the room feed's bytes, ETag and "
          "Last-Modified as they were", (hd.get("etag"), tag))
    book(build, data, ids["room_Main"], ids["knit"], 5, "Knit fair")
    st, hd, changed = get(srv, room)
    check(st == 200 and hd.get("etag") != tag and b"Knit fair" in changed,
          "a booking made by halls changes the room feed and its ETag at once",
          (hd.get("etag"), tag))
    st, _, _ = get(srv, room, {"If-None-Match": tag})
    check(st == 200, "the old ETag no longer gets a 304", st)
    tag2 = hd.get("etag")
    admin = sign_in(srv, "ann@example.org")
    st, b = api(srv, "POST", "/api/v1/bookings/%d/cancel" % ids["b1"], {"note": "off"},
                token=admin)
    check(st == 200, "the admin cancels a booking through the API", (st, b))
    st, hd, b = get(srv, room)
    check(hd.get("etag") not in (tag, tag2) and b"STATUS:CANCELLED" in b,
          "a cancellation through the API changes the feed (the booking shows as cancelled)",
          hd.get("etag"))

    # Not found.
    for p, what in (("/feeds/rooms/999999.ics", "an unknown room"),
                    ("/feeds/rooms/999999/busy.ics", "an unknown room's busy feed"),
                    ("/feeds/venues/999999.ics", "an unknown venue"),
                    ("/feeds/private/%s.ics" % ("ab" * 32), "an unknown token"),
                    ("/feeds/private/abc.ics", "a token that is too short")):
        st, hd, b = get(srv, p)
        try:
            problem = json.loads(b)
        except ValueError:
            problem = None
        check(st == 404 and hd.get("content-type", "").startswith("application/problem+json")
              and isinstance(problem, dict) and problem.get("status") == 404
              and hd.get("cache-control") == "no-store",
              "%s is 404 problem+json, not cached" % what, (st, hd, b[:200]))
    return admin


def check_tokens(srv, build, data, ids, admin, secrets):
    """secrets: every secret seen is added to it, since none may reach the access log."""
    kim = sign_in(srv, "kim@example.org")
    cat = sign_in(srv, "cat@example.org")
    mgr = sign_in(srv, "max@example.org")
    secrets += [kim, cat, mgr, admin]

    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"group_id": ids["knit"],
                                                        "label": "phone"}, token=kim)
    ok = st == 201 and isinstance(body, dict) and len(body.get("token", "")) == 64
    check(ok and body.get("kind") == "feed" and body.get("feed") == "group"
          and body.get("scope_id") == ids["knit"] and body.get("label") == "phone"
          and body.get("created_at"),
          "a member issues a feed token for their group (201)", (st, body))
    tok = body.get("token", "") if ok else ""
    secrets.append(tok)
    path = "/feeds/private/%s.ics" % tok
    host = "127.0.0.1:%d" % srv.port
    check(ok and body.get("url") == "http://%s%s" % (host, path)
          and body.get("webcal") == "webcal://%s%s" % (host, path),
          "the reply gives the feed's http:// and webcal:// URLs from the Host", body)

    st, hd, feed = get(srv, path)
    check(st == 200 and hd.get("content-type") == CAL_TYPE
          and hd.get("cache-control") == "private, max-age=300"
          and TAG.match(hd.get("etag", "")) is not None,
          "the private feed is 200 text/calendar, Cache-Control: private, max-age=300",
          (st, hd))
    check(b"Knit fair" in feed and b"Chess evening" not in feed,
          "the group's feed shows its bookings and no other group's", feed[:300])
    st, _, _ = get(srv, path, {"If-None-Match": hd.get("etag", "")})
    check(st == 304, "the private feed answers 304 to its ETag", st)
    st, _, _ = get(srv, path, method="HEAD")
    check(st == 200, "HEAD on the private feed is 200", st)

    st, body = api(srv, "GET", "/api/v1/feed-tokens", token=kim)
    check(st == 200 and isinstance(body, list) and len(body) == 1
          and body[0].get("feed") == "group" and "token" not in body[0]
          and "sha256" not in body[0] and "url" not in body[0],
          "GET /feed-tokens lists the caller's feed tokens without secrets", (st, body))
    st, body = api(srv, "GET", "/api/v1/tokens", token=kim)
    check(st == 200 and isinstance(body, list)
          and all(t.get("kind") != "feed" for t in body),
          "GET /tokens does not list feed tokens", body)

    # A feed token is no bearer token, and a bearer token no feed token.
    st, body = api(srv, "GET", "/api/v1/users/me", token=tok)
    check(st == 401, "a feed token is refused on /api/v1/users/me (401)", (st, body))
    st, _, _ = get(srv, "/feeds/private/%s.ics" % kim)
    check(st == 404, "a session token is 404 as a feed token", st)
    st, body = api(srv, "POST", "/api/v1/tokens", {"label": "script"}, token=kim)
    api_tok = body.get("token", "") if isinstance(body, dict) else ""
    check(st == 201 and len(api_tok) == 64, "an API token is issued for the next check",
          (st, body))
    secrets.append(api_tok)
    st, _, _ = get(srv, "/feeds/private/%s.ics" % api_tok)
    check(st == 404, "an API token is 404 as a feed token", st)

    # Who may have which feed.
    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"group_id": ids["knit"]}, token=cat)
    check(st == 403, "another group's member cannot have the group's feed (403)", (st, body))
    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"manager": True}, token=kim)
    check(st == 403, "a member cannot have a manager's feed (403)", (st, body))
    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"group_id": ids["knit"],
                                                        "user_id": ids["cat"]}, token=kim)
    check(st == 403, "a member cannot issue a feed token for another user (403)", (st, body))
    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"group_id": 999999}, token=admin)
    check(st == 404, "a feed token for an unknown group is 404", (st, body))
    for bad, what in (({"group_id": ids["knit"], "manager": True}, "both group_id and manager"),
                      ({}, "neither group_id nor manager"),
                      ({"manager": False}, "manager: false"),
                      ({"group_id": "1"}, "a group_id that is not a number"),
                      ({"group_id": ids["knit"], "nope": 1}, "an unknown field"),
                      ({"group_id": ids["knit"], "label": 5}, "a label that is not text")):
        st, body = api(srv, "POST", "/api/v1/feed-tokens", bad, token=kim)
        check(st == 400, "POST /feed-tokens with %s is 400" % what, (st, body))
    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"group_id": ids["knit"]})
    check(st == 401, "POST /feed-tokens without a token is 401", (st, body))
    st, body = api(srv, "GET", "/api/v1/feed-tokens?user=%d" % ids["kim"], token=cat)
    check(st == 403, "a member cannot list another user's feed tokens (403)", (st, body))
    st, body = api(srv, "GET", "/api/v1/feed-tokens?user=%d" % ids["kim"], token=admin)
    check(st == 200 and isinstance(body, list) and len(body) == 1,
          "an admin lists another user's feed tokens", (st, body))

    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"manager": True, "label": "desk"},
                   token=mgr)
    check(st == 201 and body.get("feed") == "manager" and body.get("scope_id") == ids["mgr"],
          "a manager issues a manager's feed token", (st, body))
    mtok = body.get("token", "") if isinstance(body, dict) else ""
    secrets.append(mtok)
    st, _, mfeed = get(srv, "/feeds/private/%s.ics" % mtok)
    check(st == 200 and b"Knit fair" in mfeed and b"Chess evening" in mfeed,
          "the manager's feed shows every group's bookings at the venue", mfeed[:300])
    st, body = api(srv, "POST", "/api/v1/feed-tokens", {"group_id": ids["chess"],
                                                        "user_id": ids["cat"]}, token=admin)
    check(st == 201 and body.get("user_id") == ids["cat"],
          "an admin issues a group feed token for a member", (st, body))
    cat_tok, cat_id = (body.get("token", ""), body.get("id", 0)) if st == 201 else ("", 0)
    secrets.append(cat_tok)

    # Revoking.
    st, body = api(srv, "DELETE", "/api/v1/feed-tokens/%d" % cat_id, token=kim)
    check(st == 404, "a member cannot revoke another user's feed token (404)", (st, body))
    st, _, _ = get(srv, "/feeds/private/%s.ics" % cat_tok)
    check(st == 200, "the other user's feed still opens", st)
    st, body = api(srv, "DELETE", "/api/v1/tokens/%d" % cat_id, token=admin)
    check(st == 404, "DELETE /tokens/<id> does not revoke a feed token", (st, body))
    st, body = api(srv, "DELETE", "/api/v1/feed-tokens/%d" % cat_id, token=admin)
    check(st == 204, "an admin revokes another user's feed token (204)", (st, body))
    st, hd, b = get(srv, "/feeds/private/%s.ics" % cat_tok)
    check(st == 404 and hd.get("content-type", "").startswith("application/problem+json"),
          "a revoked feed token answers 404", (st, b[:200]))
    st, body = api(srv, "DELETE", "/api/v1/feed-tokens/%d" % cat_id, token=admin)
    check(st == 404, "revoking it again is 404", (st, body))

    # Leaving the group closes the feed, though the token was never revoked.
    must(build, data, "user", "set", str(ids["kim"]), "--group", str(ids["chess"]))
    st, _, _ = get(srv, path)
    check(st == 404, "after the member leaves the group, the group's feed answers 404", st)
    must(build, data, "user", "set", str(ids["kim"]), "--group", str(ids["knit"]))
    st, _, _ = get(srv, path)
    check(st == 200, "back in the group, the same token opens the feed again", st)

    # The halls command.
    r = halls(build, data, "help", "feed-token")
    if not check("feed-token issue" in r.stdout + r.stderr,
                 "halls has the feed-token commands (rows in cli/main.c)", r.stderr):
        return
    r = halls(build, data, "--json", "feed-token", "issue", "--user", str(ids["cat"]),
              "--group", str(ids["chess"]), "--label", "cli")
    try:
        cli = json.loads(r.stdout)
    except ValueError:
        cli = {}
    ctok = cli.get("token", "")
    secrets.append(ctok)
    check(r.returncode == 0 and len(ctok) == 64 and cli.get("kind") == "feed"
          and cli.get("path") == "/feeds/private/%s.ics" % ctok,
          "halls feed-token issue prints the secret and the feed's path", r.stdout + r.stderr)
    st, _, b = get(srv, "/feeds/private/%s.ics" % ctok)
    check(st == 200 and b"Chess evening" in b, "a feed token issued by halls opens the feed",
          st)
    r = halls(build, data, "feed-token", "issue", "--user", str(ids["cat"]), "--group",
              str(ids["knit"]))
    check(r.returncode == 1, "halls refuses a feed token for a group the user is not in",
          r.stdout + r.stderr)
    r = halls(build, data, "feed-token", "issue", "--user", str(ids["cat"]))
    check(r.returncode == 2, "halls feed-token issue without --group or --manager is a usage "
          "error", r.returncode)
    r = halls(build, data, "--json", "feed-token", "list", "--user", str(ids["cat"]))
    try:
        lst = json.loads(r.stdout)
    except ValueError:
        lst = None
    check(r.returncode == 0 and isinstance(lst, list)
          and [t.get("id") for t in lst] == [cli.get("id")]
          and not any("token" in t or "sha256" in t for t in lst),
          "halls feed-token list --user shows it, without the secret", r.stdout + r.stderr)
    r = halls(build, data, "--json", "feed-token", "list")
    try:
        every = json.loads(r.stdout)
    except ValueError:
        every = None
    check(r.returncode == 0 and isinstance(every, list) and len(every) == 3,
          "halls feed-token list shows everyone's", r.stdout + r.stderr)
    r = halls(build, data, "feed-token", "revoke", str(cli.get("id", 0)))
    check(r.returncode == 0, "halls feed-token revoke revokes it", r.stdout + r.stderr)
    st, _, _ = get(srv, "/feeds/private/%s.ics" % ctok)
    check(st == 404, "a feed token revoked by halls answers 404 at once", st)


def check_log(log, secrets):
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    leaked = [s for s in secrets if s and s in text]
    check(not leaked, "the access log holds no token", leaked)
    check("GET /feeds/private/-.ics 200" in text and "HEAD /feeds/private/-.ics 200" in text,
          "the access log shows private feeds as /feeds/private/-.ics",
          "\n".join(l for l in text.splitlines() if "/feeds/" in l)[:1500])


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    log = os.path.join(tmp, "hallsd.log")
    ids = setup(build, data)
    srv = Server(build, data, log)
    servers.append(srv)
    secrets = []
    try:
        admin = check_public(srv, build, data, ids)
        secrets.append(admin)
        check_tokens(srv, build, data, ids, admin, secrets)
        # Paths shaped like a private feed but not routed are not logged as sent either.
        odd = "AB" * 32
        secrets.append(odd)
        st, _, _ = get(srv, "/feeds/private/%s.ics" % odd)
        check(st == 404, "an upper-case token is not a route (404)", st)
    finally:
        srv.stop()  # the whole log, even when a check above crashed
        check_log(log, secrets)


if __name__ == "__main__":
    sys.exit(run_suite("test_feeds_http", body))
