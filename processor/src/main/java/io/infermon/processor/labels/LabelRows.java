package io.infermon.processor.labels;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;

/**
 * Reads one label row as users write it, in JSON ({@code POST /v1/labels}, JSONL import) or CSV (import):
 * {@code id} (a string or a whole number), exactly one of {@code label} (a class id: a whole number from 0 to
 * 65535) or {@code value} (a regression value: any finite number), and optionally {@code time} (an ISO-8601 instant
 * such as {@code 2026-11-24T10:00:00Z}, or epoch seconds, fractions allowed; default: when the row is received). A
 * row that is not so is refused with a message saying which field is wrong.
 */
public final class LabelRows {
    private LabelRows() {
    }

    /** A row that cannot be a label; the message names the field and what is wrong. */
    public static final class BadRow extends Exception {
        public BadRow(String message) {
            super(message);
        }
    }

    /**
     * @param receivedMillis the row's time when it has none
     * @param latestMillis   the latest time accepted (the processor refuses captures further ahead, too)
     */
    public static Label fromJson(JsonNode row, long receivedMillis, long latestMillis) throws BadRow {
        if (row == null || !row.isObject()) {
            throw new BadRow("not a JSON object");
        }
        for (Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("id") && !name.equals("label") && !name.equals("value") && !name.equals("time")) {
                throw new BadRow("unknown field '" + clip(name) + "' (fields: id, label or value, time)");
            }
        }
        JsonNode id = row.get("id");
        String idText;
        if (id == null || id.isNull()) {
            throw new BadRow("no id");
        } else if (id.isTextual()) {
            idText = id.asText();
        } else if (id.isIntegralNumber()) {
            idText = id.bigIntegerValue().toString();
        } else {
            throw new BadRow("id must be a string or a whole number");
        }
        JsonNode label = row.get("label");
        JsonNode value = row.get("value");
        JsonNode time = row.get("time");
        String labelText = label == null || label.isNull() ? null
                : label.isNumber() || label.isTextual() ? label.asText() : "?" + label.getNodeType();
        String valueText = value == null || value.isNull() ? null
                : value.isNumber() || value.isTextual() ? value.asText() : "?" + value.getNodeType();
        String timeText = time == null || time.isNull() ? null
                : time.isNumber() || time.isTextual() ? time.asText() : "?" + time.getNodeType();
        return of(idText, labelText, valueText, timeText, receivedMillis, latestMillis);
    }

    /** A row from text fields (CSV); null or empty fields are absent. */
    public static Label of(String id, String label, String value, String time, long receivedMillis,
                           long latestMillis) throws BadRow {
        if (id == null || id.isEmpty()) {
            throw new BadRow("no id");
        }
        if (id.length() > Label.MAX_ID_CHARS) {
            throw new BadRow("id longer than " + Label.MAX_ID_CHARS + " characters");
        }
        boolean hasLabel = label != null && !label.isEmpty();
        boolean hasValue = value != null && !value.isEmpty();
        if (hasLabel == hasValue) {
            throw new BadRow(hasLabel ? "both label and value: give label (a class id) or value (a regression value)"
                    : "no label or value");
        }
        double v;
        if (hasLabel) {
            long c;
            try {
                c = Long.parseLong(label.trim());
            } catch (NumberFormatException e) {
                throw new BadRow("label must be a class id, a whole number from 0 to 65535, not '" + clip(label) + "'");
            }
            if (c < 0 || c > 65535) {
                throw new BadRow("label must be a class id from 0 to 65535, not " + c);
            }
            v = c;
        } else {
            try {
                v = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                throw new BadRow("value must be a number, not '" + clip(value) + "'");
            }
            if (!Double.isFinite(v)) {
                throw new BadRow("value must be finite, not " + v);
            }
        }
        long t = time == null || time.isEmpty() ? receivedMillis : parseTime(time.trim());
        if (t > latestMillis) {
            throw new BadRow("time " + Instant.ofEpochMilli(t) + " is in the future (more than the allowed "
                    + "clock difference ahead of this machine)");
        }
        return new Label(id, v, t);
    }

    private static long parseTime(String time) throws BadRow {
        if (time.startsWith("?")) {
            throw new BadRow("time must be an ISO-8601 instant or epoch seconds");
        }
        try {
            double seconds = Double.parseDouble(time);
            if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e13) {
                throw new BadRow("time " + clip(time) + " is not plausible epoch seconds");
            }
            return Math.round(seconds * 1000);
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(time).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new BadRow("time must be an ISO-8601 instant (2026-11-24T10:00:00Z) or epoch seconds, not '"
                        + clip(time) + "'");
            }
        }
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
