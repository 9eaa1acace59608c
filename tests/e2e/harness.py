"""What the end-to-end suites share: the check counter, the real hallsd on a free
loopback port, the halls command, a raw client connection and a throwaway TLS
certificate, and run_suite around them all (schema.py holds the JSON Schema validator).
Not a suite itself (no test_ prefix)."""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# The suites read with Debian's python3-* packages (.ci/deps). A python3 other than
# Debian's (pyenv, a virtualenv) does not see them; they are pure Python, so their
# directory goes after the interpreter's own. Suites import harness before them.
if os.path.isdir("/usr/lib/python3/dist-packages") and "/usr/lib/python3/dist-packages" not in sys.path:
    sys.path.append("/usr/lib/python3/dist-packages")


class Tally:
    passed = 0
    failed = 0


tally = Tally()


def check(cond, what, detail=""):
    """Counts and prints one check; detail is shown when it fails. Returns cond's truth."""
    if cond:
        tally.passed += 1
        print("ok - " + what)
    else:
        tally.failed += 1
        print("not ok - " + what)
        if detail:
            for line in str(detail).splitlines():
                print("#   " + line)
    return bool(cond)


def day(n, hhmm):
    """Local wall time hhmm on the day n days from today, as the API reads it."""
    import datetime as _dt
    return "%sT%s" % ((_dt.date.today() + _dt.timedelta(days=n)).isoformat(), hhmm)


