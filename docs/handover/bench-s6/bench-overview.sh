#!/usr/bin/env bash
# /predict throughput with and without one signed-in browser on the dashboard overview (issue 13: within 5 %).
set -euo pipefail
B=${B:-/work/wt-after/.build/release}
out=${OUT:-/tmp/bench-overview}; mkdir -p $out
PY=$(cd /work/main && .ci/python-venv browser)
state=$(mktemp -d)
export TXAD_RATE_LIMIT_ADMIN=1000000/1000000 TXAD_RATE_LIMIT_ADDRESS=1000000/1000000
$B/txad up --state-dir $state --train-rows 20000 --gateway-port 18080 --base-port 27001 >$out/up.log 2>&1 &
up=$!
for _ in $(seq 1 900); do grep -q "txad is up." $out/up.log && break; sleep 1; done
key=$(cat $state/admin-key)
# Control: the same browser signed in on a page that never refreshes (/dashboard/batch) — the browser's own CPU on
# this 2-core machine — against the overview refreshing every few seconds.
with_browser() {  # name, page
  rm -f $out/ready
  $PY/python /work/notes/tools/overview_open.py --url http://127.0.0.1:18080 --key "$key" --page $2 --seconds 40 --ready-file $out/ready >$out/browser-$1.txt 2>&1 &
  br=$!
  for _ in $(seq 1 120); do [[ -f $out/ready ]] && break; sleep 1; done
  $B/txad bench stack --gateway http://127.0.0.1:18080 --duration 10 --api-key "$key" --json $out/$1.json >$out/$1.txt 2>&1 || true
  wait $br || true
}
for i in 1 2 3; do
  with_browser static-$i /dashboard/batch
  with_browser overview-$i /dashboard
done
kill -INT $up; wait $up || true; rm -rf $state
grep -H "predict " $out/*.txt | head -20; cat $out/browser-*.txt
