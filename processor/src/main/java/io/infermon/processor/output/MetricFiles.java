package io.infermon.processor.output;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.labels.LabelJoin;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processor's file outputs, written as buckets close:
 * <ul>
 *   <li>{@code OUT/anodot/<model>-<bucketStartEpochSeconds>.json}: one Anodot 2.0 JSON array per model and bucket
 *       (all versions and signatures of the model together), written to a temporary file and renamed;</li>
 *   <li>{@code OUT/metrics.jsonl}: the same metrics, one JSON object per line, appended for {@code tail -f};</li>
 *   <li>{@code OUT/profiles/<model key>-<bucketStartEpochSeconds>.profile}: each bucket's mergeable statistics
 *       (docs/profile-format.md), for {@code infermon merge} and as references.</li>
 * </ul>
 */
public final class MetricFiles implements AutoCloseable {
    private final Path anodotDir;
    private final Path jsonlFile;
    private final Path profileDir;
    private BufferedWriter jsonl;
    private long bucketsWritten;
    private long metricsWritten;
    /** How much of metrics.jsonl is final: what the latest checkpoint holds (a restart cuts off anything beyond). */
    private final java.util.concurrent.atomic.AtomicLong committedLength = new java.util.concurrent.atomic.AtomicLong();
    private FileListener listener = (name, metrics) -> { };
    private ProfileListener profileListener = (profile, encoded) -> { };
    private LabelWindowListener labelWindowListener = w -> { };
    private AgentHealthListener agentHealthListener = (start, metrics) -> { };

    /** Told of each Anodot file right after it is written (the Anodot delivery spools it). */
    @FunctionalInterface
    public interface FileListener {
        void written(String fileName, List<AnodotMetric> metrics) throws IOException;
    }

    /** Told of each bucket's profile right after it is written, with its bytes (the fleet publisher takes it). */
    @FunctionalInterface
    public interface ProfileListener {
        void written(BucketProfile profile, byte[] encoded) throws IOException;
    }

    /** Told of each label window as its metrics are written (the fleet publisher takes its statistics). */
    @FunctionalInterface
    public interface LabelWindowListener {
        void written(LabelJoin.Emission window) throws IOException;
    }

    /** Told of each bucket's agent health right after it is written (the fleet publisher sums it). */
    @FunctionalInterface
    public interface AgentHealthListener {
        void written(long bucketStartMillis, List<AnodotMetric> metrics) throws IOException;
    }

    public MetricFiles(Path outDir) throws IOException {
        this(outDir, -1);
    }