def instant(v):
    """An RFC 3339 instant from the API as UTC seconds, or None if v is not one."""
    from datetime import datetime
    if not isinstance(v, str) or "T" not in v or not (v.endswith("Z") or v[-6] in "+-"):
        return None
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """hallsd over data, logging to log; stop() always ends it."""

    def __init__(self, build, data, log, args=(), tls=None, env=None):
        """args: more hallsd options; tls: an ssl.SSLContext to speak HTTPS with; env:
        more environment (HALLS_NOW pins the clock the rules see)."""
        self.port = free_port()
        self.tls = tls
        self.log_path = log
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [os.path.join(build, "hallsd"), "--data", data, "--listen",
             "127.0.0.1:%d" % self.port] + list(args),
            stdout=self.log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})))
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("hallsd did not start")

    def request(self, method, path, body=None, token=None, raw=None, ctype=None,
                headers=None):
        """(status, headers, parsed JSON body or None). raw sends bytes as they are;
        headers are sent besides the ones the body and token make."""
        status, hdrs, raw_body = self.exchange(method, path, body, token, raw, ctype,
                                               headers)
        try:
            parsed = json.loads(raw_body) if raw_body else None
        except ValueError:
            parsed = raw_body
        return status, hdrs, parsed

    def exchange(self, method, path, body=None, token=None, raw=None, ctype=None,
                 headers=None):
        """Like request, but the body of the reply is the bytes as they came. raw is sent
        as ctype (urllib's form type when ctype is None)."""
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
            if ctype:
                headers["Content-Type"] = ctype
        if token:
            headers["Authorization"] = "Bearer " + token
        req = urllib.request.Request("%s://127.0.0.1:%d%s" % (
            "https" if self.tls else "http", self.port, path), data=data, headers=headers,
            method=method)
        try:
            with urllib.request.urlopen(req, timeout=30, context=self.tls) as resp:
                status, hdrs, raw_body = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw_body = e.code, e.headers, e.read()
        return status, hdrs, raw_body

    def stop(self):
        """Ends hallsd with SIGTERM (SIGKILL after 10 s). Stopping again does nothing, so
        a suite that reads the log stops its server itself and run_suite then only checks
        how it exited."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def drip(srv, timeout, start, byte):
    """Sends start, then byte every 0.3 s (so that no silence is long enough for hallsd's
    --timeout), until hallsd answers or closes: the status, None when it closed, or
    "still open" when it did neither within timeout + 5 seconds."""
    c = Conn(srv)
    c.sendall(start)
    c.settimeout(0.3)
    deadline = time.time() + timeout + 5
    try:
        while time.time() < deadline:
            try:
                c.sendall(byte)
                data = c.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return None
            return int(data.split()[1]) if data else None
        return "still open"
    finally:
        c.close()


def halls(build, data, *args, stdin=None, env=None):
    """halls ARGS over data; env: more environment (HALLS_NOW pins the clock)."""
    return subprocess.run([os.path.join(build, "halls"), "--data", data] + list(args),
                          input=stdin, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **env) if env else None)


def halls_json(build, data, *args, stdin=None):
    """halls --json ARGS, parsed; a refusal raises, since set-up must not fail."""
    r = halls(build, data, "--json", *args, stdin=stdin)
    if r.returncode != 0:
        raise RuntimeError("halls %s: %s" % (" ".join(args), r.stderr))
    return json.loads(r.stdout)


class Conn:
    """A raw client connection to srv (TLS when srv speaks it, unless plain) that reads
    replies one at a time, pipelined ones included."""

    def __init__(self, srv, plain=False):
        self.sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        if srv.tls and not plain:
            self.sock = srv.tls.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""

    def sendall(self, data):
        self.sock.sendall(data)

    def settimeout(self, t):
        self.sock.settimeout(t)

    def recv(self, n):
        if self.buf:
            data, self.buf = self.buf[:n], self.buf[n:]
            return data
        return self.sock.recv(n)

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("closed")
        self.buf += chunk

    def reply(self, limit=10.0, no_body=False):
        """(status, headers dict with lower-case names, body bytes) of the next reply, or
        None if the server closed the connection or said nothing within limit seconds."""
        self.sock.settimeout(limit)
        try:
            while b"\r\n\r\n" not in self.buf:
                self._fill()
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {k.strip().lower(): v.strip()
                       for k, v in (line.split(":", 1) for line in lines[1:])}
            want = 0 if no_body else int(headers.get("content-length", "0"))
            while len(self.buf) < want:
                self._fill()
            body, self.buf = self.buf[:want], self.buf[want:]
            return status, headers, body
        except (socket.timeout, ConnectionResetError, ssl.SSLError, OSError):
            return None


def closed(c, limit=10.0):
    """True when the server ends connection c within limit seconds."""
    s = c.sock
    s.settimeout(limit)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, ssl.SSLError):
        return True
    except socket.timeout:
        return False


def problem(reply, status, kind):
    """True when reply (from Conn.reply) is a problem+json of status and /problems/kind."""
    if reply is None:
        return False
    st, hd, body = reply
    try:
        p = json.loads(body)
    except ValueError:
        return False
    return (st == status and hd.get("content-type") == "application/problem+json"
            and isinstance(p, dict) and p.get("type") == "/problems/" + kind
            and p.get("status") == status)


def make_cert(tmp, name):
    """A self-signed certificate for localhost and 127.0.0.1 in tmp: (cert, key) paths.
    Serve it with Server(..., args=["--tls-cert", cert, "--tls-key", key],
    tls=ssl.create_default_context(cafile=cert))."""
    cert, key = os.path.join(tmp, name + ".crt"), os.path.join(tmp, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def run_suite(name, body):
    """Runs body(build, tmp, servers) in a fresh temp dir and returns the exit status.
    Every Server body appends to servers is stopped afterwards and must exit 0 on
    SIGTERM; an exception in body is a failure, not a silent pass; when anything failed,
    the end of each server's log is shown; the summary line is "NAME: N passed, M
    failed". BUILD names the binaries (default ./build)."""
    build = os.path.abspath(os.environ.get("BUILD", "build"))
    os.environ.setdefault("HALLS_SCRYPT_LOG2N", "10")
    tmp = tempfile.mkdtemp(prefix="halls-%s." % name)
    servers = []
    try:
        body(build, tmp, servers)
    except Exception as e:
        check(False, "the test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        for srv in servers:
            srv.stop()
            with open(srv.log_path, errors="replace") as f:
                tail = f.read()[-3000:]
            if check(srv.proc.returncode == 0, "hallsd stops cleanly on SIGTERM",
                     "exit %s\n%s" % (srv.proc.returncode, tail)) and tally.failed:
                print("# the end of %s:" % os.path.basename(srv.log_path))
                for line in tail.splitlines():
                    print("#   " + line)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s: %d passed, %d failed" % (name, tally.passed, tally.failed))
    return 1 if tally.failed else 0
