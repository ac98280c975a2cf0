#!/usr/bin/env bash
# Issue 9: /predict throughput (txad bench stack) with the example routing file (every channel URL at a local sink)
# vs without, same release build and the same trained model, alternating stacks; each stack gets a fresh database.
# After each routing run: what the sink received and the outbox rows by state (the deliveries really happened).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
B=${B:-/work/wt-after/.build/release}
ROUNDS=${ROUNDS:-3}; SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
out=${OUT:-/tmp/bench-routing-s7}; rm -rf $out; mkdir -p $out
export SLACK_WEBHOOK_URL=http://127.0.0.1:18999/slack PAGERDUTY_ROUTING_KEY=bench-key TWILIO_ACCOUNT_SID=ACbench \
  TWILIO_AUTH_TOKEN=bench SENDGRID_API_KEY=SG.bench TXAD_RATE_LIMIT_ADMIN=1000000/1000000 \
  TXAD_RATE_LIMIT_ADDRESS=1000000/1000000
sed -e 's#https://events.pagerduty.com/v2/enqueue#http://127.0.0.1:18999/pagerduty#' \
    -e 's#https://api.twilio.com#http://127.0.0.1:18999/twilio#' \
    -e 's#https://api.sendgrid.com/v3/mail/send#http://127.0.0.1:18999/sendgrid#' \
    /work/main/compose/routing.example.yaml > $out/routing.yaml
python3 $here/../bench-s6/sink.py 18999 $out/sink.count > $out/sink.log 2>&1 &
sink=$!
# One model for every stack.
$B/txad generate --count 20000 --seed 1 --out $out/train.csv --quiet
$B/txad train --data $out/train.csv --output $out/models --version bench-1 --seed 1 --quiet
run() {  # name, txad up options…
  local name=$1; shift
  local state; state=$(mktemp -d)
  $B/txad up --state-dir $state --model-dir $out/models --gateway-port 18080 --base-port 27001 "$@" \
    >$out/$name-up.log 2>&1 &
  local up=$!
  for _ in $(seq 1 600); do grep -q "txad is up." $out/$name-up.log && break; sleep 1; done
  local before; before=$(cat $out/sink.count 2>/dev/null || echo 0)
  $B/txad bench stack --gateway http://127.0.0.1:18080 --duration $SECONDS_PER_RUN --api-key "$(cat $state/admin-key)" \
    --json $out/$name.json >$out/$name.txt 2>&1
  sleep 5
  local port; port=$(grep -o 'PostgreSQL: started on port [0-9]*' $out/$name-up.log | grep -o '[0-9]*$')
  local url=postgresql://postgres@127.0.0.1:$port/txad
  local states; states=$(psql "$url" -Atc "SELECT string_agg(state || '=' || n, ' ') FROM (SELECT state, count(*) n
    FROM notification_deliveries GROUP BY state) s" 2>/dev/null)
  kill -INT $up; wait $up; rm -rf $state
  echo "$name: $(grep 'POST /predict |' $out/$name.txt) sink +$(( $(cat $out/sink.count) - before )); outbox: ${states:-none}"
}
for r in $(seq 1 $ROUNDS); do
  if (( r % 2 )); then run plain-$r; run routing-$r --routing-file $out/routing.yaml
  else run routing-$r --routing-file $out/routing.yaml; run plain-$r; fi
done
kill $sink
python3 - $out <<'PY'
import json, sys, glob, statistics
out = sys.argv[1]
rows = {}
for path in sorted(glob.glob(out + "/*-*.json")):
    cond = path.rsplit("/", 1)[1][:-5].rsplit("-", 1)[0]
    rows.setdefault(cond, []).extend(r["requests_per_second"] for r in json.load(open(path)) if r["name"] == "POST /predict")
base = statistics.mean(rows.get("plain", [0])) or 1
for cond, values in sorted(rows.items()):
    m = statistics.mean(values)
    print(f"{cond:8s} mean {m:7.0f} req/s ({(m / base - 1) * 100:+.1f} % vs plain)  runs: " + " ".join(f"{v:.0f}" for v in values))
PY
