package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * A chunked response that stalls, over real HTTP on loopback: once {@link RetryAfterHttpClientBuilder}'s read timeout
 * passes, the call is a timeout and its connection is closed, as the read timeout's javadoc says. A body without a
 * length was left to finish by itself, so a server that sent its headers (and perhaps a chunk) and then stalled
 * held the connection open for ever, one more for each timed-out attempt.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChunkedStallTest {

    private static final String BODY = "{}";

    @ParameterizedTest
    @ValueSource(strings = {"", "5\r\nhello\r\n"})
    void aChunkedBodyThatStallsPastTheReadTimeoutIsATimeoutAndItsConnectionIsClosed(String chunksBeforeTheStall)
            throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            HttpClient client = new RetryAfterHttpClientBuilder().readTimeout(Duration.ofMillis(500)).build();
            CompletableFuture<Throwable> call = CompletableFuture.supplyAsync(() -> catchThrowable(() ->
                    client.execute(HttpRequest.builder().method(HttpMethod.POST)
                            .url("http://127.0.0.1:" + listener.getLocalPort() + "/api/chat").body(BODY).build())));
            try (Socket connection = listener.accept()) {
                InputStream request = connection.getInputStream();
                readRequest(request);
                connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + chunksBeforeTheStall)
                        .getBytes(StandardCharsets.US_ASCII));
                connection.getOutputStream().flush();

                assertThat(call.get()).isInstanceOf(TimeoutException.class);
                // The server never sends more: only the client can end the exchange. The bound is far beyond the
                // read timeout, so it only fails when the connection is never closed.
                connection.setSoTimeout(30_000);
                assertThat(request.read()).as("the client closed the stalled connection").isEqualTo(-1);
            }
        }
    }

    /** Reads the request line, headers and the {@value #BODY} body, so that what comes next is the client's. */
    private static void readRequest(InputStream request) throws IOException {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!(read.indexOf("\r\n\r\n") >= 0 && read.toString().endsWith(BODY))) {
            int count = request.read(buffer);
            if (count < 0) {
                throw new IOException("the request ended early: " + read);
            }
            read.append(new String(buffer, 0, count, StandardCharsets.US_ASCII));
        }
    }
}
