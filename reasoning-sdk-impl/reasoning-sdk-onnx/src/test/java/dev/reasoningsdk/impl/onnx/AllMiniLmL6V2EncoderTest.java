package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.llm.SentenceEncoderEmbeddingModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AllMiniLmL6V2EncoderTest {

    static final List<String> SENTENCES = List.of(
            "The capital of France is Paris.",
            "Paris",
            "A man is playing a guitar on the street.",
            "Sam has 14 apples. He buys 7 more. How many apples does Sam have?",
            "The answer is 32.",
            "Quantum computers use qubits, which can be in superposition.",
            "I don't think so!",
            "résumé, naïve café — unicode text",
            "",
            "The quick brown fox jumps over the lazy dog while the cat watches from the window sill, unimpressed.");

    private static AllMiniLmL6V2Encoder encoder;

    @BeforeAll
    static void load() {
        encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void matchesLangChain4jsOwnEmbeddingOfTheSameModel() {
        EmbeddingModel reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
        List<float[]> ours = encoder.embedAll(SENTENCES);
        for (int i = 0; i < SENTENCES.size(); i++) {
            if (SENTENCES.get(i).isBlank()) {
                continue; // LangChain4j refuses blank text; we embed it as [CLS] [SEP].
            }
            float[] theirs = reference.embed(SENTENCES.get(i)).content().vector();
            assertThat(SentenceEncoder.cosine(ours.get(i), theirs)).as("sentence %d: %s", i, SENTENCES.get(i))
                    .isGreaterThanOrEqualTo(0.9999);
        }
    }

    @Test
    void embeddingsAreUnitLengthWithTheModelsDimension() {
        for (float[] embedding : encoder.embedAll(SENTENCES)) {
            assertThat(embedding).hasSize(384);
            assertThat(SentenceEncoder.cosine(embedding, embedding)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(encoder.dimension()).isEqualTo(384);
        assertThat(encoder.modelId()).isEqualTo("all-minilm-l6-v2-q@1.19.0-beta29");
    }

    @Test
    void poolsTheAskedLayersFromTheSamePassAsTheEmbedding() {
        assertThat(encoder.poolableLayers()).isEqualTo(7);
        List<EncodedSentence> encoded = encoder.encodeAll(SENTENCES, java.util.Set.of(0, 2, 6));
        List<float[]> embeddings = encoder.embedAll(SENTENCES);
        for (int i = 0; i < SENTENCES.size(); i++) {
            EncodedSentence sentence = encoded.get(i);
            assertThat(sentence.embedding()).as(SENTENCES.get(i)).containsExactly(embeddings.get(i));
            assertThat(sentence.layerMeans().keySet()).containsExactlyInAnyOrder(0, 2, 6);
            // The last layer's mean, normalised, is the embedding itself.
            float[] last = sentence.layerMean(6);
            double norm = Math.sqrt(SentenceEncoder.cosine(last, last));
            for (int d = 0; d < last.length; d++) {
                assertThat(last[d] / norm).isCloseTo(sentence.embedding()[d], org.assertj.core.data.Offset.offset(1e-5));
            }
            assertThat(sentence.layerMean(2)).hasSize(384).isNotEqualTo(sentence.layerMean(0));
            assertThatThrownBy(() -> sentence.layerMean(4)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("layer 4 was not pooled");
        }
        assertThat(encoder.encodeAll(SENTENCES.subList(0, 2), java.util.Set.of()).get(0).layerMeans()).isEmpty();
        assertThatThrownBy(() -> encoder.encodeAll(SENTENCES, java.util.Set.of(7)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers 0 to 6, asked for 7");
        assertThatThrownBy(() -> encoder.encodeAll(SENTENCES, java.util.Set.of(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void embedAllEqualsEmbeddingEachSentenceAlone() {
        List<float[]> all = encoder.embedAll(SENTENCES);
        for (int i = 0; i < SENTENCES.size(); i++) {
            assertThat(all.get(i)).as(SENTENCES.get(i)).containsExactly(encoder.embed(SENTENCES.get(i)));
        }
    }

    @Test
    void paddingInBatchedPassesIsMaskedOut() {
        String longest = SENTENCES.get(SENTENCES.size() - 1);
        try (AllMiniLmL6V2Encoder batched = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).batchSize(32).build()) {
            for (String sentence : SENTENCES) {
                float[] alone = encoder.embed(sentence);
                // Two copies share one pass without padding: the batch layout and pooling reproduce the single pass.
                assertThat(batched.embedAll(List.of(sentence, sentence)).get(0)).as(sentence).containsExactly(alone);
                // Beside a long sentence the short one is right-padded. Attending to or pooling over the pads drags
                // it far away (cosine 0.16 to 0.93 on these sentences when the mask is ignored); masked, only the
                // int8 model's activation scale, shared by the batch, moves it (0.96 at worst).
                assertThat(SentenceEncoder.cosine(batched.embedAll(List.of(sentence, longest)).get(0), alone))
                        .as(sentence).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    @Test
    void longSentencesAreTruncatedToMaxTokens() {
        String longText = "word ".repeat(2000);
        AllMiniLmL6V2Encoder.EncodedBatch batch = encoder.encode(List.of(longText, "short"));
        assertThat(batch.embeddings()).hasSize(2);
        assertThat(batch.tokens()).isEqualTo(256 + 3);
    }

    @Test
    void worksAsALangChain4jEmbeddingModel() {
        EmbeddingModel model = SentenceEncoderEmbeddingModel.of(encoder);
        List<Embedding> embeddings = model.embedAll(List.of(TextSegment.from("Paris"), TextSegment.from("London")))
                .content();
        assertThat(embeddings).hasSize(2);
        assertThat(embeddings.get(0).vector()).containsExactly(encoder.embed("Paris"));
        assertThat(model.embed("Paris").content().vector()).containsExactly(encoder.embed("Paris"));
        assertThat(model.dimension()).isEqualTo(384);
        assertThat(model.modelName()).isEqualTo(encoder.modelId());
    }

    @Test
    void meaningIsCloserForParaphrases() {
        float[] paris = encoder.embed("The capital of France is Paris.");
        float[] paraphrase = encoder.embed("Paris is France's capital city.");
        float[] unrelated = encoder.embed("My dog likes to chase tennis balls.");
        assertThat(SentenceEncoder.cosine(paris, paraphrase)).isGreaterThan(SentenceEncoder.cosine(paris, unrelated) + 0.3);
    }

    @Test
    void rejectsBadInputAndUseAfterClose() {
        assertThatThrownBy(() -> encoder.embedAll(java.util.Arrays.asList("a", null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("sentence 1");
        assertThatThrownBy(() -> AllMiniLmL6V2Encoder.builder().maxTokens(513))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> AllMiniLmL6V2Encoder.builder().batchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        AllMiniLmL6V2Encoder closed = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.embed("x")).isInstanceOf(IllegalStateException.class);
        assertThat(encoder.embedAll(List.of())).isEmpty();
    }
}
