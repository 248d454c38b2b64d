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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
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
     * The longest a request may wait for its whole response, headers and body (default none); then the call throws
     * LangChain4j's {@code TimeoutException} and its exchange is stopped, closing its connection (a chunked body
     * under way, a second later if no further part has failed it first).
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

    /**
     * How long an abandoned chunked body may sit without a part before its subscription is cancelled: far longer than
     * the JDK takes from pooling a finished body's connection to completing the body, so a body that was finishing
     * when it was abandoned is never cancelled, and one whose server stalled has its connection closed.
     */
    private static final Duration STALL_GRACE = Duration.ofSeconds(1);

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
         * decided here: a timeout, whatever the abandoned exchange reports afterwards. An exchange abandoned (timed
         * out, or its thread interrupted) is stopped through its {@link AbandonableBody}, which never lets it close a
         * connection the pool may already have handed to the next call.
         */
        private HttpResponse<byte[]> send(java.net.http.HttpRequest request) {
            if (Thread.interrupted()) {
                throw interrupted(new InterruptedException("interrupted before sending " + request.uri()));
            }
            AbandonableBody body = new AbandonableBody();
            CompletableFuture<HttpResponse<byte[]>> exchange = jdk.sendAsync(request, body);
            try {
                // convert saturates where toNanos overflows: a timeout past 292 years waits as long as it can.
                return readTimeout == null ? exchange.get()
                        : exchange.get(TimeUnit.NANOSECONDS.convert(readTimeout), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                abandon(exchange, body);
                throw new TimeoutException(new HttpTimeoutException("no whole response within "
                        + readTimeout.toMillis() + " ms"));
            } catch (InterruptedException e) {
                abandon(exchange, body);
                throw interrupted(e);
            } catch (ExecutionException e) {
                throw failure(e.getCause());
            }
        }

        /**
         * Stops an exchange nobody waits for. Cancelling it closes its connection unless the JDK already counts its
         * response finished; a cancel that races with the last bytes (a timeout or an interrupt at the last moment)
         * can find it not yet finished while the JDK, having read them, puts the connection back in its pool, and
         * then closed the pooled connection under the next call, which failed as a broken connection ("header
         * parser received no bytes", the connection "closed locally"). So it is cancelled only while its body
         * cannot complete.
         */
        private static void abandon(CompletableFuture<HttpResponse<byte[]>> exchange, AbandonableBody body) {
            if (body.abandon()) {
                exchange.cancel(true);
            } else {
                CompletableFuture.delayedExecutor(STALL_GRACE.toNanos(), TimeUnit.NANOSECONDS)
                        .execute(body::cancelIfStalled);
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

    /**
     * The body of one exchange as bytes, which its call may abandon. Once abandoned it refuses every further part
     * (throwing, so that the JDK fails the exchange and closes its connection rather than return it to the pool), so
     * a body still incomplete at that moment can never complete, and the exchange may then be cancelled safely.
     * Without a length (chunked), the last chunk can complete the body without a part to refuse, and the JDK may pool
     * the connection just before it completes the body, so such a body already under way is not cancelled at once:
     * a further part fails it, and if none comes within {@link #STALL_GRACE} its own subscription is cancelled, which
     * closes its connection (left to finish by itself, a body whose server stalled held its connection open for
     * ever).
     */
    private static final class AbandonableBody
            implements HttpResponse.BodyHandler<byte[]>, HttpResponse.BodySubscriber<byte[]> {
        private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
        /** The length the headers announced; negative when none did. */
        private long announced = -1;
        private long received;
        /** The body's subscription; null until the JDK subscribes. */
        private Flow.Subscription subscription;
        private boolean complete;
        private boolean failed;
        private boolean abandoned;

        @Override
        public synchronized HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
            announced = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            return this;
        }

        @Override
        public synchronized void onSubscribe(Flow.Subscription subscription) {
            refuseIfAbandoned();
            this.subscription = subscription;
            complete = announced == 0;
            bytes.onSubscribe(subscription);
        }

        @Override
        public synchronized void onNext(List<ByteBuffer> parts) {
            refuseIfAbandoned();
            for (ByteBuffer part : parts) {
                received += part.remaining();
            }
            complete = announced >= 0 && received >= announced;
            bytes.onNext(parts);
        }

        @Override
        public synchronized void onError(Throwable failure) {
            failed = true;
            bytes.onError(failure);
        }

        @Override
        public synchronized void onComplete() {
            complete = true;
            bytes.onComplete();
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return bytes.getBody();
        }

        /**
         * Marks the body abandoned; whether the exchange should be cancelled: not when the whole body is in (the JDK
         * returns the connection to its pool, healthy) nor when a chunked body is under way (see the class
         * description).
         */
        synchronized boolean abandon() {
            abandoned = true;
            return !complete && (subscription == null || announced >= 0);
        }

        /**
         * Cancels the subscription of an abandoned chunked body that has neither completed nor failed since (a part
         * after the abandonment fails it), closing the connection its stalled server holds open.
         */
        synchronized void cancelIfStalled() {
            if (!complete && !failed && subscription != null) {
                subscription.cancel();
            }
        }

        private void refuseIfAbandoned() {
            if (abandoned) {
                throw new CancellationException("the call abandoned this response");
            }
        }
    }
}
