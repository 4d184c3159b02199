package io.infermon.processor.cli;

import io.infermon.processor.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code infermon} command line. */
@Command(name = "infermon", mixinStandardHelpOptions = true, version = "infermon 0.1.0",
        description = "Monitor machine-learning inference captured by the infermon agent.",
        subcommands = {RunCommand.class, ReferenceCommand.class, MergeCommand.class, SendCommand.class,
                TailCommand.class, DashboardCommand.class, LabelsCommand.class, ValidateCommand.class,
                DemoCommand.class, FleetCommand.class})
public final class InfermonCli {

    public static void main(String[] args) {
        System.exit(create().execute(args));
    }

    /**
     * The command line as {@code main} runs it: configuration problems are printed alone (each with its file and
     * line), without the usage help that follows other parameter errors.
     */
    public static CommandLine create() {
        CommandLine cmd = new CommandLine(new InfermonCli());
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(ex.getMessage());
            if (!(ex instanceof ConfigException) && !CommandLine.UnmatchedArgumentException.printSuggestions(ex,
                    c.getErr())) {
                c.usage(c.getErr(), c.getColorScheme());
            }
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        // a failure is a sentence naming what and where; the stack trace only on request
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("infermon " + c.getCommandName() + ": " + describe(ex));
            if (Boolean.getBoolean(DEBUG_PROPERTY)) {
                ex.printStackTrace(c.getErr());
            } else {
                c.getErr().println("(java -D" + DEBUG_PROPERTY + "=true -jar ... shows the stack trace)");
            }
            c.getErr().flush();
            return c.getCommandSpec().exitCodeOnExecutionException();
        });
        return cmd;
    }

    static final String DEBUG_PROPERTY = "infermon.debug";

    /**
     * One line for a failure: a file system error as what happened to which file (its message is often just the
     * path), anything else as its message, then the messages of its causes that add something.
     */
    static String describe(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.NoSuchFileException f) {
                return "no such file: " + f.getFile();
            }
            if (t instanceof java.nio.file.AccessDeniedException f) {
                return "permission denied: " + f.getFile();
            }
            if (t instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
                return f.getFile() + ": " + f.getReason();
            }
        }
        StringBuilder text = new StringBuilder();
        for (Throwable t = ex; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (!text.toString().contains(m)) {
                text.append(text.length() == 0 ? "" : ": ").append(m);
            }
        }
        return text.toString();
    }
}
