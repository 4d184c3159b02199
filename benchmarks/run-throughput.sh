#!/usr/bin/env bash
# Processor throughput: infermon's bucket statistics against the two keep-the-rows peers (exact Java, numpy), on the
# same digits rows, in one run, each pinned to the same single core; then the bucket-memory table. See
# docs/benchmarks.md. Build first:  mvn -B -pl benchmarks -am package -DskipTests
#
# Environment:
#   CPU=1          core every peer is pinned to with taskset ("" = no pinning)
#   PYTHON=...     interpreter with numpy for the numpy peer (default: Debian's /usr/bin/python3 when it has
#                  numpy, python3-numpy, else the python3 on the PATH)
#   JMH_ARGS=...   extra JMH options, e.g. "-wi 1 -i 2 -r 2s" for a quick smoke run
#   OUT=benchmarks/target/throughput   where the raw results go
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
CPU=${CPU-1}
if [[ -z ${PYTHON:-} ]]; then
  if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
JMH_ARGS=${JMH_ARGS:-}
OUT=${OUT:-benchmarks/target/throughput}
ROWS=1000000   # ProcessorThroughputBenchmark.BUCKET_ROWS

if [[ ! -f $JAR ]]; then
  echo "no $JAR: build it with  mvn -B -pl benchmarks -am package -DskipTests" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import numpy' 2>/dev/null; then
  echo "$PYTHON has no numpy (on Debian: apt-get install python3-numpy, or set PYTHON=...)" >&2
  exit 1
fi
pin() {
  if [[ -n $CPU ]] && command -v taskset >/dev/null; then taskset -c "$CPU" "$@"; else "$@"; fi
}

mkdir -p "$OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores online, pinned to: ${CPU:-none}"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $(java -version 2>&1 | head -2 | tail -1)"
  echo "python: $("$PYTHON" -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__, sys.executable)')"
} | tee "$OUT/machine.txt"

java -cp "$JAR" io.infermon.benchmarks.processor.DigitsTraffic "$OUT/rows"

# shellcheck disable=SC2086  # JMH_ARGS is a list of options
pin java -jar "$JAR" ProcessorThroughputBenchmark -rf json -rff "$OUT/jmh.json" $JMH_ARGS | tee "$OUT/jmh.txt"
for features in pixels jittered; do
  pin "$PYTHON" benchmarks/numpy/bucket_stats.py --rows-dir "$OUT/rows/$features" --rows "$ROWS" \
    --json "$OUT/numpy-$features.json" | tee "$OUT/numpy-$features.txt"
done
pin java -Djdk.attach.allowAttachSelf=true -cp "$JAR" io.infermon.benchmarks.processor.BucketMemory | tee "$OUT/memory.txt"

"$PYTHON" - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]

def error(metric):  # JMH writes "NaN" when there are too few iterations for an interval
    try:
        return float(metric["scoreError"])
    except (TypeError, ValueError):
        return float("nan")

jmh = {(r["benchmark"].rsplit(".", 1)[1], r["params"]["features"]): r["primaryMetric"]
       for r in json.load(open(os.path.join(out, "jmh.json")))}
print()
print("rows/s through decode + all statistics + bucket close; one bucket = 1,000,000 rows of 64 float features")
print("and a 10-class softmax, 64 rows a call; every peer pinned to the same core")
print(f"{'features':9} {'peer':30} {'rows/s':>12} {'± (99.9%)':>10} {'infermon ÷ peer':>16}  holds")
for features in ("pixels", "jittered"):
    numpy_run = json.load(open(os.path.join(out, f"numpy-{features}.json")))
    result = numpy_run["results"][0]
    ours = jmh[("infermon", features)]["score"]
    rows = [("infermon (BucketStatistics)", ours, error(jmh[("infermon", features)]), "bounded: see memory table"),
            ("exact Java (sorted columns)", jmh[("exactJava", features)]["score"],
             error(jmh[("exactJava", features)]), "every row"),
            (f"numpy {numpy_run['numpy']} (MLWatcher's way)", result["rows_per_s"], float("nan"),
             f"every row: {result['held_bytes'] / 1e6:,.0f} MB of row data")]
    for name, rate, err, memory in rows:
        shown = "" if err != err else f"{err:,.0f}"
        print(f"{features:9} {name:30} {rate:12,.0f} {shown:>10} {ours / rate:16.2f}  {memory}")
EOF
