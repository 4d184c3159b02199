package io.infermon.processor.otlp;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP metrics receiver for the tests: {@code POST /v1/metrics} with a binary protobuf
 * {@code ExportMetricsServiceRequest}, decoded with the official OTLP messages ({@code io.opentelemetry.proto}), as a
 * collector's otlp receiver does. It keeps every request's headers and every data point, and answers 200 with an
 * {@code ExportMetricsServiceResponse}, or the status it is told to answer with.
 */
final class OtlpReceiver implements AutoCloseable {

    /**
     * One data point as received: its metric's name, unit and kind ({@code gauge} or {@code sum}, with temporality
     * and monotonicity for a sum), its attributes, start and time in nanoseconds, and value.
     */
    record Point(String name, String unit, String kind, Map<String, String> attributes, long startNanos,
                 long timeNanos, double value) {
    }

    private final HttpServer server;
    private io.grpc.Server grpc;
    private final List<Point> points = new ArrayList<>();
    private final List<Map<String, String>> resources = new ArrayList<>();
    private final List<String> scopes = new ArrayList<>();
    private final List<Map<String, List<String>>> headers = new ArrayList<>();
    private volatile int status = 200;

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1, on {@code port} (0: any free port). */
    static OtlpReceiver start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        OtlpReceiver r = new OtlpReceiver(server);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/v1/metrics", exchange -> {
            try (exchange) {
                byte[] body;
                try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(
                        "Content-Encoding")) ? new GZIPInputStream(exchange.getRequestBody())
                        : exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                int answer = r.status;
                if (answer == 200) {
                    r.accept(ExportMetricsServiceRequest.parseFrom(body), exchange.getRequestHeaders());
                }
                byte[] response = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(answer, response.length == 0 ? -1 : response.length);
                if (response.length > 0) {
                    exchange.getResponseBody().write(response);
                }
            }
        });
        server.start();
        return r;
    }

    /** The same receiver over gRPC: OTLP's {@code MetricsService/Export} on 127.0.0.1, any free port. */
    static OtlpReceiver startGrpc() throws IOException {
        OtlpReceiver r = new OtlpReceiver(null);
        r.grpc = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
                .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .intercept(new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call,
                            io.grpc.Metadata metadata, io.grpc.ServerCallHandler<Q, A> next) {
                        Map<String, List<String>> h = new TreeMap<>();
                        for (String key : metadata.keys()) {
                            if (!key.endsWith(io.grpc.Metadata.BINARY_HEADER_SUFFIX)) {
                                h.put(key, List.of(String.valueOf(metadata.get(io.grpc.Metadata.Key.of(key,
                                        io.grpc.Metadata.ASCII_STRING_MARSHALLER)))));
                            }
                        }
                        return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(GRPC_HEADERS, h),
                                call, metadata, next);
                    }
                })
                .addService(new io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(ExportMetricsServiceRequest request,
                                       io.grpc.stub.StreamObserver<ExportMetricsServiceResponse> response) {
                        r.accept(request, GRPC_HEADERS.get());
                        response.onNext(ExportMetricsServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                }).build().start();
        return r;
    }

    /** A gRPC call's request headers, handed from the interceptor to the service. */
    private static final io.grpc.Context.Key<Map<String, List<String>>> GRPC_HEADERS = io.grpc.Context.key("headers");

    private synchronized void accept(ExportMetricsServiceRequest request, Map<String, List<String>> requestHeaders) {
        headers.add(new TreeMap<>(requestHeaders));
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            resources.add(attributes(rm.getResource().getAttributesList()));
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                scopes.add(sm.getScope().getName() + " " + sm.getScope().getVersion());
                for (Metric m : sm.getMetricsList()) {
                    List<NumberDataPoint> data;
                    String kind;
                    if (m.hasGauge()) {
                        data = m.getGauge().getDataPointsList();
                        kind = "gauge";
                    } else if (m.hasSum()) {
                        data = m.getSum().getDataPointsList();
                        kind = "sum " + (m.getSum().getAggregationTemporality()
                                == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA ? "delta" : "cumulative")
                                + (m.getSum().getIsMonotonic() ? " monotonic" : "");
                    } else {
                        throw new IllegalArgumentException("unexpected metric kind: " + m);
                    }
                    for (NumberDataPoint p : data) {
                        double value = p.hasAsDouble() ? p.getAsDouble() : p.getAsInt();
                        points.add(new Point(m.getName(), m.getUnit(), kind, attributes(p.getAttributesList()),
                                p.getStartTimeUnixNano(), p.getTimeUnixNano(), value));
                    }
                }
            }
        }
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> a = new TreeMap<>();
        list.forEach(kv -> a.put(kv.getKey(), kv.getValue().getStringValue()));
        return a;
    }

    /** From now on answer every request with this HTTP status (and keep nothing unless it is 200). */
    void answer(int status) {
        this.status = status;
    }

    int port() {
        return server != null ? server.getAddress().getPort() : grpc.getPort();
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }

    synchronized List<Map<String, String>> resources() {
        return List.copyOf(resources);
    }

    synchronized List<String> scopes() {
        return List.copyOf(scopes);
    }

    synchronized List<Map<String, List<String>>> headers() {
        return List.copyOf(headers);
    }

    /** Stops listening: the next connections are refused, as by a collector that is down. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
        if (grpc != null) {
            grpc.shutdownNow();
        }
    }
}
