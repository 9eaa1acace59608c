"""The shape of the code, checked: docs/architecture.md#layers-of-the-core.

- No two files of the core, or of the CLI, call each other, directly or round a longer
  loop: a loop is a rule in the wrong place.
- The core includes no libevent header.
- No front end (server/*.c, cli/*.c) reads a user's role: who may do or see what is
  decided in server/core/policy.c and view.c.

Calls are found from the source text: a function defined (not static) in one file and
called by name in another. Crude, but it needs no compiler, and a miss can only make it
pass something it should have failed, never fail what is right."""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEF = re.compile(r"^(?!static)[a-z][^\n;(=]*?\b([a-z_][a-z0-9_]*)\(", re.M)
CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\(")
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what)
        for line in detail.splitlines():
            print("#   " + line)


def sources(*dirs):
    out = {}
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(ROOT, d, "*.c"))):
            with open(f, encoding="utf-8") as fh:
                out[os.path.relpath(f, ROOT)] = COMMENT.sub(" ", fh.read())
    return out


def call_graph(src):
    defs = {}
    for f, text in src.items():
        for m in DEF.finditer(text):
            defs.setdefault(m.group(1), f)
    graph = {}
    for f, text in src.items():
        graph[f] = {defs[n] for n in set(CALL.findall(text)) if n in defs and defs[n] != f}
    return graph


def loops(graph):
    """Each call loop once, as the files in it (Tarjan's strongly connected components)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main():
    core = sources("server/core")
    check(len(core) > 20, "the core's files are found (%d)" % len(core))
    for name, src in (("the core", core), ("the CLI", sources("cli"))):
        found = loops(call_graph(src))
        check(not found, "no two files of %s call each other" % name,
              "\n".join(" <-> ".join(c) for c in found))
    libevent = [f for f, t in core.items() if re.search(r"#include\s*<event2/", t)]
    check(not libevent, "the core includes no libevent header", "\n".join(libevent))
    fronts = sources("server", "cli")
    roles = [f for f, t in fronts.items()
             if re.search(r"\bROLE_[A-Z]+\b|(->|\.)role\s*[!=]=", t)]
    check(not roles, "no front end reads a user's role (policy.c and view.c decide)",
          "\n".join(roles))
    print("layers: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
