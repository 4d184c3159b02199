package io.infermon.processor.config;

import io.infermon.config.YamlNode;
import io.infermon.config.ConfigProblem;
import io.infermon.config.KnownKeys;
import io.infermon.processor.alerts.AlertRule;
import io.infermon.processor.alerts.WebhookSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where the values of {@code infermon run}'s options come from when they are not on the command line, as picocli's
 * default value provider. For an option {@code --some-key}, first found wins:
 * <ol>
 *   <li>the command line (picocli never asks the provider for an option given there),</li>
 *   <li>the system property {@code infermon.processor.some-key},</li>
 *   <li>the environment variable {@code INFERMON_PROCESSOR_SOME_KEY},</li>
 *   <li>the key {@code some-key} in processor.yaml,</li>
 *   <li>the option's default.</li>
 * </ol>
 * The file is named by {@code --config}, {@code infermon.processor.config} or {@code INFERMON_PROCESSOR_CONFIG}.
 * The agent has the same order with its agent argument in the command line's place; here the command line comes
 * first because it is what the operator typed for this one run. {@code alerts}, {@code webhook} and
 * {@code otlp-headers} come from the file only.
 *
 * <p>Every source is checked in full the first time picocli asks: unknown keys, wrong types and bad values are all
 * collected and thrown together as a {@link ConfigException} (exit code 2) before anything runs.
 */
public final class ProcessorConfig implements CommandLine.IDefaultValueProvider {
    public static final String CONFIG_KEY = "config";
    public static final String PROPERTY_PREFIX = "infermon.processor.";
    public static final String ENV_PREFIX = "INFERMON_PROCESSOR_";
    static final String ALERTS_KEY = "alerts";
    static final String WEBHOOK_KEY = "webhook";
    /** Headers of the OTLP export's requests; file only, since their values are often tokens. */
    static final String OTLP_HEADERS_KEY = "otlp-headers";
    /** The {@code fleet:} section: the fleet's settings, one key each, under shorter names (docs/processor-yaml.md). */
    static final String FLEET_KEY = "fleet";
    /**
     * The keys of the {@code fleet:} section and the options they set. The options' own names stay keys at the top
     * level too (aliases, as before the section); one setting given both ways is a problem.
     */
    static final Map<String, String> FLEET_SECTION = fleetSection();

