package dev.reasoningsdk.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code reasoning bench <capability>}: benchmarks that print figures, one JSON object on stdout with
 * {@code --json}, a readable table without, and progress on stderr.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark and print its figures (JSON with --json).",
        subcommands = {
                BenchSamplerCommand.class,
                BenchEncoderCommand.class,
                BenchReasonerCommand.class,
                BenchAggregateCommand.class,
                BenchConfidenceCommand.class,
                BenchRetrievalCommand.class,
                BenchPromptCommand.class,
                BenchMergeCommand.class,
                BenchHmaCommand.class,
                BenchFaultsCommand.class,
                BenchLocalLlmCommand.class,
                BenchSparkCommand.class,
                CommandLine.HelpCommand.class
        })
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark, e.g. 'bench sampler'");
    }
}
