#!/usr/bin/env python3
"""CPU seconds used so far by the local stack's processes (txad services, PostgreSQL with its reaped backends,
Redis): utime + stime + cutime + cstime from /proc. Prints the total, or with --by-process a JSON object by name."""
import json, os, sys
NAMES = ("txad-gateway", "txad-alerts", "txad-inferenc", "txad-preproce", "postgres", "redis-server")
tick = os.sysconf("SC_CLK_TCK")
by = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    if comm.startswith(NAMES):
        fields = stat[stat.rindex(")") + 2:].split()
        name = next(n for n in NAMES if comm.startswith(n))
        by[name] = by.get(name, 0) + sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
print(json.dumps(by) if "--by-process" in sys.argv else f"{sum(by.values()):.2f}")
