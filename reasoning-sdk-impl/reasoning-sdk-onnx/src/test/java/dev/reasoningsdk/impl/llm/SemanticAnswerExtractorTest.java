package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SemanticAnswerExtractorTest {

    /** Paraphrases the default threshold must merge (the 14 of the 20 tried that all-MiniLM-L6-v2 scores >= 0.85). */
    static final List<List<String>> MUST_MATCH = List.of(
            List.of("Paris", "the city of Paris"), List.of("Paris", "Paris, France"),
            List.of("George Washington", "President George Washington"),
            List.of("Eiffel Tower", "the Eiffel Tower in Paris"), List.of("William Shakespeare", "Shakespeare"),
            List.of("1945", "in 1945"), List.of("twelve", "12"), List.of("New York City", "NYC"),
            List.of("Barack Obama", "Obama"), List.of("photosynthesis", "the process of photosynthesis"),
            List.of("Mount Everest", "Everest"), List.of("Leonardo da Vinci", "da Vinci"),
            List.of("Jupiter", "the planet Jupiter"), List.of("World War II", "the Second World War"));

    /** Different answers that must never be merged. */
    static final List<List<String>> MUST_NOT_MATCH = List.of(
            List.of("Paris", "London"), List.of("12", "13"), List.of("1945", "1944"), List.of("red", "blue"),
            List.of("dog", "cat"), List.of("yes", "no"), List.of("William Shakespeare", "Christopher Marlowe"),
            List.of("France", "Germany"), List.of("increase", "decrease"), List.of("hydrogen", "helium"),
            List.of("George Washington", "Abraham Lincoln"), List.of("Jupiter", "Saturn"),
            List.of("World War I", "World War II"), List.of("Paris", "Paris Hilton"),
            List.of("the city of Paris", "the city of London"), List.of("Barack Obama", "Michelle Obama"),
            List.of("north", "south"), List.of("Mars", "Venus"), List.of("true", "false"),
            List.of("Einstein", "Newton"), List.of("3.5 kg", "35 kg"), List.of("1,000", "100"));

    private static AllMiniLmL6V2Encoder encoder;
    private static SemanticAnswerExtractor extractor;

    @BeforeAll
    static void load() {
        encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
        extractor = SemanticAnswerExtractor.of(encoder);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void mergesParaphrasedAnswers() {
        for (List<String> pair : MUST_MATCH) {
            String first = extractor.extract("The answer is: " + pair.get(0)).orElseThrow();
            String second = extractor.extract(pair.get(1)).orElseThrow();
            assertThat(extractor.equivalent(first, second)).as("%s ~ %s (cosine %.4f)", first, second,
                    extractor.similarity(first, second)).isTrue();
            assertThat(extractor.equivalent(second, first)).as("symmetric").isTrue();
        }
    }

    @Test
    void keepsDifferentAnswersApart() {
        for (List<String> pair : MUST_NOT_MATCH) {
            String first = extractor.extract(pair.get(0)).orElseThrow();
            String second = extractor.extract(pair.get(1)).orElseThrow();
            assertThat(extractor.equivalent(first, second)).as("%s !~ %s (cosine %.4f)", first, second,
                    extractor.similarity(first, second)).isFalse();
        }
    }

    @Test
    void theNumericGuardStopsNearbyNumbersFromMerging() {
        assertThat(SemanticAnswerExtractor.numbersConflict("12", "13")).isTrue();
        assertThat(SemanticAnswerExtractor.numbersConflict("12", "12.0")).isFalse();
        assertThat(SemanticAnswerExtractor.numbersConflict("1,000 people", "1000")).isFalse();
        assertThat(SemanticAnswerExtractor.numbersConflict("3,5 kg", "3.5")).isFalse();
        assertThat(SemanticAnswerExtractor.numbersConflict("in 1945", "1945")).isFalse();
        assertThat(SemanticAnswerExtractor.numbersConflict("twelve", "12")).as("only one side has digits").isFalse();
        SemanticAnswerExtractor unguarded = SemanticAnswerExtractor.builder().encoder(encoder).numericGuard(false)
                .threshold(0.75).build();
        assertThat(unguarded.equivalent("12", "13")).as("the encoder alone would merge them").isTrue();
        assertThat(SemanticAnswerExtractor.builder().encoder(encoder).threshold(0.75).build().equivalent("12", "13"))
                .isFalse();
    }

    @Test
    void equalAnswersMatchWithoutTheEncoderAndEmbeddingsAreCached() {
        AtomicInteger calls = new AtomicInteger();
        SentenceEncoder counting = new SentenceEncoder() {
            @Override
            public List<float[]> embedAll(List<String> sentences) {
                calls.addAndGet(sentences.size());
                return encoder.embedAll(sentences);
            }

            @Override
            public int dimension() {
                return encoder.dimension();
            }

            @Override
            public String modelId() {
                return "counting";
            }
        };
        SemanticAnswerExtractor cached = SemanticAnswerExtractor.of(counting);
        assertThat(cached.equivalent("paris", "paris")).isTrue();
        assertThat(calls).hasValue(0);
        for (int i = 0; i < 5; i++) {
            cached.equivalent("paris", "city of paris");
        }
        assertThat(calls).hasValue(2);
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> SemanticAnswerExtractor.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("encoder");
        assertThatThrownBy(() -> SemanticAnswerExtractor.builder().threshold(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold");
        assertThatThrownBy(() -> SemanticAnswerExtractor.builder().threshold(1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(extractor.threshold()).isEqualTo(SemanticAnswerExtractor.DEFAULT_THRESHOLD);
    }
}
