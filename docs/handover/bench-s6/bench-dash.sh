#!/usr/bin/env bash
set -uo pipefail
B=/work/wt-after/.build/release; out=${OUT:-/tmp/s6-dash}; mkdir -p $out
state=$(mktemp -d)
$B/txad up --state-dir $state --train-rows 20000 --gateway-port 18080 --base-port 27001 >$out/dash-up.log 2>&1 &
up=$!
for _ in $(seq 1 900); do grep -q "txad is up." $out/dash-up.log && break; sleep 1; done
TXAD_API_KEY=$(cat $state/admin-key) $B/txad bench dashboard --gateway http://127.0.0.1:18080 --alerts 10000 --requests 20 --json $out/dashboard.json > $out/dashboard.txt 2>&1; tail -n 12 $out/dashboard.txt
kill -INT $up; wait $up; rm -rf $state
