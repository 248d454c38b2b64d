package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read timeout of {@link RetryAfterHttpClientBuilder}'s client over real HTTP: it bounds the whole response, and
 * its expiry is a timeout, never a broken connection. The JDK's request timeout bounded the headers alone and, firing
 * just after they arrived, closed the connection under the body: a 10 MiB reply was then counted as a connection
 * failure (the fault matrix's huge-answer cells under load).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetryAfterHttpClientBuilderTest {

    private static final String CHAT = "{\"model\":\"m\",\"stream\":false,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 3 + 4?\"}]}";

    private static HttpRequest chat(FaultInjectingServer server) {
        return HttpRequest.builder().method(HttpMethod.POST)
                .url(server.ollamaBaseUrl() + FaultInjectingServer.OLLAMA_PATH)
                .addHeader("Content-Type", "application/json").body(CHAT).build();
    }

    @Test
    void aBodyThatOutlivesTheReadTimeoutIsATimeoutAndTheSameClientThenAnswersAndStillTellsABrokenConnection() {
        // Headers at once, then one byte of a few hundred every 100 ms: the body takes half a minute, the timeout 3 s
        // (roomy, so that a loaded machine still answers the other two calls within it).
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .faults(HttpFault.trickle(Duration.ofMillis(100)), HttpFault.none(), HttpFault.reset()).start()) {
            HttpClient client = new RetryAfterHttpClientBuilder().readTimeout(Duration.ofSeconds(3)).build();

            Throwable midBody = catchThrowable(() -> client.execute(chat(server)));
            // A connection left half read would hand this call the rest of the trickled body.
            SuccessfulHttpResponse answered = client.execute(chat(server));
            Throwable reset = catchThrowable(() -> client.execute(chat(server)));

            assertThat(midBody).isInstanceOf(TimeoutException.class);
            assertThat(LlmCallException.classify(midBody).failure()).isEqualTo(CallFailure.TIMEOUT);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).contains("The answer is 7.");
            // A connection the server really closed is still one, and retryable.
            LlmCallException broken = LlmCallException.classify(reset);
            assertThat(broken.failure()).isEqualTo(CallFailure.CONNECTION);
            assertThat(broken.isRetryable()).isTrue();
            assertThat(server.requests()).isEqualTo(3);
        }
    }

    @Test
    void aReadTimeoutTooLongForNanosecondsWaitsAsLongAsItCanInsteadOfFailingEveryCall() {
        // Any positive timeout is accepted; one past a long of nanoseconds (292 years) overflowed at every call.
        try (FaultInjectingServer server = FaultInjectingServer.builder().faults(HttpFault.none()).start()) {
            HttpClient client = new RetryAfterHttpClientBuilder().readTimeout(Duration.ofSeconds(Long.MAX_VALUE))
                    .build();

            SuccessfulHttpResponse answered = client.execute(chat(server));

            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).contains("The answer is 7.");
        }
    }
}
