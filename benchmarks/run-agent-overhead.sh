#!/usr/bin/env bash
# Agent overhead: the digits SavedModel called with and without the agent, in one run. See docs/benchmarks.md.
# Build first:  mvn -B -pl benchmarks,integration-tests -am package -DskipTests
#   (benchmarks: the JMH jar and the agent jar; integration-tests: DigitsApp, which trains the model once)
#
# Three parts, each with and without -javaagent:javaagent/target/infermon-agent.jar:
#   1. JMH (SampleTime, -prof gc): time per call (median, p99, p99.9) and bytes allocated per call, batch 1 and 64;
#   2. SustainedRateLatency: inference-thread time per call at a steady RATE calls/s, p50/p99/p99.9;
#   3. FirstInference: milliseconds from JVM start to the first inference result, RUNS times alternating;
#   4. AllocationPerCall: bytes allocated on the calling thread per call (ThreadMXBean), batch 1 and 64.
# After every run with the agent, QueueHealth prints the agent's counters (captured, dropped by reason); the tables
# give each run's calls dropped because the ring was full (a dropped call skips the copy, so it flatters the figure).
#
# Environment:
#   JMH_ARGS=...   extra JMH options, e.g. "-wi 1 -w 2s -i 1 -r 3s" for a smoke run
#   RATE=1000      calls per second for part 2;  WARMUP=15 DURATION=60  its warm-up and measured seconds
#   BATCHES="1 64" batch sizes for parts 1, 2 and 4;  REPEATS=1  pairs (without, with) per batch in part 2, alternating
#   JMH_PAIRS=1    part 1: single-fork JMH runs per batch, alternating without / with the agent, each a pair; the
#                  table gives each pair and the median of the pairs' differences (forks of one side differ by more
#                  than the target on this kind of machine, docs/benchmarks.md)
#   TF_THREADS=0   part 1: TensorFlow's thread pools, a list: 0 its default (one thread per core), -1 every op on the
#                  calling thread (no hand-offs between threads: the steadier host to resolve the agent's own cost)
#   RUNS=10        start-time runs per side for part 3
#   START_COLD=1   part 3 empties the agent's rewrite cache (classes it rewrote at an earlier start, kept in
#                  $TMPDIR/infermon-agent-$USER/rewritten-*) before every run with the agent: the first start after an
#                  install or a runtime upgrade. Default 0: the cache is used, as on every later start
#   PARTS="jmh sustained start alloc"   which parts to run
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
START_COLD=${START_COLD:-0}
BATCHES=${BATCHES:-1 64}
REPEATS=${REPEATS:-1}
JMH_PAIRS=${JMH_PAIRS:-1}
TF_THREADS=${TF_THREADS:-0}
PARTS=${PARTS:-jmh sustained start alloc}
OUT=${OUT:-benchmarks/target/agent-overhead}
MODEL=$OUT/digits-model   # AgentOverheadBenchmark's default @Param model
QUEUE=$OUT/queue          # the queue of the runs with the agent in parts 2 to 4
JMH_QUEUE=benchmarks/target/agent-overhead/queue  # AgentOn's -Dinfermon.queue.dir, fixed in its annotation

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
  # a batch-64 fork calling flat out writes up to 390 MB/s into one 5-minute cycle, which size retention cannot delete
  # while it is written: 13 GB in a 40-s fork (2026-12-06). With less free space the agent drops calls (disk reserve)
  free_gb=$(df -Pk "$(dirname "$JMH_QUEUE")" | awk 'NR == 2 {print int($4 / 1048576)}')
  if ((free_gb < 20)); then
    echo "warning: ${free_gb} GB free for $JMH_QUEUE; flat-out batch-64 forks may need 15 GB" >&2
  fi
  # single-fork runs, without then with the agent, JMH_PAIRS times per batch and thread setting; each run with the
  # agent has a fresh queue, and its health records (its drops) are read before the next run
  : > "$OUT/jmh.txt"
  : > "$OUT/drops-jmh.txt"
  rm -f "$OUT"/jmh-*.json
  for batch in $BATCHES; do
    for threads in $TF_THREADS; do
      for ((pair = 0; pair < JMH_PAIRS; pair++)); do
        for side in Off On; do
          rm -rf "$JMH_QUEUE"
          # shellcheck disable=SC2086  # JMH_ARGS is a list of options
          java -cp "$CP" org.openjdk.jmh.Main "io\.infermon\.benchmarks\.agent\.Agent$side\." -p batch="$batch" \
            -p tfThreads="$threads" -prof gc -rf json -rff "$OUT/jmh-$batch-$threads-$pair-$side.json" $JMH_ARGS 2>&1 \
            | grep -v '^I0000\|absl::' | tee -a "$OUT/jmh.txt"
          if [[ $side == On ]]; then
            queue_health "$JMH_QUEUE" | sed "s/^/jmh $batch $threads $pair /" >> "$OUT/drops-jmh.txt"
          fi
        done
      done
    done
  done
  echo "load after JMH: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
