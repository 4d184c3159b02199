package io.infermon.processor.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Checks a value for a {@code run} option before picocli converts it, so that a bad value in the file, a system
 * property or the environment is reported with its file, line and key, together with every other problem (picocli
 * would stop at the first, without saying where it came from). Uses the option's own converter when it has one,
 * else the same rules as picocli's built-in conversions for the types the options use.
 */
final class OptionValues {
    private OptionValues() {
    }

    /** The key of an option in processor.yaml: its long name without the dashes. */
    static String key(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    /** Whether an option is a setting (not --help or --version, and not the file's own name). */
    static boolean isSetting(OptionSpec o) {
        return !o.usageHelp() && !o.versionHelp() && !key(o).equals(ProcessorConfig.CONFIG_KEY);
    }

    /**
     * The string that joins several values of a repeatable option so that picocli splits it back (a default value
     * is one string). Repeatable options without a natural separator use NUL, which no command-line argument and
     * no path can contain.
     */
    static String separator(OptionSpec o) {
        String regex = o.splitRegex();
        if (regex.equals("\\x00")) {
            return "\u0000";
        }
        if (regex.length() == 1 && !"\\^$.|?*+()[]{}".contains(regex)) {
            return regex;
        }
        throw new IllegalStateException(o.longestName() + " is repeatable but has split regex '" + regex
                + "'; give it split = \"\\\\x00\" (or a one-character separator) so processor.yaml can set it");
    }

    /** Values of a repeatable option given as one text (a system property or environment variable): comma-separated. */
    static List<String> splitOverride(OptionSpec o, String text) {
        if (!o.isMultiValue()) {
            return List.of(text);
        }
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    /** What is wrong with {@code value} for option {@code o}, or null when picocli will take it. */
    static String check(OptionSpec o, String value) {
        List<String> values = o.isMultiValue() && !o.splitRegex().isEmpty()
                ? List.of(value.split(o.splitRegex(), -1)) : List.of(value);
        for (String v : values) {
            String problem = checkOne(o, v);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String checkOne(OptionSpec o, String v) {
        CommandLine.ITypeConverter<?>[] converters = o.converters();
        if (converters != null && converters.length > 0) {
            try {
                converters[0].convert(v);
                return null;
            } catch (CommandLine.TypeConversionException e) {
                return e.getMessage();
            } catch (Exception e) {
                return "'" + v + "' is not valid: " + e.getMessage();
            }
        }
        Class<?> type = o.isMultiValue() ? o.typeInfo().getAuxiliaryTypeInfos().get(0).getType() : o.type();
        String s = v.trim();
        try {
            if (type == String.class) {
                return choice(o, s);
            } else if (type == Path.class) {
                Path.of(s);
            } else if (type == int.class || type == Integer.class) {
                Integer.parseInt(s);
            } else if (type == long.class || type == Long.class) {
                Long.parseLong(s);
            } else if (type == double.class || type == Double.class) {
                if (!Double.isFinite(Double.parseDouble(s))) {
                    return "must be a finite number, not '" + v + "'";
                }
            } else if (type == boolean.class || type == Boolean.class) {
                if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
                    return "must be true or false, not '" + v + "'";
                }
            } else {
                throw new IllegalStateException(o.longestName() + " has type " + type.getName()
                        + ", which processor.yaml cannot check yet: add it to " + OptionValues.class.getName());
            }
        } catch (NumberFormatException e) {
            return "must be " + (type == double.class || type == Double.class ? "a number" : "a whole number")
                    + ", not '" + v + "'";
        } catch (InvalidPathException e) {
            return "'" + v + "' is not a path: " + e.getReason();
        }
        return null;
    }

    /** Options that take one of a few words list them as completion candidates; anything else is refused. */
    private static String choice(OptionSpec o, String v) {
        Iterable<String> candidates = o.completionCandidates();
        if (candidates == null || !candidates.iterator().hasNext()) {
            return null;
        }
        List<String> allowed = new ArrayList<>();
        candidates.forEach(allowed::add);
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v)) {
                return null;
            }
        }
        return "must be one of " + String.join(", ", allowed) + ", not '" + v + "'";
    }

    static final Pattern ENV_UNSAFE = Pattern.compile("[-.]");

    /** {@code INFERMON_PROCESSOR_<KEY>}: upper case, dashes and dots as underscores. */
    static String environmentName(String key) {
        return ProcessorConfig.ENV_PREFIX + ENV_UNSAFE.matcher(key).replaceAll("_").toUpperCase(Locale.ROOT);
    }
}
