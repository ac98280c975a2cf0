#!/usr/bin/env python3
"""Server CPU per dashboard overview refresh: N sequential GETs of /dashboard/overview.json (what the open page
fetches every few seconds) with the stack otherwise idle, CPU of the stack's processes before and after."""
import subprocess, sys, time, urllib.request
url, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
here = __file__.rsplit("/", 1)[0]
import json
by_process = lambda: json.loads(subprocess.check_output([sys.executable, here + "/stack-cpu.py", "--by-process"]))
cpu = lambda: sum(by_process().values())
def get(path):
    req = urllib.request.Request(url + path, headers={"X-API-Key": key, "Accept": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()
status, body = get("/dashboard/overview.json")
print(f"overview.json: HTTP {status}, {len(body)} bytes")
time.sleep(3)
idle0 = cpu(); time.sleep(10); idle = (cpu() - idle0) / 10  # background CPU per second (timers, metrics)
p0 = by_process(); c0, t0 = sum(p0.values()), time.time()
for _ in range(n):
    get("/dashboard/overview.json")
elapsed = time.time() - t0
p1 = by_process()
used = sum(p1.values()) - c0 - idle * elapsed
print("CPU per refresh by process (ms): " + ", ".join(
    f"{name} {(p1[name] - p0.get(name, 0)) / n * 1000:.2f}" for name in sorted(p1)))
print(f"{n} refreshes in {elapsed:.1f} s; stack CPU {used:.2f} s beyond idle ({idle:.3f} CPU-s/s idle)")
print(f"CPU per refresh: {used / n * 1000:.2f} ms; one open overview (a refresh every 5 s): "
      f"{used / n / 5 * 100:.3f} % of one core")
