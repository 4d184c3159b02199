#!/usr/bin/env bash
# Agent overhead: the digits SavedModel called with and without the agent, in one run. See docs/benchmarks.md.
# Build first:  mvn -B -pl benchmarks,integration-tests -am package -DskipTests
#   (benchmarks: the JMH jar and the agent jar; integration-tests: DigitsApp, which trains the model once)
#
# Three parts, each with and without -javaagent:javaagent/target/infermon-agent.jar:
#   1. JMH (SampleTime, -prof gc): time per call (median, p99, p99.9) and bytes allocated per call, batch 1 and 64;
#   2. SustainedRateLatency: inference-thread time per call at a steady RATE calls/s, p50/p99/p99.9;
#   3. FirstInference: milliseconds from JVM start to the first inference result, RUNS times alternating.
# After every run with the agent, QueueHealth prints the agent's counters (captured, dropped by reason).
#
# Environment:
#   JMH_ARGS=...   extra JMH options, e.g. "-wi 1 -w 2s -i 1 -r 3s" for a smoke run
#   RATE=1000      calls per second for part 2;  WARMUP=15 DURATION=60  its warm-up and measured seconds
#   BATCHES="1 64" batch sizes for part 2
#   RUNS=10        start-time runs per side for part 3
#   PARTS="jmh sustained start"   which parts to run
#   OUT=benchmarks/target/agent-overhead   model, queues and raw results
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
AGENT=javaagent/target/infermon-agent.jar
JMH_ARGS=${JMH_ARGS:-}
RATE=${RATE:-1000}
WARMUP=${WARMUP:-15}
DURATION=${DURATION:-60}
RUNS=${RUNS:-10}
BATCHES=${BATCHES:-1 64}
PARTS=${PARTS:-jmh sustained start}
OUT=${OUT:-benchmarks/target/agent-overhead}
MODEL=$OUT/digits-model   # AgentOverheadBenchmark's default @Param model
QUEUE=$OUT/queue          # AgentOn's -Dinfermon.queue.dir

for f in "$JAR" "$AGENT" benchmarks/target/runtimes-classpath.txt; do
  if [[ ! -f $f ]]; then
    echo "no $f: build with  mvn -B -pl benchmarks,integration-tests -am package -DskipTests" >&2
    exit 1
  fi
done
CP="$JAR:$(cat benchmarks/target/runtimes-classpath.txt)"
# what Chronicle Queue needs opened on JDK 17+ (QueueHealth reads the agent's queue); the processor jar's manifest list
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED)
queue_health() {
  java "${OPENS[@]}" -cp "$CP" io.infermon.benchmarks.agent.QueueHealth "$1" 2>/dev/null | tee -a "$OUT/queue-health.txt"
  rm -rf "$1"
}

mkdir -p "$OUT"
if [[ ! -f $MODEL/saved_model.pb ]]; then
  if [[ ! -f integration-tests/target/app-classpath.txt ]]; then
    echo "no model and no DigitsApp: build with  mvn -B -pl benchmarks,integration-tests -am package -DskipTests" >&2
    exit 1
  fi
  java -cp "integration-tests/target/classes:$(cat integration-tests/target/app-classpath.txt)" \
    io.infermon.examples.digits.DigitsApp train --out "$MODEL" 2>/dev/null
fi
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1)"
  echo "queue disk: $(df -h "$OUT" | tail -1 | awk '{print $1, $2}')"
} | tee "$OUT/machine.txt"
rm -rf "$QUEUE"
: > "$OUT/queue-health.txt"

if [[ " $PARTS " == *" jmh "* ]]; then
  # shellcheck disable=SC2086  # JMH_ARGS is a list of options
  java -cp "$CP" org.openjdk.jmh.Main 'io\.infermon\.benchmarks\.agent\.Agent(Off|On)\.' -prof gc \
    -rf json -rff "$OUT/jmh.json" $JMH_ARGS 2>&1 | grep -v '^I0000\|absl::' | tee "$OUT/jmh.txt"
  echo "load after JMH: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
  queue_health "$QUEUE"
fi

if [[ " $PARTS " == *" sustained "* ]]; then
  : > "$OUT/sustained.jsonl"
  for batch in $BATCHES; do
    for side in off on; do
      agent=()
      if [[ $side == on ]]; then agent=("-javaagent:$AGENT" "-Dinfermon.queue.dir=$QUEUE"); fi
      echo "load before sustained batch $batch agent $side: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
      java -Xms1g -Xmx1g "${agent[@]}" -cp "$CP" io.infermon.benchmarks.agent.SustainedRateLatency \
        --model "$MODEL" --batch "$batch" --rate "$RATE" --warmup "$WARMUP" --seconds "$DURATION" \
        --label "agent-$side" 2>/dev/null | grep '^{' | tee -a "$OUT/sustained.jsonl"
      if [[ $side == on ]]; then queue_health "$QUEUE"; fi
    done
  done
