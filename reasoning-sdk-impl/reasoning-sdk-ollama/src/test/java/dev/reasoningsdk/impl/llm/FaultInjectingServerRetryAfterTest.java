package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.model.RetryAfterHint;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fixture's Retry-After reaches the SDK: {@link OllamaChatModels} builds on {@link RetryAfterHttpClientBuilder},
 * so a 429 or 503 from {@link FaultInjectingServer} carries its wait in a {@link RetryAfterHttpException}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultInjectingServerRetryAfterTest {

    @Test
    void retryAfterOfA429AndA503IsReadableThroughTheSdksHttpClient() {
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .faults(HttpFault.rateLimited(Duration.ofSeconds(2)), HttpFault.serverError(503,
                        Duration.ofSeconds(7)), HttpFault.rateLimited())
                .start()) {
            ChatModel model = OllamaChatModels.of(server.ollamaBaseUrl(), "m");

            Throwable rateLimited = catchThrowable(() -> model.chat("What is 3 + 4?"));
            Throwable unavailable = catchThrowable(() -> model.chat("What is 3 + 4?"));
            Throwable withoutHeader = catchThrowable(() -> model.chat("What is 3 + 4?"));

            assertThat(rateLimited).isInstanceOf(RateLimitException.class).cause()
                    .isInstanceOfSatisfying(RetryAfterHttpException.class, e -> assertThat(e.retryAfter())
                            .hasValue(Duration.ofSeconds(2)));
            assertThat(unavailable).isInstanceOf(InternalServerException.class).cause()
                    .isInstanceOfSatisfying(RetryAfterHint.class, e -> assertThat(e.retryAfter())
                            .hasValue(Duration.ofSeconds(7)));
            assertThat(withoutHeader.getCause()).isInstanceOfSatisfying(RetryAfterHttpException.class,
                    e -> assertThat(e.retryAfter()).isEmpty());
            assertThat(server.requests()).isEqualTo(3);
        }
    }
}
