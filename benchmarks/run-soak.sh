#!/usr/bin/env bash
# Processor soak: HOURS of event time at RATE calls per event second from QUEUES agent queues, written by
# SoakGenerator (shared codec, compressed in wall time) while the processor jar tails the queue root live; heap use
# (jstat every SAMPLE s, and heap after each GC from -Xlog:gc) and records/s (the processor's /metrics) over time.
# See docs/benchmarks.md. Build first:  mvn -B -pl benchmarks -am package -DskipTests
#
# Environment (defaults in brackets):
#   QUEUES [4]  RATE [10000]  HOURS [1]   the traffic: HOURS * 3600 * RATE calls of one digits row each
#   WALL_RATE [150000]   at most this many calls written per wall-clock second (the compression)
#   HEAP [512m]          the processor's -Xms/-Xmx
#   BUCKET [60s]         the processor's bucket width
#   LIVE_EVERY [60]      seconds between full GCs (jcmd GC.run) whose result is the live heap; 0 = none
#   SAMPLE [5]           seconds between samples;  WINDOW [20]  seconds a line of the summary covers
#   PROCESSOR_ARGS []    more options for `run`, e.g. --no-dashboard (then records/s are not sampled: the
#                        dashboard's /metrics is where they come from, and the dashboard keeps a bucket history)
#   PORT [18686]         the processor's dashboard port (127.0.0.1), read for records/s
#   OUT [benchmarks/target/soak]   queues (about 420 bytes a call: 15 GB for the default hour), outputs, samples
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
PROCESSOR=processor/target/infermon-processor.jar
QUEUES=${QUEUES:-4}
RATE=${RATE:-10000}
HOURS=${HOURS:-1}
WALL_RATE=${WALL_RATE:-150000}
HEAP=${HEAP:-512m}
BUCKET=${BUCKET:-60s}
SAMPLE=${SAMPLE:-5}
WINDOW=${WINDOW:-20}
LIVE_EVERY=${LIVE_EVERY:-60}
PORT=${PORT:-18686}
PROCESSOR_ARGS=${PROCESSOR_ARGS:-}
OUT=${OUT:-benchmarks/target/soak}

for f in "$JAR" "$PROCESSOR"; do
  if [[ ! -f $f ]]; then
    echo "no $f: build with  mvn -B -pl benchmarks -am package -DskipTests" >&2
    exit 1
  fi
done
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED)

rm -rf "$OUT"
mkdir -p "$OUT/queues" "$OUT/processor"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1)"
  echo "soak: QUEUES=$QUEUES RATE=$RATE HOURS=$HOURS WALL_RATE=$WALL_RATE HEAP=$HEAP BUCKET=$BUCKET"
} | tee "$OUT/machine.txt"

java -Xms"$HEAP" -Xmx"$HEAP" -Xlog:gc:file="$OUT/gc.log":uptime -jar "$PROCESSOR" run \
  --queue-root "$OUT/queues" --out "$OUT/processor" --bucket "$BUCKET" --quiet --dashboard-port "$PORT" \
  $PROCESSOR_ARGS > "$OUT/processor.log" 2>&1 &
PROC=$!
java "${OPENS[@]}" -cp "$JAR" io.infermon.benchmarks.soak.SoakGenerator --root "$OUT/queues" --queues "$QUEUES" \
  --rate "$RATE" --hours "$HOURS" --wall-rate "$WALL_RATE" > "$OUT/generator.log" 2>/dev/null &
GEN=$!
trap 'kill "$GEN" "$PROC" 2>/dev/null || true' EXIT

records_read() {
  curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" 2>/dev/null \
    | awk '/^infermon_processor_records_read_total /{printf "%d", $2}'
}
echo "wall_s,records_read,heap_used_mb,old_used_mb" > "$OUT/samples.csv"
# Heap after a young GC includes whatever old garbage G1 has not yet had reason to collect, so it creeps up in any
# long run; what must stay flat is the live heap: heap used right after a full GC, forced every LIVE_EVERY seconds.
echo "wall_s,records_read" > "$OUT/live.csv"
next_live=$LIVE_EVERY
start=$(date +%s)
last=-1
still=0
while kill -0 "$PROC" 2>/dev/null; do
  sleep "$SAMPLE"
  now=$(( $(date +%s) - start ))
  read_now=$(records_read || true)
  heap=$(jstat -gc "$PROC" 2>/dev/null | tail -1 | awk '{printf "%.1f,%.1f", ($3+$4+$6+$8)/1024, $8/1024}')
  echo "$now,${read_now:-},$heap" >> "$OUT/samples.csv"
  if (( LIVE_EVERY > 0 && now >= next_live )); then
    jcmd "$PROC" GC.run > /dev/null 2>&1 || true
    echo "$now,$(records_read || true)" >> "$OUT/live.csv"
    next_live=$((next_live + LIVE_EVERY))
  fi
  if ! kill -0 "$GEN" 2>/dev/null; then
    # the generator is done: stop once the processor has read everything (no progress for two samples)
    if [[ ${read_now:-0} == "$last" ]]; then still=$((still + 1)); else still=0; fi
    if (( still >= 2 )); then break; fi
  fi
  last=${read_now:-0}
