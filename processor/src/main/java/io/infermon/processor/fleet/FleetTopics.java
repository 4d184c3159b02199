package io.infermon.processor.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the fleet's topics when they are missing, with the settings' partitions and replication, as the first host
 * or aggregator to start finds them. Topics made by hand (with other retention, say) are left as they are.
 */
final class FleetTopics {
    private FleetTopics() {
    }

    /**
     * {@link #create} until it works: Kafka may be away when the aggregator starts, which then waits for it (one line
     * says so) rather than failing.
     */
    static void awaitCreated(FleetSettings settings) throws InterruptedException {
        boolean told = false;
        for (long pause = 1_000; ; pause = Math.min(pause * 2, 30_000)) {
            try {
                create(settings);
                if (told) {
                    System.err.println("infermon fleet: Kafka at " + settings.bootstrap() + " answers");
                }
                return;
            } catch (Exception e) {
                if (!told) {
                    System.err.println("infermon fleet: waiting for Kafka at " + settings.bootstrap() + " (" + e
                            + ")");
                    told = true;
                }
                Thread.sleep(pause); // back-off between attempts to reach a broker that is away
            }
        }
    }

    static void create(FleetSettings settings) throws Exception {
        long timeout = FleetSettings.CLIENT_TIMEOUT.toMillis();
        try (Admin admin = Admin.create(settings.clientConfig(Map.of("default.api.timeout.ms", (int) timeout,
                "request.timeout.ms", (int) timeout)))) {
            var existing = admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : List.of(settings.profilesTopic(), settings.bucketsTopic())) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, settings.partitions(), settings.replication()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(timeout, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // another host made it just now
                    throw e;
                }
            }
        }
    }
}
