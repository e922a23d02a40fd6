#!/usr/bin/env python3
"""The layering rules of docs/architecture.md, checked on the source tree and the build:

1. No object of the ui/ targets (resnest_runtime, resnest_ui) depends on a LibTorch header: the compiler's own
   dependency record (ninja -t deps) lists every header each object parsed.
2. The folders of core/ include each other without a cycle.
3. Every folder of core/ is compiled into exactly one library.

Usage: check_layers.py SOURCE_DIR BUILD_DIR. Exit 0 when all hold, 1 with one line per violation, 77 (skipped)
when the build does not use Ninja (its dependency record is what rule 1 reads).
"""
import collections
import os
import re
import subprocess
import sys

TORCH = re.compile(r"/(torch|ATen|c10|caffe2)/")


def ninja(build, *args):
    return subprocess.run(["ninja", "-C", build, "-t", *args], check=True, capture_output=True,
                          text=True).stdout


def objects(build):
    out = ninja(build, "targets", "all")
    return [line.split(":")[0] for line in out.splitlines() if line.split(":")[0].endswith(".o")]


def ui_objects_on_torch(build, objs):
    bad = []
    for o in objs:
        if not re.match(r"ui/CMakeFiles/resnest_(ui|runtime)\.dir/", o):
            continue
        deps = ninja(build, "deps", o)
        if "deps not found" in deps or "(STALE)" in deps.splitlines()[0]:
            bad.append(f"{o}: not built yet, or its dependency record is stale")
            continue
        torch = [d.strip() for d in deps.splitlines()[1:] if TORCH.search(d)]
        if torch:
            first_project = next((d.strip() for d in deps.splitlines()[1:]
                                  if "/core/" in d and not TORCH.search(d)), "?")
            bad.append(f"{o}: parses {len(torch)} LibTorch headers (e.g. {torch[0]}), "
                       f"first core header: {first_project}")
    return bad


def folder_cycles(source):
    core = os.path.join(source, "core")
    graph = collections.defaultdict(set)
    why = {}
    for folder in sorted(os.listdir(core)):
        path = os.path.join(core, folder)
        if not os.path.isdir(path):
            continue
        for name in os.listdir(path):
            if not name.endswith((".h", ".cpp")):
                continue
            with open(os.path.join(path, name), encoding="utf-8") as f:
                for m in re.finditer(r'#include "core/(\w+)/\w+\.h"', f.read()):
                    if m.group(1) != folder:
                        graph[folder].add(m.group(1))
                        why.setdefault((folder, m.group(1)), f"core/{folder}/{name}")
    bad = []
    state = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                edges = ", ".join(f"{a}->{b} ({why[(a, b)]})" for a, b in zip(cycle, cycle[1:]))
                bad.append("core folders form a cycle: " + edges)
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return bad


def split_folders(objs):
    libraries = collections.defaultdict(set)
    for o in objs:
        m = re.match(r"core/CMakeFiles/(\w+)\.dir/(\w+)/", o)
        if m:
            libraries[m.group(2)].add(m.group(1))
    return [f"core/{folder} is split across {', '.join(sorted(libs))}"
            for folder, libs in sorted(libraries.items()) if len(libs) > 1]


def main():
    source, build = sys.argv[1], sys.argv[2]
    if not os.path.exists(os.path.join(build, "build.ninja")):
        print("skipped: the build does not use Ninja")
        return 77
    objs = objects(build)
    bad = ui_objects_on_torch(build, objs) + folder_cycles(source) + split_folders(objs)
    for line in bad:
        print(line)
    ui = sum(1 for o in objs if re.match(r"ui/CMakeFiles/resnest_(ui|runtime)\.dir/", o))
    print(f"{ui} ui objects checked, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
