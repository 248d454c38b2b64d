package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.ReasoningException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code reasoning} command-line tool: {@code java -jar reasoning-sdk-examples/target/reasoning.jar}.
 *
 * <p>Exit codes: 0 success, 2 bad usage or bad input (with a one-line reason on stderr), 1 any other failure.
 */
@Command(name = "reasoning", mixinStandardHelpOptions = true, version = "reasoning-sdk 0.1.0-SNAPSHOT",
        description = "Accuracy and trust techniques for LLM answers, run offline on the embedded models.",
        subcommands = {
                DemoCommand.class,
                BenchCommand.class,
                JudgeCommand.class,
                MergeCommand.class,
                CommandLine.HelpCommand.class
        })
public final class ReasoningCli implements Runnable {

    /** Exit code for bad usage or bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for a failure that is not the caller's input. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Runs the tool and exits with its code. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the tool and returns its exit code (for tests). */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** The configured command line: bad input exits 2 with one line, other failures exit 1 with one line. */
    static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new ReasoningCli());
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            boolean badInput = exception instanceof IllegalArgumentException
                    || exception instanceof java.nio.file.NoSuchFileException
                    || exception instanceof CommandLine.ParameterException;
            cmd.getErr().println("reasoning: " + describe(exception));
            if (System.getenv("REASONING_DEBUG") != null) {
                exception.printStackTrace(cmd.getErr());
            }
            return badInput ? EXIT_BAD_INPUT : EXIT_FAILURE;
        });
        return commandLine;
    }

    private static String describe(Throwable exception) {
        String kind = exception instanceof ReasoningException ? "" : exception.getClass().getSimpleName() + ": ";
        return kind + exception.getMessage();
    }
}
