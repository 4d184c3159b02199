package io.infermon.processor.config;

import io.infermon.config.ConfigProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.alerts.AlertRule;
import io.infermon.processor.alerts.WebhookSettings;
import io.infermon.processor.cli.InfermonCli;
import io.infermon.processor.cli.RunCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * processor.yaml and its overrides: where each value comes from (command line, system property, environment, file,
 * default), and that every problem is reported with its file, line and key.
 */
class ProcessorConfigTest {
    @TempDir
    Path dir;

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("processor.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** Parses {@code run} with the given arguments, this test's properties and environment; returns the values. */
    private CommandSpec parse(String... args) {
        CommandLine run = new CommandLine(new RunCommand());
        run.setDefaultValueProvider(new ProcessorConfig(properties::get, environment));
        run.parseArgs(args);
        return run.getCommandSpec();
    }

    private static Object value(CommandSpec spec, String option) {
        return spec.findOption(option).getValue();
    }

    @Test
    void eachSourceWinsOverTheNextInTheDocumentedOrder() throws Exception {
        Path f = file("""
                out: /tmp/from-file
                bucket: 10s
                grace: 2s
                late: current
                max-models: 7
                queue: [/q/a, /q/b]
                """);
        properties.put("infermon.processor.bucket", "20s");
        environment.put("INFERMON_PROCESSOR_BUCKET", "30s");
        environment.put("INFERMON_PROCESSOR_GRACE", "3s");
        environment.put("INFERMON_PROCESSOR_MAX_MODELS", "8");
        properties.put("infermon.processor.max-models", "9");

        CommandSpec spec = parse("--config", f.toString(), "--max-models", "10");
        assertThat(value(spec, "--max-models")).isEqualTo(10); // command line over property over environment
        assertThat(value(spec, "--bucket")).isEqualTo(Duration.ofSeconds(20)); // property over environment and file
        assertThat(value(spec, "--grace")).isEqualTo(Duration.ofSeconds(3)); // environment over file
        assertThat(value(spec, "--late")).isEqualTo("current"); // file over default
        assertThat(value(spec, "--out")).isEqualTo(Path.of("/tmp/from-file"));
        assertThat(value(spec, "--queue")).isEqualTo(List.of(Path.of("/q/a"), Path.of("/q/b")));
        assertThat(value(spec, "--drift-method")).isEqualTo("psi"); // the default
    }

    @Test
    void theFileIsNamedByTheCommandLineThePropertyOrTheEnvironment() throws Exception {
        Path a = dir.resolve("a.yaml");
        Files.writeString(a, "out: /from/a\n");
        Path b = dir.resolve("b.yaml");
        Files.writeString(b, "out: /from/b\n");
        environment.put("INFERMON_PROCESSOR_CONFIG", a.toString());
        assertThat(value(parse(), "--out")).isEqualTo(Path.of("/from/a"));
        properties.put("infermon.processor.config", b.toString());
        assertThat(value(parse(), "--out")).isEqualTo(Path.of("/from/b"));
        assertThat(value(parse("--config", a.toString()), "--out")).isEqualTo(Path.of("/from/a"));
    }

    @Test
    void repeatableOptionsTakeAListOrOneValueAndOverridesSplitOnCommas() throws Exception {
        Path f = file("""
                out: /o
                queue: /q/only
                label-maturity: [30s, 2m]
                reference: [/r/a.profile]
                """);
        CommandSpec spec = parse("--config", f.toString());
        assertThat(value(spec, "--queue")).isEqualTo(List.of(Path.of("/q/only")));
        assertThat(value(spec, "--label-maturity")).isEqualTo(List.of(Duration.ofSeconds(30), Duration.ofMinutes(2)));
        assertThat(value(spec, "--reference")).isEqualTo(List.of(Path.of("/r/a.profile")));
        environment.put("INFERMON_PROCESSOR_QUEUE", "/e/1,/e/2");
        assertThat(value(parse("--config", f.toString()), "--queue")).isEqualTo(List.of(Path.of("/e/1"),
                Path.of("/e/2")));
        // the command line still repeats the option, and a comma stays part of a path there
        assertThat(value(parse("--config", f.toString(), "--queue", "/c/x,y", "--queue", "/c/z"), "--queue"))
                .isEqualTo(List.of(Path.of("/c/x,y"), Path.of("/c/z")));
    }

    @Test
    void flagsCanBeSetInTheFile() throws Exception {
        Path f = file("out: /o\ndrain: true\nno-checkpoint: true\nquiet: false\n");
        CommandSpec spec = parse("--config", f.toString());
        assertThat(value(spec, "--drain")).isEqualTo(true);
        assertThat(value(spec, "--no-checkpoint")).isEqualTo(true);
        assertThat(value(spec, "--quiet")).isEqualTo(false);
    }

    @Test
    void otlpHeadersComeFromTheFileAndABadOneIsReportedWithoutItsValue() throws Exception {
        Path good = file("out: /o\notlp-endpoint: http://127.0.0.1:4318\notlp-headers:\n  api-key: t0ken\n");
        CommandSpec spec = parse("--config", good.toString());
        ProcessorConfig.Resolved resolved = ((ProcessorConfig) spec.defaultValueProvider()).resolve(spec);
        assertThat(resolved.otlpHeaders()).containsExactly(Map.entry("api-key", "t0ken"));
        assertThat(value(spec, "--otlp-endpoint")).isEqualTo("http://127.0.0.1:4318");

        Path bad = file("out: /o\notlp-headers:\n  \"bad header\": t0ken\n  x-list: [s3cret]\n");
        List<ConfigProblem> problems = ProcessorConfig.validate(InfermonCli.create().getSubcommands().get("run")
                .getCommandSpec(), bad);
        assertThat(problems).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                bad + ":3: otlp-headers.bad header: is not a valid HTTP header name",
                bad + ":4: otlp-headers.x-list: must be a single value");
        assertThat(problems.toString()).doesNotContain("t0ken").doesNotContain("s3cret");
    }

