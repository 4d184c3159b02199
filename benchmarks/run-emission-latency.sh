#!/usr/bin/env bash
# Bucket-emission latency: how long after a bucket's end (plus grace) a live processor writes its metrics. A service
# (the example ConcurrentSessionApp, no infermon code: THREADS request threads on one TensorFlow Session, random
# batches of 1..MAX_BATCH rows, up to THINK_MS between requests) runs with the agent for TRAFFIC seconds, stays up
# idle for IDLE seconds, then exits; a live processor (default settings but --bucket) follows its queue;
# EmissionLatency notes when each bucket's line appears in metrics.jsonl. See docs/benchmarks.md.
# Build first:  mvn -B -pl benchmarks,integration-tests -am package -DskipTests
#
# Environment (defaults in brackets):
#   TRAFFIC [300]  IDLE [30]  AFTER [30]   seconds of traffic, of idling, of watching after the service exits
#   BUCKET [2]     bucket width in seconds; the processor's grace stays at its default (1 s)
#   THREADS [4]  MAX_BATCH [64]  THINK_MS [8]   the service's traffic (about 900 calls/s on 2 cores)
#   OUT [benchmarks/target/emission-latency]
set -euo pipefail
cd "$(dirname "$0")/.."

TRAFFIC=${TRAFFIC:-300}
IDLE=${IDLE:-30}
AFTER=${AFTER:-30}
BUCKET=${BUCKET:-2}
THREADS=${THREADS:-4}
MAX_BATCH=${MAX_BATCH:-64}
THINK_MS=${THINK_MS:-8}
OUT=${OUT:-benchmarks/target/emission-latency}
JAR=benchmarks/target/benchmarks.jar
AGENT=javaagent/target/infermon-agent.jar
PROCESSOR=processor/target/infermon-processor.jar
APP_CP=integration-tests/target/classes:$(cat integration-tests/target/app-classpath.txt 2>/dev/null || true)
for f in "$JAR" "$AGENT" "$PROCESSOR" integration-tests/target/app-classpath.txt; do
  if [[ ! -f $f ]]; then
    echo "no $f: build with  mvn -B -pl benchmarks,integration-tests -am package -DskipTests" >&2
    exit 1
  fi
done

rm -rf "$OUT"
mkdir -p "$OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1)"
  echo "run: TRAFFIC=$TRAFFIC IDLE=$IDLE AFTER=$AFTER BUCKET=${BUCKET}s THREADS=$THREADS MAX_BATCH=$MAX_BATCH THINK_MS=$THINK_MS"
} | tee "$OUT/machine.txt"

# the service: traffic, then idle until the stop file, then it exits
java -javaagent:"$AGENT" -Dinfermon.queue.dir="$OUT/queue" -Dinfermon.model.name=digits -cp "$APP_CP" \
  io.infermon.examples.digits.ConcurrentSessionApp --threads "$THREADS" --seconds "$TRAFFIC" \
  --max-batch "$MAX_BATCH" --think-ms "$THINK_MS" --report "$OUT/traffic-done" --stop-file "$OUT/stop" \
  > "$OUT/service.log" 2>&1 &
SERVICE=$!
java -jar "$PROCESSOR" run --queue "$OUT/queue" --out "$OUT/processor" --bucket "${BUCKET}s" --quiet --no-dashboard \
  > "$OUT/processor.log" 2>&1 &
PROCESSOR_PID=$!
trap 'kill $SERVICE $PROCESSOR_PID 2>/dev/null || true' EXIT

java -cp "$JAR" io.infermon.benchmarks.eventtime.EmissionLatency "$OUT/processor/metrics.jsonl" \
  "$((BUCKET * 1000))" 1000 "$OUT/traffic-done" "$OUT/exited" "$((TRAFFIC + IDLE + AFTER + 60))" \
  "$OUT/buckets.csv" > "$OUT/result.txt" &
WATCHER=$!

while [[ ! -f $OUT/traffic-done ]]; do sleep 1; done
sleep "$IDLE"
touch "$OUT/stop"
wait "$SERVICE" || true
touch "$OUT/exited"
wait "$WATCHER"
cat "$OUT/traffic-done"
cat "$OUT/result.txt"
echo "late_records lines in metrics.jsonl: $(grep -c "\"late_records\"" "$OUT/processor/metrics.jsonl" || true)"
