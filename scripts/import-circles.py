#!/usr/bin/env python3
"""Lists import circles between the modules of each crate: groups of modules that reach each
other through `use crate::…` / `use super::…` / `super::x::` paths. Usage:
scripts/import-circles.py [crates-dir]. Exits 0; prints each circle and a count."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "crates"


def modules(src):
    """Maps module path (tuple) to file, for every .rs file under src."""
    found = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            if rel and rel[-1] == "tests":
                continue
            found[tuple(rel)] = os.path.join(dirpath, f)
    return found


def strip_tests(text):
    """The module's code without its tests and comments (doc links are not imports)."""
    i = text.find("#[cfg(test)]")
    text = text if i < 0 else text[:i]
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def resolve(path, here, mods):
    """The longest known module a path names, from module `here`."""
    parts = [p for p in path.split("::") if p]
    if not parts:
        return None
    if parts[0] == "crate":
        base, rest = (), parts[1:]
    elif parts[0] == "super":
        base, rest = here[:-1], parts[1:]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif parts[0] == "self":
        base, rest = here, parts[1:]
    else:
        return None
    best = None
    for n in range(len(rest), 0, -1):
        cand = base + tuple(rest[:n])
        if cand in mods:
            best = cand
            break
    return best


def edges(mods):
    graph = {m: set() for m in mods}
    pat = re.compile(r"\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
    for m, f in mods.items():
        text = strip_tests(open(f, encoding="utf-8").read())
        for use in re.finditer(r"use\s+([^;]+);", text):
            body = use.group(1).replace("\n", " ")
            head = body.split("{")[0].rstrip(":")
            inner = body[body.find("{") + 1 : body.rfind("}")] if "{" in body else ""
            paths = [head] + [head + "::" + p.strip().split(" as ")[0] for p in re.split(r",(?![^{]*\})", inner) if p.strip()]
            for p in paths:
                t = resolve(p.replace(" ", ""), m, mods)
                if t and t != m and not (t == m[: len(t)]):
                    graph[m].add(t)
        for p in pat.finditer(text):
            t = resolve(p.group(1), m, mods)
            if t and t != m and not (t == m[: len(t)]):
                graph[m].add(t)
    return graph


def circles(graph):
    index, low, stack, on, out, i = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = i[0]
        i[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            strong(v)
    return out


total = 0
for crate in sorted(os.listdir(ROOT)):
    src = os.path.join(ROOT, crate, "src")
    if not os.path.isdir(src):
        continue
    mods = modules(src)
    # A parent module that only declares and re-exports its children is not a circle with them.
    graph = edges(mods)
    for group in circles(graph):
        total += 1
        print(f"{crate}: " + " <-> ".join("::".join(g) or "lib" for g in group))
print(f"import circles: {total}")
