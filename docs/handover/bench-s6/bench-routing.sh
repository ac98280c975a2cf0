#!/usr/bin/env bash
# /predict with the example routing file (channel URLs at a local sink) vs without, same release build, alternating.
set -uo pipefail
B=/work/wt-after/.build/release; out=/tmp/s6-routing; mkdir -p $out
export SLACK_WEBHOOK_URL=http://127.0.0.1:18999/slack PAGERDUTY_ROUTING_KEY=bench-key TWILIO_ACCOUNT_SID=ACbench \
  TWILIO_AUTH_TOKEN=bench SENDGRID_API_KEY=SG.bench TXAD_RATE_LIMIT_ADMIN=1000000/1000000 TXAD_RATE_LIMIT_ADDRESS=1000000/1000000
python3 /work/notes/tools/sink.py 18999 $out/sink.count > $out/sink.log 2>&1 &
sink=$!
run() {
  local name=$1; shift
  local state; state=$(mktemp -d)
  $B/txad up --state-dir $state --train-rows 20000 --gateway-port 18080 --base-port 27001 "$@" >$out/$name-up.log 2>&1 &
  local up=$!
  for _ in $(seq 1 900); do grep -q "txad is up." $out/$name-up.log && break; sleep 1; done
  $B/txad bench stack --gateway http://127.0.0.1:18080 --duration 10 --api-key "$(cat $state/admin-key)" --json $out/$name.json >$out/$name.txt 2>&1
  kill -INT $up; wait $up; rm -rf $state
  sleep 2; echo "$name: $(grep 'POST /predict |' $out/$name.txt) sink total so far: $(cat $out/sink.count)"
}
for r in 1 2; do run plain-$r; run routing-$r --routing-file $out/routing.yaml; done
kill $sink
