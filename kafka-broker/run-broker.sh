#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft: broker and controller in one JVM) from the Maven artifacts of
# org.apache.kafka:kafka_2.13, for trying the fleet on one machine (docs/fleet.md). Not for production: run Kafka
# as your platform runs it.
#
#   kafka-broker/run-broker.sh DIR [PORT]     data and logs in DIR, clients connect to 127.0.0.1:PORT (9092)
#
# The first run resolves the broker's class path with Maven (kafka-broker/target/kafka-classpath.txt) and formats
# DIR; later runs on the same DIR start the same broker again. Stop it with Ctrl-C.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DIR="${1:?usage: run-broker.sh DIR [PORT]}"
PORT="${2:-9092}"
CONTROLLER_PORT=$((PORT + 1))
CP_FILE="$HERE/target/kafka-classpath.txt"
if [[ ! -f $CP_FILE ]]; then
  echo "==> Resolving the Kafka broker's class path (mvn -f kafka-broker/pom.xml generate-resources)" >&2
  mvn -B -q -f "$HERE/pom.xml" generate-resources
fi
CP="$(cat "$CP_FILE")"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
if [[ ! -f $DIR/server.properties ]]; then
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=6
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
PROPS
  java -cp "$CP" kafka.tools.StorageTool format --cluster-id "$(java -cp "$CP" kafka.tools.StorageTool random-uuid)" \
    --config "$DIR/server.properties"
fi
echo "==> Kafka at 127.0.0.1:$PORT (data in $DIR/data); Ctrl-C to stop" >&2
exec java -Xms256m -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" kafka.Kafka "$DIR/server.properties"
