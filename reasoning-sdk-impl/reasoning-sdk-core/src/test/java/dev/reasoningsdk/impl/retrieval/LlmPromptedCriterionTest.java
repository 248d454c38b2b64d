package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LlmPromptedCriterionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.85|0.85",
            "70-80%|0.8",
            "Probability: .7|0.7",
            "I'd say 80% likely.|0.8",
            "1|1.0",
            "0|0.0",
            "Yes, clearly.|1.0",
            "No.|0.0",
            "<think>maybe 0.2? the year 2023 matters</think> 0.9|0.9",
            "The answer is yes (probability 0.95).|0.95"
    })
    void parsesProbabilitiesRobustly(String reply, double expected) {
        assertThat(LlmPromptedCriterion.parseProbability(reply)).hasValue(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"I cannot tell.", "42", "<think>0.4 perhaps", "2023", "-0.3", "Probability: -20%"})
    void refusesRepliesWithoutAProbability(String reply) {
        assertThat(LlmPromptedCriterion.parseProbability(reply)).isEqualTo(OptionalDouble.empty());
    }

    @Test
    void anUnclosedThinkTagAfterLettersThatLowerCaseLongerCutsTheReplyAtTheTag() {
        // "\u0130" (capital I with dot) lower-cases to two characters; the tag is found in the reply itself.
        String reply = "\u0130stanbul \u0130zmir \u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130 <think>0.5";

        assertThat(LlmPromptedCriterion.parseProbability(reply)).isEmpty();
    }

    @Test
    void asksTheModelWithTheQueryAndCountsTheCall() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "0.9");
        LlmPromptedCriterion criterion = LlmPromptedCriterion.builder().model(model).kind(CriterionKind.TIME).build();

        CriterionResult result = criterion.evaluate("Who is the current UK prime minister?");

        assertThat(result.probability()).isEqualTo(0.9);
        assertThat(result.usage().modelCalls()).isEqualTo(1);
        assertThat(result.usage().failedCalls()).isZero();
        assertThat(((UserMessage) model.requests().get(0).messages().get(0)).singleText())
                .contains("Who is the current UK prime minister?").contains("depend on when it is asked");
    }

    @Test
    void failuresAreCountedAndFallBackWithoutDecidingAgainstRetrieval() {
        ScriptedChatModel model = ScriptedChatModel.builder().fallback(request -> "0.5")
                .failure(new IllegalStateException("HTTP 503"))
                .reply("I really could not say").build();
        LlmPromptedCriterion knowledge = LlmPromptedCriterion.builder().model(model).kind(CriterionKind.KNOWLEDGE)
                .build();

        CriterionResult thrown = knowledge.evaluate("q");
        CriterionResult garbage = knowledge.evaluate("q");

        assertThat(thrown.probability()).isEqualTo(1.0);
        assertThat(thrown.evidence()).contains("HTTP 503");
        assertThat(thrown.usage().failedCalls()).isEqualTo(1);
        assertThat(garbage.probability()).isEqualTo(1.0);
        assertThat(garbage.evidence()).contains("unparseable");
        assertThat(garbage.usage().failedCalls()).isEqualTo(1);
    }

    @Test
    void refusesBadConfiguration() {
        assertThatThrownBy(() -> LlmPromptedCriterion.builder().promptFormat(QueryTemplates.format("no placeholder")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmPromptedCriterion.builder().fallbackProbability(2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmPromptedCriterion.builder().kind(CriterionKind.TIME).build())
                .isInstanceOf(IllegalStateException.class);
    }
}