    private static Map<String, String> fleetSection() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka", "publish-kafka");
        m.put("host", "fleet-host");
        m.put("outbox-mb", "fleet-outbox-mb");
        m.put("topic-prefix", "fleet-topic-prefix");
        m.put("partitions", "fleet-partitions");
        m.put("replication", "fleet-replication");
        m.put("kafka-properties", "kafka-properties");
        return java.util.Collections.unmodifiableMap(m);
    }

    private final Function<String, String> properties;
    private final Map<String, String> environment;
    private Resolved resolved;

    /** Reads this JVM's system properties and environment. */
    public ProcessorConfig() {
        this(System::getProperty, System.getenv());
    }

    public ProcessorConfig(Function<String, String> properties, Map<String, String> environment) {
        this.properties = properties;
        this.environment = Map.copyOf(environment);
    }

    /** A value and where it came from, for messages. */
    record Setting(String text, String source, int line) {
    }

    /**
     * Everything read: the settings by key (not those only on the command line), the file-only sections, and the
     * file (null without one).
     */
    public record Resolved(Path file, Map<String, Setting> settings, List<AlertRule> alerts, WebhookSettings webhook,
                           Map<String, String> otlpHeaders, List<ConfigProblem> problems) {
        /** A key's value as given (checked against the option's type), or null when it is not set. */
        public String text(String key) {
            Setting s = settings.get(key);
            return s == null ? null : s.text();
        }

        /** Where a key's value came from: "-Dinfermon.processor.bucket", "INFERMON_PROCESSOR_BUCKET", "file:3". */
        public String sourceOf(String key) {
            Setting s = settings.get(key);
            return s == null ? null : s.source() + (s.line() > 0 ? ":" + s.line() : "");
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o)) {
            return null;
        }
        String key = OptionValues.key(o);
        if (key.equals(CONFIG_KEY)) {
            Setting s = override(CONFIG_KEY);
            return s == null ? null : s.text();
        }
        if (!OptionValues.isSetting(o)) {
            return null;
        }
        Setting s = resolve(o.command()).settings().get(key);
        return s == null ? null : s.text();
    }

    /**
     * Reads and checks every source for the command {@code spec} (once per config file named); throws with all the
     * problems when there are any.
     */
    public Resolved resolve(CommandSpec spec) {
        Path file = configFile(spec);
        if (resolved == null || !Objects.equals(resolved.file(), file)) {
            resolved = read(spec, file, true);
        }
        if (!resolved.problems().isEmpty()) {
            throw new ConfigException(spec.commandLine(), resolved.problems());
        }
        return resolved;
    }

    /** Checks one file on its own (no system properties, no environment), as {@code infermon validate} does. */
    public static List<ConfigProblem> validate(CommandSpec runSpec, Path file) {
        return new ProcessorConfig(k -> null, Map.of()).read(runSpec, file.toAbsolutePath(), false).problems();
    }

    /**
     * A processor.yaml read as {@code infermon fleet --config} reads it: checked in full as {@code run}'s file (whose
     * keys it may share with the hosts), without system properties or environment; throws with every problem,
     * reported as {@code command}'s. The fleet takes its {@code alerts} and {@code webhook} from it.
     */
    public static Resolved readFile(CommandSpec runSpec, Path file, CommandLine command) {
        Resolved r = new ProcessorConfig(k -> null, Map.of()).read(runSpec, file.toAbsolutePath(), false);
        if (!r.problems().isEmpty()) {
            throw new ConfigException(command, r.problems());
        }
        return r;
    }

    private Path configFile(CommandSpec spec) {
        OptionSpec config = spec.findOption("--" + CONFIG_KEY);
        Object given = config == null ? null : config.getValue();
        if (given != null) {
            return ((Path) given).toAbsolutePath();
        }
        Setting s = override(CONFIG_KEY);
        return s == null ? null : Path.of(s.text()).toAbsolutePath();
    }

    private Resolved read(CommandSpec spec, Path file, boolean overrides) {
        List<ConfigProblem> problems = new ArrayList<>();
        String source = file == null ? "processor.yaml" : file.toString();
        YamlNode root = YamlNode.EMPTY_MAP;
        if (file != null) {
            try {
                root = YamlNode.parse(Files.readString(file, StandardCharsets.UTF_8), source, problems);
            } catch (IOException e) {
                problems.add(new ConfigProblem(source, 0, CONFIG_KEY, "cannot read the configuration file ("
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")"));
            }
        }
        Map<String, Setting> settings = new LinkedHashMap<>();
        Set<String> known = new TreeSet<>(Set.of(ALERTS_KEY, WEBHOOK_KEY, OTLP_HEADERS_KEY, FLEET_KEY));
        Map<String, YamlNode> fleet = fleetSection(root.map().get(FLEET_KEY), source, problems);
        Set<String> environmentNames = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            if (!OptionValues.isSetting(o)) {
                continue;
            }
            String key = OptionValues.key(o);
            known.add(key);
            environmentNames.add(OptionValues.environmentName(key));
            YamlNode node = root.map().get(key);
            String name = key;
            String sectionKey = FLEET_SECTION.entrySet().stream().filter(e -> e.getValue().equals(key))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            YamlNode inSection = sectionKey == null ? null : fleet.get(sectionKey);
            if (inSection != null && node != null) {
                problems.add(new ConfigProblem(source, inSection.line(), FLEET_KEY + "." + sectionKey, "is set twice: "
                        + "also as '" + key + "' on line " + node.line() + "; keep one"));
                continue;
            }
            if (inSection != null) {
                node = inSection;
                name = FLEET_KEY + "." + sectionKey;
            }
            Setting fromFile = fromFile(o, node, name, source, problems);
            Setting fromOverride = overrides ? override(key) : null;
            if (fromOverride != null) {
                fromOverride = joined(o, fromOverride);
                String problem = OptionValues.check(o, fromOverride.text());
                if (problem != null) {
                    problems.add(new ConfigProblem(fromOverride.source(), 0, key, problem));
                    continue;
                }
            }
            Setting chosen = fromOverride != null ? fromOverride : fromFile;
            if (chosen != null) {
                settings.put(key, chosen);
            }
        }
        root.map().forEach((key, node) -> {
            if (key.equals(CONFIG_KEY)) {
                problems.add(new ConfigProblem(source, node.line(), key, "names the configuration file, so it "
                        + "cannot be set inside it: give --config, -Dinfermon.processor.config or "
                        + "INFERMON_PROCESSOR_CONFIG"));
            } else if (!known.contains(key)) {
                problems.add(new ConfigProblem(source, node.line(), key, KnownKeys.unknown(key, known)));
            }
        });
        if (overrides) {
            new TreeSet<>(environment.keySet()).forEach(name -> {
                if (name.startsWith(ENV_PREFIX) && !environmentNames.contains(name)
                        && !name.equals(OptionValues.environmentName(CONFIG_KEY))) {
                    problems.add(new ConfigProblem(name, 0, "", "is not a processor setting; known: "
                            + String.join(", ", environmentNames)));
                }
            });
        }
        AlertsSection sections = new AlertsSection(source, problems);
        List<AlertRule> alerts = sections.rules(root.map().get(ALERTS_KEY));
        WebhookSettings webhook = sections.webhook(root.map().get(WEBHOOK_KEY));
        Map<String, String> otlpHeaders = headers(root.map().get(OTLP_HEADERS_KEY), source, problems);
        return new Resolved(file, Map.copyOf(settings), alerts, webhook, otlpHeaders, List.copyOf(problems));
    }

    /** {@code otlp-headers}: a map of header: value; a value is never repeated in a message (it may be a token). */
    private static Map<String, String> headers(YamlNode n, String source, List<ConfigProblem> problems) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return headers;
        }
        if (!n.isMap()) {
            problems.add(new ConfigProblem(source, n.line(), OTLP_HEADERS_KEY, "must be a map of header: value, not a "
                    + (n.isList() ? "list" : "single value")));
            return headers;
        }
        n.map().forEach((k, v) -> {
            if (!v.isScalar() || v.scalar() == null) {
                problems.add(new ConfigProblem(source, v.line(), OTLP_HEADERS_KEY + "." + k, "must be a single value"));
            } else if (!k.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                problems.add(new ConfigProblem(source, v.line(), OTLP_HEADERS_KEY + "." + k,
                        "is not a valid HTTP header name"));
            } else {
                headers.put(k, v.scalar());
            }
        });
        return Map.copyOf(headers);
    }

    /**
     * The {@code fleet:} section's keys and values; a section that is not a map, and a key it does not know, are
     * problems.
     */
    private static Map<String, YamlNode> fleetSection(YamlNode n, String source, List<ConfigProblem> problems) {
        Map<String, YamlNode> section = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return section;
        }
        if (!n.isMap()) {
            problems.add(new ConfigProblem(source, n.line(), FLEET_KEY, "must be a map of the fleet's settings ("
                    + String.join(", ", FLEET_SECTION.keySet()) + "), not " + n.describe()));
            return section;
        }
        n.map().forEach((k, v) -> {
            if (FLEET_SECTION.containsKey(k)) {
                section.put(k, v);
            } else {
                problems.add(new ConfigProblem(source, v.line(), FLEET_KEY + "." + k,
                        KnownKeys.unknown(k, FLEET_SECTION.keySet())));
            }
        });
        return section;
    }

    /**
     * A key's value in the file, checked; a list for a repeatable option is joined so that picocli splits it.
     * {@code key} is how the file names it, for messages.
     */
    private static Setting fromFile(OptionSpec o, YamlNode n, String key, String source, List<ConfigProblem> problems) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> values = new ArrayList<>();
        if (n.isScalar()) {
            values.add(n.scalar());
        } else if (n.isList() && o.isMultiValue()) {
            for (YamlNode item : n.list()) {
                if (!item.isScalar() || item.scalar() == null) {
                    problems.add(new ConfigProblem(source, item.line(), key, "must be a list of single values, but "
                            + "has an item that is " + item.describe()));
                    return null;
                }
                values.add(item.scalar());
            }
        } else {
            problems.add(new ConfigProblem(source, n.line(), key, "must be " + (o.isMultiValue()
                    ? "a single value or a list ([a, b])" : "a single value") + ", not " + n.describe()));
            return null;
        }
        String text = o.isMultiValue() ? String.join(OptionValues.separator(o), values) : values.get(0);
        String problem = OptionValues.check(o, text);
        if (problem != null) {
            problems.add(new ConfigProblem(source, n.line(), key, problem));
            return null;
        }
        return new Setting(text, source, n.line());
    }

    private static Setting joined(OptionSpec o, Setting s) {
        if (!o.isMultiValue()) {
            return s;
        }
        return new Setting(String.join(OptionValues.separator(o), OptionValues.splitOverride(o, s.text())),
                s.source(), 0);
    }

    /** The system property, else the environment variable, for a key; blank counts as unset. */
    private Setting override(String key) {
        String property = PROPERTY_PREFIX + key;
        String v = properties.apply(property);
        if (v != null && !v.isBlank()) {
            return new Setting(v.trim(), "-D" + property, 0);
        }
        String env = OptionValues.environmentName(key);
        v = environment.get(env);
        if (v != null && !v.isBlank()) {
            return new Setting(v.trim(), env, 0);
        }
        return null;
    }
}
