package io.infermon.processor.dashboard;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.infermon.processor.labels.Label;
import io.infermon.processor.labels.LabelRows;
import io.infermon.processor.labels.LabelStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/labels}: a JSON array of {@code {id, label}} or {@code {id, value}} rows (optional {@code time}).
 * Good rows are written to the label inbox durably before the answer, which is {@code 200} with
 * {@code {"accepted": n, "rejected": k, "errors": [{"index": i, "error": "..."}]}} (the first 100 errors); a body that
 * is not a JSON array is {@code 400} and nothing is kept. The processor takes the batch from the inbox.
 */
final class LabelsHandler implements HttpHandler {
    /** Largest body accepted. */
    static final int MAX_BODY_BYTES = 32 << 20;
    static final int MAX_ERRORS_SHOWN = 100;

    private final Path labelsDir;
    private final Duration maxFuture;
    private final Runnable onBatch;
    private final ObjectMapper json;

    LabelsHandler(Path labelsDir, Duration maxFuture, Runnable onBatch, ObjectMapper json) {
        this.labelsDir = labelsDir;
        this.maxFuture = maxFuture;
        this.onBatch = onBatch;
        this.json = json;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer(exchange, 405, error("POST a JSON array of {id, label} or {id, value}"));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (body.length > MAX_BODY_BYTES) {
                answer(exchange, 413, error("body larger than " + (MAX_BODY_BYTES >> 20)
                        + " MiB: send smaller batches"));
                return;
            }
            List<Label> good = new ArrayList<>();
            ArrayNode errors = json.createArrayNode();
            int rejected = 0;
            long now = System.currentTimeMillis();
            try (JsonParser p = json.createParser(body)) {
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    answer(exchange, 400, error("the body must be a JSON array of {id, label} or {id, value}"));
                    return;
                }
                int index = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                    if (t == null) {
                        throw new IOException("the array is not closed");
                    }
                    JsonNode row = json.readTree(p);
                    try {
                        good.add(LabelRows.fromJson(row, now, now + maxFuture.toMillis()));
                    } catch (LabelRows.BadRow e) {
                        rejected++;
                        if (errors.size() < MAX_ERRORS_SHOWN) {
                            errors.addObject().put("index", index).put("error", e.getMessage());
                        }
                    }
                }
                if (p.nextToken() != null) {
                    throw new IOException("text after the array");
                }
            } catch (IOException e) { // Jackson's parse errors are IOExceptions too
                answer(exchange, 400, error("the body is not a JSON array: " + firstLine(e.getMessage())));
                return;
            }
            try {
                LabelStream.write(labelsDir, new LabelStream.Batch(good, rejected));
            } catch (IOException e) {
                answer(exchange, 503, error("cannot store labels now (" + e.getClass().getSimpleName() + ": "
                        + e.getMessage() + "); nothing was kept, send them again"));
                return;
            }
            onBatch.run();
            ObjectNode out = json.createObjectNode();
            out.put("accepted", good.size());
            out.put("rejected", rejected);
            out.set("errors", errors);
            answer(exchange, 200, out);
        }
    }

    private ObjectNode error(String message) {
        return json.createObjectNode().put("error", message);
    }

    private void answer(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        DashboardServer.send(exchange, status, "application/json", json.writeValueAsBytes(body));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
