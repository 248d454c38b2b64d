package dev.reasoningsdk.impl.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.ModelGateway;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An empty reply stored to replay a run exactly ({@code storeEmptyReplies(true)}, as the CLI's {@code --cache} sets
 * for the in-process provider) is refused again on the replay, but the replay calls no model and spends nothing: the
 * gateway counts it as a cache hit, not as a failed model call with the stored reply's tokens.
 */
class ReplayedEmptyReplyUsageTest {

    private static final ChatRequest REQUEST = ChatRequest.builder().messages(UserMessage.from("2 + 2?")).build();

    @TempDir
    Path dir;

    @Test
    void aReplayedEmptyReplyIsARefusedCacheHitNotAFailedModelCall() {
        CountingModel model = CountingModel.answering(request -> ChatResponse.builder().aiMessage(AiMessage.from(""))
                .finishReason(FinishReason.STOP).tokenUsage(new TokenUsage(11, 0)).build(),
                ChatRequestParameters.builder().build());
        Path file = dir.resolve("cache.db");

        // Recorded: the empty reply and its retry are two failed model calls, billed 11 prompt tokens each.
        CallResult recorded = callThroughCache(model, file);
        assertThat(recorded.failure()).contains(CallFailure.GARBAGE);
        assertThat(recorded.usage().modelCalls()).isEqualTo(2);
        assertThat(recorded.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.GARBAGE, 2));
        assertThat(recorded.usage().inputTokens()).isEqualTo(22);
        assertThat(model.calls()).isEqualTo(2);

        // Replayed from the SQLite file: the same refusal, from two cache hits that cost nothing now.
        CallResult replayed = callThroughCache(model, file);
        assertThat(model.calls()).isEqualTo(2);
        assertThat(replayed.failure()).contains(CallFailure.GARBAGE);
        assertThat(replayed.attempts()).isEqualTo(2);
        Usage usage = replayed.usage();
        assertThat(usage.cacheHits()).isEqualTo(2);
        assertThat(usage.modelCalls()).isZero();
        assertThat(usage.failedCalls()).isZero();
        assertThat(usage.inputTokens()).isZero();
        assertThat(usage.outputTokens()).isZero();
    }

    private static CallResult callThroughCache(CountingModel model, Path file) {
        try (CachingChatModel cached = CachingChatModel.builder().delegate(model).path(file).storeEmptyReplies(true)
                .build(); ModelGateway gateway = ModelGateway.of(cached)) {
            return gateway.call(REQUEST);
        }
    }
}
