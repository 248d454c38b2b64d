package dev.reasoningsdk.sample;

import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.confidence.ConfidenceGatedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;

/**
 * What an application writes to use reasoning-sdk's core with any LangChain4j {@link ChatModel}: a majority vote over
 * sampled answers, and a chat model that attaches a confidence and refuses below a threshold.
 */
public final class CheckedAnswers {

    private final ChatModel model;

    /** Answers with {@code model}. */
    public CheckedAnswers(ChatModel model) {
        this.model = model;
    }

    /** The majority answer of {@code samples} sampled replies to {@code question}. */
    public AggregationResult vote(String question, int samples) {
        MajorityVote vote = MajorityVote.builder()
                .extractor(AnswerExtractors.numeric())
                .sampler(ChatModelSampler.builder().model(model).build(), 0.7)
                .samples(samples)
                .build();
        return vote.solve(question);
    }

    /** {@code model} behind a confidence gate: answers below {@code threshold} are refused. */
    public ChatModel gated(double threshold) {
        return ConfidenceGatedChatModel.builder().delegate(model).threshold(threshold).build();
    }
}
