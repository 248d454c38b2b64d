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
