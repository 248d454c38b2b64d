package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlmCallExceptionTest {

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504, 599})
    void transientStatusesAreRetryable(int status) {
        LlmCallException classified = LlmCallException.classify(new HttpException(status, "body"));
        assertThat(classified.isRetryable()).isTrue();
        assertThat(classified.statusCode()).hasValue(status);
        assertThat(classified.isTimeout()).isEqualTo(status == 408);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 409, 422})
    void otherClientErrorsAreNot(int status) {
        LlmCallException classified = LlmCallException.classify(new HttpException(status, "body"));
        assertThat(classified.isRetryable()).isFalse();
        assertThat(classified.statusCode()).hasValue(status);
    }

    @Test
    void langChain4jsTypedExceptionsKeepTheStatusOfTheirHttpCause() {
        RateLimitException rateLimited = new RateLimitException("slow down");
        rateLimited.initCause(new HttpException(429, "slow down"));
        assertThat(LlmCallException.classify(rateLimited).statusCode()).hasValue(429);
        assertThat(LlmCallException.classify(rateLimited).isRetryable()).isTrue();

        AuthenticationException denied = new AuthenticationException("bad key");
        denied.initCause(new HttpException(401, "bad key"));
        LlmCallException classified = LlmCallException.classify(denied);
        assertThat(classified.isRetryable()).isFalse();
        assertThat(classified.statusCode()).hasValue(401);
        assertThat(classified.getMessage()).isEqualTo("AuthenticationException: bad key");
    }

    @Test
    void readsTheRetryAfterOfAnyFailureThatCarriesOneAsTheFixturesRateLimitDoes() {
        dev.reasoningsdk.fixtures.RetryAfterRateLimitException rateLimited =
                new dev.reasoningsdk.fixtures.RetryAfterRateLimitException("slow down", java.time.Duration.ofSeconds(3));
        LlmCallException classified = LlmCallException.classify(new RuntimeException("wrapped", rateLimited));
        assertThat(classified.retryAfter()).hasValue(java.time.Duration.ofSeconds(3));
        assertThat(classified.isRetryable()).isTrue();
        assertThat(classified.statusCode()).hasValue(429);
    }

    @Test
    void readsTheRetryAfterOfTheHttpResponseFromTheCauseChain() {
        RateLimitException rateLimited = new RateLimitException("slow down",
                new RetryAfterHttpException(429, "slow down", Duration.ofSeconds(2)));
        LlmCallException classified = LlmCallException.classify(rateLimited);
        assertThat(classified.retryAfter()).hasValue(Duration.ofSeconds(2));
        assertThat(classified.statusCode()).hasValue(429);
        assertThat(LlmCallException.classify(new InternalServerException(
                new RetryAfterHttpException(503, "maintenance", Duration.ofMinutes(5)))).retryAfter())
                .hasValue(Duration.ofMinutes(5));
        assertThat(LlmCallException.classify(new RetryAfterHttpException(429, "no header", null)).retryAfter())
                .isEmpty();
    }

    @Test
    void classifiesLangChain4jExceptionTypes() {
        assertThat(LlmCallException.classify(new TimeoutException("t")).isTimeout()).isTrue();
        assertThat(LlmCallException.classify(new InternalServerException("500")).isRetryable()).isTrue();
        assertThat(LlmCallException.classify(new RateLimitException("429")).isRetryable()).isTrue();
        assertThat(LlmCallException.classify(new InvalidRequestException("400")).isRetryable()).isFalse();
        assertThat(LlmCallException.classify(new ModelNotFoundException("404")).isRetryable()).isFalse();
    }

    @Test
    void ioErrorsAndTimeoutsAnywhereInTheChainAreRetryable() {
        assertThat(LlmCallException.classify(new LangChain4jException(new IOException("reset"))).isRetryable())
                .isTrue();
        assertThat(LlmCallException.classify(new UncheckedIOException(new IOException("eof"))).isRetryable())
                .isTrue();
        LlmCallException socket = LlmCallException.classify(new RuntimeException(new SocketTimeoutException()));
        assertThat(socket.isTimeout()).isTrue();
        LlmCallException http = LlmCallException.classify(new LangChain4jException(new HttpTimeoutException("t")));
        assertThat(http.isTimeout()).isTrue();
    }

    @Test
    void programmingErrorsAreNotRetried() {
        assertThat(LlmCallException.classify(new IllegalArgumentException("bad")).isRetryable()).isFalse();
        assertThat(LlmCallException.classify(new NullPointerException()).getMessage())
                .isEqualTo("NullPointerException");
    }

    @Test
    void looksThroughWrappersAndKeepsItsOwnKind() {
        LlmCallException own = LlmCallException.forStatus(503, "busy", Duration.ofSeconds(3));
        assertThat(LlmCallException.classify(new ExecutionException(own))).isSameAs(own);
        assertThat(LlmCallException.classify(new CompletionException(new HttpException(500, "x"))).statusCode())
                .hasValue(500);
        assertThat(own.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(own.isRetryable()).isTrue();
    }

    @Test
    void survivesACyclicCauseChain() {
        RuntimeException first = new RuntimeException("first");
        RuntimeException second = new RuntimeException("second", first);
        first.initCause(second);
        assertThat(LlmCallException.classify(first).isRetryable()).isFalse();
    }

    @Test
    void rejectsContradictions() {
        assertThatThrownBy(() -> new LlmCallException("x", null, false, true, -1, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmCallException.forStatus(429, "x", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmCallException.classify(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aReplyBodyThatIsNotJsonIsGarbageAndStillRetryable() throws Exception {
        // What both LangChain4j clients throw for a 200 whose body was cut short (FaultInjectingServer's invalidJson).
        com.fasterxml.jackson.core.JsonProcessingException parse;
        try {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"choices\": [{\"message\": {\"content\": \"7");
            throw new AssertionError("the body parsed");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            parse = e;
        }
        LlmCallException classified = LlmCallException.classify(new RuntimeException(parse));
        assertThat(classified.failure()).isEqualTo(dev.reasoningsdk.api.CallFailure.GARBAGE);
        assertThat(classified.isRetryable()).isTrue();
        // A body broken off by the network is an I/O error before any parsing: still a connection failure.
        assertThat(LlmCallException.classify(new RuntimeException(new IOException("EOF reached while reading")))
                .failure()).isEqualTo(dev.reasoningsdk.api.CallFailure.CONNECTION);
    }

    @Test
    void aHostThatDoesNotResolveIsAConnectionFailureAsARefusedConnectionIs() {
        LlmCallException refused = LlmCallException.classify(new RuntimeException(new java.net.ConnectException()));
        // As a socket reports it, as the JDK HTTP client does, and as LangChain4j rethrows the latter.
        for (Throwable unresolved : java.util.List.of(
                new RuntimeException(new java.net.UnknownHostException("no-such-host.invalid")),
                new java.nio.channels.UnresolvedAddressException(),
                new dev.langchain4j.exception.UnresolvedModelServerException(
                        new java.nio.channels.UnresolvedAddressException()))) {
            LlmCallException classified = LlmCallException.classify(unresolved);
            assertThat(classified.failure()).as(unresolved.toString()).isEqualTo(refused.failure())
                    .isEqualTo(dev.reasoningsdk.api.CallFailure.CONNECTION);
            assertThat(classified.isRetryable()).as(unresolved.toString()).isEqualTo(refused.isRetryable());
        }
    }

    @Test
    void aParameterTheClientDoesNotSupportIsAClientErrorNotRetried() {
        LlmCallException classified = LlmCallException.classify(
                new dev.langchain4j.exception.UnsupportedFeatureException("'topK' parameter is not supported by OpenAI"));
        assertThat(classified.failure()).isEqualTo(dev.reasoningsdk.api.CallFailure.CLIENT_ERROR);
        assertThat(classified.isRetryable()).isFalse();
    }
}
