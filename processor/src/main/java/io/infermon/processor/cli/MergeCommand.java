package io.infermon.processor.cli;

import io.infermon.anodot.AnodotFiles;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.output.BucketMetrics;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code infermon merge}: rolls bucket profiles (of one model key) up into one, e.g. a day out of its minutes or
 * several processors' outputs into one, without reading the records again.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge bucket profiles of one model into one profile (and optionally its Anodot metrics).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:merged and written", "1:no profiles found, or one could not be read or merged",
                "2:bad options"})
public final class MergeCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PROFILE",
            description = "Profile files, or directories whose *.profile files are all taken.")
    List<Path> inputs;

    @Option(names = "--out", required = true, description = "The merged profile to write.")
    Path out;

    @Option(names = "--anodot", paramLabel = "FILE",
            description = "Also write the merged profile's metrics as an Anodot 2.0 JSON file (timestamp: the "
                    + "merged range's start).")
    Path anodot;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(ProfileCodec.EXTENSION)).sorted()
                            .forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        if (files.isEmpty()) {
            System.err.println("infermon: no profiles in " + inputs);
            return 1;
        }
        BucketProfile merged = null;
        try (Progress progress = progressOptions.start(System.err, "merge", files.size(), "profiles")) {
            for (Path f : files) {
                BucketProfile p = ProfileCodec.read(f);
                merged = merged == null ? p.merge(p.empty()) : merged.merge(p);
                progress.step();
            }
        }
        ProfileCodec.write(out, merged);
        if (anodot != null) {
            AnodotFiles.writeAtomically(anodot, BucketMetrics.of(new ClosedBucket(merged.model(),
                    merged.startMillis(), merged.endMillis(), merged.statistics())));
        }
        System.out.println("infermon: merged " + files.size() + " profiles of " + merged.model().name() + " ("
                + Instant.ofEpochMilli(merged.startMillis()) + " to " + Instant.ofEpochMilli(merged.endMillis())
                + ", " + merged.statistics().inferenceCalls() + " calls, " + merged.statistics().rows()
                + " rows) into " + out);
        return 0;
    }
}