fi

if [[ " $PARTS " == *" sustained "* ]]; then
  : > "$OUT/sustained.jsonl"
  : > "$OUT/drops-sustained.txt"
  for ((rep = 0; rep < REPEATS; rep++)); do
    for batch in $BATCHES; do
      for side in off on; do
        agent=()
        if [[ $side == on ]]; then agent=("-javaagent:$AGENT" "-Dinfermon.queue.dir=$QUEUE"); fi
        echo "load before sustained batch $batch agent $side: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
        java -Xms1g -Xmx1g "${agent[@]}" -cp "$CP" io.infermon.benchmarks.agent.SustainedRateLatency \
          --model "$MODEL" --batch "$batch" --rate "$RATE" --warmup "$WARMUP" --seconds "$DURATION" \
          --label "agent-$side" 2>/dev/null | grep '^{' | tee -a "$OUT/sustained.jsonl"
        if [[ $side == on ]]; then
          queue_health "$QUEUE" | sed "s/^/sustained $batch /" >> "$OUT/drops-sustained.txt"
        fi
      done
    done
  done
fi

if [[ " $PARTS " == *" start "* ]]; then
  : > "$OUT/start.txt"
  for ((i = 0; i < RUNS; i++)); do
    for side in off on; do
      agent=()
      if [[ $side == on ]]; then agent=("-javaagent:$AGENT" "-Dinfermon.queue.dir=$QUEUE"); fi
      if [[ $side == on && $START_COLD == 1 ]]; then
        rm -rf "${TMPDIR:-/tmp}/infermon-agent-$(id -un)"/rewritten-*
      fi
      ms=$(java "${agent[@]}" -cp "$CP" io.infermon.benchmarks.agent.FirstInference "$MODEL" 2>/dev/null \
        | sed -n 's/^first_inference_ms \([0-9]*\) main_entered_ms \([0-9]*\).*/\1 \2/p')
      echo "$side $ms" | tee -a "$OUT/start.txt"
    done
  done
  rm -rf "$QUEUE"
fi

if [[ " $PARTS " == *" alloc "* ]]; then
  : > "$OUT/alloc.txt"
  for batch in $BATCHES; do
    for side in off on; do
      agent=()
      if [[ $side == on ]]; then agent=("-javaagent:$AGENT" "-Dinfermon.queue.dir=$QUEUE"); fi
      b=$(java -Xms1g -Xmx1g "${agent[@]}" -cp "$CP" io.infermon.benchmarks.agent.AllocationPerCall "$MODEL" "$batch" \
        2>/dev/null | sed -n 's/^bytes_per_call \([0-9.]*\) .*/\1/p')
      echo "$batch $side $b" | tee -a "$OUT/alloc.txt"
      rm -rf "$QUEUE"
    done
  done
