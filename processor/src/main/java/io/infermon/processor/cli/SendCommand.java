package io.infermon.processor.cli;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.AnodotValidator;
import io.infermon.anodot.delivery.DeliveryLedger;
import io.infermon.anodot.delivery.MetricSender;
import io.infermon.anodot.delivery.SenderConfig;
import io.infermon.anodot.delivery.SenderHealth;
import io.infermon.anodot.delivery.Spool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code infermon send DIR}: sends stored Anodot 2.0 files (the processor's {@code OUT/anodot/}, a spool's
 * {@code failed/}, or any 2.0 JSON arrays) to Anodot, oldest bucket first. What was sent is recorded in a ledger
 * ({@code DIR/.infermon-delivered.log} unless {@code --ledger} says otherwise), so running it again sends only
 * what is missing.
 *
 * <p>Exit code: 0 when everything was delivered; 1 when anything was rejected (by Anodot, or as invalid before
 * sending, or a file could not be read); 2 when Anodot could not be reached and files were left unsent.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send stored Anodot 2.0 JSON files (e.g. OUT/anodot/) to Anodot, or check them (--dry-run).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything delivered (now or before)",
                "1:something was rejected (by Anodot, or as invalid), or a file could not be read",
                "2:Anodot could not be reached and files were left unsent (run it again), or bad options"})
public final class SendCommand implements Callable<Integer> {
    static final String DEFAULT_LEDGER = ".infermon-delivered.log";

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory of *.json Anodot 2.0 files.")
    Path dir;

    @Option(names = "--dry-run", description = "Only read and validate the files; send nothing.")
    boolean dryRun;

    @Option(names = "--ledger", paramLabel = "FILE",
            description = "Record of what Anodot already has (a spool's delivered.log works too). "
                    + "Default: DIR/" + DEFAULT_LEDGER + ".")
    Path ledgerFile;

    @Option(names = "--max-attempts", defaultValue = "6", paramLabel = "N",
            description = "Attempts per request before giving up on Anodot. Default: ${DEFAULT-VALUE}.")
    int maxAttempts;

    @Mixin
    AnodotOptions anodot;

    @Mixin
    ProgressOptions progressOptions;

    @Spec
    CommandSpec spec;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            out.println("infermon send: " + dir + " is not a directory");
            return 1;
        }
        List<Path> files = jsonFiles(dir);
        return dryRun ? check(files) : send(files);
    }

    private static List<Path> jsonFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                    files.add(p);
                }
            }
        }
        return Spool.oldestFirst(files);
    }

    private int check(List<Path> files) {
        long valid = 0;
        long unreadable = 0;
        Map<String, Long> invalid = new TreeMap<>();
        long now = System.currentTimeMillis() / 1000;
        for (Path f : files) {
            List<AnodotMetric> metrics;
            try {
                metrics = AnodotFiles.read(f);
            } catch (IOException | RuntimeException e) {
                unreadable++;
                out.println("  " + f.getFileName() + ": not an Anodot 2.0 JSON array (" + firstLine(e) + ")");
                continue;
            }
            AnodotValidator.Result r = AnodotValidator.check(metrics, now);
            valid += r.valid().size();
            r.invalidByReason().forEach((k, v) -> invalid.merge(k, v, Long::sum));
            if (r.invalidCount() > 0) {
                out.println("  " + f.getFileName() + ": " + r.invalidCount() + " invalid, e.g. " + r.examples().get(0));
            }
        }
        long bad = invalid.values().stream().mapToLong(Long::longValue).sum();
        out.println("infermon send --dry-run: " + files.size() + " files, " + valid + " metrics would be sent, "
                + bad + " invalid" + (bad > 0 ? " " + invalid : "") + (unreadable > 0 ? ", " + unreadable
                + " files unreadable" : "") + "; nothing sent");
        return bad > 0 || unreadable > 0 ? 1 : 0;
    }

    private int send(List<Path> files) throws IOException, InterruptedException {
        SenderConfig config = anodot.config(spec.commandLine()).withMaxAttempts(Math.max(1, maxAttempts));
        Path ledgerPath = ledgerFile != null ? ledgerFile : dir.resolve(DEFAULT_LEDGER);
        SenderHealth health = new SenderHealth();
        FileLines bar = new FileLines(out, files.size(), System.console() != null);
        long unreadable = 0;
        int refusedFiles = 0;
        int alreadyFiles = 0;
        int unsentFiles = 0;
        String unsentReason = "";
        out.println("infermon send: " + files.size() + " files from " + dir + " to " + config.redactedEndpoint());
        try (DeliveryLedger ledger = DeliveryLedger.open(ledgerPath);
             Progress progress = progressOptions.start(System.err, "send", files.size(), "files")) {
            MetricSender sender = new MetricSender(config, ledger, health);
            for (int i = 0; i < files.size(); progress.stepTo(++i)) {
                Path f = files.get(i);
                String name = f.getFileName().toString();
                if (unsentFiles > 0) {
                    unsentFiles++; // Anodot is not answering: do not hammer it with the rest
                    continue;
                }
                List<AnodotMetric> metrics;
                try {
                    metrics = AnodotFiles.read(f);
                } catch (IOException | RuntimeException e) {
                    unreadable++;
                    bar.note(name + ": not an Anodot 2.0 JSON array (" + firstLine(e) + ")");
                    continue;
                }
                final int fileIndex = i;
                MetricSender.FileResult r = sender.send(name, metrics,
                        (n, done, total) -> progress.message(fileIndex + 1 + ": " + done + "/" + total
                                + " metrics; " + health.sent() + " sent"));
                switch (r.status()) {
                    case ALREADY_DELIVERED -> alreadyFiles++;
                    case REFUSED -> {
                        refusedFiles++;
                        bar.note(name + ": refused by Anodot: " + r.reason());
                    }
                    case GAVE_UP, STOPPED -> {
                        unsentFiles++;
                        unsentReason = r.reason();
                        bar.note(name + ": Anodot not reachable after " + config.maxAttempts() + " attempts: "
                                + r.reason());
                    }
                    default -> { }
                }
                bar.fileDone(i + 1, health.sent());
            }
        }
        out.println("infermon send: " + health.sent() + " metrics sent, " + health.rejected()
                + " rejected by Anodot" + (refusedFiles > 0 ? " (" + refusedFiles + " files refused)" : "")
                + ", " + health.invalid() + " invalid (not sent), " + alreadyFiles + " files delivered before"
                + (unreadable > 0 ? ", " + unreadable + " files unreadable" : "")
                + (unsentFiles > 0 ? ", " + unsentFiles + " files not sent (" + unsentReason + ")" : "")
                + "; ledger " + ledgerPath);
        if (health.rejected() > 0 || health.invalid() > 0 || unreadable > 0) {
            return 1;
        }
        return unsentFiles > 0 ? 2 : 0;
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * One stdout line per file when there is no terminal (logs, CI: what scripts read); on a terminal the progress
     * bar on stderr shows the same, so stdout keeps only the notes.
     */
    static final class FileLines {
        private final PrintStream out;
        private final int files;
        private final boolean terminal;

        FileLines(PrintStream out, int files, boolean terminal) {
            this.out = out;
            this.files = files;
            this.terminal = terminal;
        }

        void fileDone(int filesDone, long sent) {
            if (!terminal) {
                out.println("  [" + filesDone + "/" + files + "] " + sent + " metrics sent");
            }
        }

        void note(String line) {
            out.println("  " + line);
        }
    }
}
