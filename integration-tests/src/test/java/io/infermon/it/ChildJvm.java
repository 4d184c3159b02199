package io.infermon.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program in a child JVM, as a user would: the example apps with or without {@code -javaagent}, and the
 * processor with {@code java -jar}. Output goes to a log file that failures quote.
 */
final class ChildJvm {
    static final Path AGENT_JAR = Path.of(System.getProperty("infermon.agent.jar"));
    static final Path PROCESSOR_JAR = Path.of(System.getProperty("infermon.processor.jar"));

    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> programArgs = new ArrayList<>();
    private String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private Path log;
    private long timeoutSeconds = 300;

    /** An example app: the module's classes plus TensorFlow on the class path, main class {@code mainClass}. */
    static ChildJvm app(String mainClass) throws IOException {
        String deps = Files.readString(Path.of(System.getProperty("infermon.app.classpath.file"))).trim();
        ChildJvm jvm = new ChildJvm();
        jvm.jvmArgs.add("-cp");
        jvm.jvmArgs.add(System.getProperty("infermon.app.classes") + File.pathSeparator + deps);
        jvm.programArgs.add(mainClass);
        return jvm;
    }

    /** A program with the given class path and main class. */
    static ChildJvm classpath(String classpath, String mainClass) {
        ChildJvm jvm = new ChildJvm();
        jvm.jvmArgs.add("-cp");
        jvm.jvmArgs.add(classpath);
        jvm.programArgs.add(mainClass);
        return jvm;
    }

    /** The example apps' class path: the module's classes and TensorFlow. */
    static String appClasspath() throws IOException {
        return System.getProperty("infermon.app.classes") + File.pathSeparator
                + Files.readString(Path.of(System.getProperty("infermon.app.classpath.file"))).trim();
    }

    /** {@code java -jar JAR}. */
    static ChildJvm jar(Path jar) {
        ChildJvm jvm = new ChildJvm();
        jvm.programArgs.add("-jar");
        jvm.programArgs.add(jar.toString());
        return jvm;
    }

    /** The processor, exactly as the README runs it. */
    static ChildJvm processor() {
        ChildJvm jvm = new ChildJvm();
        jvm.programArgs.add("-jar");
        jvm.programArgs.add(PROCESSOR_JAR.toString());
        return jvm;
    }

    ChildJvm withAgent(Path queueDir) {
        jvmArgs.add(0, "-javaagent:" + AGENT_JAR);
        jvmArgs.add("-Dinfermon.queue.dir=" + queueDir);
        return this;
    }

    ChildJvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    ChildJvm args(String... args) {
        programArgs.addAll(List.of(args));
        return this;
    }

    ChildJvm javaExecutable(Path javaHome) {
        this.java = javaHome.resolve("bin/java").toString();
        return this;
    }

    ChildJvm log(Path file) {
        this.log = file;
        return this;
    }

    /** Runs to completion; fails with the log's contents unless the exit code is 0. */
    String runOk() throws Exception {
        Result r = run();
        if (r.exitCode() != 0) {
            throw new AssertionError("exit code " + r.exitCode() + " from " + r.command() + "\n" + r.output());
        }
        return r.output();
    }

    Result run() throws Exception {
        Running r = start();
        if (!r.process().waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            r.process().destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + r.command() + "\n" + r.output());
        }
        return new Result(r.process().exitValue(), r.command(), r.output());
    }

    /** Starts the child and returns at once; its output accumulates in the log. */
    Running start() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmArgs);
        command.addAll(programArgs);
        Path out = log != null ? log : Files.createTempFile("child-jvm", ".log");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new Running(p, String.join(" ", command), out);
    }

    record Result(int exitCode, String command, String output) {
    }

    record Running(Process process, String command, Path log) {
        String output() throws IOException {
            return Files.readString(log);
        }
    }
}
