#!/usr/bin/env bash
# Release figures of the merged main (/work/wt-after release build): notifications, predictions (10 M / 100 k DB),
# dashboard render with 10 k alerts, reload and shadow.
set -uo pipefail
B=/work/wt-after/.build/release
out=${OUT:-/tmp/s6-rest}; mkdir -p $out
step() { echo "== $1 $(date +%T)"; }
step notifications
$B/txad bench notifications --alerts 10000 --latency-alerts 500 > $out/notifications.txt 2>&1; tail -n 12 $out/notifications.txt
step predictions
$B/txad bench predictions --database-url postgresql://postgres@127.0.0.1:55432/bench10m --iterations 100 > $out/predictions.txt 2>&1; tail -n 10 $out/predictions.txt
step dashboard
state=$(mktemp -d)
$B/txad up --state-dir $state --train-rows 20000 --gateway-port 18080 --base-port 27001 >$out/dash-up.log 2>&1 &
up=$!
for _ in $(seq 1 900); do grep -q "txad is up." $out/dash-up.log && break; sleep 1; done
TXAD_API_KEY=$(cat $state/admin-key) $B/txad bench dashboard --gateway http://127.0.0.1:18080 --alerts 10000 --requests 20 --json $out/dashboard.json > $out/dashboard.txt 2>&1; tail -n 14 $out/dashboard.txt
cp -r $state/models $out/models 2>/dev/null
kill -INT $up; wait $up; rm -rf $state
step reload
$B/txad bench reload --model $out/models --promotions 20 --replicas 2 > $out/reload.txt 2>&1; tail -n 8 $out/reload.txt
step shadow
$B/txad bench shadow --model $out/models --duration 10 --rounds 2 > $out/shadow.txt 2>&1; tail -n 10 $out/shadow.txt
step done
