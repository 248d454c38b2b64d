package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepRewardCommandTest {

    private static void assertBadInput(CliRun run, String named) {
        assertThat(run.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains(named);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path dir) {
        assertBadInput(CliRun.of("step-reward", "train", "--problems", dir.resolve("missing.jsonl").toString()),
                "missing.jsonl");
        assertBadInput(CliRun.of("step-reward", "train", "--max-problems", "3"), "--max-problems");
    }

    @Test
    void theExcludedRowsAreTheLiveBenchDefaultSelection() {
        List<Integer> all = IntStream.range(0, 600).boxed().toList();
        assertThat(StepRewardCommand.benchRows(600))
                .isEqualTo(JsonlRows.evenlySpaced(all, BenchAggregateCommand.DEFAULT_LIVE_LIMIT))
                .hasSize(200);
    }
}
