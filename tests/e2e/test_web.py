#!/usr/bin/env python3
"""The pages hallsd serves (server/web/, embedded at build time) against the real hallsd.

Checks: / is the "Find a room" page, HTML, with the CSP, Referrer-Policy, nosniff and
no-cache; every CSS and JS file index.html names is served, with its type and immutable
caching, and the modules it imports too; nothing inline in the page (strict CSP); the
page's needs are exactly the features the API knows; a strong ETag and If-None-Match
give 304 with the headers; gzip when Accept-Encoding allows it (decompressing to the same
bytes, with its own ETag) and not when it does not or is absent; HEAD tells the length
and sends no body; an unknown page is an HTML 404 with the headers; /api/ and /feeds/
misses are still JSON problems; --web-dir serves files from disk as they change and
refuses "..", hidden files and a symbolic link out of the directory.

Prints "ok - ..." or "not ok - ..." per check and, last, "test_web: N passed, M failed";
exits 1 when anything failed (harness.run_suite). Environment: BUILD (default ./build).
"""
import gzip
import hashlib
import json
import os
import re
import sys

from harness import Conn, Server, check, halls, run_suite

CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
IMMUTABLE = "public, max-age=31536000, immutable"
FEATURES = ["step_free", "hearing_loop", "kitchen", "stage", "parking", "projector", "wifi",
            "accessible_toilet", "baby_change", "piano", "sports_floor", "outdoor_space"]


def get(srv, path, headers=None, method="GET"):
    """(status, headers with lower-case names, body bytes)."""
    st, hd, body = srv.exchange(method, path, headers=headers)
    return st, dict((k.lower(), v) for k, v in hd.items()), body


def raw_get(srv, target, headers=(), method="GET"):
    """The reply to a request sent byte for byte: no header but Host and those given."""
    c = Conn(srv)
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: localhost"] + list(headers)
    c.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    reply = c.reply(no_body=method == "HEAD")
    c.close()
    return reply


def page_headers(what, hd):
    check(hd.get("content-security-policy") == CSP, what + ": the strict CSP",
          repr(hd.get("content-security-policy")))
    check(hd.get("referrer-policy") == "no-referrer", what + ": Referrer-Policy: no-referrer")
    check(hd.get("x-content-type-options") == "nosniff", what + ": nosniff")


def home(srv):
    st, hd, body = get(srv, "/")
    check(st == 200, "/ answers 200", str(st))
    check(hd.get("content-type") == "text/html; charset=utf-8", "/ is HTML",
          hd.get("content-type"))
    check(hd.get("cache-control") == "no-cache", "HTML is checked again each time",
          hd.get("cache-control"))
    check(hd.get("vary") == "Accept-Encoding", "Vary: Accept-Encoding")
    page_headers("/", hd)
    html = body.decode()
    check("<h1 class=\"govuk-heading-l\">Find a room</h1>" in html, "/ is Find a room")
    st2, _, body2 = get(srv, "/index.html")
    check(st2 == 200 and body2 == body, "/index.html is the same page")
    check(not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "no inline script")
    check("<style" not in html and " style=" not in html, "no inline style")
    check(not re.search(r"\son[a-z]+=", html), "no inline event handler")
    check(not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I),
          "no URL of another origin in the page")
    check("GDS Transport" not in html and "govuk-header__logotype" not in html,
          "no GOV.UK logotype or font")
    needs = re.findall(r'name="feature" type="checkbox" value="([a-z_]+)"', html)
    check(sorted(needs) == sorted(FEATURES), "the needs are the features the API knows",
          repr(needs))
    for label in re.findall(r'<input[^>]*\sid="([^"]+)"', html) + \
            re.findall(r'<select[^>]*\sid="([^"]+)"', html):
        check('for="%s"' % label in html, "control %s has a label" % label)
    return html, hd["etag"]


