package io.infermon.processor.fleet;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker for tests: one node in KRaft mode (broker and controller in one process), in a child JVM
 * started from the Maven artifacts of {@code org.apache.kafka:kafka_2.13} (the kafka-broker module writes their class
 * path), with its log directory under the test's. It can be stopped and started again on the same ports and data, as
 * a broker that goes down for a while. No Docker, no mock.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final String classpath;
    private Process process;

    private KafkaBroker(Path dir, int port, int controllerPort, String classpath) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.classpath = classpath;
    }

    /** Formats a new broker's storage under {@code dir} and starts it; returns once it answers. */
    public static KafkaBroker start(Path dir) throws Exception {
        String file = System.getProperty("infermon.kafka.classpath.file");
        if (file == null || !Files.exists(Path.of(file))) {
            throw new IllegalStateException("no Kafka class path file (" + file + "): build the kafka-broker module");
        }
        int[] ports = freePorts();
        KafkaBroker broker = new KafkaBroker(Files.createDirectories(dir), ports[0], ports[1],
                Files.readString(Path.of(file)).trim());
        broker.configure();
        broker.run("kafka.tools.StorageTool", "format", "--cluster-id", Uuid.randomUuid().toString(), "--config",
                broker.config().toString()).waitFor(2, TimeUnit.MINUTES);
        broker.start();
        return broker;
    }

    /** Two free ports, different: both are held while the second is chosen (one at a time may give one twice). */
    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    private Path config() {
        return dir.resolve("server.properties");
    }

    private void configure() throws IOException {
        Files.writeString(config(), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "") );
    }

    private Process run(String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                classpath, mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
    }

    /** Starts the broker (again, after {@link #stop}) and waits until it answers a metadata request. */
    public void start() throws Exception {
        process = run("kafka.Kafka", config().toString());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000))) {
            // a broker that exited fails at once (not ignored as the admin's errors are while it starts)
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the broker exited: " + Files.readString(
                                    dir.resolve("broker.log")));
                        }
                        try {
                            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                            return false;
                        }
                    });
        }
    }

    /** Stops the broker as a crash would (SIGKILL): clients see it gone; its data stays for {@link #start}. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
        }
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /**
     * Waits until the fleet's profiles topic holds a watermark of each of {@code hosts}: their publishers announce
     * themselves when they start, before they have closed anything (so none of them can miss the first buckets).
     */
    public void awaitHosts(String profilesTopic, java.util.Set<String> hosts) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c =
                     new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
                             "bootstrap.servers", bootstrap(), "group.id", "test-hosts-" + System.nanoTime(),
                             "auto.offset.reset", "earliest"),
                             new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                             new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                if (c.subscription().isEmpty()) {
                    if (!c.listTopics().containsKey(profilesTopic)) {
                        return false;
                    }
                    c.subscribe(List.of(profilesTopic));
                }
                for (var r : c.poll(Duration.ofMillis(500))) {
                    seen.add(FleetRecords.decodeHostRecord(r.value()).host());
                }
                return seen.containsAll(hosts);
            });
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
