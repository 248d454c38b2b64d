package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.RetryAfterHint;
import dev.langchain4j.exception.HttpException;
import java.time.Duration;
import java.util.Optional;

/**
 * A LangChain4j {@link HttpException} that also carries the response's {@code Retry-After}, which LangChain4j's own
 * HTTP clients drop. Thrown by the clients of {@link RetryAfterHttpClientBuilder}; being an {@code HttpException},
 * it is mapped by every provider exactly as before (429 to {@code RateLimitException}, 5xx to
 * {@code InternalServerException}, ...) and stays in the cause chain, where {@link LlmCallException#classify} finds
 * it.
 */
public final class RetryAfterHttpException extends HttpException implements RetryAfterHint {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    /**
     * @param statusCode the HTTP status of the failed response
     * @param body       the response body, as LangChain4j reports it
     * @param retryAfter the wait the response asked for, from the time it arrived, or null when it named none
     * @throws IllegalArgumentException if {@code retryAfter} is negative
     */
    public RetryAfterHttpException(int statusCode, String body, Duration retryAfter) {
        super(statusCode, body);
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        }
        this.retryAfter = retryAfter;
    }

    /** The wait the response asked for, when it named one that could be read. */
    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