def assets(srv, html):
    refs = re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js))"', html)
    check(any(r.endswith(".css") for r in refs) and any(r.endswith(".js") for r in refs),
          "index.html names a stylesheet and a script", repr(refs))
    seen = set()
    while refs:
        ref = refs.pop()
        if ref in seen:
            continue
        seen.add(ref)
        check(re.search(r"\.[0-9a-f]{8}\.(css|js)$", ref) is not None,
              "%s has a content-hashed name" % ref)
        st, hd, body = get(srv, ref)
        check(st == 200, "%s is served" % ref, str(st))
        want = "text/css" if ref.endswith(".css") else "text/javascript"
        check(hd.get("content-type", "").startswith(want), "%s is %s" % (ref, want),
              hd.get("content-type"))
        check(hd.get("cache-control") == IMMUTABLE, "%s is cached for ever" % ref,
              hd.get("cache-control"))
        page_headers(ref, hd)
        check(hd.get("etag") == '"%s"' % hashlib.sha256(body).hexdigest(),
              "%s: the ETag is the SHA-256 of its bytes" % ref)
        text = body.decode()
        if ref.endswith(".css"):
            check("@font-face" not in text and "url(" not in text and
                  "GDS Transport" not in text, "the CSS loads no font or image")
        for dep in re.findall(r"""from\s*['"]\./([^'"]+)['"]""", text):
            refs.append("/" + dep)
    check(any("api." in r for r in seen), "the modules a module imports are served too",
          repr(sorted(seen)))
    return sorted(seen)


def conditional(srv, etag):
    st, hd, body = get(srv, "/", {"If-None-Match": etag})
    check(st == 304 and body == b"", "If-None-Match with the ETag: 304", str(st))
    check(hd.get("etag") == etag, "the 304 carries the ETag")
    page_headers("the 304", hd)
    st, _, _ = get(srv, "/", {"If-None-Match": '"0000", ' + etag})
    check(st == 304, "a list holding the ETag: 304", str(st))
    st, _, _ = get(srv, "/", {"If-None-Match": '"%s"' % ("0" * 64)})
    check(st == 200, "another ETag: 200", str(st))


def compression(srv, path):
    _, _, plain = get(srv, path)
    st, hd, body = raw_get(srv, path, ["Accept-Encoding: gzip, deflate, br"])
    check(st == 200 and hd.get("content-encoding") == "gzip", "%s: gzip when asked" % path,
          repr(hd.get("content-encoding")))
    check(len(body) < len(plain) and gzip.decompress(body) == plain,
          "%s: the gzip decompresses to the same bytes, and is smaller" % path)
    check(hd.get("vary") == "Accept-Encoding", "%s: gzip varies by Accept-Encoding" % path)
    check(hd.get("etag") == '"%s"' % hashlib.sha256(body).hexdigest(),
          "%s: the gzip has an ETag of its own" % path)
    st, hd2, _ = raw_get(srv, path, ["Accept-Encoding: gzip", "If-None-Match: " + hd["etag"]])
    check(st == 304 and hd2.get("content-encoding") is None, "%s: 304 for the gzip's ETag" % path)
    for what, headers in (("no Accept-Encoding", []),
                          ("identity", ["Accept-Encoding: identity"]),
                          ("gzip;q=0", ["Accept-Encoding: gzip;q=0, br"])):
        st, hd, body = raw_get(srv, path, headers)
        check(st == 200 and "content-encoding" not in hd and body == plain,
              "%s: no gzip with %s" % (path, what), repr(hd.get("content-encoding")))


def head(srv, path):
    _, _, plain = get(srv, path)
    st, hd, body = raw_get(srv, path, method="HEAD")
    check(st == 200 and int(hd.get("content-length", "-1")) == len(plain),
          "HEAD %s tells GET's length" % path, repr(hd.get("content-length")))
    page_headers("HEAD " + path, hd)
    st, hd, body = get(srv, path, method="HEAD")
    check(body == b"", "HEAD %s sends no body" % path)


