package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.examples.cli.FaultMatrix.Cell;
import dev.reasoningsdk.examples.cli.FaultMatrix.Client;
import dev.reasoningsdk.examples.cli.FaultMatrix.Component;
import dev.reasoningsdk.examples.cli.FaultMatrix.Fault;
import dev.reasoningsdk.api.Usage;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench faults}: every component that calls a chat model, through the real LangChain4j OpenAI and
 * Ollama clients, against a fault-injecting server on 127.0.0.1 that gives every request one fault (429 with
 * Retry-After, 500, 503, a reset connection, a reply that never comes, a trickle, invalid JSON, an empty answer, a
 * 10 MiB answer; and none, the control). Per component x fault x client it reports the outcome (answer, fallback
 * or exception, with the stop reason or exception type), the calls the server received, the calls and failed calls
 * by kind the component's usage counted, whether tokens are known, and whether the calls stayed within the bound
 * derived from the component and the retry policy. Exits 1 when a cell was not bounded.
 *
 * <p>Every cell has the same limits: a 300 ms call timeout (also the HTTP client's), a 1.2 s deadline per scope, 3
 * attempts per call with a 50 ms backoff capped at 1 s (so a Retry-After of 1 s is waited once); see
 * {@link FaultMatrix}. Wall times are not reported: they follow from these limits.
 */
@Command(name = "faults", mixinStandardHelpOptions = true,
        description = "Each component x each HTTP fault x the OpenAI and Ollama clients: outcome, calls, usage.")
public final class BenchFaultsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--markdown", description = "Print the fault table as Markdown.")
    boolean markdown;

    @Option(names = "--components", split = ",",
            description = "Only these components (default all): ${COMPLETION-CANDIDATES}")
    List<Component> components;

    @Option(names = "--faults", split = ",", description = "Only these faults (default all): ${COMPLETION-CANDIDATES}")
    List<Fault> faults;

    @Override
    public Integer call() {
        if (json && markdown) {
            throw new IllegalArgumentException("--json and --markdown exclude each other");
        }
        List<Component> chosenComponents = components == null ? Arrays.asList(Component.values()) : components;
        List<Fault> chosenFaults = faults == null ? Arrays.asList(Fault.values()) : faults;
        Progress progress = new Progress("bench faults");
        FaultMatrix.warmUp();
        List<Cell> cells = new ArrayList<>();
        long total = (long) chosenComponents.size() * chosenFaults.size() * Client.values().length;
        for (Component component : chosenComponents) {
            for (Fault fault : chosenFaults) {
                for (Client client : Client.values()) {
                    cells.add(FaultMatrix.run(component, fault, client));
                    progress.update(cells.size(), total);
                }
            }
        }
        boolean allBounded = cells.stream().allMatch(Cell::bounded);
        if (markdown) {
            printMarkdown(System.out, cells);
        } else {
            new BenchReport()
                    .put("benchmark", "faults")
                    .put("call_timeout_ms", FaultMatrix.CALL_TIMEOUT.toMillis())
                    .put("deadline_ms", FaultMatrix.DEADLINE.toMillis())
                    .put("roomy_call_timeout_ms", FaultMatrix.ROOMY_CALL_TIMEOUT.toMillis())
                    .put("roomy_deadline_ms", FaultMatrix.ROOMY_DEADLINE.toMillis())
                    .put("retry_after_s", FaultMatrix.RETRY_AFTER.toSeconds())
                    .put("max_attempts", FaultMatrix.RETRY_POLICY.maxAttempts())
                    .put("max_backoff_ms", FaultMatrix.RETRY_POLICY.maxBackoff().toMillis())
                    .put("cells", cells.stream().map(cell -> cell.report().figures()).toList())
                    .put("n_cells", cells.size())
                    .put("bounded_cells", cells.stream().filter(Cell::bounded).count())
                    .put("all_bounded", allBounded)
                    .print(System.out, json);
        }
        return allBounded ? 0 : ReasoningCli.EXIT_FAILURE;
    }

    /** One row per component x fault, the two clients side by side when they agree, else one row each. */
    static void printMarkdown(PrintStream out, List<Cell> cells) {
        out.println("Limits per cell: call timeout " + FaultMatrix.CALL_TIMEOUT.toMillis() + " ms, deadline "
                + FaultMatrix.DEADLINE.toMillis() + " ms per scope where the fault is about time (hang, trickle, "
                + "Retry-After, huge answer), else " + FaultMatrix.ROOMY_CALL_TIMEOUT.toMillis() + " ms and "
                + FaultMatrix.ROOMY_DEADLINE.toMillis() + " ms; " + FaultMatrix.RETRY_POLICY.maxAttempts()
                + " attempts per call, backoff cap " + FaultMatrix.RETRY_POLICY.maxBackoff().toMillis()
                + " ms, Retry-After " + FaultMatrix.RETRY_AFTER.toSeconds() + " s. Calls: at the server / in usage "
                + "/ bound.");
        out.println();
        out.println("| Component | Fault | Client | Outcome | Calls | Failed calls by kind | Tokens known | Bounded |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (Cell cell : cells) {
            Usage usage = cell.outcome().usage().orElse(null);
            String calls = cell.callsAtServer() + " / " + (usage == null ? "-" : usage.modelCalls()) + " / "
                    + cell.component().callBound();
            String failed = usage == null ? "not reported" : usage.failuresByKind().isEmpty() ? "none"
                    : usage.failuresByKind().entrySet().stream()
                            .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue())
                            .collect(Collectors.joining(", "));
            out.printf("| %s | %s | %s | %s: %s | %s | %s | %s | %s |%n", cell.component().label(),
                    cell.fault().label(), cell.client().label(),
                    cell.outcome().kind().name().toLowerCase(Locale.ROOT),
                    cell.outcome().detail().replace("|", "/"), calls, failed,
                    usage == null ? "-" : usage.tokensKnown(), cell.bounded());
        }
        out.flush();
    }
}
