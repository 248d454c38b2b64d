package dev.reasoningsdk.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The interface's defaults: the conversation rendering of a model without a chat template, a state with its tokens. */
class CausalLanguageModelTest {

    /** Only the prompt format matters here; nothing is generated. */
    private static final CausalLanguageModel MODEL = new FormatOnly();

    private static class FormatOnly implements CausalLanguageModel {
        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String formatPrompt(String userText) {
            return "Q: " + userText + "\nA:";
        }

        @Override
        public float[] continuationLogProbs(String prompt, String continuation) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] promptHiddenState(String prompt) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int contextLength() {
            return 320;
        }

        @Override
        public String modelId() {
            return "format-only";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aSingleUserTurnIsTheModelsPromptFormat() {
        assertThat(MODEL.formatConversation(List.of(ChatTurn.user("How many?"))))
                .isEqualTo(MODEL.formatPrompt("How many?"));
    }

    @Test
    void laterTurnsContinueTheTextAsTheModelWasPromptedInProcess() {
        String sure = "Are you sure? I am";
        assertThat(MODEL.formatConversation(List.of(ChatTurn.user("q"), ChatTurn.assistant(" 4."),
                ChatTurn.user(sure)))).isEqualTo(MODEL.formatPrompt("q") + " 4." + "\n" + sure);
        assertThat(MODEL.formatConversation(List.of(ChatTurn.system("Be brief."), ChatTurn.user("q"))))
                .isEqualTo("Q: Be brief.\nq\nA:");
        assertThat(MODEL.formatConversation(List.of(ChatTurn.user("q"), ChatTurn.assistant(" The"))))
                .isEqualTo("Q: q\nA: The");
    }

    @Test
    void conversationsWithoutAUserTurnFirstAreRefused() {
        assertThatThrownBy(() -> MODEL.formatConversation(List.of(ChatTurn.system("s"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no user turn");
        assertThatThrownBy(() -> MODEL.formatConversation(List.of(ChatTurn.assistant("a"), ChatTurn.user("q"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("turn 0");
        assertThatThrownBy(() -> MODEL.formatConversation(List.of(ChatTurn.user("q"), ChatTurn.system("s"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("turn 1");
    }

    @Test
    void aStateWithItsTokensDefaultsToTheStateAndTheModelsOwnCount() {
        // A model reading its own states (layer -1 only, the default) and counting a prompt as its characters.
        CausalLanguageModel counting = new FormatOnly() {
            @Override
            public float[] promptHiddenState(String prompt) {
                return new float[] {prompt.length(), 1f};
            }

            @Override
            public OptionalInt promptTokenCount(String prompt) {
                return OptionalInt.of(prompt.length());
            }
        };
        assertThat(counting.promptHiddenStateWithTokens("1+1=", -1))
                .isEqualTo(new PromptHiddenState(new float[] {4f, 1f}, OptionalInt.of(4)));
        assertThatThrownBy(() -> counting.promptHiddenStateWithTokens("1+1=", 2))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("layer 2");
        // A model that does not count says so.
        CausalLanguageModel uncounted = new FormatOnly() {
            @Override
            public float[] promptHiddenState(String prompt) {
                return new float[] {1f};
            }
        };
        assertThat(uncounted.promptHiddenStateWithTokens("x", -1))
                .isEqualTo(new PromptHiddenState(new float[] {1f}, OptionalInt.empty()));
    }

    @Test
    void optionsKeepTheirFiveArgumentFormAndValidateTopLogProbs() {
        GenerationOptions options = new GenerationOptions(0.8, 1, 0, 10, 3);
        assertThat(options.topLogProbs()).isZero();
        assertThat(options.withTopLogProbs(5).withSeed(9)).isEqualTo(new GenerationOptions(0.8, 1, 0, 10, 9, 5));
        assertThatThrownBy(() -> options.withTopLogProbs(-1)).hasMessageContaining("topLogProbs");
        assertThatThrownBy(() -> new Generation("ab", new int[2], new float[2], 1, Generation.FinishReason.MAX_NEW_TOKENS,
                List.of(TokenLogProb.of("a", -0.1)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokens");
    }
}
