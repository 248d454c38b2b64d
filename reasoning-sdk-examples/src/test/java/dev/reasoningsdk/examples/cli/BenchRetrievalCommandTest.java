package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchRetrievalCommandTest {

    @Test
    void badCountsAreBadInput() {
        assertThat(ReasoningCli.execute("bench", "retrieval", "--warmup-passes", "-1"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("bench", "retrieval", "--latency-requests", "0"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
