#!/usr/bin/env python3
"""Pages of the list routes over HTTP: limit, after and Link (docs/api.md#pages).

Makes a data directory with `halls`: a venue with a room that needs approval (full of
another group's pending requests, which members of other groups and anonymous callers
never see) and a room that approves at once, a second venue with one room and its own
manager, about 160 bookings in all. Then checks that pages of `limit` items, followed by
their Link to the end, give exactly the unpaged list in order, with no duplicate and no
gap, also when bookings are added between two fetches; that a caller who may see few
bookings gets short pages with Links and still reaches every one; that limit and after
are checked (400 in words); that the Link keeps the caller's filters and never names a
host; and the same for the audit log, the series (by id, with room and group filters,
behind another group's private series) and the closures (by start, then id, from the
scans of a venue and its rooms, with venue and room filters).

Prints "ok - ..." or "not ok - ..." per check and, last, "test_paging: N passed, M
failed"; exits 1 when anything failed. Environment: BUILD (default ./build);
HALLS_SCRYPT_LOG2N (default 10 here).
"""
import http.client
import json
import os
import re
import sys
import urllib.parse

from harness import Server, check, day, halls, halls_json, run_suite

LINK = re.compile(r'^<(/[^>]*)>; rel="next"$')


def setup(build, data):
    ids, tok = {}, {}
    if halls(build, data, "init").returncode != 0:
        raise RuntimeError("halls init failed")
    ids["va"] = halls_json(build, data, "venue", "add", "--name", "Hartley Road Centre")["id"]
    ids["vb"] = halls_json(build, data, "venue", "add", "--name", "Rue Library")["id"]
    common = ["--capacity", "50", "--notice", "0", "--horizon", "365", "--min-length", "30",
              "--max-length", "480"]
    ids["rm"] = halls_json(build, data, "room", "add", "--venue", str(ids["va"]), "--name",
                           "Meeting Room", "--approval", "manual", *common)["id"]
    ids["ra"] = halls_json(build, data, "room", "add", "--venue", str(ids["va"]), "--name",
                           "Main Hall", "--approval", "auto", *common)["id"]
    ids["rb"] = halls_json(build, data, "room", "add", "--venue", str(ids["vb"]), "--name",
                           "Study Room", "--approval", "auto", *common)["id"]
    ids["g1"] = halls_json(build, data, "group", "add", "--name", "Knitters")["id"]
    ids["g2"] = halls_json(build, data, "group", "add", "--name", "Chess Club")["id"]
    for name, role, extra in (("admin", "admin", []),
                              ("manb", "manager", ["--venue", str(ids["vb"])]),
                              ("mem1", "member", ["--group", str(ids["g1"])])):
        uid = halls_json(build, data, "user", "add", "--name", name, "--email",
                         name + "@example.org", "--role", role, *extra)["id"]
        tok[name] = halls_json(build, data, "token", "issue", "--user", str(uid),
                               "--label", "test")["token"]
    tok["anon"] = None
    return ids, tok


def book(build, data, ids, room, group, start, end, public=False):
    args = ["booking", "request", "--room", str(ids[room]), "--group", str(ids[group]),
            "--start", start, "--end", end, "--title", "Meet"]
    return halls_json(build, data, *(args + (["--public"] if public else []))
                      )["id"]


