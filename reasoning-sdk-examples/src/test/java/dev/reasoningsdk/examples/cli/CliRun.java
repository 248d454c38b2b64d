package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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
     * Asserts the CLI's contract for a run the model failed: exit 1, one line on stderr starting with
     * {@code start}, nothing on stdout.
     */
    void assertModelFailure(String start) {
        assertThat(exit).as(err + out).isEqualTo(ReasoningCli.EXIT_FAILURE);
        assertThat(err.strip().lines()).hasSize(1);
        assertThat(err).startsWith(start);
        assertThat(out).isEmpty();
    }

    /** Stdout as JSON. */
    JsonNode json() throws IOException {
        return JSON.readTree(out);
    }
}
