package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.SampleBatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A sampler closed while one of its batches runs: the batch's unfinished samples are cancelled, as close says,
 * not "internal errors" logged at ERROR because the gateway closed under them.
 */
class SamplerClosedMidBatchTest {

    @Test
    void samplesLeftWhenTheSamplerClosesAreCancelledNotInternalErrors() {
        AtomicReference<ChatModelSampler> sampler = new AtomicReference<>();
        // The first call closes the sampler from inside the batch, so the close lands mid-batch without timing.
        ChatModel closesOnFirstCall = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                sampler.get().close();
                return ChatResponse.builder().aiMessage(AiMessage.from("The answer is 4.")).build();
            }
        };
        sampler.set(ChatModelSampler.builder().model(closesOnFirstCall).concurrency(1).build());
        SampleBatch batch = sampler.get().sample("What is 2+2?", 6, 0);

        assertThat(batch.stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(batch.samples().size() + batch.failures().size()).isEqualTo(6);
        assertThat(batch.failures()).isNotEmpty().allSatisfy(failure -> assertThat(failure.kind())
                .as(failure.message()).isEqualTo(SampleBatch.FailureKind.CANCELLED));
        Usage usage = batch.usage();
        assertThat(usage.modelCalls()).isEqualTo(usage.samples() + usage.failedCalls());
    }
}
