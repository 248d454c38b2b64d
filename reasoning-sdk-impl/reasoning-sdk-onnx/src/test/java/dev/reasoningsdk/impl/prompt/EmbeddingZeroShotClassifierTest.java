package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.internal.ProjectData;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class EmbeddingZeroShotClassifierTest {

    /** Bag of words hashed into 64 dimensions, normalised: similar words, similar vectors. */
    static final SentenceEncoder BAG_OF_WORDS = new SentenceEncoder() {
        @Override
        public List<float[]> embedAll(List<String> sentences) {
            List<float[]> out = new ArrayList<>();
            for (String sentence : sentences) {
                float[] vector = new float[64];
                for (String word : sentence.toLowerCase(Locale.ROOT).split("\\W+")) {
                    if (!word.isEmpty()) {
                        vector[Math.floorMod(word.hashCode(), 64)] += 1;
                    }
                }
                double norm = 0;
                for (float v : vector) {
                    norm += v * v;
                }
                for (int i = 0; i < vector.length; i++) {
                    vector[i] /= (float) Math.max(Math.sqrt(norm), 1e-9);
                }
                out.add(vector);
            }
            return out;
        }

        @Override
        public int dimension() {
            return 64;
        }

        @Override
        public String modelId() {
            return "bag-of-words";
        }
    };

    @Test
    void labelsEachInputWithTheNearestDescription() {
        EmbeddingZeroShotClassifier classifier = EmbeddingZeroShotClassifier.of(BAG_OF_WORDS, List.of("weather",
                "math"));
        String prompt = classifier.prompt(Map.of("weather", "rain and sun today", "math", "add the numbers"));
        assertThat(prompt).isEqualTo("rain and sun today\nadd the numbers");
        List<String> inputs = List.of("will it rain today", "add these numbers please");
        assertThat(classifier.over(inputs).classify(prompt).labels()).containsExactly("weather", "math");
        assertThatThrownBy(() -> classifier.descriptions("only one line"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one description line per label");
    }

    @Test
    void plumScoreIsBalancedAccuracyPlusEntropy() {
        List<String> labels = List.of("a", "b");
        List<String> gold = List.of("a", "a", "a", "b");
        List<String> allA = List.of("a", "a", "a", "a");
        assertThat(ClassificationObjective.balancedAccuracy(gold, allA)).isEqualTo(0.5);
        assertThat(ClassificationObjective.score(labels, gold, allA)).isEqualTo(50.0);
        List<String> perfect = gold;
        double entropy = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
        assertThat(ClassificationObjective.score(labels, gold, perfect))
                .isCloseTo(100 + 10 * entropy, Offset.offset(1e-9));
    }

    @Test
    void tabuSearchImprovesTimeSensitivityDescriptionsOnRealDataWithTheRealEncoder() throws Exception {
        List<String> questions = new ArrayList<>();
        List<String> gold = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        List<String> rows = Files.readAllLines(
                ProjectData.require("data/freshqa_time_sensitivity/freshqa_v11132023.jsonl"));
        for (String line : rows.subList(0, 40)) {
            JsonNode row = json.readTree(line);
            questions.add(row.get("question").asText());
            gold.add(row.get("time_sensitive").asBoolean() ? "changing" : "stable");
        }
        try (AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build()) {
            EmbeddingZeroShotClassifier classifier = EmbeddingZeroShotClassifier.of(encoder,
                    List.of("changing", "stable"));
            String initial = classifier.prompt(Map.of("changing", "a question about something that changes",
                    "stable", "a question about something that stays the same"));
            OptimizationResult result = TabuSearch.builder().settings(SearchSettings.builder().maxEvaluations(24)
                    .maxIterations(40).patience(10).seed(1).build()).build()
                    .optimize(initial, classifier.objective(questions, gold));
            assertThat(result.bestScore()).isGreaterThan(result.initialScore());
            assertThat(result.bestPrompt().lines()).hasSize(2);
        }
    }
}