    /** Every option of {@code run}: a new one cannot be forgotten, as this goes through the command's own spec. */
    @Test
    void everyRunOptionCanBeSetFromTheFile() throws Exception {
        CommandSpec options = InfermonCli.create().getSubcommands().get("run").getCommandSpec();
        int checked = 0;
        for (OptionSpec o : options.options()) {
            if (o.usageHelp() || o.versionHelp() || o.longestName().equals("--config")) {
                continue;
            }
            String key = o.longestName().substring(2);
            String sample = sample(o);
            StringBuilder yaml = new StringBuilder();
            if (!key.equals("out")) {
                yaml.append("out: /o\n");
            }
            yaml.append(key).append(": ").append(o.isMultiValue() ? "[" + sample + "]" : sample).append('\n');
            CommandSpec spec = parse("--config", file(yaml.toString()).toString());
            Object v = value(spec, o.longestName());
            Object expected = expected(o, sample);
            assertThat(v).as("%s from the file", key).isEqualTo(o.isMultiValue() ? List.of(expected) : expected);
            checked++;
        }
        assertThat(checked).isGreaterThan(30);
    }

    /** A value of the option's type that differs from its default. */
    private static String sample(OptionSpec o) {
        Class<?> t = o.isMultiValue() ? o.typeInfo().getAuxiliaryTypeInfos().get(0).getType() : o.type();
        String name = o.longestName();
        if (name.equals("--late")) {
            return "current";
        }
        if (name.equals("--drift-method")) {
            return "ks";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "3";
        }
        if (t == double.class || t == Double.class) {
            return "0.125";
        }
        if (t == Duration.class) {
            return "17s";
        }
        if (t == Path.class) {
            return "/some/where";
        }
        return "text-value";
    }

    private static Object expected(OptionSpec o, String sample) {
        Class<?> t = o.isMultiValue() ? o.typeInfo().getAuxiliaryTypeInfos().get(0).getType() : o.type();
        if (t == boolean.class || t == Boolean.class) {
            return true;
        }
        if (t == int.class || t == Integer.class) {
            return 3;
        }
        if (t == long.class || t == Long.class) {
            return 3L;
        }
        if (t == double.class || t == Double.class) {
            return 0.125;
        }
        if (t == Duration.class) {
            return Duration.ofSeconds(17);
        }
        if (t == Path.class) {
            return Path.of(sample);
        }
        return sample;
    }

