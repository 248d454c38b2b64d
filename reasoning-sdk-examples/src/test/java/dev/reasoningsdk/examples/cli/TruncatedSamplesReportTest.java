package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verifier sample --json} and {@code bench sampler --json} report the samples cut off at the token limit as
 * top-level {@code truncated_samples}, as the live benches do: a served model whose every other reply stops at the
 * limit (finish reason "length", over real HTTP on 127.0.0.1) has those samples counted and left out of the
 * labelled chains.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TruncatedSamplesReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** An OpenAI-compatible server whose odd calls are cut off at the token limit and even ones answer 7. */
    private String serveEveryOtherReplyCutOff() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::answer);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        boolean cutOff = calls.incrementAndGet() % 2 == 1;
        ObjectNode body = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 1_700_000_000L).put("model", "m");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0)
                .put("finish_reason", cutOff ? "length" : "stop");
        choice.putObject("message").put("role", "assistant")
                .put("content", cutOff ? "Let me add 3 and" : "3 + 4 = 7. The answer is 7.");
        body.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", 5).put("total_tokens", 17);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static JsonNode succeed(String... args) throws IOException {
        CliRun run = CliRun.of(args);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json();
    }

    @Test
    void verifierSampleReportsTheSamplesCutOffAndLabelsOnlyTheFinishedChains() throws IOException {
        List<String> eval = Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE));
        Path problems = TrainingRowsTest.problemsTrainingReads(dir.resolve("problems.jsonl"), eval.subList(300, 302),
                eval.subList(0, BenchAggregateCommand.DEFAULT_LIVE_LIMIT));
        Path chains = dir.resolve("chains.jsonl");

        JsonNode report = succeed("verifier", "sample", "--problems", problems.toString(), "--out", chains.toString(),
                "--samples", "4", "--json", "--provider", "openai", "--base-url", serveEveryOtherReplyCutOff(),
                "--model", "m");

        assertThat(report.path("questions").asInt()).isEqualTo(2);
        assertThat(report.path("truncated_samples").asInt()).isEqualTo(4);
        assertThat(report.path("chains").asInt()).isEqualTo(4);
        assertThat(report.at("/usage/model_calls").asInt()).isEqualTo(8);
        List<VerifierTrainer.LabelledChains> labelled = LabelledChainsFile.read(chains);
        assertThat(labelled).flatExtracting(VerifierTrainer.LabelledChains::chains)
                .allSatisfy(chain -> assertThat(chain.text()).endsWith("The answer is 7."));
    }

    @Test
    void benchSamplerReportsTheSamplesCutOff() throws IOException {
        JsonNode report = succeed("bench", "sampler", "--json", "--n", "2", "--concurrency", "2", "--latency-ms", "1",
                "--repeats", "1");

        assertThat(report.path("truncated_samples").isInt()).as("truncated_samples").isTrue();
        assertThat(report.path("truncated_samples").asInt()).isZero();
    }
}
