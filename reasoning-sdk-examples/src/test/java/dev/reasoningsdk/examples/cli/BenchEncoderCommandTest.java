package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchEncoderCommandTest {

    @Test
    void percentileIsNearestRank() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(BenchEncoderCommand.percentile(sorted, 0.50)).isEqualTo(5);
        assertThat(BenchEncoderCommand.percentile(sorted, 0.95)).isEqualTo(10);
        assertThat(BenchEncoderCommand.percentile(new double[] {3}, 0.95)).isEqualTo(3);
    }

    @Test
    void theThroughputSentencesAreDistinct() {
        List<String> sentences = BenchEncoderCommand.sentences(32);
        assertThat(new HashSet<>(sentences)).hasSize(32);
    }

    @Test
    void badCountsAreBadInput() {
        assertThat(ReasoningCli.execute("bench", "encoder", "--runs", "0")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