    /**
     * @param jsonlLength when not negative, {@code metrics.jsonl} is first cut back to this length: what a restored
     *                    checkpoint had written, so lines written after it are not appended twice
     */
    public MetricFiles(Path outDir, long jsonlLength) throws IOException {
        this.anodotDir = outDir.resolve("anodot");
        Files.createDirectories(anodotDir);
        this.profileDir = outDir.resolve("profiles");
        Files.createDirectories(profileDir);
        removeLeftoverTemporaryFiles(outDir);
        removeLeftoverTemporaryFiles(anodotDir);
        removeLeftoverTemporaryFiles(profileDir);
        this.jsonlFile = outDir.resolve("metrics.jsonl");
        if (jsonlLength >= 0 && Files.exists(jsonlFile) && Files.size(jsonlFile) > jsonlLength) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(jsonlFile,
                    StandardOpenOption.WRITE)) {
                ch.truncate(jsonlLength);
            }
        }
        this.jsonl = Files.newBufferedWriter(jsonlFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        committedLength.set(Files.size(jsonlFile));
    }

    /**
     * After a checkpoint (or after a bucket boundary's writes, without checkpoints): everything written so far is
     * final. Readers that must never see what a restart could still cut off (the OTLP export) read up to
     * {@link #committedLength()} only.
     */
    public void commit() throws IOException {
        committedLength.set(jsonlLength());
    }

    /** The length of metrics.jsonl at the last {@link #commit()}; safe to call from any thread. */
    public long committedLength() {
        return committedLength.get();
    }

    /**
     * Writes buckets that closed together; buckets of one model and start share one file.
     *
     * @param metrics {@code metrics.get(i)} is {@link BucketMetrics#of} {@code closed.get(i)}, computed once by the
     *                caller, who also gives them to the alert rules
     */
    public void write(List<ClosedBucket> closed, List<List<AnodotMetric>> metrics) throws IOException {
        if (metrics.size() != closed.size()) {
            throw new IllegalArgumentException(closed.size() + " buckets but " + metrics.size() + " metric lists");
        }
        Map<String, List<AnodotMetric>> byFile = new LinkedHashMap<>();
        for (int i = 0; i < closed.size(); i++) {
            ClosedBucket bucket = closed.get(i);
            if (bucket.hasCalls()) { // an empty bucket has nothing to merge
                BucketProfile profile = BucketProfile.of(bucket);
                byte[] encoded = ProfileCodec.encode(profile);
                AnodotFiles.writeAtomically(profileDir.resolve(profile.fileName()), encoded);
                profileListener.written(profile, encoded);
            }
            String file = fileName(bucket.model().name(), Math.floorDiv(bucket.startMillis(), 1000L));
            byFile.computeIfAbsent(file, f -> new ArrayList<>()).addAll(metrics.get(i));
        }
        for (Map.Entry<String, List<AnodotMetric>> e : byFile.entrySet()) {
            AnodotFiles.writeAtomically(anodotDir.resolve(e.getKey()), e.getValue());
            listener.written(e.getKey(), e.getValue());
            for (AnodotMetric m : e.getValue()) {
                jsonl.write(AnodotJson.toJsonLine(m));
                jsonl.newLine();
            }
            metricsWritten += e.getValue().size();
        }
        jsonl.flush();
        bucketsWritten += closed.size();
    }

    /**
     * Writes label windows, one file per model, bucket and maturity:
     * {@code OUT/anodot/<model>.labels_<window>-<bucketStartSeconds>.json} (the dot cannot occur in a model's part of
     * a name, so these never clash with bucket files), and appends them to {@code metrics.jsonl}.
     */
    public void writeLabelWindows(List<LabelJoin.Emission> windows) throws IOException {
        Map<String, List<AnodotMetric>> byFile = new LinkedHashMap<>();
        for (LabelJoin.Emission w : windows) {
            labelWindowListener.written(w);
            String file = labelFileName(w.model().name(), w.window(), Math.floorDiv(w.bucketStartMillis(), 1000L));
            byFile.computeIfAbsent(file, f -> new ArrayList<>()).addAll(w.metrics());
        }
        for (Map.Entry<String, List<AnodotMetric>> e : byFile.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            AnodotFiles.writeAtomically(anodotDir.resolve(e.getKey()), e.getValue());
            listener.written(e.getKey(), e.getValue());
            for (AnodotMetric m : e.getValue()) {
                jsonl.write(AnodotJson.toJsonLine(m));
                jsonl.newLine();
            }
            metricsWritten += e.getValue().size();
        }
        jsonl.flush();
    }

    /** {@code <model>.labels_<window>-<start>.json}, the model's part sanitized as in {@link #fileName}. */
    static String labelFileName(String model, String window, long startSeconds) {
        return model.replaceAll("[^A-Za-z0-9_-]", "_") + ".labels_" + window + "-" + startSeconds + ".json";
    }

    /** Agent health files' prefix; the dot keeps it apart from any model's file (model names lose their dots). */
    public static final String AGENT_HEALTH_FILE_PREFIX = "infermon.agents-";
    /** The processor's own metrics' files. */
    public static final String PROCESSOR_FILE_PREFIX = "infermon.processor-";

    /**
     * Writes the agents' health metrics of one bucket to {@code OUT/anodot/infermon.agents-<start>.json} and appends
     * them to {@code metrics.jsonl}.
     */
    public void writeAgentHealth(long bucketStartMillis, List<AnodotMetric> metrics) throws IOException {
        writeOwnFile(AGENT_HEALTH_FILE_PREFIX, bucketStartMillis, metrics);
        if (!metrics.isEmpty()) {
            agentHealthListener.written(bucketStartMillis, metrics);
        }
    }

    /** Writes the processor's own metrics to {@code OUT/anodot/infermon.processor-<start>.json} and the jsonl. */
    public void writeProcessorMetrics(long bucketStartMillis, List<AnodotMetric> metrics) throws IOException {
        writeOwnFile(PROCESSOR_FILE_PREFIX, bucketStartMillis, metrics);
    }

    private void writeOwnFile(String prefix, long bucketStartMillis, List<AnodotMetric> metrics) throws IOException {
        if (metrics.isEmpty()) {
            return;
        }
        String file = prefix + Math.floorDiv(bucketStartMillis, 1000L) + ".json";
        AnodotFiles.writeAtomically(anodotDir.resolve(file), metrics);
        listener.written(file, metrics);
        for (AnodotMetric m : metrics) {
            jsonl.write(AnodotJson.toJsonLine(m));
            jsonl.newLine();
        }
        jsonl.flush();
        metricsWritten += metrics.size();
    }

    /** {@code <model>-<start>.json}, with anything but letters, digits, {@code _} and {@code -} replaced by {@code _}. */
    static String fileName(String model, long startSeconds) {
        return model.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + startSeconds + ".json";
    }

    /** Half-written files of a processor that was killed while writing ({@code .<name>.tmp}); never read by anyone. */
    private static void removeLeftoverTemporaryFiles(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** The length of {@code metrics.jsonl} with everything written so far flushed. */
    public long jsonlLength() throws IOException {
        jsonl.flush();
        return Files.size(jsonlFile);
    }

    /** What {@link #rollBack} returns to: the jsonl length and counts now (flushing first). */
    public record Mark(long jsonlLength, long buckets, long metrics) {
    }

    public Mark mark() throws IOException {
        return new Mark(jsonlLength(), bucketsWritten, metricsWritten);
    }

    /**
     * Undoes a write that failed half-way (a full disk): drops whatever the jsonl writer still holds, cuts the file
     * back to the mark and restores the counts, so that writing the same buckets again appends each line once.
     * Files written whole in between are simply written again (same name, same content).
     */
    public void rollBack(Mark mark) throws IOException {
        try {
            jsonl.close();
        } catch (IOException e) {
            // it could not flush what it held: that is exactly what is being dropped
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(jsonlFile,
                StandardOpenOption.WRITE)) {
            if (ch.size() > mark.jsonlLength()) {
                ch.truncate(mark.jsonlLength());
            }
        }
        jsonl = Files.newBufferedWriter(jsonlFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        bucketsWritten = mark.buckets();
        metricsWritten = mark.metrics();
    }

    /** Restores the counts of a checkpoint. */
    public void restoreCounts(long buckets, long metrics) {
        this.bucketsWritten = buckets;
        this.metricsWritten = metrics;
    }

    public Path profileDir() {
        return profileDir;
    }

    public void onProfileWritten(ProfileListener l) {
        this.profileListener = l;
    }

    public void onLabelWindowWritten(LabelWindowListener l) {
        this.labelWindowListener = l;
    }

    public void onAgentHealthWritten(AgentHealthListener l) {
        this.agentHealthListener = l;
    }

    public void onFileWritten(FileListener l) {
        this.listener = l;
    }

    public Path anodotDir() {
        return anodotDir;
    }

    public long bucketsWritten() {
        return bucketsWritten;
    }

    public long metricsWritten() {
        return metricsWritten;
    }

    @Override
    public void close() throws IOException {
        jsonl.close();
    }
}
