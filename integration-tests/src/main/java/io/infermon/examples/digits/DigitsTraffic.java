package io.infermon.examples.digits;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * The callers of {@link DigitsService} and, later, the people who find out what each digit really was: sends forms
 * of handwritten digits (rows of the digits data, {@code --form} of them per request) at a steady rate, each request
 * with an id, and posts the true labels to a labels endpoint (infermon's {@code POST /v1/labels}, row {@code r} of
 * request {@code id} as {@code id#r}) some seconds later, as a feedback system would. Every tenth digit never gets a
 * label.
 *
 * <pre>
 * DigitsTraffic --service URL --seconds S --rate R --phase NAME [--form N] [--invert] [--seed N]
 *               [--labels URL --label-delay SECONDS] [--sent FILE] [--report FILE]
 * </pre>
 *
 * <p>When the last request is answered it writes {@code --sent} (so whoever runs it can start what comes next while
 * the last labels are still to come); when the last label is posted, {@code --report}. Both hold what the callers saw:
 * {@code first_request_ms} and {@code last_request_ms} (epoch milliseconds), {@code requests}, {@code digits},
 * {@code correct} (answers equal to the true digit), and in the report {@code labels_posted}.
 */
public final class DigitsTraffic {
    private record DueLabel(long dueNanos, String id, int label) {
    }

    private DigitsTraffic() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = DigitsApp.options(args);
        URI service = URI.create(DigitsApp.require(opts, "service"));
        double seconds = Double.parseDouble(DigitsApp.require(opts, "seconds"));
        double rate = Double.parseDouble(opts.getOrDefault("rate", "20"));
        int form = Integer.parseInt(opts.getOrDefault("form", "1"));
        String phase = DigitsApp.require(opts, "phase");
        URI labels = opts.containsKey("labels") ? URI.create(opts.get("labels")) : null;
        long labelDelayNanos = (long) (Double.parseDouble(opts.getOrDefault("label-delay", "10")) * 1e9);
        Dataset data = opts.containsKey("invert") ? Dataset.digits().inverted(16f) : Dataset.digits();
        SplittableRandom random = new SplittableRandom(Long.parseLong(opts.getOrDefault("seed", "1")));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Queue<DueLabel> due = new ArrayDeque<>(); // due times only grow: a FIFO is in order
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long pauseNanos = (long) (1e9 / rate);
        int requests = 0;
        int digits = 0;
        int correct = 0;
        int posted = 0;
        long firstMillis = System.currentTimeMillis();
        for (long next = start; next < deadline; next += pauseNanos) {
            sleepUntil(next);
            String id = phase + "-" + requests;
            int[] rows = new int[form];
            StringBuilder body = new StringBuilder(id);
            for (int r = 0; r < form; r++) {
                rows[r] = random.nextInt(data.rows());
                StringJoiner pixels = new StringJoiner(",");
                for (float v : data.features()[rows[r]]) {
                    pixels.add(Float.toString(v));
                }
                body.append('\n').append(pixels);
            }
            String[] answers = post(http, service.resolve("/predict"), body.toString(), "text/plain").trim().split(",");
            long sentNanos = System.nanoTime();
            for (int r = 0; r < form; r++) {
                int truth = data.labels()[rows[r]];
                if (Integer.parseInt(answers[r]) == truth) {
                    correct++;
                }
                if (labels != null && digits % 10 != 9) {
                    due.add(new DueLabel(sentNanos + labelDelayNanos, form == 1 ? id : id + "#" + r, truth));
                }
                digits++;
            }
            requests++;
            posted += postDue(http, labels, due, System.nanoTime());
        }
        String seen = "first_request_ms=" + firstMillis + "\nlast_request_ms=" + System.currentTimeMillis()
                + "\nrequests=" + requests + "\ndigits=" + digits + "\ncorrect=" + correct + "\n";
        if (opts.containsKey("sent")) {
            writeAtomically(Path.of(opts.get("sent")), seen);
        }
        while (!due.isEmpty()) {
            sleepUntil(due.peek().dueNanos());
            posted += postDue(http, labels, due, System.nanoTime());
        }
        String report = seen + "labels_posted=" + posted + "\n";
        if (opts.containsKey("report")) {
            writeAtomically(Path.of(opts.get("report")), report);
        }
        System.out.print(report);
    }

    /** Whoever waits for the file sees all of it or none. */
    private static void writeAtomically(Path file, String text) throws java.io.IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Posts every label due by {@code now} in one batch; returns how many. */
    private static int postDue(HttpClient http, URI labels, Queue<DueLabel> due, long now) throws Exception {
        StringJoiner batch = new StringJoiner(",", "[", "]");
        int n = 0;
        while (!due.isEmpty() && due.peek().dueNanos() <= now) {
            DueLabel l = due.remove();
            batch.add("{\"id\":\"" + l.id() + "\",\"label\":" + l.label() + "}");
            n++;
        }
        if (n > 0) {
            post(http, labels, batch.toString(), "application/json");
        }
        return n;
    }

    private static String post(HttpClient http, URI uri, String body, String type) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
