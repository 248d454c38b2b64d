package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench local-llm} on the qwen3-tiny-random fixture: the figures are there (their values are not checked). */
class BenchLocalLlmCommandTest {

    @Test
    void reportsBothBatchesOnTheFixture() throws IOException {
        CliRun run = CliRun.of("bench", "local-llm", "--json", "--runs", "1", "--tokens", "3");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode report = run.json();
        assertThat(report.get("model").asText()).isEqualTo("qwen3-tiny-random");
        assertThat(report.get("ort_baseline").asText()).isEqualTo(BenchLocalLlmCommand.ORT_BASELINE);
        for (String batch : new String[] {"batch_1", "batch_8"}) {
            assertThat(report.get(batch).get("prompt_tokens").asInt()).isEqualTo(28);
            assertThat(report.get(batch).get("decode_steps").asInt()).isEqualTo(2);
            // Timings are the bench's business, not this test's: a figure or the note saying it could not be taken.
            JsonNode figures = report.get(batch);
            assertThat(figures.has("overhead_ratio") || figures.has("note")).as(figures.toString()).isTrue();
            if (figures.has("overhead_ratio")) {
                assertThat(figures.get("overhead_ratio").asDouble()).isPositive();
                assertThat(figures.get("overhead_ratio_vs_export").asDouble()).isPositive();
            }
        }
    }

    @Test
    void badInputExitsTwo(@TempDir Path empty) {
        for (CliRun run : new CliRun[] {CliRun.of("bench", "local-llm", "--tokens", "1"),
                CliRun.of("bench", "local-llm", "--model", empty.resolve("none").toString())}) {
            assertThat(run.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
            assertThat(run.err().lines()).singleElement().asString().startsWith("reasoning: ");
        }
    }
}
