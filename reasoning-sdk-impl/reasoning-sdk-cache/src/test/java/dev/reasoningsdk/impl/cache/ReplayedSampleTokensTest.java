package dev.reasoningsdk.impl.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sample whose recording had an empty reply refused before it carries both replies' tokens; replayed from the
 * cache's file it must read the same (as a replayed sample's own reply keeps its stored tokens), or a method's
 * tokens counted from its samples (bench aggregate --live's generated_tokens) change between a run and its replay.
 */
class ReplayedSampleTokensTest {

    @TempDir
    Path dir;

    /** Calls 0 and 2 and 3 answer nothing (11 prompt tokens), call 1 answers (7 prompt, 3 generated tokens). */
    private static CountingModel emptyThenAnswerThenEmptyTwice() {
        AtomicInteger calls = new AtomicInteger();
        return CountingModel.answering(request -> {
            boolean answers = calls.getAndIncrement() == 1;
            return ChatResponse.builder().aiMessage(AiMessage.from(answers ? "The answer is 4." : ""))
                    .finishReason(FinishReason.STOP).tokenUsage(answers ? new TokenUsage(7, 3) : new TokenUsage(11, 0))
                    .build();
        }, ChatRequestParameters.builder().build());
    }

    private static SampleBatch draw(CountingModel model, Path file) {
        try (CachingChatModel cached = CachingChatModel.builder().delegate(model).path(file).storeEmptyReplies(true)
                .build(); ChatModelSampler sampler = ChatModelSampler.builder().model(cached).concurrency(1).build()) {
            return sampler.sample("2 + 2?", 2, 0);
        }
    }

    private static List<Long> tokens(SampleBatch batch) {
        return List.of(batch.samples().get(0).inputTokens(), batch.samples().get(0).outputTokens(),
                batch.failures().get(0).inputTokens(), batch.failures().get(0).outputTokens());
    }

    @Test
    void aReplayedSampleAndFailureCarryTheTokensTheirRecordedRepliesReported() {
        Path file = dir.resolve("cache.db");
        CountingModel recording = emptyThenAnswerThenEmptyTwice();
        SampleBatch recorded = draw(recording, file);
        assertThat(recording.calls()).isEqualTo(4);
        // Sample 0: the refused empty reply and the answer; failure 1: two refused empty replies.
        assertThat(tokens(recorded)).containsExactly(18L, 3L, 22L, 0L);

        CountingModel replaying = emptyThenAnswerThenEmptyTwice();
        SampleBatch replayed = draw(replaying, file);
        assertThat(replaying.calls()).isZero();
        assertThat(replayed.usage().cacheHits()).isEqualTo(4);
        assertThat(replayed.usage().inputTokens()).isZero();
        assertThat(tokens(replayed)).isEqualTo(tokens(recorded));
    }
}
