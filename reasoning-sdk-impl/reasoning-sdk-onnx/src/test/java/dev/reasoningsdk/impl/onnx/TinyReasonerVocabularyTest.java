package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import com.fasterxml.jackson.databind.ObjectMapper;

class TinyReasonerVocabularyTest {

    private static final TinyReasonerVocabulary VOCABULARY = embedded();

    private static TinyReasonerVocabulary embedded() {
        try (InputStream in = TinyReasoner.class.getResourceAsStream(
                "/dev/reasoningsdk/models/tiny-reasoner/tiny-reasoner.json")) {
            String vocab = new ObjectMapper().readTree(in).get("vocab").toString();
            return TinyReasonerVocabulary.fromJson(vocab, 0, 1, 2);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 200)
    void printableAsciiAndNewlinesRoundTrip(@ForAll @StringLength(max = 300) @CharRange(from = ' ', to = '~')
                                            @CharRange(from = '\n', to = '\n') String text) {
        int[] ids = VOCABULARY.encode(text);
        assertThat(ids).hasSize(text.length());
        assertThat(java.util.Arrays.stream(ids)).allMatch(id -> id >= 3 && id < 99);
        assertThat(VOCABULARY.decode(ids)).isEqualTo(text);
    }

    @org.junit.jupiter.api.Test
    void followsTheModelCard() {
        assertThat(VOCABULARY.size()).isEqualTo(99);
        assertThat(VOCABULARY.encode("\n ~A")).containsExactly(3, 4, 98, 'A' - 28);
        assertThat(VOCABULARY.encodeWithBos("Q:")).containsExactly(1, 'Q' - 28, ':' - 28);
        assertThat(VOCABULARY.decode(new int[] {1, 'h' - 28, 'i' - 28, 2, 0})).isEqualTo("hi");
        assertThat(VOCABULARY.token(2)).isEqualTo("<eos>");
        assertThat(VOCABULARY.canEncode("Sam has 3.")).isTrue();
        assertThat(VOCABULARY.canEncode("tab\there")).isFalse();
    }

    @org.junit.jupiter.api.Test
    void rejectsCharactersOutsideTheVocabularyNamingThem() {
        assertThatThrownBy(() -> VOCABULARY.encode("Ana has 5 €"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'€'").hasMessageContaining("U+20AC").hasMessageContaining("index 10");
        assertThatThrownBy(() -> VOCABULARY.decode(new int[] {99}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");
    }

    @org.junit.jupiter.api.Test
    void rejectsMalformedVocabularies() {
        assertThatThrownBy(() -> TinyReasonerVocabulary.fromJson("{\"0\":\"<pad>\",\"2\":\"a\"}", 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..1");
        assertThatThrownBy(() -> TinyReasonerVocabulary.fromJson("{\"0\":\"<pad>\",\"1\":\"ab\"}", 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one character");
        assertThatThrownBy(() -> TinyReasonerVocabulary.fromJson("[", 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TinyReasonerVocabulary.fromMetadata(java.util.Map.of("vocab", "{}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pad_id");
    }
}
