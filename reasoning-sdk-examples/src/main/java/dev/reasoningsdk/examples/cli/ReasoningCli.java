package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.impl.DataFileException;
import dev.reasoningsdk.api.ModelLoadException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NoSuchFileException;
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
                SolveCommand.class,
                ConfidenceCommand.class,
                MergeCommand.class,
                ServeCommand.class,
                GenerateCommand.class,
                ScoreCommand.class,
                VerifierCommand.class,
                StepRewardCommand.class,
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

    /**
     * The configured command line: bad input exits 2 with one line, other failures exit 1 with one line (and the
     * stack trace when {@code REASONING_DEBUG} is set). This is the one place where failures become exit codes.
     * Bad usage (an unknown option, a value that is not a number, a missing parameter) is one line too, pointing at
     * the command's {@code --help} rather than printing the whole usage text after the reason. Running out of memory
     * is one line and exit 1 as well.
     */
    static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new ReasoningCli());
        // Enum options take the lower-case names every other option documents ("--execution-provider cpu" is refused
        // by picocli's default as "expected one of [AUTO, CPU, CUDA] (case-sensitive)").
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // picocli's default prints the whole usage after a parse error; the README promises one line, which also
        // keeps the reason visible in a script's log. The line says where the options are listed.
        commandLine.setParameterExceptionHandler((exception, args) -> {
            CommandLine command = exception.getCommandLine();
            command.getErr().println("reasoning: " + oneLine(exception.getMessage()) + " (see '"
                    + command.getCommandSpec().qualifiedName() + " --help')");
            return EXIT_BAD_INPUT;
        });
        // picocli hands only exceptions to the handler below; an OutOfMemoryError (an option asking for more than the
        // heap holds, such as --samples 2147483647) would leave as a stack trace. It is one line and exit 1 instead.
        commandLine.setExecutionStrategy(parseResult -> {
            try {
                int exit = new CommandLine.RunLast().execute(parseResult);
                if (exit == 0) {
                    // After the run, so a run that fails still says so in one line.
                    DeprecatedOption.warnUsed(parseResult, parseResult.commandSpec().commandLine().getErr());
                }
                return exit;
            } catch (OutOfMemoryError outOfMemory) {
                parseResult.commandSpec().commandLine().getErr().println("reasoning: out of memory ("
                        + oneLine(String.valueOf(outOfMemory.getMessage())) + "): ask for less (fewer samples, "
                        + "a smaller --max-problems) or give Java more heap (java -Xmx...)");
                return EXIT_FAILURE;
            }
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            cmd.getErr().println("reasoning: " + describe(exception));
            if (System.getenv("REASONING_DEBUG") != null) {
                exception.printStackTrace(cmd.getErr());
            }
            return exitCode(exception);
        });
        return commandLine;
    }

    /**
     * {@link #EXIT_BAD_INPUT} for what the caller gave us: a bad argument, a missing file, a path the file system
     * refuses (no such folder, permission denied, not a directory: a {@link FileSystemException}, also when an
     * {@link UncheckedIOException} carries it), a data or config file that is a directory or not UTF-8, a model or
     * checkpoint that is malformed or hostile (every one of these names the file in its message);
     * {@link #EXIT_FAILURE} for anything else (a full disk is a plain {@code IOException}).
     */
    static int exitCode(Exception exception) {
        boolean badInput = exception instanceof IllegalArgumentException
                || exception instanceof FileSystemException
                || exception instanceof UncheckedIOException unchecked
                        && unchecked.getCause() instanceof FileSystemException
                || exception instanceof CommandLine.ParameterException
                || exception instanceof DataFileException
                || exception instanceof ModelLoadException
                || exception instanceof MergeException;
        return badInput ? EXIT_BAD_INPUT : EXIT_FAILURE;
    }

    /** One line: the message (line breaks folded), after the exception's name unless it is one of ours. */
    private static String describe(Throwable exception) {
        String message = exception instanceof FileSystemException refused ? refusal(refused)
                : exception instanceof UncheckedIOException unchecked
                        && unchecked.getCause() instanceof FileSystemException refused
                        ? exception.getMessage() + " (" + refusal(refused) + ")"
                        : exception.getMessage();
        String kind = exception instanceof ReasoningException || exception instanceof FileSystemException ? ""
                : exception.getClass().getSimpleName() + ": ";
        return oneLine(kind + message);
    }

    /** "FILE: why" for a path the file system refused; the JDK leaves the reason out of the common kinds. */
    private static String refusal(FileSystemException refused) {
        String reason = refused.getReason() != null ? refused.getReason()
                : refused instanceof NoSuchFileException ? "no such file"
                : refused instanceof AccessDeniedException ? "permission denied"
                : refused instanceof NotDirectoryException ? "not a directory"
                : refused instanceof FileAlreadyExistsException ? "already exists"
                : refused.getClass().getSimpleName();
        return refused.getFile() + (refused.getOtherFile() != null ? " -> " + refused.getOtherFile() : "") + ": "
                + reason;
    }

    /** {@code text} with its line breaks folded into single spaces. */
    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ");
    }
}
