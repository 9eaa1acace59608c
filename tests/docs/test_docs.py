"""Runs the examples in README.md and docs/*.md and compares what they print.

Every fenced block in those files is one of (docs/operations.md#examples-in-the-docs
says the same for readers):

1. ```console: a terminal session. Lines starting "$ " are commands, run by bash; a
   command continues on the next line while its line ends with "\\", "|" or "&&", while
   a quote or a "$(" is open, and to the end word of a heredoc. The lines up to the next
   "$ " line are what it prints (stdout and stderr together, as a terminal shows them).
   Matching is exact, except that a line that is just "..." matches any number of lines
   (none included), and "..." inside a line matches any text within that line (so
   "....." is ambiguous: write what is around it).
2. A block right after <!-- doc-test: file PATH --> equals the repository file PATH.
3. A block right after <!-- doc-test: not run: REASON --> is skipped, and listed.
4. ```text, ```json, ```ini, ```http, ```yaml, ```csv, ```email, ```nginx blocks with no
   line starting "$ ": illustrations, not commands.

Untagged blocks and ```sh or ```bash blocks fail: a reader cannot tell what they print.

Each file is one session, top to bottom: a fresh `halls init --demo` in a temporary
directory at HALLS_NOW (Monday 30 November 2026 09:00 UTC, exported for every command, so
the demo's ids and dates are the ones the docs show), one hallsd serving it, and one bash
whose variables carry from command to command. The directory holds `halls-data` and
`build` (a link to the binaries); PATH starts with the binaries. hallsd listens on a free
port: "localhost:8080" and "127.0.0.1:8080" in commands become its address, and its address
in outputs becomes 127.0.0.1:8080 again. <!-- doc-test: hallsd ARGS --> before a file's
first session block adds options to its hallsd; other 127.0.0.1:NNNN ports in ARGS are
mapped to free ports the same way.

    python3 tests/docs/test_docs.py [FILE...]
    HALLS_WRITE_DOCS=1 python3 tests/docs/test_docs.py FILE...   rewrites each output that
        does not match with what the command printed (tokens and Date: headers become
        "..."); review the diff, and put back "..." where the output varies.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import Server, check, free_port, tally  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NOW = "1796029200"  # Monday 30 November 2026 09:00 UTC (docs/operations.md#examples-in-the-docs)
ILLUSTRATIONS = {"text", "json", "ini", "http", "yaml", "csv", "email", "nginx"}
DIRECTIVE = re.compile(r"^\s*<!-- doc-test: (.*?) -->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,})([A-Za-z0-9_-]*)\s*$")
COMMAND_TIMEOUT = 60


class Block:
    def __init__(self, path, line, lang, directive, lines, indent):
        self.path = path
        self.indent = indent      # of the fence, and so of every line within
        self.line = line          # 1-based line of the opening fence
        self.lang = lang
        self.directive = directive
        self.lines = lines        # the content, indentation removed

    def where(self):
        return "%s:%d" % (os.path.relpath(self.path, ROOT), self.line)


def blocks_of(path):
    """Every fenced block of a Markdown file, with the directive just before it."""
    with open(path, encoding="utf-8") as f:
        text = f.read().split("\n")
    out, i, directive = [], 0, None
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            d = DIRECTIVE.match(text[i])
            if d:
                directive = d.group(1)
            elif text[i].strip():
                directive = None
            i += 1
            continue
        indent, ticks, lang = m.group(1), m.group(2), m.group(3)
        start, body = i, []
        i += 1
        while i < len(text) and not (text[i].strip() == ticks and text[i].startswith(indent)):
            line = text[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        out.append(Block(path, start + 1, lang, directive, body, indent))
        directive = None
        i += 1
    return out


def open_quote(s):
    """Whether s leaves a single or double quote open, as bash reads it."""
    quote = None
    i = 0
    while i < len(s):
        c = s[i]
        if quote is None:
            if c == "\\":
                i += 1
            elif c in "'\"":
                quote = c
        elif quote == '"' and c == "\\":
            i += 1
        elif c == quote:
            quote = None
        i += 1
    return quote is not None


def continues(cmd):
    """Whether bash would read the next line as more of cmd: after a backslash, a pipe or
    an and/or, within quotes, or within $( )."""
    tail = cmd.rstrip()
    if tail.endswith(("\\", "|", "&&")) or open_quote(cmd):
        return True
    return cmd.count("$(") > cmd.count(")")


HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_]+)\1")


def commands_of(block):
    """[(line index, command text, expected output lines)] of a console block."""
    out, lines, i = [], block.lines, 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1  # text before the first command (never: checked by the caller)
            continue
        first = i
        cmd = lines[i][2:]
        i += 1
        while i < len(lines) and continues(cmd):
            cmd += "\n" + lines[i]
            i += 1
        heredoc = HEREDOC.search(cmd)
        if heredoc:
            while i < len(lines):
                cmd += "\n" + lines[i]
                i += 1
                if lines[i - 1].strip() == heredoc.group(2):
                    break
        exp_start = i
        while i < len(lines) and not lines[i].startswith("$ "):
            i += 1
        out.append((first, cmd, exp_start, lines[exp_start:i]))
    return out


def line_regex(pattern):
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("...")) + "$",
                      re.S)


def matches(expected, actual):
    """Whether actual lines fit expected, where a line "..." is any lines and "..."
    within a line any text."""
    exp = [e.rstrip() for e in expected]
    while exp and not exp[-1]:
        exp.pop()
    act = [a.rstrip() for a in actual]
    while act and not act[-1]:
        act.pop()
    regs = [None if e == "..." else line_regex(e) for e in exp]
    memo = {}

    def fit(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(exp):
            r = j == len(act)
        elif regs[i] is None:
            r = any(fit(i + 1, k) for k in range(j, len(act) + 1))
        else:
            r = j < len(act) and regs[i].match(act[j]) is not None and fit(i + 1, j + 1)
        memo[key] = r
        return r

    return fit(0, 0)


TOKEN = re.compile(r"\b[0-9a-f]{64}\b")


def elide(lines):
    """What the write mode puts in a doc: tokens and Date: headers vary from run to run."""
    out = []
    for line in lines:
        line = TOKEN.sub("...", line)
        if line.startswith("Date: "):
            line = "Date: ..."
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


class Session:
    """One doc file's shell, demo data and hallsd."""

    def __init__(self, build, hallsd_args):
        self.dir = tempfile.mkdtemp(prefix="halls-docs-")
        os.symlink(build, os.path.join(self.dir, "build"))
        self.env = dict(os.environ, HALLS_NOW=NOW, PATH=build + ":" + os.environ["PATH"],
                        HOME=self.dir, LC_ALL="C.UTF-8", TZ="UTC")
        self.env.pop("HALLS_DATA", None)
        subprocess.run([os.path.join(build, "halls"), "--data", "halls-data", "init",
                        "--demo"], cwd=self.dir, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        self.ports = {}
        args = []
        for a in hallsd_args:
            for port in re.findall(r"127\.0\.0\.1:(\d+)", a):
                self.ports[port] = str(free_port())
            args.append(self.to_real(a))
        self.server = Server(build, os.path.join(self.dir, "halls-data"),
                             os.path.join(self.dir, "hallsd.log"), args, env=self.env)
        self.ports["8080"] = str(self.server.port)
        self.shell = subprocess.Popen(["bash", "--norc", "--noprofile"], cwd=self.dir,
                                      env=self.env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
        self.n = 0

    def to_real(self, s):
        for doc, real in self.ports.items():
            s = s.replace("localhost:" + doc, "127.0.0.1:" + real)
            s = s.replace("127.0.0.1:" + doc, "127.0.0.1:" + real)
        return s

    def to_doc(self, s):
        for doc, real in self.ports.items():
            s = s.replace("127.0.0.1:" + real, "127.0.0.1:" + doc)
        return s

    def run(self, cmd):
        """(exit status, printed lines), or (None, lines) when it did not finish."""
        self.n += 1
        script = os.path.join(self.dir, ".cmd%d" % self.n)
        outp = os.path.join(self.dir, ".out%d" % self.n)
        with open(script, "w") as f:
            f.write(self.to_real(cmd) + "\n")
        # The status is kept for the next command, which may ask for it ($?).
        self.shell.stdin.write(". %s </dev/null >%s 2>&1; __rc=$?; echo \"__done__ $__rc\"; "
                               "(exit $__rc)\n" % (script, outp))
        self.shell.stdin.flush()
        line = self.read_line(COMMAND_TIMEOUT)
        with open(outp, encoding="utf-8", errors="replace") as f:
            printed = self.to_doc(f.read()).split("\n")
        if line is None or not line.startswith("__done__ "):
            return None, printed
        return int(line.split()[1]), printed

    def read_line(self, timeout):
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.shell.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
        return self.shell.stdout.readline().strip()

    def close(self):
        try:
            self.shell.stdin.close()
            self.shell.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.shell.kill()
        self.server.stop()
        alive = self.server.proc.returncode
        shutil.rmtree(self.dir, ignore_errors=True)
        return alive


def hallsd_args_of(blocks, path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = DIRECTIVE.match(line)
            if d and d.group(1).startswith("hallsd "):
                return d.group(1)[len("hallsd "):].split()
    return []


def check_kind(b):
    """None when the block is well formed, else what is wrong with it."""
    if b.directive and b.directive.startswith("not run:"):
        return None if b.directive[len("not run:"):].strip() else "says not why it is not run"
    if b.directive and b.directive.startswith("file "):
        return None
    if b.lang == "console":
        if not b.lines or not b.lines[0].startswith("$ "):
            return "a console block starts with a command ($ ...)"
        return None
    if b.lang in ILLUSTRATIONS:
        if any(line.startswith("$ ") for line in b.lines):
            return "a ```%s block holds commands: make it ```console" % b.lang
        return None
    return ("```%s: make it ```console (run), an illustration, or follow a doc-test "
            "directive (tests/docs/test_docs.py)" % (b.lang or "(untagged)"))


def check_file_block(b):
    path = os.path.join(ROOT, b.directive[len("file "):].strip())
    try:
        with open(path, encoding="utf-8") as f:
            want = f.read().rstrip("\n").split("\n")
    except OSError as e:
        return check(False, "%s shows %s" % (b.where(), path), str(e))
    check(b.lines == want, "%s is %s, byte for byte" % (b.where(), os.path.relpath(path, ROOT)),
          "\n".join(diff(want, b.lines)))


def diff(want, got):
    import difflib
    return list(difflib.unified_diff(want, got, "shown", "printed", lineterm="", n=2))


def run_file(build, path, write):
    blocks = blocks_of(path)
    rewrites = []  # (first line index in file, last, new lines)
    session = None
    skipped = 0
    for b in blocks:
        problem = check_kind(b)
        if not check(problem is None, "%s is a kind of block the tests know" % b.where(),
                     problem or ""):
            continue
        if b.directive and b.directive.startswith("not run:"):
            skipped += 1
            print("# %s not run: %s" % (b.where(), b.directive[8:].strip()))
            continue
        if b.directive and b.directive.startswith("file "):
            check_file_block(b)
            continue
        if b.lang != "console":
            continue
        if session is None:
            session = Session(build, hallsd_args_of(blocks, path))
        for first, cmd, exp_start, expected in commands_of(b):
            rc, printed = session.run(cmd)
            label = "%s:%d $ %s" % (os.path.relpath(path, ROOT), b.line + 1 + first,
                                    cmd.split("\n")[0][:70])
            if rc is None:
                check(False, label, "did not finish within %d s" % COMMAND_TIMEOUT)
                session.close()
                return
            ok = matches(expected, printed)
            check(ok, label, "\n".join(diff(expected, printed)))
            if not ok and write:
                lo = b.line + exp_start  # file index of the first expected line
                rewrites.append((lo, lo + len(expected), b.indent, elide(printed)))
    if session is not None:
        rc = session.close()
        check(rc == 0, "%s: hallsd stopped cleanly" % os.path.relpath(path, ROOT),
              "exit status %s" % rc)
    if rewrites:
        with open(path, encoding="utf-8") as f:
            text = f.read().split("\n")
        for lo, hi, indent, new in sorted(rewrites, reverse=True):
            text[lo:hi] = [indent + n if n else n for n in new]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(text))
        print("# rewrote %d outputs in %s" % (len(rewrites), path))


def check_matcher():
    """The matcher itself: were it to match anything, every doc would pass."""
    check(matches(["a", "...", "z"], ["a", "b", "c", "z"]), "'...' alone is any lines")
    check(matches(["a", "...", "z"], ["a", "z"]), "'...' alone may be no line")
    check(matches(["id: ... (x)"], ["id: 42 (x)"]), "'...' in a line is any text")
    check(not matches(["a", "z"], ["a", "b", "z"]), "a line more than shown is a mismatch")
    check(not matches(["id: ... (x)"], ["id: 42 (y)"]), "text around '...' must match")
    check(not matches(["a"], ["a", "b"]), "more output than shown is a mismatch")
    check(not matches(["a", "b"], ["a"]), "less output than shown is a mismatch")
    check(not matches(["a.c"], ["abc"]), "other characters are literal")


MASKS = (re.compile(r'"password_hash":"[^"]*"'),
         re.compile(r'("kind":"instance","record":\{"id":1,"value":)"[0-9a-f]+"'))


def demo_export(build, when):
    d = tempfile.mkdtemp(prefix="halls-demo-")
    env = dict(os.environ, HALLS_NOW=when)
    try:
        subprocess.run([os.path.join(build, "halls"), "--data", d + "/data", "init", "--demo"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run([os.path.join(build, "halls"), "--data", d + "/data", "export"],
                             env=env, check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(d, ignore_errors=True)
    for m in MASKS:
        out = m.sub(lambda g: (g.group(1) if g.groups() else "") + '"..."', out)
    return out


def check_demo_is_stable(build):
    """The docs show the demo's ids and dates, so the demo must be the same every time
    under one clock: only salts and the data directory's own id differ."""
    first, second = demo_export(build, NOW), demo_export(build, NOW)
    check(first == second and first.count("\n") > 100,
          "the demo is the same, record for record, each time it is made at HALLS_NOW",
          "\n".join(diff(first.split("\n"), second.split("\n"))[:20]))


def main():
    build = os.path.abspath(os.environ.get("BUILD", os.path.join(ROOT, "build")))
    files = sys.argv[1:] or (
        [os.path.join(ROOT, "README.md")] +
        sorted(os.path.join(ROOT, "docs", n) for n in os.listdir(os.path.join(ROOT, "docs"))
               if n.endswith(".md")))
    write = os.environ.get("HALLS_WRITE_DOCS") == "1"
    if not sys.argv[1:]:
        check_matcher()
        check_demo_is_stable(build)
    for path in files:
        run_file(build, os.path.abspath(path), write)
    print("docs: %d passed, %d failed" % (tally.passed, tally.failed))
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
