package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ModelRunException;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench aggregate --live}'s loop on the tiny reasoner, where a part of it fails. */
class BenchAggregateLiveRunTest {

    @Test
    void aStepSearchThatFailsFailsTheRunRatherThanBeingReportedAsNeedingTokenUsage() throws IOException {
        JsonNode problem = new ObjectMapper().readTree("{\"question\": \"Ana starts with 7 shells. She sells 4. How "
                + "many shells does she have now?\", \"steps\": 1, \"answer\": 3}");
        // A learned reward whose forward pass failed, as ONNX Runtime reports it.
        ProcessReward failing = new ProcessReward() {
            @Override
            public double scoreStep(String question, List<String> steps, boolean complete) {
                throw new ModelRunException("tiny-reasoner: the reward's forward pass failed",
                        new IllegalStateException("out of memory"));
            }

            @Override
            public String name() {
                return "failing";
            }
        };
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            StepSearch search = StepSearch.builder().model(model).reward(failing).build();
            BenchAggregateCommand.LiveSearches searches = new BenchAggregateCommand.LiveSearches(
                    Map.of("failing", search), Map.of(), "");

            assertThatThrownBy(() -> new BenchAggregateCommand().liveRun(List.of(problem),
                    LocalModelSampler.builder().model(model).temperature(0.8).build(), Map.of(), searches,
                    () -> false)).isInstanceOf(ModelRunException.class).hasMessageContaining("forward pass failed");
        }
    }
}
