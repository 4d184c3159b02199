#!/usr/bin/env bash
# The infermon demo: an ordinary Java service predicting handwritten digits with a real TensorFlow model,
# watched by the infermon agent (one -javaagent flag), with the processor turning captured calls into
# bucketed metrics as they come. Halfway through, the traffic drifts (the digits arrive inverted, 16 - x) and the
# processor, comparing each bucket with a reference built from the training data, flags it.
#
#   ./demo.sh                 # about a minute on a warm machine; the first run also downloads and unpacks TensorFlow
#   DEMO_SECONDS=120 ./demo.sh
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_OF_TRAFFIC=${DEMO_SECONDS:-40}
CALLS_PER_SECOND=${DEMO_RATE:-20}
BUCKET=${DEMO_BUCKET:-10s}
WORK=.demo

echo "==> Building infermon (mvn package, tests skipped)"
mvn -q -B -DskipTests package

APP_CP="integration-tests/target/classes:$(cat integration-tests/target/app-classpath.txt)"
AGENT=javaagent/target/infermon-agent.jar
PROCESSOR=processor/target/infermon-processor.jar
rm -rf "$WORK/queue" "$WORK/out"
mkdir -p "$WORK"

if [ ! -f "$WORK/models/digits/1/saved_model.pb" ]; then
  echo "==> Training a digits classifier and exporting it as a SavedModel ($WORK/models/digits/1)"
  java -cp "$APP_CP" io.infermon.examples.digits.DigitsApp train --out "$WORK/models/digits/1" >"$WORK/train.log" 2>&1 \
    || { cat "$WORK/train.log"; exit 1; }
fi

echo "==> Building a drift reference from the training data (infermon reference build)"
java -jar "$PROCESSOR" reference build --csv integration-tests/src/main/resources/datasets/digits.csv.gz \
  --columns 0-63 --model digits --out "$WORK/digits-reference.profile"

echo "==> Starting the processor: $BUCKET buckets, drift against the reference, metrics to $WORK/out"
java -jar "$PROCESSOR" run --queue "$WORK/queue" --out "$WORK/out" --bucket "$BUCKET" \
  --reference "$WORK/digits-reference.profile" &
PROCESSOR_PID=$!
trap 'kill $PROCESSOR_PID 2>/dev/null || true' EXIT

HALF=$((SECONDS_OF_TRAFFIC / 2))
serve() { # serve PHASE [--invert]
  java -javaagent:"$AGENT" -Dinfermon.queue.dir="$WORK/queue" -cp "$APP_CP" \
    io.infermon.examples.digits.DigitsApp predict --model "$WORK/models/digits/1" \
    --seconds "$HALF" --rate "$CALLS_PER_SECOND" --report "$WORK/app-report-$1.txt" "${@:2}" \
    >"$WORK/app-$1.log" 2>&1 || { cat "$WORK/app-$1.log"; exit 1; }
  grep '^\[infermon-agent\]' "$WORK/app-$1.log" || true
}
echo "==> Serving the model for $HALF s at about $CALLS_PER_SECOND calls/s, with the agent attached:"
echo "    java -javaagent:$AGENT -Dinfermon.queue.dir=$WORK/queue -cp ... DigitsApp predict ..."
serve clean
echo "==> Now the traffic drifts: the same service, for $HALF s more, receives inverted digits (16 - x)"
serve inverted --invert

sleep 1 # let the processor read the last records
kill "$PROCESSOR_PID" 2>/dev/null || true
wait "$PROCESSOR_PID" 2>/dev/null || true
trap - EXIT

cat <<DONE

==> Done. What the app says it did: clean: $(tr '\n' ' ' <"$WORK/app-report-clean.txt")
                                     inverted: $(tr '\n' ' ' <"$WORK/app-report-inverted.txt")
    Metrics of every closed bucket (the last bucket was still open when traffic stopped):
      $WORK/out/metrics.jsonl      one Anodot 2.0 metric per line (try: tail -n 5 $WORK/out/metrics.jsonl)
      $WORK/out/anodot/            one Anodot 2.0 JSON file per model and bucket
      $WORK/out/profiles/          each bucket's mergeable statistics (try: java -jar $PROCESSOR merge $WORK/out/profiles --out all.profile)
    The metric catalogue is docs/metrics.md.
DONE
