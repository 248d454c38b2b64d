package dev.reasoningsdk.impl.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.ForwardingCausalLanguageModel;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that goes away mid-generation frees the server's slot: over real HTTP, with the real tiny reasoner and
 * one generation at a time, the abandoned generation is interrupted between decoding steps, a client that left while
 * queued never generates, and the next request is served. On the old server the abandoned generation never ended
 * here, so the next request never got the slot and its client timed out. The same holds through the fault server
 * of {@code reasoning serve --faults}, which forwards to the model's server: a client that leaves it cancels the
 * forwarded request.
 */
class LocalOpenAiServerDisconnectTest {

    private static final String QUESTION = "Ana starts with 7 shells. She sells 4. How many shells does she have now?";
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aClientThatDisconnectsMidGenerationFreesTheOnlySlot() throws Exception {
        EndlessFirstGeneration endless = new EndlessFirstGeneration(model);
        try (LocalOpenAiServer server = LocalOpenAiServer.builder().model(endless).concurrency(1).start()) {
            try (Socket client = send(server.port(), server.modelName())) {
                assertThat(endless.decoded.await(60, TimeUnit.SECONDS)).as("the generation is decoding").isTrue();
                // A second client queues for the slot and leaves too (before or after its request is read): it must
                // never generate, or the next request would wait behind it.
                send(server.port(), server.modelName()).close();
            }
            // Both clients are gone. With one slot, this request is served only once the abandoned one gave it back.
            String reply = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                    .modelName(server.modelName()).temperature(0.0).maxTokens(8).maxRetries(0)
                    .timeout(Duration.ofSeconds(60)).build().chat(QUESTION);

            assertThat(reply).isEqualTo(model.generate(TinyReasoner.prompt(QUESTION), 1,
                    GenerationOptions.greedy(8)).get(0).text());
            assertThat(endless.ended.get()).as("the abandoned generation was stopped by the interrupt")
                    .isInstanceOf(CancellationException.class).hasMessageContaining("interrupted");
            assertThat(endless.calls.get()).as("the abandoned generation and the last request's").isEqualTo(2);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aClientThatLeavesTheFaultServerStopsTheGenerationItForwarded() throws Exception {
        EndlessFirstGeneration endless = new EndlessFirstGeneration(model);
        // As reasoning serve --faults composes them (here without faults: every request is forwarded).
        try (LocalOpenAiServer server = LocalOpenAiServer.builder().model(endless).concurrency(1).start();
             FaultInjectingServer faulty = FaultInjectingServer.builder().upstream(server.baseUrl()).start()) {
            try (Socket client = send(faulty.port(), server.modelName())) {
                assertThat(endless.decoded.await(60, TimeUnit.SECONDS)).as("the forwarded generation is decoding")
                        .isTrue();
            }
            // Before, the fault server never saw its client leave, so its forwarded request stayed open and the
            // model decoded until the servers closed.
            assertThat(endless.stopped.await(60, TimeUnit.SECONDS)).as("the forwarded generation was stopped")
                    .isTrue();
            assertThat(endless.ended.get()).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("interrupted");
            String reply = OpenAiChatModel.builder().baseUrl(faulty.openAiBaseUrl()).apiKey("unused")
                    .modelName(server.modelName()).temperature(0.0).maxTokens(8).maxRetries(0)
                    .timeout(Duration.ofSeconds(60)).build().chat(QUESTION);

            assertThat(reply).isEqualTo(model.generate(TinyReasoner.prompt(QUESTION), 1,
                    GenerationOptions.greedy(8)).get(0).text());
            assertThat(endless.calls.get()).as("the abandoned generation and the last request's").isEqualTo(2);
            assertThat(faulty.faults(HttpFault.Kind.NONE)).as("both forwarded").isEqualTo(2);
        }
    }

    /** A client that sent a chat request (up to 320 tokens) over a raw connection to {@code port} and reads nothing. */
    private static Socket send(int port, String modelName) throws Exception {
        String body = "{\"model\":\"" + modelName + "\",\"max_tokens\":320,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"" + QUESTION + "\"}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
        OutputStream out = client.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return client;
    }

    /**
     * The real model, whose first generation decodes for as long as nobody interrupts it (real decoding steps, one
     * short generation after another), so the client surely leaves while it runs, whatever the machine's speed;
     * later generations are the model's own.
     */
    private static final class EndlessFirstGeneration extends ForwardingCausalLanguageModel {
        private final CountDownLatch decoded = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);
        private final AtomicInteger calls = new AtomicInteger();
        private final AtomicInteger decodings = new AtomicInteger();
        private final AtomicReference<RuntimeException> ended = new AtomicReference<>();

        EndlessFirstGeneration(HuggingFaceOnnxModel delegate) {
            super(delegate);
        }

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            calls.incrementAndGet();
            if (!first.compareAndSet(true, false)) {
                return delegate().generate(prompt, count, options);
            }
            try {
                while (true) {
                    delegate().generate(prompt, count, options.withSeed(options.seed() + decodings.get()));
                    decodings.incrementAndGet();
                    decoded.countDown();
                }
            } catch (RuntimeException e) {
                ended.set(e);
                stopped.countDown();
                throw e;
            }
        }
    }
}
