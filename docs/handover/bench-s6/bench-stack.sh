#!/usr/bin/env bash
# bench stack, before (session-5 main 54e4087, /work/bin-before) vs after (merged main, /work/wt-after release), alternating.
set -uo pipefail
BEFORE=/work/bin-before; AFTER=/work/wt-after/.build/release
out=${OUT:-/tmp/s6-stack}; mkdir -p $out
HIGH="TXAD_RATE_LIMIT_ADMIN=1000000/1000000 TXAD_RATE_LIMIT_ADDRESS=1000000/1000000"
run() {  # name, bindir, env...
  local name=$1 B=$2; shift 2
  local state; state=$(mktemp -d)
  env "$@" $B/txad up --state-dir $state --train-rows 20000 --gateway-port 18080 --base-port 27001 >$out/$name-up.log 2>&1 &
  local up=$!
  for _ in $(seq 1 900); do grep -q "txad is up." $out/$name-up.log && break; sleep 1; done
  local key=""; [[ -s $state/admin-key ]] && key="--api-key $(cat $state/admin-key)"
  $AFTER/txad bench stack --gateway http://127.0.0.1:18080 --duration 10 $key --json $out/$name.json >$out/$name.txt 2>&1
  kill -INT $up; wait $up
  rm -rf $state
  echo "$name: $(grep 'POST /predict |' $out/$name.txt) $(grep 'POST /predict/batch' $out/$name.txt | awk -F'|' '{print "batch tx/s " $4}')"
}
for round in 1 2; do
  run before-off-$round $BEFORE TXAD_AUTH=off
  run after-off-$round $AFTER TXAD_AUTH=off
  run before-on-$round $BEFORE TXAD_AUTH=on $HIGH
  run after-on-$round $AFTER TXAD_AUTH=on $HIGH
done
run after-on-block0 $AFTER TXAD_AUTH=on $HIGH TXAD_RATE_LIMIT_BLOCK_MS=0
run after-limits-off $AFTER TXAD_AUTH=on TXAD_RATE_LIMITS=off