fi

python3 - "$OUT" "$PARTS" <<'PY'
import json, os, re, statistics, sys
out, parts = sys.argv[1], sys.argv[2].split()

def ring_full_drops(name):
    """dropped_ring_full of each agent in a drops file, in the order the agents wrote (0 when not counted)."""
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    drops = []
    for line in open(path):
        if " agent " in f" {line}" and ":" in line:
            m = re.search(r"dropped_ring_full=(\d+)", line)
            drops.append(int(m.group(1)) if m else 0)
    return drops
if "jmh" in parts:
    def iteration_medians(histogram):
        """The median of each measured iteration of a fork, from JMH's raw histogram ([[value, count], ...] each)."""
        medians = []
        for fork in histogram:
            for it in fork:
                total = sum(c for _, c in it)
                seen = 0
                for value, count in sorted(it):
                    seen += count
                    if 2 * seen >= total:
                        medians.append(value)
                        break
        return medians
    runs = {}
    for name in os.listdir(out):
        m = re.fullmatch(r"jmh-(\d+)-(-?\d+)-(\d+)-(Off|On)\.json", name)
        if not m:
            continue
        r = json.load(open(os.path.join(out, name)))[0]
        pm = r["primaryMetric"]
        runs[(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4).lower())] = {
            "p50": pm["scorePercentiles"]["50.0"], "p99": pm["scorePercentiles"]["99.0"],
            "p999": pm["scorePercentiles"]["99.9"], "alloc": r["secondaryMetrics"]["gc.alloc.rate.norm"]["score"],
            "its": iteration_medians(pm["rawDataHistogram"])}
    drops = ring_full_drops("drops-jmh.txt")  # one agent per run with the agent, in run order (batch, threads, pair)
    print("\nJMH, time per call in us (SampleTime), bytes allocated per call (-prof gc); one fork per run, pairs alternating")
    print(f"{'batch':>5} {'tf':>3} {'pair':>4} {'p50 off':>8} {'p50 on':>8} {'added':>7} {'p99.9 off':>10} {'p99.9 on':>9} "
          f"{'B off':>6} {'B on':>6} {'drops':>6}")
    on_run = 0
    for batch, threads in sorted({(k[0], k[1]) for k in runs}):
        pairs = sorted(k[2] for k in runs if k[:2] == (batch, threads) and k[3] == "on" and (batch, threads, k[2], "off") in runs)
        added, pct = [], []
        for p in pairs:
            off, on = runs[(batch, threads, p, "off")], runs[(batch, threads, p, "on")]
            d = str(drops[on_run]) if on_run < len(drops) else "?"
            on_run += 1
            added.append(on["p50"] - off["p50"])
            pct.append(100 * (on["p50"] / off["p50"] - 1))
            print(f"{batch:>5} {threads:>3} {p:>4} {off['p50']:8.2f} {on['p50']:8.2f} {pct[-1]:+6.1f}% {off['p999']:10.1f} "
                  f"{on['p999']:9.1f} {off['alloc']:6.0f} {on['alloc']:6.0f} {d:>6}")
        if not pairs:
            continue
        offs = [runs[(batch, threads, p, "off")]["p50"] for p in pairs]
        its_off = [v for p in pairs for v in runs[(batch, threads, p, "off")]["its"]]
        its_on = [v for p in pairs for v in runs[(batch, threads, p, "on")]["its"]]
        print(f"batch {batch}, tfThreads {threads}, {len(pairs)} pairs: added median {statistics.median(added):+.2f} us "
              f"({statistics.median(pct):+.1f} %, pairs {min(pct):+.1f} to {max(pct):+.1f} %); forks without the agent "
              f"{min(offs):.2f} to {max(offs):.2f} us; fastest iteration median without {min(its_off):.2f}, with "
              f"{min(its_on):.2f} us ({100 * (min(its_on) / min(its_off) - 1):+.1f} %)")
