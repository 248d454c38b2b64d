package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench prompt} with the paraphrase model on a served model: the real tiny reasoner behind
 * {@link LocalOpenAiServer} (what {@code reasoning serve} runs), over real HTTP on 127.0.0.1, counted by a
 * {@link FaultInjectingServer} without faults in front of it; and on a copy of its export folder ({@code --model
 * DIR}). Twelve rows per data set keep the runs short.
 */
class BenchPromptServedTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SEARCH = List.of("bench", "prompt", "--budget", "4", "--patience", "1",
            "--paraphrase-model", "--json");

    @TempDir
    static Path shared;

    private static Path data;
    private static HuggingFaceOnnxModel model;
    private static LocalOpenAiServer served;

    @TempDir
    Path dir;

    @BeforeAll
    static void smallDataAndServer() throws IOException {
        data = shared.resolve("data");
        Path from = SharedData.locate();
        subset(from, "freshqa_time_sensitivity/freshqa_v11132023.jsonl", "time_sensitive");
        subset(from, "retrieval_need/metatool_tool_awareness.jsonl", "needs_tool");
        model = TinyReasoner.create();
        served = LocalOpenAiServer.start(model);
    }

    @AfterAll
    static void stop() {
        served.close();
        model.close();
    }

    /** The first six rows of each label of {@code file}, so both halves of the split hold both labels. */
    private static void subset(Path from, String file, String label) throws IOException {
        List<String> kept = new ArrayList<>();
        int positives = 0;
        int negatives = 0;
        for (String line : Files.readAllLines(from.resolve(file))) {
            if (line.isBlank()) {
                continue;
            }
            boolean positive = JSON.readTree(line).path(label).asBoolean();
            if (positive ? positives++ < 6 : negatives++ < 6) {
                kept.add(line);
            }
        }
        Path target = data.resolve(file);
        Files.createDirectories(target.getParent());
        Files.write(target, kept);
    }

    private static CliRun search(String... more) {
        List<String> args = new ArrayList<>(SEARCH);
        args.addAll(List.of("--data", data.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode succeed(String... more) throws IOException {
        CliRun run = search(more);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json();
    }

    /** The sum of {@code field} over every search's usage. */
    private static long total(JsonNode report, String field) {
        long sum = 0;
        for (JsonNode dataset : report.path("datasets")) {
            for (JsonNode algorithm : dataset.path("algorithms")) {
                sum += algorithm.path("usage").path(field).asLong();
            }
        }
        return sum;
    }

    private static int modelCalls(JsonNode report) {
        return (int) total(report, "model_calls");
    }

    /**
     * Every search's {@code fields}, in order. The encoder scores the prompts, so a search's start does not depend on
     * where the paraphrases come from; its best prompt does, and the tiny reasoner samples them at temperature 0.8
     * with seeds that differ in process (its chat model's call counter) and served (the server's), so only a replay
     * reproduces those.
     */
    private static List<String> searchResults(JsonNode report, String... fields) {
        List<String> results = new ArrayList<>();
        for (JsonNode dataset : report.path("datasets")) {
            for (JsonNode algorithm : dataset.path("algorithms")) {
                StringBuilder result = new StringBuilder(algorithm.path("algorithm").asText());
                for (String field : fields) {
                    result.append(' ').append(algorithm.path(field));
                }
                results.add(result.toString());
            }
        }
        return results;
    }

    @Test
    void theServedParaphraseModelIsCalledOverHttpAndCountedAsTheEmbeddedOneIsCalled() throws IOException {
        JsonNode inProcess = succeed();
        try (FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            JsonNode overHttp = succeed("--provider", "openai", "--base-url", counting.openAiBaseUrl(), "--model",
                    served.modelName());

            int calls = modelCalls(overHttp);
            assertThat(calls).isPositive().isEqualTo(counting.requests())
                    .isEqualTo(overHttp.at("/endpoint/usage/model_calls").asInt())
                    .isEqualTo(overHttp.at("/endpoint/usage/calls_sent").asInt());
            assertThat(overHttp.at("/endpoint/provider").asText()).isEqualTo("openai");
            assertThat(overHttp.at("/endpoint/model").asText()).isEqualTo(served.modelName());
            assertThat(overHttp.at("/endpoint/usage/failed_calls").asInt()).isZero();
            assertThat(overHttp.path("paraphraser").asText()).isEqualTo(served.modelName());
            assertThat(searchResults(overHttp, "initial_score", "initial_heldout_accuracy"))
                    .isEqualTo(searchResults(inProcess, "initial_score", "initial_heldout_accuracy")).hasSize(12);
            assertThat(total(overHttp, "input_tokens")).as("tokens the server counted").isPositive()
                    .isEqualTo(overHttp.at("/endpoint/usage/input_tokens").asLong());
        }
    }

    @Test
    void anExportFolderIsTheParaphraseModelAndItsCallsAreReplayedFromTheCache() throws IOException {
        Path folder = OwnModelFolderTest.copyOfTinyReasoner(dir.resolve("my-reasoner"));
        String cache = dir.resolve("calls.sqlite").toString();
        JsonNode first = succeed("--model", folder.toString(), "--cache", cache);
        JsonNode replayed = succeed("--model", folder.toString(), "--cache", cache);

        assertThat(first.path("paraphraser").asText()).isEqualTo("my-reasoner");
        assertThat(first.at("/endpoint/folder").asText()).isEqualTo(folder.toString());
        assertThat(modelCalls(first)).isPositive().isEqualTo(first.at("/endpoint/usage/calls_sent").asInt())
                .isEqualTo(first.at("/cache/misses").asInt());
        assertThat(replayed.at("/endpoint/usage/calls_sent").asInt()).as("the replay sends no call").isZero();
        assertThat(replayed.at("/cache/hits").asInt()).isEqualTo(modelCalls(first))
                .isEqualTo(total(replayed, "cache_hits"));
        String[] figures = {"initial_score", "best_score", "evaluations", "heldout_accuracy", "best_prompt"};
        assertThat(searchResults(replayed, figures)).isEqualTo(searchResults(first, figures)).hasSize(12);
    }

    @Test
    void aParaphraseModelWhoseEveryCallFailedIsAFailedRunInOneLine() throws IOException {
        try (FaultInjectingServer failing = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            CliRun run = search("--provider", "openai", "--base-url", failing.openAiBaseUrl(), "--model", "x");

            assertThat(run.exit()).as(run.err()).isEqualTo(ReasoningCli.EXIT_FAILURE);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().strip().lines()).hasSize(1);
            assertThat(run.err()).contains("every one of the " + failing.requests() + " paraphrase calls to x failed");
        }
    }

    /** {@code bench prompt} searching the served model's instruction on the six examples of each label per data set. */
    private static CliRun searchTaskModel(String baseUrl, String model, String... more) {
        List<String> args = new ArrayList<>(List.of("bench", "prompt", "--budget", "3", "--patience", "1",
                "--task-model", "--examples-per-label", "6", "--json", "--data", data.toString(), "--provider",
                "openai", "--base-url", baseUrl, "--model", model));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** The sum of {@code field} over every usage the report gives: each search's and each held-out evaluation's. */
    private static long totalWithHeldout(JsonNode report, String field) {
        long sum = total(report, field);
        for (JsonNode dataset : report.path("datasets")) {
            sum += dataset.at("/initial_heldout_usage/" + field).asLong();
            for (JsonNode algorithm : dataset.path("algorithms")) {
                sum += algorithm.at("/heldout_usage/" + field).asLong();
            }
        }
        return sum;
    }

    @Test
    void theServedTaskModelIsTheSearchedModelAndEveryCallItGotIsCounted() throws IOException {
        try (FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            CliRun run = searchTaskModel(counting.openAiBaseUrl(), served.modelName());
            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode report = run.json();

            assertThat(report.path("task_model").asText()).isEqualTo(served.modelName());
            assertThat(report.has("encoder")).as("no encoder is searched").isFalse();
            assertThat(report.path("paraphraser").asText()).isEqualTo("installed");
            long calls = totalWithHeldout(report, "model_calls");
            assertThat(calls).isPositive().isEqualTo(counting.requests())
                    .isEqualTo(report.at("/endpoint/usage/model_calls").asLong())
                    .isEqualTo(report.at("/endpoint/usage/calls_sent").asLong());
            long failed = 0;
            for (JsonNode kind : report.at("/endpoint/usage/failures_by_kind")) {
                failed += kind.asLong();
            }
            assertThat(failed).isEqualTo(report.at("/endpoint/usage/failed_calls").asLong())
                    .isEqualTo(totalWithHeldout(report, "failed_calls")).isLessThanOrEqualTo(calls);
            assertThat(totalWithHeldout(report, "samples")).isEqualTo(calls - failed);
            for (JsonNode dataset : report.path("datasets")) {
                assertThat(dataset.path("search_examples").asInt()).isEqualTo(6);
                assertThat(dataset.path("heldout_examples").asInt()).isEqualTo(6);
                assertThat(dataset.path("initial_prompt").asText()).containsAnyOf("Can the correct answer",
                        "Does answering this request");
                for (JsonNode algorithm : dataset.path("algorithms")) {
                    assertThat(algorithm.path("evaluations").asInt()).isBetween(1, 3);
                    assertThat(algorithm.path("heldout_accuracy").asDouble()).isBetween(0.0, 100.0);
                    assertThat(algorithm.path("best_prompt").asText()).isNotBlank();
                    assertThat(algorithm.path("heldout_usage").path("model_calls").isInt()).isTrue();
                }
            }
        }
    }

    @Test
    void aTaskModelThatNeverRepliesOrRunsOutOfCallsIsAFailedRunAndAWrongModelBadInput() throws IOException {
        try (FaultInjectingServer failing = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            CliRun run = searchTaskModel(failing.openAiBaseUrl(), "x");

            assertThat(run.exit()).as(run.err()).isEqualTo(ReasoningCli.EXIT_FAILURE);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().strip().lines()).hasSize(1);
            // The initial prompt's held-out evaluation, the first, got no answer: nothing is scored.
            assertThat(run.err()).contains("6 of the 6 calls to x failed {SERVER_ERROR=6}");
        }
        try (FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            CliRun overBudget = searchTaskModel(counting.openAiBaseUrl(), served.modelName(), "--max-calls", "5");

            assertThat(overBudget.exit()).as(overBudget.err()).isEqualTo(ReasoningCli.EXIT_FAILURE);
            assertThat(overBudget.err().strip().lines()).hasSize(1);
            assertThat(overBudget.err()).contains("call budget (--max-calls 5) ran out");
            assertThat(counting.requests()).isEqualTo(5);
        }
        searchTaskModel(served.baseUrl(), "no-such-model")
                .assertBadInput("no call to " + served.baseUrl() + " (model 'no-such-model') was answered");
        CliRun.of("bench", "prompt", "--task-model", "--examples-per-label", "1")
                .assertBadInput("--examples-per-label must be >= 2");
    }

    @Test
    void badModelOptionsAreBadInputInOneLine() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        search("--provider", "openai", "--base-url", "http://127.0.0.1:" + closedPort + "/v1", "--model", "x")
                .assertBadInput("--base-url http://127.0.0.1:" + closedPort + "/v1");
        search("--provider", "openai", "--base-url", served.baseUrl(), "--model", "no-such-model")
                .assertBadInput("no call to " + served.baseUrl() + " (model 'no-such-model') was answered");
        search("--provider", "ollama").assertBadInput("--provider ollama needs --model NAME");
        CliRun withoutParaphraseModel = CliRun.of("bench", "prompt", "--provider", "openai", "--base-url",
                served.baseUrl(), "--model", served.modelName());
        withoutParaphraseModel.assertBadInput("add --paraphrase-model");
    }
}
