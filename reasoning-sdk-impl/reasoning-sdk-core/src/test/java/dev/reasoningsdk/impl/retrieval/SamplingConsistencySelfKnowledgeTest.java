package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingConsistencySelfKnowledgeTest {

    /** Returns the given texts as samples; null entries are failures. */
    private static ChainSampler sampler(String... texts) {
        return new ChainSampler() {
            @Override
            public SampleBatch sample(String prompt, int count, long firstSeed) {
                List<SampleBatch.Sample> samples = new ArrayList<>();
                List<SampleBatch.SampleFailure> failures = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (texts[i] == null) {
                        failures.add(new SampleBatch.SampleFailure(i, SampleBatch.FailureKind.TIMEOUT, "t", 1));
                    } else {
                        samples.add(new SampleBatch.Sample(i, texts[i], 5, 5, 1));
                    }
                }
                return new SampleBatch(count, samples, failures, StopReason.COMPLETED,
                        new Usage(count, count, failures.size(), 5L * count, 5L * count, Duration.ofMillis(1)));
            }

            @Override
            public String name() {
                return "scripted";
            }
        };
    }

    @Test
    void agreementOfTheMostCommonAnswerIsTheProbability() {
        SamplingConsistencySelfKnowledge criterion = SamplingConsistencySelfKnowledge.builder()
                .sampler(sampler("Paris.", "The answer is Paris", "Lyon", "paris", "Marseille"), 0.7).build();

        CriterionResult result = criterion.evaluate("What is the capital of France?");

        assertThat(result.probability()).isEqualTo(0.6);
        assertThat(result.evidence()).contains("3/5").contains("'paris'");
        assertThat(result.usage().modelCalls()).isEqualTo(5);
    }

    @Test
    void failedSamplesCountAsDisagreeingAndNoneUsableMeansDoesNotKnow() {
        CriterionResult partly = SamplingConsistencySelfKnowledge.builder()
                .sampler(sampler("42", "42", null, null, null), 0.7).build().evaluate("q");
        CriterionResult none = SamplingConsistencySelfKnowledge.builder()
                .sampler(sampler(null, null, null, null, null), 0.7).build().evaluate("q");

        assertThat(partly.probability()).isEqualTo(0.4);
        assertThat(partly.usage().failedCalls()).isEqualTo(3);
        assertThat(none.probability()).isZero();
        assertThat(none.evidence()).contains("no usable sample");
    }

    @Test
    void samplesAllCutOffAtTheTokenLimitAreAFallbackThatDecidesNothing() {
        // Every reply is cut off (finish reason length): the sampler drops each as truncated but counts its call as
        // answered. Before, the 0 of "no usable sample" came with no failed call and settled the decision.
        ChatModel rambling = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                return ChatResponse.builder().aiMessage(AiMessage.from("so so so so so"))
                        .finishReason(FinishReason.LENGTH).tokenUsage(new TokenUsage(4, 8)).build();
            }
        };
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(rambling).build()) {
            UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder()
                    .criterion(new FixedCriterion(CriterionKind.KNOWLEDGE, 0.9))
                    .criterion(SamplingConsistencySelfKnowledge.builder().sampler(sampler, 0.7).build())
                    .build();

            RetrievalDecision decision = judge.judge("Who wrote Hamlet?");

            assertThat(decision.decidedBy()).isEmpty();
            assertThat(decision.retrieve()).isTrue();
            CriterionResult self = decision.criteria().get(CriterionKind.SELF_KNOWLEDGE);
            assertThat(self.usage().modelCalls()).isEqualTo(5).isEqualTo(self.usage().failedCalls());
            assertThat(self.usage().outputTokens()).isEqualTo(40);
            assertThat(self.evidence()).contains("no usable sample of 5 (5 failed, 5 cut off at the token limit)");
        }
    }

    @Test
    void refusesBadConfiguration() {
        assertThatThrownBy(() -> SamplingConsistencySelfKnowledge.builder().samples(1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SamplingConsistencySelfKnowledge.builder().build())
                .isInstanceOf(IllegalStateException.class);
    }
}
