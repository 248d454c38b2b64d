package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model checks every command that runs problems through a model in process shares with the folder loader
 * ({@link ModelEndpoint#requireReadable}), on the tiny reasoner: a small vocabulary and a context of 320 tokens.
 */
class ModelEndpointTest {

    private static HuggingFaceOnnxModel tiny;

    @BeforeAll
    static void load() {
        tiny = TinyReasoner.create();
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    @Test
    void aQuestionTheModelReadsPasses() {
        assertThatCode(() -> ModelEndpoint.requireReadable(tiny, "Ana has 7 shells. She sells 4. How many shells now?",
                "row 0")).doesNotThrowAnyException();
    }

    @Test
    void aCharacterOutsideTheVocabularyIsRefusedNamingTheProblemAndItsOpeningWords() {
        assertThatThrownBy(() -> ModelEndpoint.requireReadable(tiny, "Zo\u00eb has 7 shells.\nShe sells 4.",
                "row 3 (0-based) of own.jsonl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--problems: tiny-reasoner@1 cannot read row 3 (0-based) of own.jsonl "
                        + "(\"Zo\u00eb has 7 shells. She sells 4.\"): ");
    }

    @Test
    void aPromptThatFillsTheContextIsRefusedWithItsTokenCountAndShownShortened() {
        String question = "Ana has 7 shells. She sells 4. ".repeat(12) + "How many shells now?";
        assertThatThrownBy(() -> ModelEndpoint.requireReadable(tiny, question, "selected problem 2 of 2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read selected problem 2 of 2 (\"" + question.substring(0, 60) + "...\")")
                .hasMessageContaining("tokens and the context holds " + tiny.contextLength());
        assertThat(tiny.contextLength()).isEqualTo(320);
    }
}