done
wait "$GEN" || true
cat "$OUT/generator.log"
kill -TERM "$PROC" 2>/dev/null || true
wait "$PROC" || true
tail -3 "$OUT/processor.log"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

python3 - "$OUT" "$RATE" "$WINDOW" <<'PY'
import csv, os, re, sys
out, rate, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [r for r in csv.DictReader(open(os.path.join(out, "samples.csv"))) if r["heap_used_mb"]]
for r in rows:
    r["records_read"] = r["records_read"] or "0"  # no dashboard: no records/s
gc = []  # (JVM uptime s, heap after GC MB); the processor starts a moment before the sampling clock
for line in open(os.path.join(out, "gc.log")):
    m = re.search(r"^\[([\d.]+)s\].*Pause.*?(\d+)M->(\d+)M\((\d+)M\)", line)
    if m:
        gc.append((float(m.group(1)), int(m.group(3))))
print(f"\nevery {window} s of the run: event time reached (records read / {rate:,} calls/s), records read per second,")
print("heap used (jstat samples, max), heap after GC (-Xlog:gc, min..max of the GCs in the window)")
print(f"{'wall s':>6} {'event min':>9} {'records/s':>10} {'heap used max MB':>17} {'after GC MB':>12} {'GCs':>5}")
prev_t, prev_n = 0, 0
end = int(rows[-1]["wall_s"])
for w in range(0, end, window):
    win = [r for r in rows if w < int(r["wall_s"]) <= w + window]
    if not win:
        continue
    n, t = int(win[-1]["records_read"]), int(win[-1]["wall_s"])
    per_s = (n - prev_n) / max(1, t - prev_t)
    prev_n, prev_t = n, t
    heap = max(float(r["heap_used_mb"]) for r in win)
    after = [a for (u, a) in gc if w < u <= w + window]
    shown = f"{min(after)}..{max(after)}" if after else "-"
    print(f"{t:>6} {n / rate / 60:9.1f} {per_s:10,.0f} {heap:17.1f} {shown:>12} {len(after):>5}")
total = int(rows[-1]["records_read"])
print(f"\nrecords read: {total:,} ({total / rate / 3600:.2f} h of event time); GCs: {len(gc)}; "
      f"heap used, all samples: {min(float(r['heap_used_mb']) for r in rows):.1f}..{max(float(r['heap_used_mb']) for r in rows):.1f} MB")
# the live heap: the heap after each forced full GC, from the GC log; the event time reached from live.csv
full = [(float(m.group(1)), int(m.group(2))) for m in
        (re.search(r"^\[([\d.]+)s\].*Pause Full.*?\d+M->(\d+)M", l) for l in open(os.path.join(out, "gc.log"))) if m]
live = [r for r in csv.DictReader(open(os.path.join(out, "live.csv")))]
if full:
    print("\nlive heap (heap after a forced full GC, -Xlog:gc):")
    print(f"{'JVM s':>6} {'event min':>9} {'live heap MB':>12}")
    for i, (u, mb) in enumerate(full):
        ev = f"{int(live[i]['records_read']) / rate / 60:9.1f}" if i < len(live) and live[i]["records_read"] else f"{'-':>9}"
        print(f"{u:6.0f} {ev} {mb:12d}")
if len(gc) >= 10:
    k = max(1, len(gc) // 10)
    first, last = [a for _, a in gc[:k]], [a for _, a in gc[-k:]]
    print(f"heap after GC, first tenth of the GCs: {min(first)}..{max(first)} MB (mean {sum(first)/len(first):.1f}); "
          f"last tenth: {min(last)}..{max(last)} MB (mean {sum(last)/len(last):.1f})")
PY
