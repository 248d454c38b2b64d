package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BenchReasonerCommandTest {

    @Test
    void theSubsetIsSpreadOverEveryStepCount() {
        // The eval file holds 100 problems per step count, in step order.
        List<JsonNode> all = IntStream.range(0, 600).<JsonNode>mapToObj(i -> IntNode.valueOf(i / 100 + 1)).toList();
        List<JsonNode> picked = JsonlRows.evenlySpaced(all, 60);
        assertThat(picked).hasSize(60);
        for (int steps = 1; steps <= 6; steps++) {
            int wanted = steps;
            assertThat(picked.stream().filter(node -> node.asInt() == wanted)).hasSize(10);
        }
        assertThat(JsonlRows.evenlySpaced(all, 600)).isEqualTo(all);
    }

    @Test
    void badCountsAreBadInput() {
        assertThat(ReasoningCli.execute("bench", "reasoner", "--max-problems", "0"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
