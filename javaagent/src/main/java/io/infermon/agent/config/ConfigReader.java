package io.infermon.agent.config;

import io.infermon.config.YamlNode;
import io.infermon.config.ConfigProblem;
import io.infermon.config.KnownKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.openhft.chronicle.queue.RollCycles;

/**
 * Reads the agent's configuration and checks all of it, collecting every problem (with file, line and key) rather
 * than stopping at the first.
 *
 * <p>Where each key's value comes from, first found wins: the system property {@code infermon.<key>}, the
 * environment variable {@code INFERMON_<KEY>} (upper case, dots as underscores), the agent argument
 * ({@code -javaagent:infermon-agent.jar=key=value,key=value}), the file, the default. The file is named by the key
 * {@code config} looked up the same way. Lists (the filters and the method points) come from the file only.
 */
public final class ConfigReader {
    static final String ARGUMENT_SOURCE = "agent argument";
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern JAVA_NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*");
    private static final Map<String, RollCycles> ROLL_CYCLES = new LinkedHashMap<>();

    static {
        ROLL_CYCLES.put("five_minutely", RollCycles.FIVE_MINUTELY);
        ROLL_CYCLES.put("ten_minutely", RollCycles.TEN_MINUTELY);
        ROLL_CYCLES.put("twenty_minutely", RollCycles.TWENTY_MINUTELY);
        ROLL_CYCLES.put("half_hourly", RollCycles.HALF_HOURLY);
        ROLL_CYCLES.put("hourly", RollCycles.FAST_HOURLY);
        ROLL_CYCLES.put("two_hourly", RollCycles.TWO_HOURLY);
        ROLL_CYCLES.put("four_hourly", RollCycles.FOUR_HOURLY);
        ROLL_CYCLES.put("six_hourly", RollCycles.SIX_HOURLY);
        ROLL_CYCLES.put("daily", RollCycles.FAST_DAILY);
        ROLL_CYCLES.put("weekly", RollCycles.WEEKLY);
    }

    private final Function<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Map<String, String> agentArgs = new LinkedHashMap<>();
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final boolean overrides;
    private String fileSource = "agent.yaml";

