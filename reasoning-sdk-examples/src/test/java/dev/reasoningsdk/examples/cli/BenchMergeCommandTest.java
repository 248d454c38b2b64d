package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Argument checks only: a real run writes gigabytes (the Llama-shaped embeddings alone are 262 MB in BF16). */
class BenchMergeCommandTest {

    @Test
    void badInputExitsWithTwo() {
        assertThat(ReasoningCli.execute("bench", "merge", "--repeats", "0")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("bench", "merge", "--size-gb", "0")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
