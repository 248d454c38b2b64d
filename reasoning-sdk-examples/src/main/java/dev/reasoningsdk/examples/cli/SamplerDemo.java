package dev.reasoningsdk.examples.cli;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shows {@link ChatModelSampler} drawing 8 samples from a flaky stand-in model: two calls fail with HTTP 503 and
 * are retried, one answer is empty and is retried, and the cost counts every call.
 */
final class SamplerDemo implements DemoSection {

    @Override
    public String title() {
        return "Sampling from a flaky model (retries, garbage, cost)";
    }

    @Override
    public void run(PrintStream out) {
        ChatModel flaky = new ChatModel() {
            private final AtomicInteger calls = new AtomicInteger();

            @Override
            public ChatResponse chat(ChatRequest request) {
                int call = calls.incrementAndGet();
                if (call == 2 || call == 5) {
                    throw new InternalServerException("503 Service Unavailable");
                }
                String text = call == 7 ? ""
                        : call == 3 ? "3 * 6 = 18. The answer is 18." : "6 * 7 = 42. The answer is 42.";
                return ChatResponse.builder().aiMessage(AiMessage.from(text))
                        .tokenUsage(new TokenUsage(12, 9)).build();
            }
        };
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(flaky).name("flaky-demo").concurrency(1)
                .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(20)).build()).build()) {
            SampleBatch batch = sampler.sample("What is 6 times 7?", 8, 0);
            Map<String, Integer> votes = new TreeMap<>();
            batch.samples().forEach(sample -> AnswerExtractors.numeric().extract(sample.text())
                    .ifPresent(answer -> votes.merge(answer, 1, Integer::sum)));
            out.printf("samples %d of %d, stop %s%n", batch.samples().size(), batch.requested(), batch.stopReason());
            out.printf("answers %s%n", votes);
            out.printf("cost: %d model calls, %d failed (two 503s, one empty answer), %d+%d tokens%n",
                    batch.usage().modelCalls(), batch.usage().failedCalls(), batch.usage().inputTokens(),
                    batch.usage().outputTokens());
        }
    }
}
