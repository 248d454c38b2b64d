package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One in-process run of the CLI through its real entry ({@link ReasoningCli#newCommandLine()}), with stdout and
 * stderr captured.
 *
 * @param exit the exit code
 * @param out  what went to stdout
 * @param err  what went to stderr
 */
record CliRun(int exit, String out, String err) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs {@code reasoning args...}. */
    static CliRun of(String... args) {
        CommandLine commandLine = ReasoningCli.newCommandLine();
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int exit = commandLine.execute(args);
            return new CliRun(exit, captured.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    /**
     * Asserts the CLI's bad-input contract: exit 2, one line on stderr naming {@code named}, nothing on stdout.
     */
    void assertBadInput(String named) {
        assertThat(exit).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(err.strip().lines()).hasSize(1);
        assertThat(err).contains(named);
        assertThat(out).isEmpty();
    }

    /**
     * Asserts the CLI's contract for a run whose model calls failed: exit 1, one line on stderr beginning with
     * {@code opening}, nothing on stdout.
     */
    void assertFailedRun(String opening) {
        assertThat(exit).as(err + out).isEqualTo(ReasoningCli.EXIT_FAILURE);
        assertThat(out).isEmpty();
        assertThat(err.strip().lines()).hasSize(1);
        assertThat(err).startsWith(opening);
    }

    /**
     * Runs {@code reasoning command args...}, asserts it exited 0 (with its stderr as the reason when not), and returns
     * its stdout as JSON.
     */
    static JsonNode succeeded(String command, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        CliRun run = of(all.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json();
    }

    /** {@code json} without its top-level wall time, the one figure a rerun may change. */
    static JsonNode withoutWallTime(JsonNode json) {
        ObjectNode copy = json.deepCopy();
        copy.remove("wall_ms");
        return copy;
    }

    /** Stdout as JSON. */
    JsonNode json() throws IOException {
        return JSON.readTree(out);
    }
}
