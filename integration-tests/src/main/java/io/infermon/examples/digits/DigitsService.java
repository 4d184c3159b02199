package io.infermon.examples.digits;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;

/**
 * A small prediction service of the kind infermon watches, with no infermon code in it: an HTTP server in front of a
 * TensorFlow SavedModel of the digits classifier. It serves one version of the model at a time from a model-server
 * layout ({@code MODELS/<version>}) and can be told to deploy another version while it runs, as a model server does.
 *
 * <pre>
 * DigitsService --models DIR --version N [--port P] [--port-file FILE]
 *   POST /predict   body "request-id\nrow\nrow..." (a form of handwritten digits, one row of 64 comma-separated
 *                   pixel values each)   answer: the predicted digits, comma-separated
 *   POST /deploy    body "version"                     loads DIR/version; later requests are served by it
 *   POST /shutdown
 * </pre>
 *
 * <p>Requests are served one at a time (the server's single thread), so a deploy never overlaps a prediction.
 */
public final class DigitsService {
    private final Path models;
    private volatile Predictor predictor;

    private DigitsService(Path models) {
        this.models = models;
    }

    /** What the web layer hands the model code: the request's id (for tracing, and for joining labels later). */
    public static final class PredictionRequest {
        private final String id;
        private final float[][] pixels;

        PredictionRequest(String id, float[][] pixels) {
            this.id = id;
            this.pixels = pixels;
        }

        public String getRequestId() {
            return id;
        }
    }

    /** One loaded model version. */
    public static final class Predictor implements AutoCloseable {
        private final SavedModelBundle bundle;
        private final String version;

        Predictor(Path dir, String version) {
            this.bundle = SavedModelBundle.load(dir.toString(), "serve");
            this.version = version;
        }

        /** The most likely digit of each row. */
        public int[] predict(PredictionRequest request) {
            try (TFloat32 input = TFloat32.tensorOf(StdArrays.ndCopyOf(request.pixels));
                 Result result = bundle.call(Map.of(DigitsApp.INPUT, input))) {
                TFloat32 scores = (TFloat32) result.get(DigitsApp.OUTPUT).orElseThrow();
                int[] digits = new int[request.pixels.length];
                for (int r = 0; r < digits.length; r++) {
                    for (int c = 1; c < scores.shape().get(1); c++) {
                        if (scores.getFloat(r, c) > scores.getFloat(r, digits[r])) {
                            digits[r] = c;
                        }
                    }
                }
                return digits;
            }
        }

        @Override
        public void close() {
            bundle.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = DigitsApp.options(args);
        DigitsService service = new DigitsService(Path.of(DigitsApp.require(opts, "models")));
        service.deploy(DigitsApp.require(opts, "version"));
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(opts.getOrDefault("port", "0"))),
                0);
        CountDownLatch stopped = new CountDownLatch(1);
        server.createContext("/predict", exchange -> service.handle(exchange, () -> {
            String[] lines = body(exchange).trim().split("\n");
            float[][] pixels = new float[lines.length - 1][];
            for (int r = 0; r < pixels.length; r++) {
                String[] cells = lines[r + 1].trim().split(",");
                pixels[r] = new float[cells.length];
                for (int i = 0; i < cells.length; i++) {
                    pixels[r][i] = Float.parseFloat(cells[i]);
                }
            }
            int[] digits = service.predictor.predict(new PredictionRequest(lines[0], pixels));
            return java.util.Arrays.stream(digits).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(","));
        }));
        server.createContext("/deploy", exchange -> service.handle(exchange, () -> {
            String version = body(exchange).trim();
            service.deploy(version);
            return "serving version " + version;
        }));
        server.createContext("/shutdown", exchange -> service.handle(exchange, () -> {
            stopped.countDown();
            return "bye";
        }));
        server.start();
        int port = server.getAddress().getPort();
        if (opts.containsKey("port-file")) {
            Path file = Path.of(opts.get("port-file"));
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(port));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println("digits service on http://127.0.0.1:" + port + "/ serving version "
                + service.predictor.version);
        stopped.await();
        server.stop(0);
        service.predictor.close();
    }

    private void deploy(String version) {
        if (!version.chars().allMatch(Character::isDigit) || version.isEmpty()) {
            throw new IllegalArgumentException("a version is a number, not '" + version + "'");
        }
        Predictor previous = predictor;
        predictor = new Predictor(models.resolve(version), version);
        if (previous != null) {
            previous.close();
        }
        System.out.println("deployed version " + version);
    }

    private interface Answer {
        String get() throws Exception;
    }

    private void handle(HttpExchange exchange, Answer answer) throws IOException {
        int status;
        String text;
        try {
            text = answer.get();
            status = 200;
        } catch (Exception e) {
            text = e.toString();
            status = 400;
        }
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String body(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }
}