fi

if [[ " $PARTS " == *" start "* ]]; then
  : > "$OUT/start.txt"
  for ((i = 0; i < RUNS; i++)); do
    for side in off on; do
      agent=()
      if [[ $side == on ]]; then agent=("-javaagent:$AGENT" "-Dinfermon.queue.dir=$QUEUE"); fi
      ms=$(java "${agent[@]}" -cp "$CP" io.infermon.benchmarks.agent.FirstInference "$MODEL" 2>/dev/null \
        | sed -n 's/^first_inference_ms \([0-9]*\) main_entered_ms \([0-9]*\).*/\1 \2/p')
      echo "$side $ms" | tee -a "$OUT/start.txt"
    done
  done
  rm -rf "$QUEUE"
fi

python3 - "$OUT" "$PARTS" <<'PY'
import json, os, statistics, sys
out, parts = sys.argv[1], sys.argv[2].split()
if "jmh" in parts:
    res = {}
    for r in json.load(open(os.path.join(out, "jmh.json"))):
        side = "on" if r["benchmark"].endswith("AgentOn.call") else "off"
        pm = r["primaryMetric"]
        res[(side, r["params"]["batch"])] = {
            "p50": pm["scorePercentiles"]["50.0"], "p99": pm["scorePercentiles"]["99.0"],
            "p999": pm["scorePercentiles"]["99.9"], "mean": pm["score"],
            "alloc": r["secondaryMetrics"]["gc.alloc.rate.norm"]["score"]}
    print("\nJMH, time per call in us (SampleTime) and bytes allocated per call (-prof gc)")
    print(f"{'batch':>5} {'agent':>5} {'p50':>9} {'p99':>9} {'p99.9':>9} {'mean':>9} {'B/call':>9}")
    for batch in sorted({b for _, b in res}, key=int):
        for side in ("off", "on"):
            m = res[(side, batch)]
            print(f"{batch:>5} {side:>5} {m['p50']:9.1f} {m['p99']:9.1f} {m['p999']:9.1f} {m['mean']:9.1f} {m['alloc']:9.0f}")
        off, on = res[("off", batch)], res[("on", batch)]
        d50 = on["p50"] - off["p50"]
        print(f"{batch:>5} added {d50:9.1f} {on['p99'] - off['p99']:9.1f} {on['p999'] - off['p999']:9.1f} "
              f"{on['mean'] - off['mean']:9.1f} {on['alloc'] - off['alloc']:9.0f}   "
              f"(median +{100 * d50 / off['p50']:.1f} %)")
if "sustained" in parts:
    rows = [json.loads(l) for l in open(os.path.join(out, "sustained.jsonl")) if l.strip()]
    print("\nsustained rate, inference-thread time per call in us")
    print(f"{'batch':>5} {'rate':>6} {'agent':>9} {'p50':>8} {'p99':>8} {'p99.9':>8} {'p99.99':>8} {'max':>9} {'late':>5}")
    for r in rows:
        print(f"{r['batch']:>5} {r['rate']:>6.0f} {r['label']:>9} {r['p50_us']:8.1f} {r['p99_us']:8.1f} "
              f"{r['p999_us']:8.1f} {r['p9999_us']:8.1f} {r['max_us']:9.1f} {r['late_starts']:>5}")
if "start" in parts:
    runs = {"off": [], "on": []}
    mains = {"off": [], "on": []}
    for line in open(os.path.join(out, "start.txt")):
        side, ms, main = line.split()
        runs[side].append(int(ms))
        mains[side].append(int(main))
    off, on = statistics.median(runs["off"]), statistics.median(runs["on"])
    moff, mon = statistics.median(mains["off"]), statistics.median(mains["on"])
    print(f"\nJVM start to first inference, median of {len(runs['off'])} runs each: without {off:.0f} ms, "
          f"with the agent {on:.0f} ms, added {on - off:.0f} ms (min {min(runs['off'])} / {min(runs['on'])} ms)")
    print(f"JVM start to main (the agent's premain): without {moff:.0f} ms, with {mon:.0f} ms, added {mon - moff:.0f} ms")
PY