def not_found(srv):
    for path in ("/no-such-page", "/nested/page.html", "/.hidden", "/404.html",
                 "/app.css"):
        st, hd, body = get(srv, path)
        check(st == 404 and hd.get("content-type", "").startswith("text/html"),
              "%s: an HTML 404" % path, "%s %s" % (st, hd.get("content-type")))
        page_headers(path, hd)
        check(b"Page not found" in body, "%s: the 404 page says so" % path)
    st, hd, body = raw_get(srv, "/a/../../etc/passwd")
    check(st == 404 and b"root:" not in body and hd.get("content-type", "").startswith(
        "text/html"), "a path with .. is the 404 page", str(st))
    st, hd, body = get(srv, "/no-such-page", method="HEAD")
    check(st == 404 and body == b"", "HEAD of an unknown page: 404, no body")
    for path in ("/api/v1/nothing", "/api", "/feeds/nothing.ics", "/api/../x"):
        st, hd, body = raw_get(srv, path)
        check(st == 404 and hd.get("content-type") == "application/problem+json",
              "%s is still a JSON problem" % path, "%s %s" % (st, hd.get("content-type")))
    st, _, body = get(srv, "/api/v1/venues")
    check(st == 200 and isinstance(json.loads(body), list), "the API still answers")
    st, _, body = get(srv, "/healthz")
    check(st == 200, "/healthz still answers")
    st, hd, _ = get(srv, "/", method="POST")
    check(st in (404, 405) and hd.get("content-type") == "application/problem+json",
          "POST / is refused, as a problem", str(st))


def features_known(srv):
    for f in FEATURES:
        st, _, _ = get(srv, "/api/v1/rooms?feature=" + f)
        check(st == 200, "the API knows the feature %s" % f, str(st))


def web_dir(build, tmp, servers, data):
    site = os.path.join(tmp, "site")
    os.makedirs(site)
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><title>disk</title><p>from disk</p>")
    with open(os.path.join(site, "404.html"), "w") as f:
        f.write("<!DOCTYPE html><title>gone</title><p>not on disk</p>")
    secret = os.path.join(tmp, "secret.txt")
    with open(secret, "w") as f:
        f.write("secret outside the directory")
    with open(os.path.join(site, ".env"), "w") as f:
        f.write("hidden")
    os.symlink(secret, os.path.join(site, "link.txt"))
    srv = Server(build, data, os.path.join(tmp, "hallsd-dir.log"), args=["--web-dir", site])
    servers.append(srv)
    st, hd, body = get(srv, "/")
    check(st == 200 and b"from disk" in body, "--web-dir serves index.html from disk")
    page_headers("--web-dir /", hd)
    with open(os.path.join(site, "extra.css"), "w") as f:
        f.write("p{margin:0}")
    st, hd, body = get(srv, "/extra.css")
    check(st == 200 and body == b"p{margin:0}" and hd.get("content-type", "").startswith(
        "text/css"), "--web-dir serves a file added after it started")
    for target in ("/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt",
                   "/link.txt", "/.env", "/sub/../../secret.txt"):
        st, hd, body = raw_get(srv, target)
        check(st == 404 and b"secret" not in body and b"hidden" not in body,
              "--web-dir refuses %s" % target, "%s %r" % (st, body[:80]))
    st, hd, body = get(srv, "/missing.html")
    check(st == 404 and b"not on disk" in body, "--web-dir: its own 404.html")
    page_headers("--web-dir 404", hd)
    st, _, body = get(srv, "/api/v1/venues")
    check(st == 200, "--web-dir: the API still answers")
    bad = os.path.join(tmp, "nowhere")
    rc = os.spawnv(os.P_WAIT, os.path.join(build, "hallsd"),
                   ["hallsd", "--data", data, "--listen", "127.0.0.1:1", "--web-dir", bad])
    check(rc == 2, "hallsd refuses a --web-dir that is no directory", str(rc))


def body(build, tmp, servers):
    data = os.path.join(tmp, "data")
    check(halls(build, data, "init", "--demo").returncode == 0, "halls init --demo")
    srv = Server(build, data, os.path.join(tmp, "hallsd.log"))
    servers.append(srv)
    html, etag = home(srv)
    served = assets(srv, html)
    conditional(srv, etag)
    for path in ["/"] + served:
        compression(srv, path)
    head(srv, "/")
    head(srv, served[0])
    not_found(srv)
    features_known(srv)
    web_dir(build, tmp, servers, data)


if __name__ == "__main__":
    sys.exit(run_suite("test_web", body))