    @Test
    void everyProblemIsReportedWithItsFileLineAndKey() throws Exception {
        Path f = file("""
                out: /o
                bucket: 10x
                late: sideways
                bukket: 5s
                drain: maybe
                max-models: many
                queue: {a: b}
                config: other.yaml
                alerts:
                  - name: drift
                    metric: drift_share
                    above: lots
                    fr: 2
                  - metric: accuracy
                    below: 0.8
                    above: 0.9
                webhook:
                  url: ftp://example.com/x
                  headers: {Authorization: Bearer s3cret-token}
                  retries: -3
                """);
        environment.put("INFERMON_PROCESSOR_GRACE", "soon");
        environment.put("INFERMON_PROCESSOR_BUCKETS", "10s");
        properties.put("infermon.processor.drift-threshold", "high");
        assertThatThrownBy(() -> parse("--config", f.toString()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    List<String> lines = e.problems().stream().map(ConfigProblem::toString).toList();
                    String src = f.toString();
                    assertThat(lines).containsExactlyInAnyOrder(
                            src + ":2: bucket: '10x' is not a duration: write a whole number and a unit, e.g. "
                                    + "500ms, 10s, 5m, 1h, 1d",
                            src + ":3: late: must be one of drop, current, not 'sideways'",
                            src + ":4: bukket: " + unknownLine("bukket", "bucket"),
                            src + ":5: drain: must be true or false, not 'maybe'",
                            src + ":6: max-models: must be a whole number, not 'many'",
                            src + ":7: queue: must be a single value or a list ([a, b]), not a map",
                            src + ":8: config: names the configuration file, so it cannot be set inside it: give "
                                    + "--config, -Dinfermon.processor.config or INFERMON_PROCESSOR_CONFIG",
                            src + ":12: alerts[0].above: must be a number, not 'lots'",
                            src + ":13: alerts[0].fr: unknown key (did you mean 'for'?); known here: above, below, "
                                    + "for, metric, name, resolve_after, where",
                            src + ":14: alerts[1]: needs 'name' (what the alert is called in alerts.jsonl)",
                            src + ":14: alerts[1]: needs exactly one condition: 'above: X' or 'below: X' (a drift "
                                    + "flag: metric: drift_detected, above: 0.5)",
                            src + ":18: webhook.url: must be an http:// or https:// URL with a host",
                            src + ":20: webhook.retries: must be a whole number from 0 up (leave it out for no "
                                    + "limit), not '-3'",
                            "INFERMON_PROCESSOR_GRACE: grace: 'soon' is not a duration: write a whole number and a "
                                    + "unit, e.g. 500ms, 10s, 5m, 1h, 1d",
                            "-Dinfermon.processor.drift-threshold: drift-threshold: must be a number, not 'high'",
                            "INFERMON_PROCESSOR_BUCKETS: is not a processor setting; known: " + knownEnvironment());
                    assertThat(e.getMessage()).doesNotContain("s3cret-token")
                            .endsWith("infermon: 16 problems in the configuration; the processor does not start");
                });
    }

    private static String unknownLine(String key, String suggestion) {
        CommandSpec run = InfermonCli.create().getSubcommands().get("run").getCommandSpec();
        List<String> known = new java.util.ArrayList<>(List.of("alerts", "webhook", "otlp-headers", "fleet"));
        run.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--config"))
                .forEach(o -> known.add(o.longestName().substring(2)));
        return "unknown key (did you mean '" + suggestion + "'?); known here: "
                + String.join(", ", known.stream().sorted().toList());
    }

    private static String knownEnvironment() {
        CommandSpec run = InfermonCli.create().getSubcommands().get("run").getCommandSpec();
        return String.join(", ", run.options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--config"))
                .map(o -> "INFERMON_PROCESSOR_" + o.longestName().substring(2).replace('-', '_').toUpperCase())
                .sorted().toList());
    }

