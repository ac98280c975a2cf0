#!/usr/bin/env bash
# /predict (txad bench stack) and GET /stats latency, alternating two release builds on the same trained model:
# BEFORE (default /work/bin-s7-before: main at 32c9576, before the lifecycle and learning merges) and AFTER
# (default /work/wt-after/.build/release: the merged main). Fresh state per stack; authentication on (admin key).
set -uo pipefail
BEFORE=${BEFORE:-/work/bin-s7-before}; AFTER=${AFTER:-/work/wt-after/.build/release}
ROUNDS=${ROUNDS:-2}; SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
out=${OUT:-/tmp/bench-stack-ab-s7}; rm -rf $out; mkdir -p $out
export TXAD_RATE_LIMIT_ADMIN=1000000/1000000 TXAD_RATE_LIMIT_ADDRESS=1000000/1000000
$AFTER/txad generate --count 20000 --seed 1 --out $out/train.csv --quiet
$AFTER/txad train --data $out/train.csv --output $out/models --version bench-1 --seed 1 --quiet
run() {  # name, bin
  local name=$1 B=$2 state; state=$(mktemp -d)
  $B/txad up --state-dir $state --model-dir $out/models --gateway-port 18080 --base-port 27001 >$out/$name-up.log 2>&1 &
  local up=$!
  for _ in $(seq 1 600); do grep -q "txad is up." $out/$name-up.log && break; sleep 1; done
  local key; key=$(cat $state/admin-key)
  $B/txad bench stack --gateway http://127.0.0.1:18080 --duration $SECONDS_PER_RUN --api-key "$key" \
    --json $out/$name.json >$out/$name.txt 2>&1
  python3 - "$key" > $out/$name-stats.txt <<'PY'
import sys, time, urllib.request
times = []
for _ in range(300):
    req = urllib.request.Request("http://127.0.0.1:18080/stats", headers={"X-API-Key": sys.argv[1]})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r: r.read()
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"GET /stats over 300 calls: p50 {times[150]:.2f} ms, p99 {times[296]:.2f} ms")
PY
  kill -INT $up; wait $up; rm -rf $state
  echo "$name: $(grep 'POST /predict |' $out/$name.txt)  $(cat $out/$name-stats.txt)"
}
for r in $(seq 1 $ROUNDS); do
  if (( r % 2 )); then run before-$r $BEFORE; run after-$r $AFTER; else run after-$r $AFTER; run before-$r $BEFORE; fi
done
python3 - $out <<'PY'
import json, sys, glob, statistics
rows = {}
for path in sorted(glob.glob(sys.argv[1] + "/*-*.json")):
    cond = path.rsplit("/", 1)[1][:-5].rsplit("-", 1)[0]
    rows.setdefault(cond, []).extend(r["requests_per_second"] for r in json.load(open(path)) if r["name"] == "POST /predict")
base = statistics.mean(rows.get("before", [0])) or 1
for cond, v in sorted(rows.items()):
    print(f"{cond:7s} /predict mean {statistics.mean(v):7.0f} req/s ({(statistics.mean(v) / base - 1) * 100:+.1f} %)  runs: "
          + " ".join(f"{x:.0f}" for x in v))
PY