    private ConfigReader(Function<String, String> systemProperties, Map<String, String> environment,
                         boolean overrides) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.overrides = overrides;
    }

    /** Reads and checks everything; throws with the full list of problems if there are any. */
    public static AgentConfig read(Function<String, String> systemProperties, Map<String, String> environment,
                                   String agentArgs) throws InvalidConfigException {
        ConfigReader r = new ConfigReader(systemProperties, environment, true);
        r.parseAgentArgs(agentArgs);
        Value config = r.override("config");
        YamlNode root = null;
        Path file = null;
        if (config != null) {
            file = Path.of(config.text()).toAbsolutePath();
            root = r.readFile(file, config);
        }
        AgentConfig c = r.build(root == null ? emptyMap() : root, file);
        if (!r.problems.isEmpty()) {
            throw new InvalidConfigException(r.problems, c != null ? c.strict() : r.strictFromOverrides());
        }
        return c;
    }

    /** Checks one file on its own, as {@code java -jar infermon-agent.jar validate FILE} does. */
    public static List<ConfigProblem> validate(Path file) {
        ConfigReader r = new ConfigReader(k -> null, Map.of(), false);
        YamlNode root = r.readFile(file.toAbsolutePath(), null);
        if (root != null) {
            r.build(root, file.toAbsolutePath());
        }
        return List.copyOf(r.problems);
    }

    private static YamlNode emptyMap() {
        return new YamlNode(null, Map.of(), null, 0);
    }

    private YamlNode readFile(Path file, Value namedBy) {
        fileSource = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(new ConfigProblem(namedBy == null ? file.toString() : namedBy.source(), 0, "config",
                    "cannot read the configuration file " + file + " (" + e + ")"));
            return null;
        }
        return YamlNode.parse(text, fileSource, problems);
    }

    private boolean strictFromOverrides() {
        Value v = override("strict");
        return v != null && "true".equalsIgnoreCase(v.text());
    }

    // ------------------------------------------------------------------------------------------------ the keys

    private AgentConfig build(YamlNode root, Path file) {
        Section top = new Section(root, "");
        boolean strict = bool(top.value("strict"), false);
        boolean enabled = bool(top.value("enabled"), true);

        Section queue = top.section("queue");
        Value dir = queue.value("dir");
        Path queueDir = Path.of(dir == null ? "infermon-queue" : dir.text()).toAbsolutePath();
        RollCycles rollCycle = rollCycle(queue.value("roll_cycle"));
        Section retention = queue.section("retention");
        double retentionHours = positiveNumber(retention.value("hours"), 24, "hours");
        long retentionBytes = size(retention.value("bytes"), 4L << 30, 1L << 20, Long.MAX_VALUE);
        retention.rejectUnknown();
        queue.rejectUnknown();

        Section model = top.section("model");
        String modelName = string(model.value("name"));
        String modelVersion = string(model.value("version"));
        model.rejectUnknown();

        Section buffer = top.section("buffer");
        Value bufferValue = buffer.value("bytes");
        long bufferBytes = size(bufferValue, AgentConfig.DEFAULT_BUFFER_BYTES, 1 << 16, 1 << 30);
        if (Long.bitCount(bufferBytes) != 1) {
            problem(bufferValue, "must be a power of two (65536, 1MiB, 32MiB...), not " + bufferBytes);
            bufferBytes = AgentConfig.DEFAULT_BUFFER_BYTES;
        }
        buffer.rejectUnknown();

        Section sampling = top.section("sampling");
        Value rateValue = sampling.value("rate");
        double rate = number(rateValue, 1.0);
        if (rate < 0 || rate > 1) {
            problem(rateValue, "must be between 0 and 1 (the share of calls captured), not " + rateValue.text());
            rate = 1;
        }
        long maxPerSecond = wholeNumber(sampling.value("max_calls_per_second"), 0, 0, Long.MAX_VALUE);
        sampling.rejectUnknown();

        Section capture = top.section("capture");
        Value maxRecordValue = capture.value("max_record_bytes");
        long maxRecord = size(maxRecordValue, bufferBytes / 8, 1024, Integer.MAX_VALUE);
        if (maxRecord > bufferBytes / 8) {
            problem(maxRecordValue, "must be at most an eighth of buffer.bytes (" + bufferBytes / 8
                    + " bytes); raise buffer.bytes for larger records");
            maxRecord = bufferBytes / 8;
        }
        Value oversize = capture.value("oversize");
        boolean truncate = false;
        if (oversize != null) {
            switch (oversize.text().toLowerCase(Locale.ROOT)) {
                case "skip" -> truncate = false;
                case "truncate" -> truncate = true;
                default -> problem(oversize, "must be 'skip' or 'truncate', not '" + oversize.text() + "'");
            }
        }
        capture.rejectUnknown();

        Section health = top.section("health");
        int healthSeconds = (int) wholeNumber(health.value("interval_seconds"), 10, 1, 86_400);
        health.rejectUnknown();

        TensorFlowPoints tensorflow = tensorflow(top.section("tensorflow"));
        Section onnx = top.section("onnxruntime");
        boolean onnxRuntime = bool(onnx.value("enabled"), true);
        onnx.rejectUnknown();
        List<MethodPoint> methods = methods(top.node("methods"));
        top.rejectUnknown();
        return new AgentConfig(enabled, strict, file, queueDir, rollCycle, retentionHours, retentionBytes, modelName,
                modelVersion, rate, maxPerSecond, (int) maxRecord, truncate, (int) bufferBytes, healthSeconds,
                tensorflow, methods, onnxRuntime);
    }

    private TensorFlowPoints tensorflow(Section tf) {
        boolean enabled = bool(tf.value("enabled"), true);
        TensorFlowPoints.Filter signatures = filter(tf.section("signatures"));
        TensorFlowPoints.Filter feeds = filter(tf.section("feeds"));
        TensorFlowPoints.Filter fetches = filter(tf.section("fetches"));
        Section roles = tf.section("roles");
        List<String> features = names(roles, "features");
        List<String> probabilities = names(roles, "probabilities");
        List<String> prediction = names(roles, "prediction");
        List<String> label = names(roles, "label");
        roles.rejectUnknown();
        tf.rejectUnknown();
        return new TensorFlowPoints(enabled, signatures, feeds, fetches, features, probabilities, prediction, label);
    }

    private TensorFlowPoints.Filter filter(Section s) {
        TensorFlowPoints.Filter f = new TensorFlowPoints.Filter(names(s, "include"), names(s, "exclude"));
        s.rejectUnknown();
        return f;
    }

    /** A list of names (a single name is taken as a list of one). */
    private List<String> names(Section s, String key) {
        YamlNode n = s.node(key);
        String path = s.path(key);
        if (n == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (n.isScalar() && n.scalar() != null) {
            out.add(n.scalar());
        } else if (n.isList()) {
            for (YamlNode item : n.list()) {
                if (item.isScalar() && item.scalar() != null && !item.scalar().isBlank()) {
                    out.add(item.scalar());
                } else {
                    problems.add(new ConfigProblem(fileSource, item.line(), path,
                            "must be a list of names, but has an item that is " + item.describe()));
                }
            }
        } else if (!n.isScalar()) {
            problems.add(new ConfigProblem(fileSource, n.line(), path, "must be a list of names, not "
                    + n.describe()));
        }
        return List.copyOf(out);
    }

    private List<MethodPoint> methods(YamlNode n) {
        if (n == null || (n.isScalar() && n.scalar() == null)) {
            return List.of();
        }
        if (!n.isList()) {
            problems.add(new ConfigProblem(fileSource, n.line(), "methods", "must be a list of method points (each "
                    + "item starting with '- class:' or '- implements:'), not " + n.describe()));
            return List.of();
        }
        List<MethodPoint> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n.list().size(); i++) {
            YamlNode item = n.list().get(i);
            String path = "methods[" + i + "]";
            if (!item.isMap()) {
                problems.add(new ConfigProblem(fileSource, item.line(), path, "must be a map (class, method, "
                        + "arguments...), not " + item.describe()));
                continue;
            }
            MethodPoint p = method(new Section(item, path), path, item.line());
            if (p != null) {
                if (!names.add(p.name())) {
                    problems.add(new ConfigProblem(fileSource, item.line(), path + ".name", "the point name '"
                            + p.name() + "' is used twice; give each point its own name"));
                }
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    private MethodPoint method(Section s, String path, int line) {
        int before = problems.size();
        Value className = s.value("class");
        Value implementsName = s.value("implements");
        Value methodName = s.value("method");
        String pattern = null;
        MethodPoint.ClassMatch match = MethodPoint.ClassMatch.EXACT;
        if (className != null && implementsName != null) {
            problem(implementsName, "give either 'class' or 'implements', not both");
        } else if (className != null) {
            pattern = className.text();
            match = pattern.contains("*") || pattern.contains("?") ? MethodPoint.ClassMatch.GLOB
                    : MethodPoint.ClassMatch.EXACT;
            checkClassName(className, pattern, match == MethodPoint.ClassMatch.GLOB);
        } else if (implementsName != null) {
            pattern = implementsName.text();
            match = MethodPoint.ClassMatch.IMPLEMENTATIONS_OF;
            checkClassName(implementsName, pattern, false);
        } else {
            problems.add(new ConfigProblem(fileSource, line, path, "needs 'class' (a name or a glob such as "
                    + "com.acme.*Scorer) or 'implements' (an interface or superclass)"));
        }
        if (methodName == null) {
            problems.add(new ConfigProblem(fileSource, line, path, "needs 'method' (the method's name)"));
        } else if (!JAVA_NAME.matcher(methodName.text()).matches()) {
            problem(methodName, "'" + methodName.text() + "' is not a Java method name");
        }
        List<String> parameters = null;
        if (s.node("parameters") != null) {
            parameters = names(s, "parameters");
        }
        Section model = s.section("model");
        String modelName = string(model.value("name"));
        String modelVersion = string(model.value("version"));
        model.rejectUnknown();

        Role[] roles = new Role[MethodPoint.MAX_ARGUMENTS];
        String getter = null;
        YamlNode args = s.node("arguments");
        if (args != null && !(args.isScalar() && args.scalar() == null)) {
            if (!args.isMap()) {
                problems.add(new ConfigProblem(fileSource, args.line(), path + ".arguments", "must map argument "
                        + "positions to roles (e.g. '0: features'), not " + args.describe()));
            } else {
                for (Map.Entry<String, YamlNode> e : args.map().entrySet()) {
                    String argPath = path + ".arguments." + e.getKey();
                    int index;
                    try {
                        index = Integer.parseInt(e.getKey());
                    } catch (NumberFormatException ex) {
                        index = -1;
                    }
                    if (index < 0 || index >= MethodPoint.MAX_ARGUMENTS) {
                        problems.add(new ConfigProblem(fileSource, e.getValue().line(), argPath, "argument positions "
                                + "are 0 to " + (MethodPoint.MAX_ARGUMENTS - 1) + " (counting from 0), not '"
                                + e.getKey() + "'"));
                        continue;
                    }
                    YamlNode v = e.getValue();
                    String g = null;
                    YamlNode roleNode = v;
                    if (v.isMap()) {
                        Section arg = new Section(v, argPath);
                        Value getterValue = arg.value("getter");
                        if (getterValue != null) {
                            g = getterValue.text();
                            if (!JAVA_NAME.matcher(g).matches()) {
                                problem(getterValue, "'" + g + "' is not a Java method name");
                            }
                        }
                        roleNode = arg.node("role");
                        arg.rejectUnknown();
                        if (roleNode == null) {
                            problems.add(new ConfigProblem(fileSource, v.line(), argPath, "needs 'role'"));
                            continue;
                        }
                    }
                    Role role = role(roleNode, argPath);
                    roles[index] = role;
                    if (g != null) {
                        if (role != Role.ID) {
                            problems.add(new ConfigProblem(fileSource, v.line(), argPath + ".getter",
                                    "a getter is only used with the role 'id'"));
                        }
                        getter = g;
                    }
                }
            }
        }
        Role returnRole = null;
        YamlNode ret = s.node("return");
        if (ret != null) {
            returnRole = role(ret, path + ".return");
            if (returnRole == Role.ID) {
                problems.add(new ConfigProblem(fileSource, ret.line(), path + ".return",
                        "the return value cannot be the request id (the id must be known when the method starts)"));
            }
        }
        Value nameValue = s.value("name");
        s.rejectUnknown();

        int ids = 0;
        boolean values = returnRole != null && returnRole != Role.ID;
        boolean labels = returnRole == Role.LABEL;
        boolean modelValues = returnRole != null && returnRole != Role.ID && returnRole != Role.LABEL;
        for (Role r : roles) {
            ids += r == Role.ID ? 1 : 0;
            values |= r != null && r != Role.ID;
            labels |= r == Role.LABEL;
            modelValues |= r != null && r != Role.ID && r != Role.LABEL;
        }
        if (ids > 1) {
            problems.add(new ConfigProblem(fileSource, line, path + ".arguments", "only one argument can be the id"));
        }
        if (ids == 0 && !values && problems.size() == before) {
            problems.add(new ConfigProblem(fileSource, line, path, "captures nothing: give an argument or the "
                    + "return value a role (features, probabilities, prediction, id, label)"));
        }
        if (labels && modelValues) {
            problems.add(new ConfigProblem(fileSource, line, path, "a point records either labels or model "
                    + "values (features, probabilities, prediction), not both: use two points"));
        }
        if (problems.size() > before) {
            return null;
        }
        String simple = pattern.substring(pattern.lastIndexOf('.') + 1);
        String name = nameValue != null ? nameValue.text() : "method." + simple + "." + methodName.text();
        return new MethodPoint(name, pattern, match, methodName.text(), parameters, modelName, modelVersion, roles,
                getter, returnRole);
    }

    private void checkClassName(Value v, String name, boolean glob) {
        String check = glob ? name.replace("*", "x").replace("?", "x") : name;
        for (String part : check.split("\\.", -1)) {
            if (!JAVA_NAME.matcher(part).matches()) {
                problem(v, "'" + name + "' is not a fully qualified class name" + (glob ? " pattern" : "")
                        + " (like com.acme.Scorer" + (glob ? " or com.acme.*Scorer" : "") + ")");
                return;
            }
        }
    }

    private Role role(YamlNode n, String path) {
        Role r = n.isScalar() && n.scalar() != null ? Role.parse(n.scalar().trim()) : null;
        if (r == null) {
            problems.add(new ConfigProblem(fileSource, n.line(), path, "unknown role " + n.describe()
                    + "; roles are features, probabilities, prediction, id, label"));
        }
        return r;
    }

    // ------------------------------------------------------------------------------------------------ values

    /** A setting's text and where it came from. */
    record Value(String text, String source, int line, String key) {
    }

    private void problem(Value v, String message) {
        problems.add(new ConfigProblem(v.source(), v.line(), v.key(), message));
    }

    private Value override(String key) {
        if (!overrides) {
            return null;
        }
        String property = "infermon." + key;
        String v = systemProperties.apply(property);
        if (v != null && !v.isBlank()) {
            return new Value(v.trim(), "-D" + property, 0, key);
        }
        String env = "INFERMON_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
        v = environment.get(env);
        if (v != null && !v.isBlank()) {
            return new Value(v.trim(), env, 0, key);
        }
        v = agentArgs.get(key);
        if (v != null && !v.isBlank()) {
            return new Value(v.trim(), ARGUMENT_SOURCE, 0, key);
        }
        return null;
    }

    private void parseAgentArgs(String args) {
        if (args == null || args.isBlank()) {
            return;
        }
        for (String part : args.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                problems.add(new ConfigProblem(ARGUMENT_SOURCE, 0, "", "'" + args + "' is not a list of key=value "
                        + "pairs separated by commas (at '" + part + "'); to name a file use config=/path/agent.yaml"));
                return;
            }
            agentArgs.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
    }

    private static String string(Value v) {
        return v == null || v.text().isBlank() ? null : v.text();
    }

    private boolean bool(Value v, boolean fallback) {
        if (v == null) {
            return fallback;
        }
        return switch (v.text().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(v, "must be true or false, not '" + v.text() + "'");
                yield fallback;
            }
        };
    }

    private double number(Value v, double fallback) {
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.text());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(v, "must be a number, not '" + v.text() + "'");
        return fallback;
    }

    private double positiveNumber(Value v, double fallback, String unit) {
        double d = number(v, fallback);
        if (v != null && d < 0) {
            problem(v, "must be a positive number of " + unit + " (0 turns this limit off), not " + v.text());
            return fallback;
        }
        return d;
    }

    private long wholeNumber(Value v, long fallback, long min, long max) {
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.text());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(v, "must be a whole number from " + min + (max == Long.MAX_VALUE ? " up" : " to " + max)
                + ", not '" + v.text() + "'");
        return fallback;
    }

    /** A byte size: a whole number with an optional unit (B, KB, KiB, MB, MiB, GB, GiB, TB, TiB). */
    private long size(Value v, long fallback, long min, long max) {
        if (v == null) {
            return fallback;
        }
        Matcher m = SIZE.matcher(v.text().trim());
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
                long factor = switch (unit) {
                    case "kb" -> 1000L;
                    case "kib" -> 1L << 10;
                    case "mb" -> 1000_000L;
                    case "mib" -> 1L << 20;
                    case "gb" -> 1000_000_000L;
                    case "gib" -> 1L << 30;
                    case "tb" -> 1000_000_000_000L;
                    case "tib" -> 1L << 40;
                    default -> 1L;
                };
                long bytes = Math.multiplyExact(n, factor);
                if (bytes >= min && bytes <= max) {
                    return bytes;
                }
                problem(v, "must be from " + min + " to " + max + " bytes, not " + bytes);
                return fallback;
            } catch (ArithmeticException | NumberFormatException tooLarge) {
                // reported below
            }
        }
        problem(v, "must be a size in bytes such as 65536, 512KiB, 32MiB or 10GB, not '" + v.text() + "'");
        return fallback;
    }

    private RollCycles rollCycle(Value v) {
        if (v == null) {
            return RollCycles.FAST_HOURLY;
        }
        RollCycles c = ROLL_CYCLES.get(v.text().toLowerCase(Locale.ROOT));
        if (c == null) {
            problem(v, "must be one of " + String.join(", ", ROLL_CYCLES.keySet()) + ", not '" + v.text() + "'");
            return RollCycles.FAST_HOURLY;
        }
        return c;
    }

    /** A map in the file under a dotted path; reads values (overrides first) and reports keys nobody asked for. */
    private final class Section {
        private final YamlNode node;
        private final String path;
        private final Set<String> known = new HashSet<>();

        Section(YamlNode node, String path) {
            this.node = node;
            this.path = path;
        }

        String path(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        YamlNode node(String key) {
            known.add(key);
            return node == null || node.map() == null ? null : node.map().get(key);
        }

        /** A scalar setting; a system property, environment variable or agent argument wins over the file. */
        Value value(String key) {
            YamlNode n = node(key);
            String full = path(key);
            if (!full.contains("[")) {
                Value o = override(full);
                if (o != null) {
                    return o;
                }
            }
            if (n == null || (n.isScalar() && n.scalar() == null)) {
                return null;
            }
            if (!n.isScalar()) {
                problems.add(new ConfigProblem(fileSource, n.line(), full, "must be a single value, not "
                        + n.describe()));
                return null;
            }
            return new Value(n.scalar(), fileSource, n.line(), full);
        }

        Section section(String key) {
            YamlNode n = node(key);
            if (n != null && !n.isMap() && !(n.isScalar() && n.scalar() == null)) {
                problems.add(new ConfigProblem(fileSource, n.line(), path(key), "must be a map of settings, not "
                        + n.describe()));
                n = null;
            }
            return new Section(n, path(key));
        }

        void rejectUnknown() {
            if (node == null || node.map() == null) {
                return;
            }
            for (Map.Entry<String, YamlNode> e : node.map().entrySet()) {
                if (!known.contains(e.getKey())) {
                    problems.add(new ConfigProblem(fileSource, e.getValue().line(), path(e.getKey()),
                            KnownKeys.unknown(e.getKey(), known)));
                }
            }
        }
    }
}
