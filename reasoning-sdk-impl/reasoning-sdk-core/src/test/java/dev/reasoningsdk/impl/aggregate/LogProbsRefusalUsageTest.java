package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.confidence.ConfidenceGatedChatModel;
import dev.reasoningsdk.impl.confidence.LogisticCombiner;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A scorer or estimator that refuses for want of token log-probabilities counts only its own calls (none here): the
 * technique that sampled the chains it was given must add what its sampling spent, or the exception says a run that
 * called the model many times cost nothing.
 */
class LogProbsRefusalUsageTest {

    /** Two answers in turn, so that AoR has groups to judge rather than a unanimous answer. */
    private static ScriptedChatModel answering() {
        AtomicInteger calls = new AtomicInteger();
        return ScriptedChatModel.byRule(request -> "The answer is " + (4 + calls.getAndIncrement() % 2) + ".");
    }

    private static Usage refusedUsage(Runnable run) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(run::run);
        assertThat(thrown).isInstanceOf(LogProbsUnavailableException.class);
        return ((LogProbsUnavailableException) thrown).usage();
    }

    private static Usage solvedBy(Function<ChatModelSampler, Aggregator> aggregator, ScriptedChatModel model) {
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).build()) {
            return refusedUsage(() -> aggregator.apply(sampler).solve("2 + 2?"));
        }
    }

    @Test
    void aorCountsItsSamplingWhenItsLikelihoodScorerRefuses() {
        ScriptedChatModel model = answering();
        Usage usage = solvedBy(sampler -> AggregationOfReasoning.builder().extractor(AnswerExtractors.numeric())
                .sampler(sampler, 0.7).scorer(LikelihoodChainScorer.fromSampledLogProbs()).initialSamples(6)
                .build(), model);
        assertThat(model.calls()).isEqualTo(6);
        assertThat(usage.modelCalls()).isEqualTo(6);
        assertThat(usage.samples()).isEqualTo(6);
    }

    @Test
    void aWeightedVoteCountsItsSamplingWhenItsScorerRefuses() {
        ScriptedChatModel model = answering();
        Usage usage = solvedBy(sampler -> WeightedVote.builder().extractor(AnswerExtractors.numeric())
                .sampler(sampler, 0.7).samples(4).scorer(LikelihoodChainScorer.fromSampledLogProbs()).build(), model);
        assertThat(model.calls()).isEqualTo(4);
        assertThat(usage.modelCalls()).isEqualTo(4);
    }

    @Test
    void theGatedModelCountsItsSamplesWhenItsEstimatorRefuses() {
        ScriptedChatModel model = answering();
        ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder().delegate(model).samples(3)
                .estimator(TokenProbabilityConfidence.builder().model(model).build()).build();
        Usage usage = refusedUsage(() -> gated.chat(ChatRequest.builder().messages(UserMessage.from("2 + 2?"))
                .build()));
        assertThat(model.calls()).isEqualTo(3);
        assertThat(usage.modelCalls()).isEqualTo(3);
        assertThat(usage.samples()).isEqualTo(3);
    }

    @Test
    void theCombinerCountsItsSamplingWhenOneOfItsEstimatorsRefuses() {
        ScriptedChatModel model = answering();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).build()) {
            LogisticCombiner combiner = LogisticCombiner.builder().sampler(sampler, 0.7).samples(3)
                    .estimator(TokenProbabilityConfidence.builder().model(model).build())
                    .weights(new LogisticCombiner.Weights(List.of("token_probability.confidence"),
                            new double[] {1}, 0, new double[] {0}, new double[] {1}))
                    .build();
            Usage usage = refusedUsage(() -> combiner.estimate("2 + 2?"));
            assertThat(model.calls()).isEqualTo(3);
            assertThat(usage.modelCalls()).isEqualTo(3);
        }
    }
}
