#!/usr/bin/env python3
"""Sums a LibTorch profiler trace (resnest-cli bench --profile TRACE.json) per operator: calls, total and self
time (without the operators nested inside it), per forward.

    /usr/bin/python3 benchmarks/profile_ops.py TRACE.json --forwards N [--top 25]
"""
import argparse
import collections
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--forwards", type=int, required=True, help="the bench's --iterations")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    with open(args.trace) as f:
        events = [e for e in json.load(f) if e.get("ph") == "X"]
    # Self time: an event's duration less that of the events directly nested in it (same thread).
    by_thread = collections.defaultdict(list)
    for e in events:
        by_thread[e["tid"]].append(e)
    calls, total, own = collections.Counter(), collections.Counter(), collections.Counter()
    for evs in by_thread.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in evs:
            end = e["ts"] + e["dur"]
            while stack and stack[-1][1] <= e["ts"]:
                stack.pop()
            if stack:
                own[stack[-1][0]["name"]] -= e["dur"]
            calls[e["name"]] += 1
            total[e["name"]] += e["dur"]
            own[e["name"]] += e["dur"]
            stack.append((e, end))
    n = args.forwards
    print(f"| operator | calls / forward | self ms / forward | total ms / forward |")
    print("| --- | ---: | ---: | ---: |")
    for name, t in own.most_common(args.top):
        print(f"| {name} | {calls[name] / n:.0f} | {t / n / 1e3:.2f} | {total[name] / n / 1e3:.2f} |")
    print(f"\nself time of all operators: {sum(own.values()) / n / 1e3:.1f} ms per forward")


if __name__ == "__main__":
    main()
