#!/usr/bin/env bash
# Issue 13: /predict throughput (txad bench stack) with no browser, with one headless Chromium signed in on a page that
# never refreshes (/dashboard/batch: the browser's own CPU), and signed in on the overview (refreshing every 5 s).
# One stack for every round; the order of the three conditions rotates each round. The browser runs at nice 19: on
# this 2-core machine it stands in for the analyst's own computer, while its refreshes still reach the server
# (each run prints how many overview.json answers it received). Then the server CPU per refresh, measured directly.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
B=${B:-/work/wt-after/.build/release}
ROUNDS=${ROUNDS:-5}; SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
out=${OUT:-/tmp/bench-overview-s7}; rm -rf $out; mkdir -p $out
PY=$(cd /work/main && .ci/python-venv browser)
state=$(mktemp -d)
export TXAD_RATE_LIMIT_ADMIN=1000000/1000000 TXAD_RATE_LIMIT_ADDRESS=1000000/1000000
$B/txad up --state-dir $state --train-rows 20000 --gateway-port 18080 --base-port 27001 >$out/up.log 2>&1 &
up=$!
for _ in $(seq 1 900); do grep -q "txad is up." $out/up.log && break; sleep 1; done
key=$(cat $state/admin-key)
bench() {  # name
  $B/txad bench stack --gateway http://127.0.0.1:18080 --duration $SECONDS_PER_RUN --api-key "$key" \
    --json $out/$1.json >$out/$1.txt 2>&1 || true
  echo "$1: $(grep 'POST /predict |' $out/$1.txt | head -1)"
}
with_browser() {  # name, page
  rm -f $out/ready
  nice -n 19 $PY/python $here/../bench-s6/overview_open.py --url http://127.0.0.1:18080 --key "$key" --page $2 \
    --seconds $((SECONDS_PER_RUN + 8)) --ready-file $out/ready >$out/browser-$1.txt 2>&1 &
  local br=$!
  for _ in $(seq 1 120); do [[ -f $out/ready ]] && break; sleep 1; done
  bench $1
  wait $br || true
  echo "   $(cat $out/browser-$1.txt | tail -1)"
}
bench warmup >/dev/null
for r in $(seq 1 $ROUNDS); do
  case $((r % 3)) in
    1) bench none-$r; with_browser static-$r /dashboard/batch; with_browser overview-$r /dashboard ;;
    2) with_browser static-$r /dashboard/batch; with_browser overview-$r /dashboard; bench none-$r ;;
    0) with_browser overview-$r /dashboard; bench none-$r; with_browser static-$r /dashboard/batch ;;
  esac
done
sleep 5
python3 $here/overview-cost.py http://127.0.0.1:18080 "$key" 2000 | tee $out/cost.txt
kill -INT $up; wait $up || true; rm -rf $state
python3 - $out <<'PY'
import json, sys, glob, statistics
out = sys.argv[1]
rows = {}
for path in sorted(glob.glob(out + "/*-*.json")):
    cond = path.rsplit("/", 1)[1][:-5].rsplit("-", 1)[0]
    if cond == "warmup": continue
    doc = json.load(open(path))
    rows.setdefault(cond, []).extend(r["requests_per_second"] for r in doc if r["name"] == "POST /predict")
base = statistics.mean(rows.get("none", [0])) or 1
for cond, values in sorted(rows.items()):
    m = statistics.mean(values)
    print(f"{cond:9s} mean {m:7.0f} req/s ({(m / base - 1) * 100:+.1f} % vs none)  runs: "
          + " ".join(f"{v:.0f}" for v in values))
PY
