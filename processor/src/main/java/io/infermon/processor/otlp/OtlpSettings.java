package io.infermon.processor.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.autoconfigure.ResourceConfiguration;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.metrics.ConfigurableMetricExporterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Where and how the OTLP export goes. The exporter itself is OpenTelemetry's ({@code opentelemetry-exporter-otlp},
 * found as the SDK's {@code otlp} metric exporter provider), configured the standard way: the
 * {@code OTEL_EXPORTER_OTLP_*} environment variables and {@code otel.exporter.otlp.*} system properties (endpoint,
 * protocol, headers, timeout, compression, certificates...), {@code OTEL_SERVICE_NAME} and
 * {@code OTEL_RESOURCE_ATTRIBUTES}. infermon's own settings ({@code otlp-*} in processor.yaml or on the command line)
 * win over them, since they were given for this processor.
 *
 * <p>The export is on when an endpoint is given either way (and {@code OTEL_SDK_DISABLED} is not {@code true}).
 * Header values are secrets as far as infermon is concerned: they appear in no message, file or {@link #toString}.
 */
public final class OtlpSettings {
    public static final String HTTP = "http/protobuf";
    public static final String GRPC = "grpc";
    static final String SERVICE_NAME = "infermon-processor";

    private final Map<String, String> properties;
    private final String protocol;
    private final URI endpoint;
    private final Duration backoff;
    private final Duration backoffMax;
    private final int batchSize;
    private final long maxBacklogBytes;
    private final Resource resource;
    private final Duration timeout;

    private OtlpSettings(Map<String, String> properties, String protocol, URI endpoint, Duration timeout,
                         Duration backoff, Duration backoffMax, int batchSize, long maxBacklogBytes,
                         Resource resource) {
        this.properties = properties;
        this.protocol = protocol;
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.backoff = backoff;
        this.backoffMax = backoffMax;
        this.batchSize = batchSize;
        this.maxBacklogBytes = maxBacklogBytes;
        this.resource = resource;
    }

    /** What infermon's own options say; null where not given (the standard variables, else defaults, apply). */
    public record Options(String endpoint, String protocol, Duration timeout, Map<String, String> headers,
                          Duration backoff, Duration backoffMax, int batchSize, long maxBacklogMb) {
    }

    /**
     * The settings, or null when the export is off (no endpoint anywhere).
     *
     * @param environment the process environment ({@code OTEL_*} variables are read from it)
     * @param system      the system properties ({@code otel.*} ones are read from them; they win over the
     *                    environment, as in the SDK)
     * @throws IllegalArgumentException with a message that names no secret, when a setting is wrong
     */
    public static OtlpSettings resolve(Options options, Map<String, String> environment, Properties system,
                                       String processorVersion) {
        Map<String, String> raw = new TreeMap<>();
        // the SDK's rule: OTEL_EXPORTER_OTLP_ENDPOINT is otel.exporter.otlp.endpoint
        environment.forEach((k, v) -> {
            if (k.startsWith("OTEL_")) {
                raw.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        system.stringPropertyNames().stream().filter(k -> k.startsWith("otel."))
                .forEach(k -> raw.put(k, system.getProperty(k)));
        // the SDK's own reading of properties (lists, maps, durations), as its exporter providers expect them; its
        // class is in an "internal" package of the SDK, which the version pinned in the pom keeps stable here
        ConfigProperties standard = DefaultConfigProperties.createFromMap(raw);
        if (standard.getBoolean("otel.sdk.disabled", false)) {
            return null;
        }
        String given = blankToNull(options.endpoint());
        if (given == null && blankToNull(standard.getString("otel.exporter.otlp.metrics.endpoint")) == null
                && blankToNull(standard.getString("otel.exporter.otlp.endpoint")) == null) {
            return null;
        }
        Map<String, String> props = new TreeMap<>(raw);
        String protocol = blankToNull(options.protocol());
        if (protocol == null) {
            protocol = standard.getString("otel.exporter.otlp.metrics.protocol",
                    standard.getString("otel.exporter.otlp.protocol", HTTP)); // the OTLP specification's default
        }
        if (!protocol.equals(HTTP) && !protocol.equals(GRPC)) {
            throw new IllegalArgumentException("OTLP protocol must be " + HTTP + " or " + GRPC + ", not '"
                    + protocol + "'");
        }
        props.put("otel.exporter.otlp.metrics.protocol", protocol);
        if (given != null) {
            props.put("otel.exporter.otlp.metrics.endpoint", metricsEndpoint(given, protocol));
        }
        if (options.timeout() != null) {
            props.put("otel.exporter.otlp.metrics.timeout", Long.toString(options.timeout().toMillis()));
        }
        if (options.headers() != null && !options.headers().isEmpty()) {
            // the standard headers (percent-encoded, as the variables hold them), then infermon's on top
            Map<String, String> headers = new LinkedHashMap<>(standard.getMap("otel.exporter.otlp.metrics.headers",
                    standard.getMap("otel.exporter.otlp.headers")));
            options.headers().forEach((k, v) -> headers.put(k, URLEncoder.encode(v, StandardCharsets.UTF_8)));
            StringBuilder joined = new StringBuilder();
            headers.forEach((k, v) -> joined.append(joined.length() == 0 ? "" : ",").append(k).append('=').append(v));
            props.put("otel.exporter.otlp.metrics.headers", joined.toString());
        }
        // one retry policy, infermon's: it retries until the collector takes the metrics, with back-off
        props.put("otel.java.exporter.otlp.retry.disabled", "true");
        ConfigProperties config = DefaultConfigProperties.createFromMap(props);
        String endpoint = config.getString("otel.exporter.otlp.metrics.endpoint");
        if (endpoint == null) {
            String base = config.getString("otel.exporter.otlp.endpoint");
            endpoint = metricsEndpoint(base, protocol);
        }
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the OTLP endpoint is not a URL");
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("the OTLP endpoint must be an http:// or https:// URL with a host, "
                    + "e.g. http://127.0.0.1:4318");
        }
        if (options.batchSize() < 1) {
            throw new IllegalArgumentException("otlp-batch-size must be at least 1");
        }
        if (options.maxBacklogMb() < 1) {
            throw new IllegalArgumentException("otlp-max-backlog-mb must be at least 1");
        }
        OtlpSettings s = new OtlpSettings(Map.copyOf(props), protocol, uri,
                config.getDuration("otel.exporter.otlp.metrics.timeout",
                        config.getDuration("otel.exporter.otlp.timeout", Duration.ofSeconds(10))),
                options.backoff(), options.backoffMax().compareTo(options.backoff()) < 0 ? options.backoff()
                : options.backoffMax(), options.batchSize(), options.maxBacklogMb() << 20,
                resource(config, processorVersion));
        s.exporter().shutdown(); // every setting the exporter checks, checked now, before anything is read
        return s;
    }

    /** The {@code otlp-endpoint} is the collector's address: HTTP sends to its {@code /v1/metrics}, gRPC to it. */
    static String metricsEndpoint(String base, String protocol) {
        if (!protocol.equals(HTTP)) {
            return base;
        }
        return (base.endsWith("/") ? base : base + "/") + "v1/metrics";
    }

    /** service.name (infermon-processor unless set), service.version, host.name, and OTEL_RESOURCE_ATTRIBUTES. */
    private static Resource resource(ConfigProperties config, String processorVersion) {
        Attributes ours = Attributes.builder()
                .put(AttributeKey.stringKey("service.name"), SERVICE_NAME)
                .put(AttributeKey.stringKey("service.version"), processorVersion == null ? "unknown" : processorVersion)
                .put(AttributeKey.stringKey("host.name"), hostName())
                .build();
        Resource environment = ResourceConfiguration.createEnvironmentResource(config);
        Resource merged = Resource.getDefault().merge(Resource.create(ours)).merge(environment);
        boolean named = config.getString("otel.service.name") != null
                || config.getMap("otel.resource.attributes").containsKey("service.name");
        return named ? merged : merged.merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"),
                SERVICE_NAME)));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null ? "unknown" : env;
        }
    }

    /** A new exporter, from OpenTelemetry's {@code otlp} metric exporter provider, with these settings. */
    public MetricExporter exporter() {
        ConfigurableMetricExporterProvider provider = null;
        for (ConfigurableMetricExporterProvider p : ServiceLoader.load(ConfigurableMetricExporterProvider.class,
                OtlpSettings.class.getClassLoader())) {
            if (p.getName().equals("otlp")) {
                provider = p;
            }
        }
        if (provider == null) {
            throw new IllegalStateException("OpenTelemetry's OTLP exporter is missing from the class path");
        }
        try {
            return provider.createExporter(DefaultConfigProperties.createFromMap(properties));
        } catch (ConfigurationException e) {
            // its messages may quote the endpoint; say which setting is wrong without it
            throw new IllegalArgumentException("the OTLP settings are not valid ("
                    + String.valueOf(e.getMessage()).replace(endpoint.toString(), redactedEndpoint()) + ")");
        }
    }

    public String protocol() {
        return protocol;
    }

    /** Scheme, host and port only: a path or query may hold a secret. */
    public String redactedEndpoint() {
        return endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() < 0 ? ""
                : ":" + endpoint.getPort());
    }

    public Duration timeout() {
        return timeout;
    }

    public Duration backoff() {
        return backoff;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    public int batchSize() {
        return batchSize;
    }

    public long maxBacklogBytes() {
        return maxBacklogBytes;
    }

    public Resource resource() {
        return resource;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public String toString() {
        return "OTLP " + protocol + " to " + redactedEndpoint();
    }
}