if "sustained" in parts:
    rows = [json.loads(l) for l in open(os.path.join(out, "sustained.jsonl")) if l.strip()]
    print("\nsustained rate, inference-thread time per call in us")
    drops = ring_full_drops("drops-sustained.txt")  # one agent per run with the agent, in run order
    print(f"{'batch':>5} {'rate':>6} {'agent':>9} {'p50':>8} {'p99':>8} {'p99.9':>8} {'p99.99':>8} {'max':>9} {'late':>5} {'ring-full drops':>15}")
    on_runs = 0
    for r in rows:
        d = ""
        if r['label'] == "agent-on":
            d = str(drops[on_runs]) if on_runs < len(drops) else "?"
            on_runs += 1
        print(f"{r['batch']:>5} {r['rate']:>6.0f} {r['label']:>9} {r['p50_us']:8.1f} {r['p99_us']:8.1f} "
              f"{r['p999_us']:8.1f} {r['p9999_us']:8.1f} {r['max_us']:9.1f} {r['late_starts']:>5} {d:>15}")
    # each run with the agent follows the run without it of the same batch: the pair's difference, and its spread
    added = {}
    last_off = {}
    for r in rows:
        if r['label'] == "agent-off":
            last_off[r['batch']] = r
        elif r['batch'] in last_off:
            off = last_off.pop(r['batch'])
            added.setdefault(r['batch'], []).append((r['p50_us'] - off['p50_us'], 100 * (r['p50_us'] / off['p50_us'] - 1),
                                                     r['p999_us'] - off['p999_us'], off['p999_us']))
    for batch, pairs in sorted(added.items()):
        p50 = [a[0] for a in pairs]; pct = [a[1] for a in pairs]; p999 = [a[2] for a in pairs]
        print(f"batch {batch}, {len(pairs)} pairs: added p50 median {statistics.median(p50):+.1f} us "
              f"({statistics.median(pct):+.1f} %, pairs {min(pct):+.1f} to {max(pct):+.1f} %); added p99.9 median "
              f"{statistics.median(p999):+.1f} us (pairs {min(p999):+.1f} to {max(p999):+.1f}); bare p99.9 "
              f"{min(a[3] for a in pairs):.0f} to {max(a[3] for a in pairs):.0f} us")
if "start" in parts:
    runs = {"off": [], "on": []}
    mains = {"off": [], "on": []}
    for line in open(os.path.join(out, "start.txt")):
        side, ms, main = line.split()
        runs[side].append(int(ms))
        mains[side].append(int(main))
    off, on = statistics.median(runs["off"]), statistics.median(runs["on"])
    moff, mon = statistics.median(mains["off"]), statistics.median(mains["on"])
    cold = os.environ.get("START_COLD", "0") == "1"
    print("\nrewrite cache emptied before each run with the agent (START_COLD=1)" if cold
          else "\nrewrite cache kept between runs (classes rewritten at an earlier start are reused)")
    print(f"JVM start to first inference, median of {len(runs['off'])} runs each: without {off:.0f} ms, "
          f"with the agent {on:.0f} ms, added {on - off:.0f} ms (min {min(runs['off'])} / {min(runs['on'])} ms)")
    print(f"JVM start to main (the agent's premain): without {moff:.0f} ms, with {mon:.0f} ms, added {mon - moff:.0f} ms")
if "alloc" in parts:
    rows = {}
    for line in open(os.path.join(out, "alloc.txt")):
        batch, side, b = line.split()
        rows[(batch, side)] = float(b)
    print("\nbytes allocated on the calling thread per call (AllocationPerCall)")
    for batch in sorted({b for b, _ in rows}, key=int):
        off, on = rows[(batch, "off")], rows[(batch, "on")]
        print(f"batch {batch:>3}: without {off:.1f} B, with the agent {on:.1f} B, added {on - off:+.1f} B")
PY