def fill(build, data, ids):
    """120 pending requests of g2 in rm (hidden from anonymous callers and g1), 8
    approved bookings in ra starting at the same times as some of them, 6 of g1's own
    requests after all of those, and 3 bookings at the second venue."""
    for i in range(120):
        h = 8 + (i % 6) * 2
        book(build, data, ids, "rm", "g2", day(2 + i // 6, "%02d:00" % h),
             day(2 + i // 6, "%02d:00" % (h + 1)))
    for i in range(8):
        book(build, data, ids, "ra", "g2", day(2 + 3 * i, "10:00"), day(2 + 3 * i, "11:00"),
             public=i % 2 == 0)
    for i in range(6):
        book(build, data, ids, "rm", "g1", day(40 + i, "09:00"), day(40 + i, "10:00"))
    for i in range(3):
        book(build, data, ids, "rb", "g2", day(5 + i, "09:00"), day(5 + i, "10:00"))


def add_series(build, data, ids):
    """40 weekly series of two dates in both rooms of the first venue: most are g2's and
    private, so anonymous callers and g1 see few of them. Each week starts an hour later,
    so that no date is one the same group has asked for already."""
    for i in range(40):
        room = "ra" if i % 4 == 3 else "rm"
        group = "g1" if i % 5 == 0 else "g2"
        hour = 12 + i // 7
        args = ["series", "add", "--room", str(ids[room]), "--group", str(ids[group]),
                "--title", "Weekly %d" % i, "--start", day(100 + i, "%02d:00" % hour),
                "--end", day(100 + i, "%02d:00" % (hour + 1)), "--rrule", "FREQ=WEEKLY;COUNT=2"]
        halls_json(build, data, *(args + (["--public"] if i % 13 == 0 else [])))


def add_closures(build, data, ids):
    """30 closures of both venues and their rooms, created out of start order, with the
    same start at several targets (ties broken by id across the scans)."""
    targets = (("--venue", "va"), ("--room", "rm"), ("--room", "ra"), ("--venue", "vb"),
               ("--room", "rb"))
    for i in range(30):
        flag, target = targets[i % 5]
        d = 150 + (i * 7) % 12
        halls_json(build, data, "closure", "add", flag, str(ids[target]), "--from",
                   day(d, "08:00"), "--to", day(d, "18:00"), "--reason", "Works %d" % i)


def walk(srv, path, token, limit=None):
    """Follows the Links from path; (items, pages, statuses, links). Stops after 500
    pages, so that a Link that never ends is a failure rather than a hang."""
    items, pages, links = [], [], []
    while path is not None and len(pages) < 500:
        st, hdrs, body = srv.request("GET", path, token=token)
        if st != 200 or not isinstance(body, list):
            pages.append((st, body))
            break
        pages.append(body)
        items.extend(body)
        link = hdrs.get("Link")
        links.append(link)
        m = LINK.match(link) if link else None
        path = m.group(1) if m else None
        if link and not m:
            pages.append(("bad Link", link))
            break
    return items, pages, links


def query(path, **kw):
    return path + "?" + urllib.parse.urlencode(kw)


def fetch_all(srv, path, token):
    """The whole listing at the largest page (100), following Links: (status, the last
    page's headers as {"Link": ...}, items), like one request for everything. The
    pages of other sizes below are compared with it, so every resume point they make
    must give the same list."""
    items, pages, links = walk(srv, path, token)
    ok = all(isinstance(p, list) for p in pages)
    return (200 if ok else pages[-1][0]), {"Link": links[-1] if links else None}, items


def same_pages(srv, what, path, token, limit, unpaged):
    items, pages, links = walk(srv, query(path, limit=limit), token)
    ok_pages = all(isinstance(p, list) and len(p) <= limit for p in pages)
    check(ok_pages and items == unpaged,
          "%s: pages of %d followed to the end are the unpaged list" % (what, limit),
          (len(items), len(unpaged), [p if not isinstance(p, list) else len(p)
                                      for p in pages]))
    check(links and links[-1] is None, "%s: the last page has no Link" % what, links[-3:])
    return pages


def run_bookings(srv, build, data, ids, tok):
    B = "/api/v1/bookings"
    st, hdrs, everything = fetch_all(srv, query(B, limit=100), token=tok["admin"])
    check(st == 200 and len(everything) == 137 and hdrs.get("Link") is None,
          "pages of 100 hold all 137 bookings, the last without a Link", (st, len(everything or [])))
    order = [(b["start_ts"], b["id"]) for b in everything]
    check(order == sorted(order), "the list is in (start, id) order", order[:10])

    st, hdrs, first = srv.request("GET", B, token=tok["admin"])
    check(st == 200 and first == everything[:100] and LINK.match(hdrs.get("Link") or ""),
          "without limit a page holds 100 and links to the next", (st, len(first or [])))

    for limit in (1, 7, 50):
        same_pages(srv, "admin", B, tok["admin"], limit, everything)

    # Anonymous callers and a member of g1 see few of the bookings.
    for who in ("anon", "mem1"):
        st, _, visible = fetch_all(srv, query(B, limit=100), token=tok[who])
        pages = same_pages(srv, who, B, tok[who], 3, visible)
        short = [p for p in pages[:-1] if isinstance(p, list) and len(p) < 3]
        check(short, "%s gets short pages with a Link where it may see little" % who,
              [len(p) for p in pages if isinstance(p, list)])
    check(sum(1 for b in visible if b.get("group_id") == ids["g1"]) == 6,
          "mem1 reaches all six of its group's requests behind 120 hidden ones", visible)

    # Filters stay in the Link, encoded.
    frm = day(3, "00:00") + "+00:00"
    to = day(30, "00:00") + "+00:00"
    for name, q in (("room", {"room": ids["rm"]}), ("venue", {"venue": ids["va"]}),
                    ("group", {"group": ids["g1"]}), ("status", {"status": "approved"}),
                    ("window", {"from": frm, "to": to}),
                    ("venue window", {"venue": ids["va"], "from": frm, "to": to})):
        st, _, unpaged = fetch_all(srv, query(B, limit=100, **q), token=tok["admin"])
        items, pages, links = walk(srv, query(B, limit=4, **q), tok["admin"])
        check(st == 200 and items == unpaged and len(pages) > 1,
              "filtered by %s: the pages are the unpaged list" % name,
              (len(items), len(unpaged or [])))
        kept = all(all("%s=%s" % (k, urllib.parse.quote(str(v), safe="")) in l
                       for k, v in q.items()) for l in links if l)
        check(kept, "filtered by %s: every Link keeps the filter" % name, links[:2])

    # A booking added between two fetches: one after the cursor is on a later page, one
    # before it is not, and nothing is repeated or missed.
    st, hdrs, page1 = srv.request("GET", query(B, limit=20), token=tok["admin"])
    late = book(build, data, ids, "ra", "g1", day(60, "10:00"), day(60, "11:00"))
    early = book(build, data, ids, "rm", "g1", day(1, "10:00"), day(1, "11:00"))
    rest, _, _ = walk(srv, LINK.match(hdrs.get("Link")).group(1), tok["admin"])
    st, _, now = fetch_all(srv, query(B, limit=100), token=tok["admin"])
    got = [b["id"] for b in page1 + rest]
    check(got == [b["id"] for b in now if b["id"] != early] and late in got,
          "bookings added while paging: no duplicate, no gap, the later one included",
          (len(got), len(set(got)), len(now)))

    # limit and after are checked.
    for bad in ("0", "101", "-1", "x", "", "1.5", "10000000000"):
        st, _, body = srv.request("GET", B + "?limit=" + urllib.parse.quote(bad),
                                  token=tok["admin"])
        check(st == 400 and "limit" in (body or {}).get("detail", ""),
              "limit=%r is 400 naming limit" % bad, (st, body))
    cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(
        LINK.match(hdrs.get("Link")).group(1)).query)["after"][0]
    flipped = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    audit_cursor = None
    _, ahdrs, _ = srv.request("GET", "/api/v1/audit?limit=1", token=tok["admin"])
    m = LINK.match(ahdrs.get("Link") or "")
    if m:
        audit_cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(m.group(1)).query)["after"][0]
    for what, bad in (("tampered", flipped), ("cut short", cursor[:-1]),
                      ("too long", cursor + "A"), ("not base64url", "!" * len(cursor)),
                      ("empty", ""), ("the audit log's", audit_cursor or "")):
        st, _, body = srv.request("GET", B + "?after=" + urllib.parse.quote(bad),
                                  token=tok["admin"])
        check(st == 400 and "after" in (body or {}).get("detail", ""),
              "a %s cursor is 400" % what, (st, body))


def run_audit(srv, ids, tok):
    A = "/api/v1/audit"
    st, hdrs, everything = fetch_all(srv, query(A, limit=100), token=tok["admin"])
    check(st == 200 and len(everything) > 140 and hdrs.get("Link") is None,
          "the audit log in one page of 500", (st, len(everything or [])))
    for limit in (1, 13):
        same_pages(srv, "audit as admin", A, tok["admin"], limit, everything)
    # The second venue's manager may see only its three bookings' entries.
    st, _, mine = fetch_all(srv, query(A, limit=100), token=tok["manb"])
    pages = same_pages(srv, "audit as the other venue's manager", A, tok["manb"], 2, mine)
    check(len(mine) >= 3 and any(isinstance(p, list) and len(p) < 2 for p in pages[:-1]),
          "the audit log gives short pages with a Link to a manager who may see little",
          [len(p) for p in pages if isinstance(p, list)])
    items, _, _ = walk(srv, query(A, limit=5, booking=everything[-1].get("object_id", 1)),
                       tok["admin"])
    st, _, unpaged = fetch_all(srv, query(A, limit=100,
                                              booking=everything[-1].get("object_id", 1)),
                                 token=tok["admin"])
    check(items == unpaged, "the audit log of one booking pages the same", (items, unpaged))
    for bad in ("0", "101", "x"):
        st, _, body = srv.request("GET", A + "?limit=" + bad, token=tok["admin"])
        check(st == 400, "audit limit=%s is 400" % bad, (st, body))


def cursor_of(link):
    m = LINK.match(link or "")
    if not m:
        return ""
    return urllib.parse.parse_qs(urllib.parse.urlsplit(m.group(1)).query)["after"][0]


def refusals(srv, tok, path, foreign):
    """limit and after checked in words on path; foreign: another list's cursors."""
    for bad in ("0", "101", "x", "", "1.5"):
        st, _, body = srv.request("GET", path + "?limit=" + urllib.parse.quote(bad),
                                  token=tok["admin"])
        check(st == 400 and "limit" in (body or {}).get("detail", ""),
              "%s limit=%r is 400 naming limit" % (path, bad), (st, body))
    _, hdrs, _ = srv.request("GET", path + "?limit=1", token=tok["admin"])
    cursor = cursor_of(hdrs.get("Link"))
    flipped = cursor[:5] + ("A" if cursor[5:6] != "A" else "B") + cursor[6:]
    bad = [("tampered", flipped), ("cut short", cursor[:-1]), ("empty", "")]
    bad += [("%s's" % name, c) for name, c in foreign.items()]
    for what, c in bad:
        st, _, body = srv.request("GET", path + "?after=" + urllib.parse.quote(c),
                                  token=tok["admin"])
        check(cursor and st == 400 and "after" in (body or {}).get("detail", ""),
              "%s: a %s cursor is 400" % (path, what), (st, body))
    return cursor


def run_list(srv, path, tok, filters, short_for):
    """Every caller and filter: pages followed to the end are the unpaged list, and the
    Link keeps the filter."""
    for who in ("admin", "anon", "mem1"):
        for name, q in filters:
            st, hdrs, unpaged = fetch_all(srv, query(path, limit=100, **q), token=tok[who])
            if st != 200:
                check(False, "%s as %s filtered by %s answers 200" % (path, who, name), st)
                continue
            limit = 1 if who == short_for else 3
            items, pages, links = walk(srv, query(path, limit=limit, **q), tok[who])
            check(items == unpaged and hdrs.get("Link") is None,
                  "%s as %s filtered by %s: pages of %d are the unpaged list"
                  % (path, who, name, limit), (len(items), len(unpaged)))
            kept = all(all("%s=%s" % (k, urllib.parse.quote(str(v), safe="")) in l
                           for k, v in q.items()) for l in links if l)
            check(kept and links and links[-1] is None,
                  "%s as %s filtered by %s: every Link keeps the filter, the last has none"
                  % (path, who, name), links[-2:])
            if who == short_for and name == "none":
                short = [p for p in pages[:-1] if isinstance(p, list) and len(p) < limit]
                check(short, "%s: %s gets short pages with a Link" % (path, who),
                      [len(p) for p in pages if isinstance(p, list)])


def run_series(srv, build, data, ids, tok, foreign):
    S = "/api/v1/series"
    st, _, everything = fetch_all(srv, query(S, limit=100), token=tok["admin"])
    check(st == 200 and len(everything) == 40, "all 40 series in one page", len(everything))
    got = [x["id"] for x in everything]
    check(got == sorted(got), "the series are listed oldest (lowest id) first", got)
    st, _, anon = srv.request("GET", S, token=None)
    check(st == 200 and len(anon) == 4, "anonymous callers see the 4 public series",
          len(anon or []))
    run_list(srv, S, tok, (("none", {}), ("room", {"room": ids["rm"]}),
                           ("group", {"group": ids["g1"]}),
                           ("room and group", {"room": ids["ra"], "group": ids["g2"]})),
             "anon")
    # A series made between two fetches has the next id, so it ends the last page.
    st, hdrs, page1 = srv.request("GET", query(S, limit=15), token=tok["admin"])
    halls_json(build, data, "series", "add", "--room", str(ids["rb"]), "--group",
               str(ids["g1"]), "--title", "Late", "--start", day(200, "12:00"), "--end",
               day(200, "13:00"), "--rrule", "FREQ=WEEKLY;COUNT=2")
    rest, _, _ = walk(srv, LINK.match(hdrs.get("Link")).group(1), tok["admin"])
    st, _, now = fetch_all(srv, query(S, limit=100), token=tok["admin"])
    check([x["id"] for x in page1 + rest] == [x["id"] for x in now] and len(now) == 41,
          "a series added while paging: no duplicate, no gap, the new one last",
          (len(page1 + rest), len(now)))
    return refusals(srv, tok, S, foreign)


def run_closures(srv, build, data, ids, tok, foreign):
    C = "/api/v1/closures"
    st, _, everything = fetch_all(srv, query(C, limit=100), token=tok["admin"])
    check(st == 200 and len(everything) == 30, "all 30 closures in one page", len(everything))
    order = [(x["start_ts"], x["id"]) for x in everything]
    check(order == sorted(order) and len(set(x["start_ts"] for x in everything)) < 30,
          "the closures are in (start, id) order, with ties", order[:8])
    run_list(srv, C, tok, (("none", {}), ("venue", {"venue": ids["va"]}),
                           ("other venue", {"venue": ids["vb"]}),
                           ("room", {"room": ids["rm"]})), None)
    # Added between two fetches: a later one is on a later page, an earlier one is not.
    st, hdrs, page1 = srv.request("GET", query(C, limit=7, venue=ids["va"]),
                                  token=tok["admin"])
    late = halls_json(build, data, "closure", "add", "--room", str(ids["ra"]), "--from",
                      day(300, "08:00"), "--to", day(300, "18:00"), "--reason", "Late")["id"]
    early = halls_json(build, data, "closure", "add", "--venue", str(ids["va"]), "--from",
                       day(149, "08:00"), "--to", day(149, "18:00"), "--reason",
                       "Early")["id"]
    rest, _, _ = walk(srv, LINK.match(hdrs.get("Link")).group(1), tok["admin"])
    st, _, now = fetch_all(srv, query(C, limit=100, venue=ids["va"]), token=tok["admin"])
    got = [x["id"] for x in page1 + rest]
    check(got == [x["id"] for x in now if x["id"] != early] and late in got,
          "closures added while paging: no duplicate, no gap, the later one included",
          (len(got), len(set(got)), len(now)))
    return refusals(srv, tok, C, foreign)


def run_host(srv, tok):
    """The Link is a path: it never names the Host the caller sent."""
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    c.request("GET", "/api/v1/bookings?limit=2", headers={
        "Host": "evil.example", "Authorization": "Bearer " + tok["admin"]})
    resp = c.getresponse()
    resp.read()
    link = resp.getheader("Link") or ""
    c.close()
    check(resp.status == 200 and link.startswith("</api/v1/bookings?limit=2&after=")
          and "evil" not in link, "the Link is the canonical path, whatever the Host", link)


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    ids, tok = setup(build, data)
    fill(build, data, ids)
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"))
    servers.append(srv)
    run_bookings(srv, build, data, ids, tok)
    run_audit(srv, ids, tok)
    # Made after the checks above counted bookings and audit entries.
    add_series(build, data, ids)
    add_closures(build, data, ids)
    _, hdrs, _ = srv.request("GET", "/api/v1/bookings?limit=1", token=tok["admin"])
    foreign = {"the bookings'": cursor_of(hdrs.get("Link"))}
    foreign["the series'"] = run_series(srv, build, data, ids, tok, foreign)
    run_closures(srv, build, data, ids, tok, foreign)
    run_host(srv, tok)


if __name__ == "__main__":
    sys.exit(run_suite("test_paging", body))
