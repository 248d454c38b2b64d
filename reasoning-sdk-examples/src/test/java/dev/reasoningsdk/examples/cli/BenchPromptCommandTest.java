package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class BenchPromptCommandTest {

    @Test
    void everySearchReportsWhatItCostTheParaphraseModelsCallsIncluded() throws Exception {
        CliRun run = CliRun.of("bench", "prompt", "--budget", "4", "--patience", "1", "--paraphrase-model", "--json");
        assertThat(run.exit()).as(run.err()).isZero();

        int paraphraseCalls = 0;
        for (JsonNode dataset : run.json().path("datasets")) {
            for (JsonNode algorithm : dataset.path("algorithms")) {
                JsonNode usage = algorithm.path("usage");
                assertThat(usage.fieldNames()).toIterable().contains("samples", "model_calls", "failed_calls",
                        "input_tokens", "output_tokens", "wall_ms");
                assertThat(algorithm.path("failed_evaluations").isInt()).isTrue();
                paraphraseCalls += usage.path("model_calls").asInt();
            }
        }
        // The embedding classifier calls no chat model: the calls are the tiny reasoner's paraphrases.
        assertThat(paraphraseCalls).isPositive();
    }

    @Test
    void badSettingsAreBadInput() {
        assertThat(ReasoningCli.execute("bench", "prompt", "--budget", "1")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("bench", "prompt", "--patience", "0")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    @Test
    void theTaskModelFlagSearchesTheEmbeddedChatModelsInstructionAndCountsItsCalls() throws Exception {
        CliRun run = CliRun.of("bench", "prompt", "--budget", "2", "--patience", "1", "--task-model",
                "--examples-per-label", "6", "--json");
        assertThat(run.exit()).as(run.err()).isZero();

        JsonNode report = run.json();
        assertThat(report.path("task_model").asText()).startsWith("tiny-reasoner");
        assertThat(report.path("examples_per_label").asInt()).isEqualTo(6);
        for (JsonNode dataset : report.path("datasets")) {
            assertThat(dataset.at("/initial_heldout_usage/model_calls").asInt()).isPositive();
            for (JsonNode algorithm : dataset.path("algorithms")) {
                // The six searches share one classifier: the initial prompt's dev set is asked once, by the first.
                assertThat(algorithm.at("/usage/model_calls").asInt()).isNotNegative();
                assertThat(algorithm.at("/heldout_usage/model_calls").isInt()).isTrue();
            }
            assertThat(dataset.at("/algorithms/0/usage/model_calls").asInt()).isPositive();
        }
    }

    @Test
    void aCacheWithoutAChatModelToCacheIsBadInput() {
        assertThat(ReasoningCli.execute("bench", "prompt", "--cache", "unused.db"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    @Test
    void aMissingDataDirectoryIsBadInput() {
        assertThat(ReasoningCli.execute("bench", "prompt", "--data", "/nonexistent/shared/data"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