    @Test
    void badYamlIsReportedWithItsLine() throws Exception {
        Path f = file("out: /o\nbucket: 10s\n  grace: [1s\n");
        assertThatThrownBy(() -> parse("--config", f.toString()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.problems().get(0).source()).isEqualTo(f.toString());
                    assertThat(e.problems().get(0).line()).isEqualTo(3);
                    assertThat(e.problems().get(0).message()).startsWith("not valid YAML");
                });
    }

    @Test
    void alertsAndWebhookAreReadFromTheFile() throws Exception {
        Path f = file("""
                out: /o
                alerts:
                  - name: inputs drifted
                    metric: drift_share
                    where: {model: digits}
                    above: 0.3
                    for: 2
                  - name: feature 3 drifted
                    metric: drift_detected
                    where:
                      feature: feat_3
                    above: 0.5
                    resolve_after: 3
                webhook:
                  url: https://hooks.example.com/T000/secret-path
                  headers:
                    Authorization: Bearer abc
                  timeout: 5s
                  retries: 4
                """);
        CommandSpec spec = parse("--config", f.toString());
        ProcessorConfig.Resolved r = ((ProcessorConfig) spec.defaultValueProvider()).resolve(spec);
        assertThat(r.alerts()).containsExactly(
                new AlertRule("inputs drifted", "drift_share", Map.of("model", "digits"), true, 0.3, 2, 1),
                new AlertRule("feature 3 drifted", "drift_detected", Map.of("feature", "feat_3"), true, 0.5, 1, 3));
        assertThat(r.webhook()).isEqualTo(new WebhookSettings(URI.create("https://hooks.example.com/T000/secret-path"),
                Map.of("Authorization", "Bearer abc"), Duration.ofSeconds(5), 4, WebhookSettings.DEFAULT_BACKOFF,
                WebhookSettings.DEFAULT_BACKOFF_MAX));
        assertThat(r.webhook().toString()).doesNotContain("secret-path").doesNotContain("abc")
                .contains("https://hooks.example.com");
        assertThat(r.sourceOf("out")).isEqualTo(f + ":1");
    }

    @Test
    void theFleetSectionSetsTheFleetOptionsAndTheFlatKeysStayAliases() throws Exception {
        Path f = file("""
                out: /o
                fleet:
                  kafka: k1:9092
                  host: web-1
                  outbox-mb: 64
                  topic-prefix: prod
                  partitions: 12
                  replication: 3
                  kafka-properties: /etc/infermon/kafka.properties
                """);
        CommandSpec spec = parse("--config", f.toString(), "--fleet-partitions", "24");
        assertThat(value(spec, "--publish-kafka")).isEqualTo("k1:9092");
        assertThat(value(spec, "--fleet-host")).isEqualTo("web-1");
        assertThat(value(spec, "--fleet-outbox-mb")).isEqualTo(64L);
        assertThat(value(spec, "--fleet-topic-prefix")).isEqualTo("prod");
        assertThat(value(spec, "--fleet-partitions")).isEqualTo(24); // the command line wins, as for every key
        assertThat(value(spec, "--fleet-replication")).isEqualTo(3);
        assertThat(value(spec, "--kafka-properties")).isEqualTo(Path.of("/etc/infermon/kafka.properties"));
        assertThat(((ProcessorConfig) spec.defaultValueProvider()).resolve(spec).sourceOf("fleet-host"))
                .isEqualTo(f + ":4");

        Path g = file("""
                out: /o
                publish-kafka: k2:9092
                fleet-host: web-2
                fleet:
                  replication: 2
                """);
        spec = parse("--config", g.toString());
        assertThat(value(spec, "--publish-kafka")).isEqualTo("k2:9092");
        assertThat(value(spec, "--fleet-host")).isEqualTo("web-2");
        assertThat(value(spec, "--fleet-replication")).isEqualTo(2);
        assertThat(value(spec, "--fleet-partitions")).isEqualTo(6); // the default
        environment.put("INFERMON_PROCESSOR_FLEET_HOST", "web-3"); // the overrides keep the options' names
        assertThat(value(parse("--config", g.toString()), "--fleet-host")).isEqualTo("web-3");
    }

    @Test
    void aFleetSettingGivenTwiceAnUnknownOneAndABadSectionAreProblems() throws Exception {
        Path f = file("""
                out: /o
                fleet-host: web-1
                fleet:
                  host: web-2
                  partitons: 3
                  replication: many
                """);
        assertThatThrownBy(() -> parse("--config", f.toString()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems().stream()
                        .map(ConfigProblem::toString)).containsExactlyInAnyOrder(
                        f + ":4: fleet.host: is set twice: also as 'fleet-host' on line 2; keep one",
                        f + ":5: fleet.partitons: unknown key (did you mean 'partitions'?); known here: host, kafka, "
                                + "kafka-properties, outbox-mb, partitions, replication, topic-prefix",
                        f + ":6: fleet.replication: must be a whole number, not 'many'"));
        Path g = file("out: /o\nfleet: k1:9092\n");
        assertThatThrownBy(() -> parse("--config", g.toString()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems().stream()
                        .map(ConfigProblem::toString)).containsExactly(
                        g + ":2: fleet: must be a map of the fleet's settings (kafka, host, outbox-mb, topic-prefix, "
                                + "partitions, replication, kafka-properties), not 'k1:9092'"));
    }

    @Test
    void theRunCommandRefusesToStartWithExitCodeTwoAndOnlyTheProblems() throws Exception {
        Path f = file("out: " + dir.resolve("out") + "\nqueue: " + dir.resolve("q") + "\nbucket: fast\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = InfermonCli.create();
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        int exit = cli.execute("run", "--config", f.toString(), "--drain");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(f + ":3: bucket: 'fast' is not a duration: write "
                + "a whole number and a unit, e.g. 500ms, 10s, 5m, 1h, 1d\ninfermon: 1 problem in the configuration; "
                + "the processor does not start\n");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
