package dev.reasoningsdk.impl.llm;

import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.RetryAfter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A LangChain4j {@link HttpClientBuilder} whose clients keep the {@code Retry-After} of a failed response: a non-2xx
 * answer throws a {@link RetryAfterHttpException} (an {@code HttpException} with the parsed wait), so that
 * {@link ChatModelSampler} can honour it. Give it to any LangChain4j provider that takes an HTTP client builder,
 * e.g. {@code OllamaChatModel.builder().httpClientBuilder(new RetryAfterHttpClientBuilder())};
 * {@code OllamaChatModels} does.
 *
 * <p>Why not decorate LangChain4j's {@code JdkHttpClient}: it builds its {@code HttpException} from the status and
 * body alone, so the headers are gone before a decorator sees the failure. This client therefore makes plain
 * requests itself on the JDK's {@code java.net.http} client, with the exception types {@code JdkHttpClient} throws,
 * and hands streaming (server-sent events) and multipart requests to a {@code JdkHttpClient} with the same settings;
 * failures there carry no Retry-After.
 *
 * <p>One difference in timing: the read timeout bounds the whole response, headers and body, and when it passes the
 * call always fails with LangChain4j's {@code TimeoutException}. The JDK's own request timeout, which
 * {@code JdkHttpClient} uses, bounds the headers alone, and on a loaded machine it can fire just after they arrived,
 * before the JDK disarms it: it then closes the connection under the body, and the call failed with an
 * {@code IOException} ("fixed content-length: N, bytes received: 0", the connection "closed locally"), which reads
 * as a broken connection rather than the timeout it was. Defaults: no connect or read timeout (the provider sets its
 * own).
 */
public final class RetryAfterHttpClientBuilder implements HttpClientBuilder {

    private Duration connectTimeout;
    private Duration readTimeout;

    /** A builder with no timeouts set. */
    public RetryAfterHttpClientBuilder() {
    }

    @Override
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * The longest a connection may take to open (default: the JDK's, none).
     *
     * @throws IllegalArgumentException if not positive
     */
    @Override
    public RetryAfterHttpClientBuilder connectTimeout(Duration connectTimeout) {
        this.connectTimeout = Arguments.positive(connectTimeout, "connectTimeout");
        return this;
    }

    @Override
    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The longest a request may wait for its whole response, headers and body (default none); then its exchange is
     * cancelled, closing its connection, and the call throws LangChain4j's {@code TimeoutException}.
     *
     * @throws IllegalArgumentException if not positive
     */
    @Override
    public RetryAfterHttpClientBuilder readTimeout(Duration readTimeout) {
        this.readTimeout = Arguments.positive(readTimeout, "readTimeout");
        return this;
    }

    /** A client with these settings; thread-safe. */
    @Override
    public HttpClient build() {
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        if (connectTimeout != null) {
            jdk.connectTimeout(connectTimeout);
        }
        return new RetryAfterHttpClient(jdk.build(), connectTimeout, readTimeout);
    }

    /** Plain requests on the JDK client with the headers of failures kept; the rest through {@code others}. */
    private static final class RetryAfterHttpClient implements HttpClient {
        private final java.net.http.HttpClient jdk;
        private final Duration connectTimeout;
        private final Duration readTimeout;
        /** Built on first use: chat models rarely stream or upload, and each JDK client holds a selector thread. */
        private HttpClient others;

        RetryAfterHttpClient(java.net.http.HttpClient jdk, Duration connectTimeout, Duration readTimeout) {
            this.jdk = jdk;
            this.connectTimeout = connectTimeout;
            this.readTimeout = readTimeout;
        }

        private synchronized HttpClient others() {
            if (others == null) {
                others = JdkHttpClient.builder().connectTimeout(connectTimeout).readTimeout(readTimeout).build();
            }
            return others;
        }

        @Override
        public SuccessfulHttpResponse execute(HttpRequest request) {
            if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
                return others().execute(request);
            }
            HttpResponse<byte[]> response = send(toJdk(request));
            int status = response.statusCode();
            if (status < 200 || status >= 300) {
                Instant arrived = Instant.now();
                Optional<Duration> retryAfter = response.headers().firstValue("Retry-After")
                        .flatMap(value -> RetryAfter.parse(value, arrived));
                throw new RetryAfterHttpException(status, new String(response.body(), StandardCharsets.UTF_8),
                        retryAfter.orElse(null));
            }
            return SuccessfulHttpResponse.builder().statusCode(status).headers(response.headers().map())
                    .body(response.body()).build();
        }

        /**
         * Sends {@code request} and waits for the whole response at most the read timeout. The timeout is this
         * wait's alone, never the JDK's request timeout (see the class description), so a call that outlives it is
         * decided here: a timeout, whatever the cancelled exchange reports afterwards. Cancelling closes the
         * connection, so a half-read reply is never handed to the next call from the pool.
         */
        private HttpResponse<byte[]> send(java.net.http.HttpRequest request) {
            if (Thread.interrupted()) {
                throw interrupted(new InterruptedException("interrupted before sending " + request.uri()));
            }
            CompletableFuture<HttpResponse<byte[]>> exchange = jdk.sendAsync(request,
                    HttpResponse.BodyHandlers.ofByteArray());
            try {
                return readTimeout == null ? exchange.get()
                        : exchange.get(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                exchange.cancel(true);
                throw new TimeoutException(new HttpTimeoutException("no whole response within "
                        + readTimeout.toMillis() + " ms"));
            } catch (InterruptedException e) {
                exchange.cancel(true);
                throw interrupted(e);
            } catch (ExecutionException e) {
                throw failure(e.getCause());
            }
        }

        /** As {@code JdkHttpClient} throws an interrupt, so that providers map an interrupted call the same way. */
        private static RuntimeException interrupted(InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RuntimeException(e);
        }

        /**
         * What the exchange failed with, as {@code JdkHttpClient} throws it: a connect timeout as a timeout, an I/O
         * error unchecked, wrapped once more (as the JDK's blocking {@code send} does) so the trace shows the caller.
         */
        private static RuntimeException failure(Throwable cause) {
            if (cause instanceof HttpTimeoutException timeout) {
                return new TimeoutException(timeout);
            }
            if (cause instanceof IOException io) {
                return new UncheckedIOException(new IOException(io.getMessage(), io));
            }
            if (cause instanceof RuntimeException unchecked) {
                return unchecked;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            return new RuntimeException(cause);
        }

        @Override
        public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
            others().execute(request, parser, listener);
        }

        private java.net.http.HttpRequest toJdk(HttpRequest request) {
            java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
            request.headers().forEach((name, values) -> {
                if (values != null) {
                    values.forEach(value -> builder.header(name, value));
                }
            });
            builder.method(request.method().name(), request.body() == null
                    ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
            return builder.build();
        }
    }
}
