package io.infermon.processor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.OutputFixture;
import io.infermon.processor.alerts.AlertsFile;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver; .ci/run installs them): the page
 * loads, every chart has one point per bucket, new buckets and label windows (which come after their buckets)
 * appear without a reload, alerts opened and resolved (alerts.jsonl, written by the fixture's rules) appear in the
 * Alerts section without a reload, the feature filter and sort work, and a screenshot is saved to
 * {@code target/dashboard.png}.
 */
class DashboardBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private ChromeDriver browser;
    private DashboardServer server;

    @BeforeEach
    void browser() {
        assertThat(CHROMIUM).as("Debian's chromium; install with: apt-get install -y chromium chromium-driver "
                + "(.ci/run does)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver").isExecutable();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,2600", "--hide-scrollbars");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log")).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Points of each dataset of the chart on {@code canvas}, as Chart.js laid them out (its dataset metadata). */
    @SuppressWarnings("unchecked")
    private List<Long> points(String canvasSelector) {
        return (List<Long>) js("const c = document.querySelector(arguments[0]); const ch = c && Chart.getChart(c);"
                + "return ch ? ch.data.datasets.map((d, i) => ch.getDatasetMeta(i).data.length) : null;",
                canvasSelector);
    }

    /** Per dataset of the chart on {@code canvas}: its label and how many of its values are not null. */
    @SuppressWarnings("unchecked")
    private List<String> nonNullPoints(String canvasSelector) {
        return (List<String>) js("const c = document.querySelector(arguments[0]); const ch = c && Chart.getChart(c);"
                + "return ch ? ch.data.datasets.map(d => d.label + ': ' + d.data.filter(v => v !== null).length)"
                + " : null;", canvasSelector);
    }

    @Test
    void chartsShowEveryBucketUpdateLiveAndTheFeatureTableFiltersAndSorts() throws Exception {
        // the browser first sees half the run, then the rest is appended as a live processor would
        List<String> lines = Files.readAllLines(OutputFixture.shared().resolve("metrics.jsonl"));
        int half = firstLineOfBucket(lines, OutputFixture.T0_SECONDS + 4L * OutputFixture.BUCKET_SECONDS);
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.write(out.resolve("metrics.jsonl"), lines.subList(0, half));
        server = DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, null), out, null, 100);
        browser.get(server.url().toString());

        for (String version : OutputFixture.VERSIONS) {
            await().atMost(Duration.ofSeconds(30)).until(() -> points(volume(version)), p -> p != null
                    && p.equals(List.of(4L, 4L, 4L, 4L)));
        }
        // the processor writes label windows after their buckets: none in the first half
        assertThat(browser.findElement(By.id("labels-empty")).isDisplayed()).isTrue();
        assertThat(browser.findElements(By.cssSelector("canvas[data-chart=labels]"))).isEmpty();
        Files.write(out.resolve("metrics.jsonl"), lines.subList(half, lines.size()), StandardOpenOption.APPEND);
        long n = OutputFixture.BUCKETS;
        for (String version : OutputFixture.VERSIONS) {
            // rows, calls, latency p50 and p99: one point per bucket each
            await().atMost(Duration.ofSeconds(30)).until(() -> points(volume(version)),
                    p -> p != null && p.equals(List.of(n, n, n, n)));
            // ten classes, stacked
            assertThat(points("canvas[data-chart=classes][data-version='" + version + "']"))
                    .hasSize(10).containsOnly(n);
            // pred1 and spread12: q25, q75 and median each
            assertThat(points("canvas[data-chart=confidence][data-version='" + version + "']"))
                    .hasSize(6).containsOnly(n);
        }
        // label windows of every bucket, read after the buckets were shown: accuracy and coverage per window, one
        // point per bucket each
        List<String> perWindow = OutputFixture.LABEL_WINDOWS.stream()
                .flatMap(w -> java.util.stream.Stream.of("accuracy " + w + ": " + n, "coverage " + w + ": " + n))
                .toList();
        for (String version : OutputFixture.VERSIONS) {
            await().atMost(Duration.ofSeconds(30)).until(() -> nonNullPoints(labels(version)),
                    p -> perWindow.equals(p));
            // the latest windows' numbers: the fixture labels 40% of the rows within 2 minutes, 80% within 5
            String latest = "table[data-labels-latest][data-version='" + version + "'] tr[data-row='label coverage'] td";
            assertThat(browser.findElements(By.cssSelector(latest)).stream().map(e -> e.getText()).toList())
                    .containsExactly("label coverage", "40.0%", "80.0%");
        }
        assertThat(browser.findElement(By.id("labels-empty")).isDisplayed()).isFalse();
        // the canary's accuracy falls once its inputs drift (the labels disagree with a third of its answers)
        String accuracy = "table[data-labels-latest][data-version='2'] tr[data-row='accuracy'] td";
        assertThat(browser.findElements(By.cssSelector(accuracy)).stream().map(e -> e.getText()).toList())
                .containsExactly("accuracy", "0.625", "0.656");
        // the agents' health, one point per bucket
        await().atMost(Duration.ofSeconds(30)).until(() -> points("#agents-chart"),
                p -> p != null && p.equals(List.of(n, n, n, n)));
        // the chart's latest p99 is the bucket's: calls of 2, 4 and 6 ms
        assertThat(js("const ch = Chart.getChart(document.querySelector(arguments[0]));"
                + "return ch.data.datasets[3].data[ch.data.datasets[3].data.length - 1];", volume("2")))
                .isEqualTo(6L);

        // alerts: none in the first half of the run; the processor's events then come in two parts, split before the
        // last resolve, so the page shows that alert open first and then no longer open
        await().atMost(Duration.ofSeconds(30)).until(() -> js("return alertState.last") != null);
        assertThat(browser.findElements(By.cssSelector("#alerts-section tr[data-alert]"))).isEmpty();
        assertThat(browser.findElement(By.id("alerts-history-empty")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("alerts-badge")).isDisplayed()).isFalse();
        List<String> alertLines = Files.readAllLines(OutputFixture.shared().resolve(AlertsFile.NAME));
        int lastResolve = -1;
        for (int i = 0; i < alertLines.size(); i++) {
            if (JSON.readTree(alertLines.get(i)).get("state").asText().equals("resolved")) {
                lastResolve = i;
            }
        }
        assertThat(lastResolve).as("the fixture's " + OutputFixture.STABLE_ALERT + " resolves").isPositive();
        Files.write(out.resolve(AlertsFile.NAME), alertLines.subList(0, lastResolve));
        List<String> openBefore = openAlerts(alertLines.subList(0, lastResolve));
        assertThat(openBefore).contains(OutputFixture.STABLE_ALERT + " digits 1");
        await().atMost(Duration.ofSeconds(30)).until(this::openAlertRows, openBefore::equals);
        assertThat(historyRows()).hasSize(lastResolve);
        assertThat(browser.findElement(By.id("alerts-badge")).getText()).isEqualTo(openBefore.size() + " alerts open");
        Files.write(out.resolve(AlertsFile.NAME), alertLines.subList(lastResolve, alertLines.size()),
                StandardOpenOption.APPEND);
        // the canary's drift never ends: its alert stays open, since the second drifted bucket (for: 2)
        List<String> openAfter = openAlerts(alertLines);
        assertThat(openAfter).containsExactly(OutputFixture.CANARY_ALERT + " digits 2");
        await().atMost(Duration.ofSeconds(30)).until(this::openAlertRows, openAfter::equals);
        assertThat(browser.findElement(By.id("alerts-none")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("alerts-badge")).getText()).isEqualTo("1 alert open");
        JsonNode canary = JSON.readTree(alertLines.stream().filter(l -> l.contains(OutputFixture.CANARY_ALERT))
                .findFirst().orElseThrow());
        long openedOn = OutputFixture.T0_SECONDS + (OutputFixture.DRIFT_FROM + 1L) * OutputFixture.BUCKET_SECONDS;
        assertThat(canary.get("bucket").asLong()).isEqualTo(openedOn);
        // alert, model, version, series, metric, value, condition, open since
        assertThat(cells("#alerts-open tr[data-alert]")).containsExactly(OutputFixture.CANARY_ALERT,
                OutputFixture.MODEL, "2", "–", "drift_share", String.format(java.util.Locale.ROOT, "%.3f", canary.get("value").asDouble()),
                "above 0.5", utc(openedOn));
        // every event, newest first: the stable version's alert resolved last
        List<String> states = alertLines.stream().map(l -> {
            try {
                JsonNode e = JSON.readTree(l);
                return e.get("state").asText() + " " + e.get("alert").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
        java.util.Collections.reverse(states);
        assertThat(historyRows()).containsExactlyElementsOf(states)
                .startsWith("resolved " + OutputFixture.STABLE_ALERT);

        // the feature table: version 2, all 64 features with a sparkline each
        browser.findElement(By.cssSelector("#feature-version option[value='2|serving_default']")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> featureRows().size() == 64);
        assertThat(points("#spark-feat_20")).containsExactly(n);
        browser.findElement(By.id("feature-filter")).sendKeys("feat_1");
        // feat_1 and feat_10 .. feat_19
        await().atMost(Duration.ofSeconds(10)).until(() -> featureRows().size() == 11);
        assertThat(featureRows()).allMatch(r -> r.startsWith("feat_1"));
        assertThat(browser.findElement(By.id("feature-count")).getText()).isEqualTo("11 of 64 features");
        browser.findElement(By.id("feature-filter")).clear();
        browser.findElement(By.id("feature-filter")).sendKeys(" ");
        await().atMost(Duration.ofSeconds(10)).until(() -> featureRows().size() == 64);
        browser.findElement(By.id("feature-drifted")).click();
        long drifted = server.history().latest().stream().filter(b -> b.model().version().equals("2"))
                .findFirst().orElseThrow().driftedFeatures();
        assertThat(drifted).isGreaterThan(10);
        await().atMost(Duration.ofSeconds(10)).until(() -> featureRows().size() == drifted);
        // sort by PSI, largest first (the second click on a column sorts descending)
        browser.findElement(By.cssSelector("#features th[data-column=psi]")).click();
        browser.findElement(By.cssSelector("#features th[data-column=psi]")).click();
        List<Double> psi = browser.findElements(By.cssSelector("#features tr[data-feature] td:nth-child(6)"))
                .stream().map(e -> Double.parseDouble(e.getText())).toList();
        assertThat(psi).hasSize((int) drifted).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        browser.findElement(By.id("feature-drifted")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> featureRows().size() == 64);

        // versions side by side: the latest bucket of each
        String compare = browser.findElement(By.id("compare")).getText();
        assertThat(compare).contains("version 1 [serving_default]", "version 2 [serving_default]");
        assertThat(browser.findElement(By.id("status")).getText()).contains("2 version(s), 16 buckets");

        js("window.scrollTo(0, 0)");
        Path shot = Path.of("target", "dashboard.png");
        Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isGreaterThan(20_000);
    }

    /** Per alert open after these events of alerts.jsonl, oldest opening first: "alert model version". */
    private static List<String> openAlerts(List<String> events) throws java.io.IOException {
        java.util.Map<String, String> open = new java.util.LinkedHashMap<>();
        for (String line : events) {
            JsonNode e = JSON.readTree(line);
            String key = e.get("alert").asText() + " " + e.get("series");
            if (e.get("state").asText().equals("open")) {
                open.put(key, e.get("alert").asText() + " " + e.get("series").get("model").asText() + " "
                        + e.get("series").get("model_version").asText());
            } else {
                open.remove(key);
            }
        }
        return List.copyOf(open.values());
    }

    /** The open alerts the page shows: "alert model version" per row (read in one script: the page redraws). */
    @SuppressWarnings("unchecked")
    private List<String> openAlertRows() {
        return (List<String>) js("return [...document.querySelectorAll('#alerts-open tr[data-alert]')].map(r =>"
                + " r.dataset.alert + ' ' + r.dataset.model + ' ' + r.dataset.version);");
    }

    /** The history the page shows: "state alert" per row, as the page orders them. */
    @SuppressWarnings("unchecked")
    private List<String> historyRows() {
        return (List<String>) js("return [...document.querySelectorAll('#alerts-history tr[data-alert]')].map(r =>"
                + " r.dataset.state + ' ' + r.dataset.alert);");
    }

    /** The text of each cell of the rows {@code rowSelector} selects. */
    @SuppressWarnings("unchecked")
    private List<String> cells(String rowSelector) {
        return (List<String>) js("return [...document.querySelectorAll(arguments[0] + ' td')].map(c => c.textContent);",
                rowSelector);
    }

    /** A bucket start as the page writes it, e.g. 2026-11-18 11:07:40. */
    private static String utc(long seconds) {
        return java.time.Instant.ofEpochSecond(seconds).toString().replace('T', ' ').substring(0, 19);
    }

    private static String labels(String version) {
        return "canvas[data-chart=labels][data-version='" + version + "']";
    }

    private static String volume(String version) {
        return "canvas[data-chart=volume][data-version='" + version + "']";
    }

    private List<String> featureRows() {
        return browser.findElements(By.cssSelector("#features tr[data-feature]")).stream()
                .map(e -> e.getAttribute("data-feature")).toList();
    }

    /** The index of the first line of the bucket starting at {@code start} (lines of one bucket are together). */
    private static int firstLineOfBucket(List<String> lines, long start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"timestamp\":" + start + ",")) {
                return i;
            }
        }
        throw new IllegalStateException("no bucket at " + start);
    }
}
