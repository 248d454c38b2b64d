package dev.reasoningsdk.impl.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.reasoningsdk.api.model.RetryAfterHint;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * A model call that failed, classified: whether retrying may help, whether it timed out, the HTTP status where
 * one is known, and how long the server asked us to wait (Retry-After) where it said so.
 *
 * <p>{@link #classify(Throwable)} maps what a LangChain4j {@code ChatModel} throws: timeouts (LangChain4j's
 * {@code TimeoutException}, HTTP 408, socket and HTTP-client timeouts), rate limits (429), server errors (5xx),
 * I/O errors and a host name that does not resolve (an unreachable server, as a refused connection is) are
 * retryable; bad requests, authentication and permission failures, unknown models (400, 401, 403,
 * 404, other 4xx) and anything unrecognised are not. LangChain4j's own exceptions do not carry response headers;
 * the Retry-After is read from any {@link RetryAfterHint} in the cause chain (a {@link RetryAfterHttpException},
 * which providers built with a {@link RetryAfterHttpClientBuilder} throw, as {@code OllamaChatModels} are, or the
 * 429 of the fixtures' {@code FaultyChatModel}), and a model that knows the value
 * otherwise reports it by throwing this exception itself (e.g. from {@link #forStatus(int, String, Duration)}).
 */
public final class LlmCallException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    /** {@link #statusCode()} value meaning no HTTP status is known. */
    private static final int NO_STATUS = -1;
    /** Most links of a cause chain read; real chains hold a handful. */
    private static final int MAX_CAUSES = 64;

    private final boolean timeout;
    private final int statusCode;
    private final Duration retryAfter;

    /**
     * @param message    what went wrong
     * @param cause      the underlying failure, or null
     * @param retryable  whether the same call may succeed if repeated
     * @param timeout    whether the call timed out (a timeout is always retryable)
     * @param statusCode the HTTP status, or a negative number when none is known
     * @param retryAfter how long the server asked to wait before retrying, or null
     * @throws IllegalArgumentException if a timeout is declared not retryable, or {@code retryAfter} is negative
     */
    public LlmCallException(String message, Throwable cause, boolean retryable, boolean timeout, int statusCode,
                            Duration retryAfter) {
        this(message, cause, retryable, timeout, statusCode, retryAfter, Usage.NONE);
    }

    /**
     * A failed call, thrown out of a technique whose calls (this one's attempts included) spent {@code usage}.
     *
     * @param usage what the failing operation spent, {@link #usage()}
     * @throws IllegalArgumentException as the constructor without usage
     * @throws NullPointerException     if {@code usage} is null
     */
    public LlmCallException(String message, Throwable cause, boolean retryable, boolean timeout, int statusCode,
                            Duration retryAfter, Usage usage) {
        super(message, cause, retryable, usage);
        if (timeout && !retryable) {
            throw new IllegalArgumentException("a timeout is retryable");
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        }
        this.timeout = timeout;
        this.statusCode = statusCode < 0 ? NO_STATUS : statusCode;
        this.retryAfter = retryAfter;
    }

    /**
     * A failure with an HTTP status, retryable exactly when the status is transient (408, 429, 5xx).
     *
     * @param retryAfter the server's Retry-After, or null
     */
    public static LlmCallException forStatus(int statusCode, String message, Duration retryAfter) {
        return new LlmCallException("HTTP " + statusCode + ": " + message, null, isTransientStatus(statusCode),
                statusCode == 408, statusCode, retryAfter);
    }

    /** A call that produced no response within {@code limit}. */
    static LlmCallException timedOut(Duration limit) {
        return new LlmCallException("no response within " + limit.toMillis() + " ms", null, true, true, NO_STATUS,
                null);
    }

    /** Whether an HTTP status is worth retrying: 408 (request timeout), 429 (rate limited) and every 5xx. */
    public static boolean isTransientStatus(int statusCode) {
        return statusCode == 408 || statusCode == 429 || (statusCode >= 500 && statusCode < 600);
    }

    /**
     * Classifies what a model call threw (see the class description). Wrappers such as
     * {@link ExecutionException} are looked through; an {@code LlmCallException} is returned as it is.
     *
     * @throws NullPointerException if {@code failure} is null
     */
    public static LlmCallException classify(Throwable failure) {
        Throwable top = unwrap(failure);
        if (top instanceof LlmCallException known) {
            return known;
        }
        int status = statusIn(top);
        Duration retryAfter = retryAfterIn(top);
        String message = describe(top);
        if (unresolvedHost(top)) {
            // Before the non-retriable check: LangChain4j throws an UnresolvedModelServerException, a
            // NonRetriableException, for what is an unreachable server, as a refused connection is.
            return new LlmCallException(message, top, true, false, status, retryAfter);
        }
        if (top instanceof NonRetriableException) {
            return new LlmCallException(message, top, false, false, status, retryAfter);
        }
        if (top instanceof dev.langchain4j.exception.TimeoutException || isTimeout(top)) {
            return new LlmCallException(message, top, true, true, status, retryAfter);
        }
        if (top instanceof RateLimitException || top instanceof InternalServerException
                || top instanceof RetriableException) {
            return new LlmCallException(message, top, true, false, status, retryAfter);
        }
        if (status != NO_STATUS) {
            return new LlmCallException(message, top, isTransientStatus(status), status == 408, status, retryAfter);
        }
        boolean io = causes(top).stream().anyMatch(t -> t instanceof IOException || t instanceof UncheckedIOException);
        return new LlmCallException(message, top, io, false, NO_STATUS, retryAfter);
    }

    /**
     * What kind of failure this is, for {@link dev.reasoningsdk.api.Usage#failuresByKind()}: a timeout (408
     * included) is {@link CallFailure#TIMEOUT}; 429 {@link CallFailure#RATE_LIMITED}; 5xx
     * {@link CallFailure#SERVER_ERROR}; other 4xx {@link CallFailure#CLIENT_ERROR}; without a status, LangChain4j's
     * rate-limit and server exceptions by type, its non-retriable exceptions (authentication, invalid request, model
     * not found) and a parameter the provider's client does not support {@link CallFailure#CLIENT_ERROR}, a reply
     * body that is not valid JSON {@link CallFailure#GARBAGE}, a host name that does not resolve (LangChain4j's
     * {@code UnresolvedModelServerException} included) and other retryable failures (I/O)
     * {@link CallFailure#CONNECTION};
     * anything else {@link CallFailure#OTHER}.
     */
    public CallFailure failure() {
        if (timeout) {
            return CallFailure.TIMEOUT;
        }
        if (statusCode == 429) {
            return CallFailure.RATE_LIMITED;
        }
        if (statusCode >= 500 && statusCode < 600) {
            return CallFailure.SERVER_ERROR;
        }
        if (statusCode >= 400 && statusCode < 500) {
            return CallFailure.CLIENT_ERROR;
        }
        if (unresolvedHost(this)) {
            // No server could be reached: the request was never read, so it is not a client error.
            return CallFailure.CONNECTION;
        }
        List<Throwable> chain = causes(this);
        if (chain.stream().anyMatch(RateLimitException.class::isInstance)) {
            return CallFailure.RATE_LIMITED;
        }
        if (chain.stream().anyMatch(InternalServerException.class::isInstance)) {
            return CallFailure.SERVER_ERROR;
        }
        if (chain.stream().anyMatch(t -> t instanceof NonRetriableException
                || t instanceof UnsupportedFeatureException)) {
            // An unsupported parameter is the client refusing our request before sending it: a client error.
            return CallFailure.CLIENT_ERROR;
        }
        if (chain.stream().anyMatch(JsonProcessingException.class::isInstance)) {
            // The JDK client reads the whole body before the provider parses it, so a parse error means the server
            // sent a complete reply that is not the JSON promised: garbage, not a broken connection.
            return CallFailure.GARBAGE;
        }
        return isRetryable() ? CallFailure.CONNECTION : CallFailure.OTHER;
    }

    /** Whether the call timed out. */
    public boolean isTimeout() {
        return timeout;
    }

    /** The HTTP status of the failed call, when known. */
    public OptionalInt statusCode() {
        return statusCode == NO_STATUS ? OptionalInt.empty() : OptionalInt.of(statusCode);
    }

    /** How long the server asked to wait before the next call, when it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable current = Objects.requireNonNull(failure, "failure");
        while ((current instanceof ExecutionException || current instanceof CompletionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * Whether the host name did not resolve, anywhere in the cause chain: an {@link UnknownHostException} to a socket,
     * an {@link UnresolvedAddressException} under the JDK HTTP client, which LangChain4j rethrows as its
     * {@link UnresolvedModelServerException}.
     */
    private static boolean unresolvedHost(Throwable top) {
        return causes(top).stream().anyMatch(t -> t instanceof UnknownHostException
                || t instanceof UnresolvedAddressException || t instanceof UnresolvedModelServerException);
    }

    private static boolean isTimeout(Throwable top) {
        return causes(top).stream().anyMatch(t -> t instanceof java.util.concurrent.TimeoutException
                || t instanceof HttpTimeoutException
                || t instanceof SocketTimeoutException
                || t instanceof dev.langchain4j.exception.TimeoutException);
    }

    private static int statusIn(Throwable top) {
        return causes(top).stream().filter(HttpException.class::isInstance)
                .mapToInt(t -> ((HttpException) t).statusCode()).findFirst().orElse(NO_STATUS);
    }

    private static Duration retryAfterIn(Throwable top) {
        return causes(top).stream().filter(RetryAfterHint.class::isInstance)
                .map(t -> ((RetryAfterHint) t).retryAfter()).flatMap(Optional::stream).findFirst()
                .orElse(null);
    }

    /**
     * The first {@code type} in {@code failure}'s cause chain, {@code failure} included: how a failure that a
     * decorator, an executor or LangChain4j wrapped (in a {@code RuntimeException}, {@link ExecutionException},
     * {@link CompletionException}) is still recognised. The walk is bounded and stops at a cycle.
     */
    static <T extends Throwable> Optional<T> causeOfType(Throwable failure, Class<T> type) {
        return causeMatching(failure, type::isInstance).map(type::cast);
    }

    /**
     * The first throwable in {@code failure}'s cause chain ({@code failure} included) that {@code test} accepts, read
     * as {@link #classify} reads it: at most {@value #MAX_CAUSES} links, stopping at a cycle. For a caller that
     * recognises a failure by what it wraps (a refused connection inside a provider's exception).
     */
    public static Optional<Throwable> causeMatching(Throwable failure, Predicate<? super Throwable> test) {
        Objects.requireNonNull(test, "test");
        return causes(failure).stream().filter(test).findFirst();
    }

    /**
     * The cause chain from {@code top}, at most {@value #MAX_CAUSES} long: {@code getCause()} is the thrower's own
     * code, so a chain may loop back (the identity set stops it) or be built without end.
     */
    private static List<Throwable> causes(Throwable top) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = top; t != null && chain.size() < MAX_CAUSES && seen.add(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }
}
