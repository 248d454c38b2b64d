package dev.reasoningsdk.impl.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalOpenAiServer} over a model with a chat template (qwen3-tiny-random) answering many clients at once:
 * each multi-turn, seeded request with several choices and top log-probabilities gets exactly the reply it gets
 * alone, and its usage is that reply's. The tiny reasoner's concurrent replies are checked in
 * {@link LocalOpenAiServerTest}.
 */
class LocalOpenAiServerConcurrencyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static OnnxSessionFactory factory;
    private static HuggingFaceOnnxModel model;
    private static LocalOpenAiServer server;

    @BeforeAll
    static void start() {
        factory = OnnxSessionFactory.cpu(1);
        model = HuggingFaceOnnxModel.builder().folder(ProjectData.require("models/qwen3-tiny-random"))
                .sessionFactory(factory).build();
        server = LocalOpenAiServer.builder().model(model).concurrency(2).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
        factory.close();
    }

    private static String request(int i) {
        return """
                {"model": "%s", "seed": %d, "n": 2, "max_tokens": 10, "temperature": 0.9, "logprobs": true,
                 "top_logprobs": 2, "messages": [
                   {"role": "system", "content": "You answer briefly."},
                   {"role": "user", "content": "Question %d: how many legs does a spider have?"},
                   {"role": "assistant", "content": "Eight."},
                   {"role": "user", "content": "And an ant?"}]}
                """.formatted(server.modelName(), 40 + i, i);
    }

    /** The reply without what differs between two identical requests (its id and time). */
    private static String reply(HttpClient client, int i) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                        + "/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request(i))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("choices")).hasSize(2);
        ((ObjectNode) body).remove(List.of("id", "created"));
        return body.toString();
    }

    @Test
    void concurrentClientsGetWhatEachGetsAlone() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        int requests = 6;
        List<String> alone = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            alone.add(reply(client, i));
        }
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> together = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < requests; i++) {
                    int request = round == 0 ? i : requests - 1 - i;
                    together.add(clients.submit(() -> reply(client, request)));
                }
            }
            for (int k = 0; k < together.size(); k++) {
                int request = k < requests ? k : 2 * requests - 1 - k;
                assertThat(together.get(k).get(120, TimeUnit.SECONDS)).as("request %d", request)
                        .isEqualTo(alone.get(request));
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
