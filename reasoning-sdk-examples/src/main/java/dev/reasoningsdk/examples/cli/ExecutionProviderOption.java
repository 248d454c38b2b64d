package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --execution-provider auto|cpu|cuda} for every command that loads an ONNX model: it sets the process-wide
 * switch ({@value ExecutionProvider#PROPERTY}) that every session factory built with defaults reads, so one option
 * reaches the encoder, the tiny reasoner and anything they load.
 *
 * <p>{@code --provider auto|cpu|cuda}, this option's name before the CLI could run remote models, is still accepted
 * as a hidden alias, silently (a warning would break scripts that read stderr), and documented in the README and
 * the CHANGELOG. Commands that run a remote model take {@link ModelOptions} instead, whose {@code --provider} names
 * the model and treats the same three values the same way.
 */
final class ExecutionProviderOption {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--execution-provider", paramLabel = "auto|cpu|cuda",
            description = "Where ONNX models run (default: "
                    + "${sys:reasoning.onnx.provider:-${env:REASONING_ONNX_PROVIDER:-auto}}).")
    void executionProvider(String value) {
        applyOption(value, "--execution-provider");
    }

    @Option(names = "--provider", hidden = true, description = "Deprecated alias of --execution-provider.")
    void deprecatedProvider(String value) {
        applyOption(value, "--provider");
    }

    /**
     * {@link #apply} while picocli parses: it wraps anything else a setter throws as "Could not invoke void
     * ...executionProvider(java.lang.String) with gpu (java.lang.IllegalArgumentException: ...)", so the refusal is
     * rethrown as the parse error it is, and reads as one line like every other bad option.
     */
    private void applyOption(String value, String option) {
        try {
            apply(value, option);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }

    /** Sets the process-wide execution provider from {@code value}, which came from {@code option}. */
    static ExecutionProvider apply(String value, String option) {
        ExecutionProvider provider = ExecutionProvider.parse(value, option);
        System.setProperty(ExecutionProvider.PROPERTY, provider.name());
        return provider;
    }
}
