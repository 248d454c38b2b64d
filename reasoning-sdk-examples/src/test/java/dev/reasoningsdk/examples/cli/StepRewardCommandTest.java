package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepRewardCommandTest {

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path dir) {
        CliRun.of("step-reward", "train", "--problems", dir.resolve("missing.jsonl").toString())
                .assertBadInput("missing.jsonl");
        CliRun.of("step-reward", "train", "--max-problems", "3").assertBadInput("--max-problems");
    }

    @Test
    void theExcludedRowsAreTheLiveBenchDefaultSelection() {
        List<Integer> all = IntStream.range(0, 600).boxed().toList();
        assertThat(StepRewardCommand.benchRows(600))
                .isEqualTo(JsonlRows.evenlySpaced(all, BenchAggregateCommand.DEFAULT_LIVE_LIMIT))
                .hasSize(200);
    }
}
