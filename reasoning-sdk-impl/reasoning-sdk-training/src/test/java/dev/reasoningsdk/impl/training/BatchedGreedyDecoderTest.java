package dev.reasoningsdk.impl.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.internal.ProjectData;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batched greedy decoding reproduces the base model's shipped greedy texts, padding and all. */
class BatchedGreedyDecoderTest {

    @Test
    void reproducesTheShippedGreedyTextsOfProblemsOfMixedLengths() throws Exception {
        List<String> lines = Files.readAllLines(ProjectData.require("models/tiny-reasoner/eval-problems.jsonl"));
        ObjectMapper json = new ObjectMapper();
        List<String> prompts = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        // Every 50th problem: all six step counts, so prompts of very different lengths share a padded batch.
        for (int i = 0; i < lines.size(); i += 50) {
            JsonNode problem = json.readTree(lines.get(i));
            prompts.add(problem.get("prompt").asText());
            expected.add(problem.get("model_greedy_text").asText());
        }
        byte[] onnx = Files.readAllBytes(ProjectData.require("models/tiny-reasoner/tiny-reasoner.onnx"));
        try (BatchedGreedyDecoder decoder = new BatchedGreedyDecoder(onnx, 1)) {
            assertThat(decoder.generate(prompts)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void vocabularyRoundTrips() {
        String text = "Q: Compute ((14+7)-5)*2.\nA:";
        int[] ids = BatchedGreedyDecoder.encodeWithBos(text);
        assertThat(ids[0]).isEqualTo(BatchedGreedyDecoder.BOS);
        assertThat(BatchedGreedyDecoder.decode(ids)).isEqualTo(text);
    }
}
