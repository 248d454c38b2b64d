package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.LlmCallException;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat classifier with scripted models: how replies become labels, what failures mean, what is counted. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ChatModelPromptClassifierTest {

    private static final List<String> LABELS = List.of("true", "false");
    private static final String INSTRUCTION = "Say whether the statement holds.";
    private static final RetryPolicy NO_BACKOFF = RetryPolicy.builder().initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO).build();

    /** A model whose reply to a request is {@code replyTo} of the request's input line. */
    private static ScriptedChatModel byInput(Function<String, String> replyTo) {
        return ScriptedChatModel.builder().fallback(request -> replyTo.apply(inputOf(request))).tokenUsage(7, 2)
                .build();
    }

    private static String inputOf(ChatRequest request) {
        return ScriptedChatModel.userText(request).lines().filter(line -> line.startsWith("Input: ")).findFirst()
                .orElseThrow().substring("Input: ".length());
    }

    private static ChatModelPromptClassifier classifier(ChatModel model) {
        return ChatModelPromptClassifier.builder().gateway(ModelGateway.builder().model(model).retryPolicy(NO_BACKOFF)
                .build()).labels(LABELS).build();
    }

    /** Plum's objective on two inputs, one of each label, with {@code model} as the searched model. */
    private static ClassificationObjective objective(ChatModel model) {
        return classifier(model).objective(List.of("sky is blue", "ice is hot"), List.of("true", "false"));
    }

    /** A model every call of which fails with the server error {@code status}. */
    private static FaultyChatModel failingWith(int status) {
        return FaultyChatModel.builder().delegate(byInput(input -> "true")).everyNth(1, Fault.serverError(status))
                .build();
    }

    @Test
    void aReplyIsReadAsTheOneLabelItNamesAsAWholeWordIgnoringCaseAndThinking() {
        assertThat(ChatModelPromptClassifier.readLabel("true", LABELS)).contains("true");
        assertThat(ChatModelPromptClassifier.readLabel("  **FALSE**.", LABELS)).contains("false");
        assertThat(ChatModelPromptClassifier.readLabel("The answer is True; true indeed.", LABELS)).contains("true");
        assertThat(ChatModelPromptClassifier.readLabel("<think>true or false?</think>false", LABELS))
                .contains("false");
        assertThat(ChatModelPromptClassifier.readLabel("a falsehood, untrue", LABELS)).isEmpty();
        assertThat(ChatModelPromptClassifier.readLabel("true, not false", LABELS)).isEmpty();
        assertThat(ChatModelPromptClassifier.readLabel("2 + 2 = 4", LABELS)).isEmpty();
        assertThat(ChatModelPromptClassifier.readLabel("", LABELS)).isEmpty();
        assertThat(ChatModelPromptClassifier.readLabel("<think>true", LABELS)).as("cut off while thinking").isEmpty();
        List<String> nested = List.of("sure", "not sure");
        assertThat(ChatModelPromptClassifier.readLabel("I am not sure.", nested)).contains("not sure");
        assertThat(ChatModelPromptClassifier.readLabel("Sure.", nested)).contains("sure");
        assertThat(ChatModelPromptClassifier.readLabel("sure, or not sure", nested)).isEmpty();
    }

    @Test
    void aReplyNamingNoLabelOrSeveralIsNoPredictionAndAGarbageCall() {
        ScriptedChatModel model = byInput(input -> switch (input) {
            case "sky is blue" -> "True";
            case "two is odd" -> "7 + 5 = 12";
            default -> "true or false";
        });
        ChatModelPromptClassifier classifier = classifier(model);

        PromptClassifier.Predictions predictions = classifier.classify(INSTRUCTION,
                List.of("sky is blue", "two is odd", "ice is hot"));

        assertThat(predictions.labels()).containsExactly("true", null, null);
        Usage usage = predictions.usage();
        assertThat(usage.modelCalls()).isEqualTo(3).isEqualTo(model.calls());
        assertThat(usage.samples()).isEqualTo(1);
        assertThat(usage.failuresByKind()).isEqualTo(Map.of(CallFailure.GARBAGE, 2));
        assertThat(usage.inputTokens()).isEqualTo(21);
        String sent = ScriptedChatModel.userText(model.requests().get(0));
        assertThat(sent).startsWith(INSTRUCTION).contains("Labels: true, false");
        assertThat(model.requests()).allSatisfy(request -> assertThat(request.temperature()).isZero());
    }

    @Test
    void aReplyCutOffAtTheTokenLimitIsNotReadAsALabel() {
        ChatModel cutOff = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                return ChatResponse.builder().aiMessage(AiMessage.from("true, because"))
                        .finishReason(FinishReason.LENGTH).tokenUsage(new TokenUsage(5, 3)).build();
            }
        };

        PromptClassifier.Predictions predictions = classifier(cutOff).classify(INSTRUCTION, List.of("sky is blue"));

        assertThat(predictions.labels()).containsExactly((String) null);
        assertThat(predictions.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.GARBAGE, 1));
        assertThat(predictions.usage().samples()).isZero();
    }

    @Test
    void anAnsweredPromptAndInputIsAskedOnceAndCostsNothingAgain() {
        ScriptedChatModel model = byInput(input -> input.contains("blue") ? "true" : "no idea");
        ChatModelPromptClassifier classifier = classifier(model);
        List<String> inputs = List.of("sky is blue", "grass is red", "sky is blue");

        PromptClassifier.Predictions first = classifier.classify(INSTRUCTION, inputs);
        PromptClassifier.Predictions again = classifier.classify(INSTRUCTION, inputs);
        classifier.classify("Another instruction.", inputs);

        assertThat(first.labels()).containsExactly("true", null, "true");
        assertThat(first.usage().modelCalls()).isEqualTo(2);
        assertThat(again.labels()).isEqualTo(first.labels());
        assertThat(again.usage().modelCalls()).isZero();
        assertThat(again.usage().failedCalls()).isZero();
        assertThat(model.calls()).isEqualTo(4);
    }

    @Test
    void aPromptWhoseEveryCallFailedIsAFailureWithItsCostNotAScore() {
        FaultyChatModel down = failingWith(503);
        ClassificationObjective objective = objective(down);

        assertThatThrownBy(() -> objective.evaluate(INSTRUCTION)).isInstanceOf(ReasoningException.class)
                .hasMessageContaining("2 of the 2 calls").hasMessageContaining("SERVER_ERROR")
                .satisfies(e -> {
                    ReasoningException failure = (ReasoningException) e;
                    assertThat(failure.isRetryable()).isTrue();
                    assertThat(failure.usage().modelCalls()).isEqualTo(down.calls())
                            .isEqualTo(2 * RetryPolicy.DEFAULT_MAX_ATTEMPTS);
                    assertThat(failure.usage().failuresByKind())
                            .isEqualTo(Map.of(CallFailure.SERVER_ERROR, down.calls()));
                });
    }

    @Test
    void aFailedClassificationOfHeldOutInputsDoesNotCallThemADevSet() {
        // bench prompt --task-model labels its held-out split through classify first: the line it exits with said
        // "not scored on a dev set" for inputs the search never sees.
        ChatModelPromptClassifier classifier = classifier(failingWith(503));

        assertThatThrownBy(() -> classifier.classify(INSTRUCTION, List.of("held out one", "held out two")))
                .isInstanceOf(ReasoningException.class)
                .hasMessageEndingWith(": the prompt is not scored on inputs the model did not answer");
    }

    @Test
    void oneFailedCallFailsThePromptButTheAnsweredInputsAreNotAskedAgain() {
        // The second call crashes (a permanent failure: not retried); the others answer.
        FaultyChatModel model = FaultyChatModel.builder().delegate(byInput(input -> "false"))
                .fault(1, Fault.failure(new IllegalStateException("crash"))).build();
        ChatModelPromptClassifier classifier = classifier(model);
        List<String> inputs = Arrays.asList("a", "b", "c");

        assertThatThrownBy(() -> classifier.classify(INSTRUCTION, inputs)).isInstanceOf(ReasoningException.class)
                .hasMessageContaining("1 of the 3 calls")
                .satisfies(e -> assertThat(((ReasoningException) e).isRetryable()).isFalse());
        PromptClassifier.Predictions retried = classifier.classify(INSTRUCTION, inputs);

        assertThat(retried.labels()).containsExactly("false", "false", "false");
        assertThat(retried.usage().modelCalls()).isEqualTo(1);
        assertThat(model.calls()).isEqualTo(4);
    }

    @Test
    void aRequestTheProviderRefusesIsNoPredictionCountedAsItsFailedCall() {
        // The served tiny reasoner refuses an instruction and input over its 320-token context with a 400.
        ScriptedChatModel model = byInput(input -> {
            if (input.startsWith("long")) {
                throw LlmCallException.forStatus(400, "context_length_exceeded", null);
            }
            return "false";
        });

        ChatModelPromptClassifier classifier = classifier(model);
        List<String> inputs = List.of("ice is hot", "long input");
        PromptClassifier.Predictions predictions = classifier.classify(INSTRUCTION, inputs);

        assertThat(predictions.labels()).containsExactly("false", null);
        assertThat(predictions.usage().modelCalls()).isEqualTo(2).isEqualTo(model.calls());
        assertThat(predictions.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 1));
        assertThat(classifier.classify(INSTRUCTION, inputs).labels())
                .as("refused every time, so not asked again").containsExactly("false", null);
        assertThat(model.calls()).isEqualTo(2);
    }

    @Test
    void aPromptWithNoReplyAtAllIsAFailureNotAScoreOfZero() {
        ScriptedChatModel refusing = byInput(input -> {
            throw LlmCallException.forStatus(404, "no such model", null);
        });
        FaultyChatModel blank = FaultyChatModel.builder().delegate(byInput(input -> "true"))
                .everyNth(1, Fault.empty()).build();

        for (ChatModel model : List.of(refusing, blank)) {
            ClassificationObjective objective = objective(model);
            assertThatThrownBy(() -> objective.evaluate(INSTRUCTION)).isInstanceOf(ReasoningException.class)
                    .hasMessageContaining("none of the 2 inputs got a reply").satisfies(e -> {
                        ReasoningException failure = (ReasoningException) e;
                        assertThat(failure.isRetryable()).isFalse();
                        assertThat(failure.usage().modelCalls()).isPositive()
                                .isEqualTo(failure.usage().failedCalls());
                    });
        }
    }

    @Test
    void aSearchCountsACandidateWhoseCallsFailedAsAFailedEvaluationAndKeepsItsBest() {
        // The model answers under the initial instruction and fails under any other.
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> {
            if (!ScriptedChatModel.userText(request).startsWith(INSTRUCTION)) {
                throw new IllegalStateException("model crashed");
            }
            return inputOf(request).contains("blue") ? "true" : "false";
        });
        ClassificationObjective objective = objective(model);
        SearchSettings settings = SearchSettings.builder().maxEvaluations(4).maxIterations(4).patience(4).seed(1)
                .paraphraser(unit -> new Paraphraser.Paraphrases(List.of("perhaps " + unit), Usage.NONE)).build();

        OptimizationResult result = HillClimbing.builder().settings(settings).build().optimize(INSTRUCTION,
                objective);

        assertThat(result.initialScore()).isEqualTo(ClassificationObjective.score(LABELS, List.of("true", "false"),
                List.of("true", "false")));
        assertThat(result.failedEvaluations()).isPositive().isEqualTo(result.evaluations() - 1);
        assertThat(result.bestPrompt()).isEqualTo(INSTRUCTION);
        assertThat(result.usage().modelCalls()).isEqualTo(model.calls());
        assertThat(result.usage().failedCalls()).isEqualTo(model.calls() - 2);
    }

    @Test
    void aSearchWhoseInitialPromptGotNoAnswerFailsRetryablyWithItsCost() {
        FaultyChatModel down = failingWith(500);
        ClassificationObjective objective = objective(down);
        SearchSettings settings = SearchSettings.builder().maxEvaluations(4).seed(1)
                .paraphraser(unit -> new Paraphraser.Paraphrases(List.of(), Usage.NONE)).build();

        assertThatThrownBy(() -> HillClimbing.builder().settings(settings).build().optimize(INSTRUCTION, objective))
                .isInstanceOf(ReasoningException.class).hasMessageContaining("initial prompt could not be scored")
                .satisfies(e -> {
                    assertThat(((ReasoningException) e).isRetryable()).isTrue();
                    assertThat(((ReasoningException) e).usage().modelCalls()).isEqualTo(down.calls());
                });
    }

    @Test
    void badSettingsAreRefusedAtOnce() {
        ChatModelPromptClassifier.Builder builder = ChatModelPromptClassifier.builder();
        assertThatThrownBy(() -> builder.labels(List.of("yes"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two");
        assertThatThrownBy(() -> builder.labels(List.of("Yes", "yes"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ignoring case");
        assertThatThrownBy(() -> builder.labels(List.of("yes", "?"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'?'");
        assertThatThrownBy(() -> builder.temperature(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.model(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("labels");
        assertThatThrownBy(() -> ChatModelPromptClassifier.builder().labels(LABELS).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("model");
        ChatModelPromptClassifier classifier = classifier(byInput(input -> "true"));
        assertThatThrownBy(() -> classifier.objective(List.of("a"), List.of("true", "false")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(classifier.labels()).isEqualTo(LABELS);
    }

    @Test
    void aNullPromptInputsOrInputIsRefusedByName() {
        ChatModelPromptClassifier classifier = classifier(byInput(input -> "true"));
        List<String> withNull = java.util.Arrays.asList("a", null);

        assertThatThrownBy(() -> classifier.classify(INSTRUCTION, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("inputs");
        assertThatThrownBy(() -> classifier.classify(INSTRUCTION, withNull))
                .isInstanceOf(NullPointerException.class).hasMessage("input 1");
        assertThatThrownBy(() -> classifier.over(null)).isInstanceOf(NullPointerException.class).hasMessage("inputs");
        assertThatThrownBy(() -> classifier.objective(null, List.of("true")))
                .isInstanceOf(NullPointerException.class).hasMessage("inputs");
        assertThatThrownBy(() -> classifier.objective(List.of("a"), null))
                .isInstanceOf(NullPointerException.class).hasMessage("gold");
        assertThatThrownBy(() -> classifier.request(null, "a")).isInstanceOf(NullPointerException.class)
                .hasMessage("prompt");
        assertThatThrownBy(() -> classifier.request(INSTRUCTION, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("input");
    }
}
