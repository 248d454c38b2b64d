package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenProbabilityConfidenceTest {

    /** A character-level fake: "32" is scored 0.8 then 0.5, "sure" 0.3, "unsure" 0.1, anything else 0.9. */
    static class FakeModel implements CausalLanguageModel {
        final List<String> scoredPrompts = new ArrayList<>();
        int contextLength = 10_000;

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            String text = " 16*2=32. The answer is 32.";
            float[] logProbs = new float[text.length()];
            Arrays.fill(logProbs, (float) Math.log(0.9));
            return List.of(new Generation(text, new int[text.length()], logProbs, prompt.length(),
                    Generation.FinishReason.END_OF_SEQUENCE));
        }

        @Override
        public synchronized float[] continuationLogProbs(String prompt, String continuation) {
            if (prompt.length() + continuation.length() > contextLength) {
                throw new IllegalArgumentException("too long");
            }
            scoredPrompts.add(prompt);
            return switch (continuation) {
                case "32" -> new float[] {(float) Math.log(0.8), (float) Math.log(0.5)};
                case " sure" -> new float[] {(float) Math.log(0.3)};
                case " unsure" -> new float[] {(float) Math.log(0.1)};
                default -> {
                    float[] logProbs = new float[continuation.length()];
                    Arrays.fill(logProbs, (float) Math.log(0.9));
                    yield logProbs;
                }
            };
        }

        @Override
        public float[] promptHiddenState(String prompt) {
            return new float[0];
        }

        @Override
        public int contextLength() {
            return contextLength;
        }

        @Override
        public String modelId() {
            return "fake@1";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void scoresTheAnswerTokensAndAsksIfSure() {
        FakeModel model = new FakeModel();
        TokenProbabilityConfidence estimator = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(q -> "Q: " + q + "\nA:").build();
        ConfidenceEstimate estimate = estimator.estimate("Sam?");
        double geometric = Math.sqrt(0.8 * 0.5);
        assertThat(estimate.answer()).contains("32");
        assertThat(estimate.signals().get("mean_token_probability")).isCloseTo(0.65, within(1e-6));
        assertThat(estimate.signals().get("min_token_probability")).isCloseTo(0.5, within(1e-6));
        assertThat(estimate.signals().get("geometric_mean_token_probability")).isCloseTo(geometric, within(1e-6));
        assertThat(estimate.signals().get("response_mean_token_probability")).isCloseTo(0.9, within(1e-6));
        assertThat(estimate.signals().get("p_sure")).isCloseTo(0.75, within(1e-6));
        assertThat(estimate.confidence()).isCloseTo(0.5 * geometric + 0.5 * 0.75, within(1e-6));
        // The answer is scored after the prompt and the response up to its last occurrence.
        assertThat(model.scoredPrompts.get(0)).isEqualTo("Q: Sam?\nA: 16*2=32. The answer is ");
        assertThat(model.scoredPrompts.get(2)).endsWith("The answer is 32.\n"
                + TokenProbabilityConfidence.SURE_QUESTION);
        assertThat(estimate.usage().samples()).isEqualTo(1);
        assertThat(estimate.usage().modelCalls()).isEqualTo(5);
    }

    @Test
    void givenChainsAreScoredAndTheSureQuestionIsSkippedWhenItDoesNotFit() {
        FakeModel model = new FakeModel();
        model.contextLength = 40;
        TokenProbabilityConfidence estimator = TokenProbabilityConfidence.builder().model(model)
                .score(TokenProbabilityConfidence.Score.MEAN).build();
        ConfidenceEstimate estimate = estimator.estimate("Sam?", List.of(ReasoningChain.of("The answer is 32.")));
        assertThat(estimate.confidence()).isCloseTo(0.65, within(1e-6));
        assertThat(estimate.signals()).containsEntry("p_sure_available", 0.0).doesNotContainKey("p_sure");
        assertThat(estimate.signals().get("r_tuning"))
                .isCloseTo(estimate.signals().get("geometric_mean_token_probability"), within(1e-12));
    }

    /** The fake with a chat template of its own: each turn in role tags, then the generation prompt. */
    static final class TemplatedModel extends FakeModel {
        @Override
        public String formatPrompt(String userText) {
            return formatConversation(List.of(ChatTurn.user(userText)));
        }

        @Override
        public String formatConversation(List<ChatTurn> turns) {
            StringBuilder text = new StringBuilder();
            turns.forEach(turn -> text.append('<').append(turn.role()).append('>').append(turn.text())
                    .append("</").append(turn.role()).append('>'));
            return text.append("<ASSISTANT>").toString();
        }
    }

    @Test
    void theSureQuestionIsANewUserTurnOfTheModelsOwnFormatWhenThePromptIsTheModelsOwn() {
        TemplatedModel model = new TemplatedModel();
        TokenProbabilityConfidence estimator = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(model::formatPrompt).build();
        ConfidenceEstimate estimate = estimator.estimate("Sam?", List.of(ReasoningChain.of("The answer is 32.")));
        assertThat(estimate.signals().get("p_sure")).isCloseTo(0.75, within(1e-6));
        assertThat(model.scoredPrompts.get(2)).isEqualTo("<USER>Sam?</USER><ASSISTANT>The answer is 32.</ASSISTANT>"
                + "<USER>" + TokenProbabilityConfidence.SURE_QUESTION + "</USER><ASSISTANT>");

        // A prompt format of the caller's own is not the model's conversation: the question follows on a new line.
        TemplatedModel other = new TemplatedModel();
        TokenProbabilityConfidence.builder().model(other).promptFormat(q -> "Q: " + q + "\nA:").build()
                .estimate("Sam?", List.of(ReasoningChain.of("The answer is 32.")));
        assertThat(other.scoredPrompts.get(2)).isEqualTo("Q: Sam?\nA:The answer is 32.\n"
                + TokenProbabilityConfidence.SURE_QUESTION);
    }

    /** A served model that must not be called: the chain's own log-probabilities or the refusal decide. */
    private static final ChatModel UNCALLED = new ChatModel() {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            throw new AssertionError("no call expected");
        }
    };

    @Test
    void aServedModelScoresAChainFromItsLogProbsAndRefusesOneWithout() {
        TokenProbabilityConfidence estimator = TokenProbabilityConfidence.builder().model(UNCALLED)
                .score(TokenProbabilityConfidence.Score.MEAN).askIfSure(false).build();
        List<TokenLogProb> tokens = List.of(TokenLogProb.of(" The", -0.1), TokenLogProb.of(" answer", -0.1),
                TokenLogProb.of(" is", -0.1), TokenLogProb.of(" 3", Math.log(0.6)), TokenLogProb.of("2", Math.log(0.9)),
                TokenLogProb.of(".", -0.1));
        // The sampler stripped the leading space; the tokens still spell the text.
        ConfidenceEstimate estimate = estimator.estimate("q", List.of(new ReasoningChain("The answer is 32.",
                "served", 1, tokens)));
        assertThat(estimate.answer()).contains("32");
        assertThat(estimate.confidence()).isCloseTo(0.75, within(1e-9));
        assertThat(estimate.usage().modelCalls()).isZero();

        assertThatThrownBy(() -> estimator.estimate("q", List.of(ReasoningChain.of("The answer is 32.", "gpt-x"))))
                .isInstanceOf(LogProbsUnavailableException.class).hasMessageContaining("gpt-x returned no token")
                .hasMessageContaining("cannot score a given text");
        assertThatThrownBy(() -> estimator.estimate("q", List.of(new ReasoningChain("The answer is 32.", "gpt-x", 1,
                List.of(TokenLogProb.of("unrelated", -0.1))))))
                .isInstanceOf(LogProbsUnavailableException.class).hasMessageContaining("spell the response");
    }

    @Test
    void misconfigurationIsRefused() {
        assertThatThrownBy(() -> TokenProbabilityConfidence.builder().model(new FakeModel()).model(UNCALLED).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> TokenProbabilityConfidence.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("model");
        assertThatThrownBy(() -> TokenProbabilityConfidence.builder().model(new FakeModel()).askIfSure(false).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("R-Tuning");
    }
}
