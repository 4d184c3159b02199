#!/usr/bin/env bash
# Agent overhead on ONNX Runtime: the digits ONNX model run with and without the agent, in one JMH run.
# See docs/benchmarks.md. Build first:  mvn -B -pl benchmarks,integration-tests -am package -DskipTests
#   (benchmarks: the JMH jar and the agent jar; integration-tests: OnnxDigitsApp, which writes the model once)
#
# JMH (SampleTime, -prof gc): time per call (median, p99, p99.9) and bytes allocated per call, batch 1 and 64, for
# io.infermon.benchmarks.onnxruntime.OnnxAgentOff and OnnxAgentOn (whose forks differ only by -javaagent).
# Afterwards QueueHealth prints the agent's counters (captured, dropped by reason).
#
# Environment:
#   JMH_ARGS=...   extra JMH options, e.g. "-wi 1 -w 2s -i 1 -r 3s" for a smoke run
#   OUT=benchmarks/target/onnx-agent-overhead   model, queue and raw results
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
JMH_ARGS=${JMH_ARGS:-}
OUT=${OUT:-benchmarks/target/onnx-agent-overhead}
MODEL=$OUT/digits.onnx   # passed to JMH as the model parameter
QUEUE=benchmarks/target/onnx-agent-overhead/queue   # OnnxAgentOn's -Dinfermon.queue.dir

for f in "$JAR" javaagent/target/infermon-agent.jar benchmarks/target/runtimes-classpath.txt \
         integration-tests/target/app-classpath.txt; do
  if [[ ! -f $f ]]; then
    echo "no $f: build with  mvn -B -pl benchmarks,integration-tests -am package -DskipTests" >&2
    exit 1
  fi
done
CP="$JAR:$(cat benchmarks/target/runtimes-classpath.txt)"
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED)

mkdir -p "$OUT"
if [[ ! -f $MODEL ]]; then
  java -cp "integration-tests/target/classes:$(cat integration-tests/target/app-classpath.txt)" \
    io.infermon.examples.onnx.OnnxDigitsApp export --out "$MODEL"
fi
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1)"
  echo "onnxruntime: $(tr ':' '\n' < benchmarks/target/runtimes-classpath.txt | grep -o 'onnxruntime-[0-9.]*\.jar')"
} | tee "$OUT/machine.txt"
rm -rf "$QUEUE"

# shellcheck disable=SC2086  # JMH_ARGS is a list of options
java -cp "$CP" org.openjdk.jmh.Main 'io\.infermon\.benchmarks\.onnxruntime\.OnnxAgent(Off|On)\.' -prof gc \
  -p model="$MODEL" -rf json -rff "$OUT/jmh.json" $JMH_ARGS 2>&1 | tee "$OUT/jmh.txt"
echo "load after JMH: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
java "${OPENS[@]}" -cp "$CP" io.infermon.benchmarks.agent.QueueHealth "$QUEUE" 2>/dev/null | tee "$OUT/queue-health.txt"
rm -rf "$QUEUE"

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
res = {}
for r in json.load(open(os.path.join(out, "jmh.json"))):
    side = "on" if r["benchmark"].endswith("OnnxAgentOn.call") else "off"
    pm = r["primaryMetric"]
    res[(side, r["params"]["batch"])] = {
        "p50": pm["scorePercentiles"]["50.0"], "p99": pm["scorePercentiles"]["99.0"],
        "p999": pm["scorePercentiles"]["99.9"], "mean": pm["score"],
        "alloc": r["secondaryMetrics"]["gc.alloc.rate.norm"]["score"]}
print("\nJMH, ONNX Runtime, time per call in us (SampleTime) and bytes allocated per call (-prof gc)")
print(f"{'batch':>5} {'agent':>5} {'p50':>9} {'p99':>9} {'p99.9':>9} {'mean':>9} {'B/call':>9}")
for batch in sorted({b for _, b in res}, key=int):
    for side in ("off", "on"):
        m = res[(side, batch)]
        print(f"{batch:>5} {side:>5} {m['p50']:9.1f} {m['p99']:9.1f} {m['p999']:9.1f} {m['mean']:9.1f} {m['alloc']:9.0f}")
    off, on = res[("off", batch)], res[("on", batch)]
    d50 = on["p50"] - off["p50"]
    print(f"{batch:>5} added {d50:9.1f} {on['p99'] - off['p99']:9.1f} {on['p999'] - off['p999']:9.1f} "
          f"{on['mean'] - off['mean']:9.1f} {on['alloc'] - off['alloc']:9.0f}   (median +{100 * d50 / off['p50']:.1f} %)")
PY
