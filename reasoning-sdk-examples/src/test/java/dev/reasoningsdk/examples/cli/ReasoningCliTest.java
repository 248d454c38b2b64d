package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ReasoningCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = ReasoningCli.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void helpListsTheSubcommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("demo", "bench", "Usage: reasoning");
    }

    @Test
    void benchHelpListsTheSamplerBenchmark() {
        assertThat(run("bench", "--help")).isZero();
        assertThat(out.toString()).contains("sampler");
    }

    @Test
    void runningOutOfMemoryIsOneLineAndExitOneNotAStackTrace() {
        // The embedded model's batch of 2^31 - 1 samples asks for an array no JVM can hold: it fails at once.
        assertThat(run("solve", "--method", "majority", "--samples", "2147483647", "What is 3 + 4?"))
                .isEqualTo(ReasoningCli.EXIT_FAILURE);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("reasoning: out of memory (").contains("java -Xmx");
    }

    @Test
    void anUnknownSubcommandIsBadUsage() {
        assertThat(run("frobnicate")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("frobnicate");
    }

    @Test
    void badUsageIsOneLinePointingAtTheCommandsHelp() {
        String[][] cases = {
                {"judge", "Who won?", "--max-calls", "99999999999"},
                {"generate", "--user", "hi"},
                {"serve", "--port", "eighty"},
                {"merge", "--bogus", "a.yml", "out"},
        };
        String[] named = {"'--max-calls': '99999999999' is not an int", "--model", "'--port': 'eighty'", "--bogus"};
        String[] help = {"reasoning judge --help", "reasoning generate --help", "reasoning serve --help",
                "reasoning merge --help"};
        for (int i = 0; i < cases.length; i++) {
            err.getBuffer().setLength(0);
            assertThat(run(cases[i])).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
            assertThat(err.toString().lines()).as(String.join(" ", cases[i])).singleElement().asString()
                    .startsWith("reasoning: ").contains(named[i]).endsWith("(see '" + help[i] + "')");
        }
    }

    @Test
    void benchWithoutANameIsBadUsage() {
        assertThat(run("bench")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("name a benchmark");
    }

    @Test
    void benchSamplerRejectsANonPositiveCount() {
        assertThat(run("bench", "sampler", "--n", "0")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--n");
    }

    @Test
    void benchSamplerPrintsItsFiguresAsJson() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = run("bench", "sampler", "--json", "--n", "4", "--concurrency", "2", "--latency-ms", "5");
        } finally {
            System.setOut(original);
        }
        assertThat(exit).isZero();
        JsonNode report = new ObjectMapper().readTree(captured.toString(StandardCharsets.UTF_8));
        assertThat(report.get("n").asInt()).isEqualTo(4);
        assertThat(report.get("concurrency").asInt()).isEqualTo(2);
        assertThat(report.has("parallel_efficiency")).isTrue();
        assertThat(report.get("usage").get("samples").asInt()).isEqualTo(4);
        assertThat(report.get("usage").get("model_calls").asInt()).isEqualTo(4);
        assertThat(report.get("usage").get("output_tokens").asLong()).isEqualTo(32);
    }
}
