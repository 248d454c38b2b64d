package dev.reasoningsdk.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The api's value types that hold arrays are values: a caller changing its arrays (given or read back) cannot change
 * them, and two with the same content are equal, as a record of lists would be.
 */
class ArrayValuesTest {

    @Test
    void generationsWithTheSameContentAreEqual() {
        Generation first = new Generation(" 7*3=21.", new int[] {3, 4}, new float[] {-0.5f, -0.25f}, 9,
                Generation.FinishReason.END_OF_SEQUENCE);
        Generation second = new Generation(" 7*3=21.", new int[] {3, 4}, new float[] {-0.5f, -0.25f}, 9,
                Generation.FinishReason.END_OF_SEQUENCE);
        assertThat(second).isEqualTo(first).hasSameHashCodeAs(first);
        assertThat(first.toString()).contains("[3, 4]").contains("[-0.5, -0.25]");
        assertThat(new Generation(" 7*3=21.", new int[] {3, 5}, new float[] {-0.5f, -0.25f}, 9,
                Generation.FinishReason.END_OF_SEQUENCE)).isNotEqualTo(first);
        assertThat(new Generation(" 7*3=21.", new int[] {3, 4}, new float[] {-0.5f, -0.5f}, 9,
                Generation.FinishReason.END_OF_SEQUENCE)).isNotEqualTo(first);
    }

    @Test
    void aGenerationNamesAMissingComponent() {
        assertThatNullPointerException().isThrownBy(() -> new Generation("x", null, new float[0], 0,
                Generation.FinishReason.END_OF_SEQUENCE)).withMessage("tokenIds");
        assertThatNullPointerException().isThrownBy(() -> new Generation("x", new int[0], null, 0,
                Generation.FinishReason.END_OF_SEQUENCE)).withMessage("tokenLogProbs");
        assertThatNullPointerException().isThrownBy(() -> new Generation("x", new int[0], new float[0], 0,
                Generation.FinishReason.END_OF_SEQUENCE, null)).withMessage("tokens");
    }

    @Test
    void aPromptHiddenStateCannotBeChangedThroughItsArray() {
        float[] state = {0.25f, -1f};
        PromptHiddenState read = new PromptHiddenState(state, OptionalInt.of(7));
        state[0] = 9;
        read.state()[1] = 9;

        assertThat(read.state()).containsExactly(0.25f, -1f);
        assertThat(read).isEqualTo(new PromptHiddenState(new float[] {0.25f, -1f}, OptionalInt.of(7)))
                .hasSameHashCodeAs(new PromptHiddenState(new float[] {0.25f, -1f}, OptionalInt.of(7)))
                .isNotEqualTo(new PromptHiddenState(new float[] {0.25f, -1f}, OptionalInt.empty()));
        assertThatNullPointerException().isThrownBy(() -> new PromptHiddenState(null, OptionalInt.empty()))
                .withMessage("state");
    }

    @Test
    void anEncodedSentenceCannotBeChangedThroughItsArrays() {
        float[] embedding = {0.6f, 0.8f};
        float[] layer = {1f, 2f};
        Map<Integer, float[]> layers = new HashMap<>(Map.of(3, layer));
        EncodedSentence encoded = new EncodedSentence(embedding, layers);
        EncodedSentence same = new EncodedSentence(embedding.clone(), Map.of(3, layer.clone()));

        embedding[0] = 9;
        layer[0] = 9;
        layers.put(4, new float[] {5f});
        encoded.embedding()[1] = 9;
        encoded.layerMean(3)[1] = 9;
        encoded.layerMeans().values().forEach(mean -> mean[0] = 7);

        assertThat(encoded.embedding()).containsExactly(0.6f, 0.8f);
        assertThat(encoded.layerMean(3)).containsExactly(1f, 2f);
        assertThat(encoded.layerMeans()).containsOnlyKeys(3);
        assertThat(encoded).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(encoded).isNotEqualTo(EncodedSentence.of(new float[] {0.6f, 0.8f}));
    }

    @Test
    void anEncodedSentenceListsItsLayersInOrder() {
        Map<Integer, float[]> layers = new HashMap<>();
        for (int layer : List.of(6, 0, 3)) {
            layers.put(layer, new float[] {layer});
        }
        assertThat(new EncodedSentence(new float[] {1f}, layers).layerMeans().keySet()).containsExactly(0, 3, 6);
    }
}
