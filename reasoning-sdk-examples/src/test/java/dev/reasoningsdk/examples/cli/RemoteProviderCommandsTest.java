package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code judge} and {@code bench confidence --live} on a remote model (the real OpenAI and Ollama clients against
 * {@link FaultInjectingServer}, and {@code LocalOpenAiServer} serving the tiny reasoner), and the old meaning of
 * {@code --provider}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteProviderCommandsTest {

    @TempDir
    Path dir;

    @Test
    void aBaseUrlWithAQueryOrFragmentIsRefusedBeforeAnyCall() {
        try (FaultInjectingServer server = FaultInjectingServer.builder().start()) {
            for (String tail : List.of("?api-version=1", "#v1")) {
                String url = server.openAiBaseUrl() + tail;
                // The client appends /chat/completions to the whole string: every call went to the query's path.
                CliRun.of("judge", "What is 3 plus 4?", "--provider", "openai", "--base-url", url, "--model", "x")
                        .assertBadInput("--base-url must have no query or fragment");
            }
            assertThat(server.requests()).isZero();
        }
    }

    @Test
    void anEndpointThatRefusesEveryCallAsMisconfiguredIsBadInputNotADecision() {
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            // The OpenAI base URL without its /v1 (and a wrong Ollama path): the server answers every call with 404.
            String[][] cases = {
                    {"openai", server.openAiBaseUrl().replaceFirst("/v1$", "")},
                    {"ollama", server.ollamaBaseUrl() + "/nothing-here"},
            };
            for (String[] providerAndUrl : cases) {
                CliRun run = CliRun.of("judge", "What is 3 plus 4?", "--provider", providerAndUrl[0], "--base-url",
                        providerAndUrl[1], "--model", "x");
                // Before: exit 0, "retrieve: true, decided by self-knowledge" from five 404 pages.
                run.assertBadInput("no call to " + providerAndUrl[1] + " (model 'x') was answered");
                assertThat(run.err()).contains("404", "--base-url");
            }
            // Self-knowledge's five samples per run, each refused once: a 404 is never retried.
            assertThat(server.requests()).isEqualTo(10);
        }
    }

    @Test
    void aModelNameTheServerDoesNotServeIsBadInputNamingTheModel() {
        // Real HTTP to the real tiny reasoner behind LocalOpenAiServer, which answers an unknown model as OpenAI and
        // vLLM do: 404 model_not_found. Before, any name was served, so this run decided from the tiny reasoner.
        try (HuggingFaceOnnxModel model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).build();
             LocalOpenAiServer server = LocalOpenAiServer.start(model)) {
            CliRun run = CliRun.of("judge", "What is 3 plus 4?", "--provider", "openai", "--base-url",
                    server.baseUrl(), "--model", "wrong-name");
            run.assertBadInput("no call to " + server.baseUrl() + " (model 'wrong-name') was answered: HTTP 404");
            assertThat(run.err()).contains("The model `wrong-name` does not exist.", "--model");
        }
    }

    @Test
    void anEndpointNothingListensAtIsBadInputNotADecision() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        for (String[] providerAndUrl : new String[][] {
                {"openai", "http://127.0.0.1:" + closedPort + "/v1"},
                {"ollama", "http://127.0.0.1:" + closedPort}}) {
            // With --cache the run does not check the endpoint up front (a replay may need no server), so it is the
            // calls that find nothing listening; without it, UnreachableEndpointTest's check refuses it first.
            CliRun run = CliRun.of("judge", "What is 3 plus 4?", "--provider", providerAndUrl[0], "--base-url",
                    providerAndUrl[1], "--model", "x", "--cache",
                    dir.resolve("unanswered-" + providerAndUrl[0] + ".sqlite").toString());
            // Before: exit 0 and a decision, with fifteen connection failures in the usage block.
            run.assertBadInput("no call to " + providerAndUrl[1] + " (model 'x') was answered: could not connect");
            assertThat(run.err()).contains("ConnectException", "is a server running there?");
        }
    }

    @Test
    void aHostThatDoesNotResolveIsBadInputNotADecision() {
        // .invalid never resolves (RFC 2606). With --cache the calls find it, as above. Before: exit 0 and a decision,
        // the five failed calls counted as client errors: LangChain4j rethrows the JDK client's ConnectException as
        // UnresolvedModelServerException around an UnresolvedAddressException, which the walk did not know.
        String url = "http://no-such-host.invalid:8000/v1";
        CliRun run = CliRun.of("judge", "What is 3 plus 4?", "--provider", "openai", "--base-url", url, "--model", "x",
                "--cache", dir.resolve("unresolved.sqlite").toString());
        run.assertBadInput("no call to " + url + " (model 'x') was answered: could not connect "
                + "(UnresolvedAddressException): is a server running there?");
    }

    @Test
    void judgeAsksTheRemoteModelForSelfKnowledgeBySampling() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .faults(HttpFault.serverError(503)).start()) {
            CliRun run = CliRun.of("judge", "What is 3 plus 4?", "--provider", "ollama", "--base-url",
                    server.ollamaBaseUrl(), "--model", "x");

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode json = run.json();
            // Five samples, one of them retried after the 503; all five answer 7.
            assertThat(json.at("/criteria/self-knowledge/probability").asDouble()).isEqualTo(1.0);
            assertThat(server.requests()).isEqualTo(6);
            assertThat(json.at("/endpoint/usage/model_calls").asInt()).isEqualTo(6);
            assertThat(json.at("/endpoint/usage/failed_calls").asInt()).isEqualTo(1);
            assertThat(json.at("/endpoint/provider").asText()).isEqualTo("ollama");
        }
    }

    @Test
    void aVerdictLeftToTheDefaultByAModelThatNeverAnsweredIsAFailedRunOnEitherProvider() {
        for (String provider : List.of("openai", "ollama")) {
            // Every call a 500, retried and failing again: no sample at all, so no criterion settles "Who wrote
            // Hamlet?" (knowledge-intensive, not time-sensitive). Before, the zero share of usable samples was
            // reported as the self-knowledge criterion's decision; then UAR's default was printed with exit 0, an
            // answer that stood for the failed calls, where solve exits 1 for them.
            try (FaultInjectingServer server = FaultInjectingServer.builder()
                    .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
                CliRun run = CliRun.of("judge", "Who wrote Hamlet?", "--provider", provider, "--base-url",
                        provider.equals("openai") ? server.openAiBaseUrl() : server.ollamaBaseUrl(), "--model", "x");

                run.assertFailedRun("reasoning: no verdict (no criterion settled it): no usable reply from ");
                assertThat(run.err()).as(provider).contains("(model 'x'); all " + server.requests()
                        + " calls failed {SERVER_ERROR=" + server.requests() + "}");
                assertThat(server.requests()).isPositive();
            }
        }
    }

    @Test
    void aVerdictTheIntentHeadSettledStillPrintsWhenEveryModelCallFailed() throws IOException {
        // The intent head reads the request alone: its "retrieve" is a judgement whatever the model did.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            CliRun run = CliRun.of("judge", "Search the web for today's news about Paris", "--provider", "openai",
                    "--base-url", server.openAiBaseUrl(), "--model", "x");

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode json = run.json();
            assertThat(json.at("/decided_by").asText()).isEqualTo("intent");
            assertThat(json.at("/retrieve").asBoolean()).isTrue();
            assertThat(json.at("/endpoint/usage/model_calls").asInt()).isPositive()
                    .isEqualTo(json.at("/endpoint/usage/failed_calls").asInt()).isEqualTo(server.requests());
        }
    }

    @Test
    void aServedModelWhoseEverySampleIsCutOffLeavesNoVerdict() {
        // The real tiny reasoner behind LocalOpenAiServer, whose replies stop at 2 tokens (finish reason length), as
        // a model that runs to its limit does: no sample votes. Before, its 0 decided ("decided_by":
        // "self-knowledge") with every call counted as answered; then the default was printed with exit 0.
        try (HuggingFaceOnnxModel model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).build();
             LocalOpenAiServer server = LocalOpenAiServer.builder().model(model).maxTokens(2).start()) {
            CliRun run = CliRun.of("judge", "Who wrote Hamlet?", "--provider", "openai", "--base-url",
                    server.baseUrl(), "--model", server.modelName());

            run.assertFailedRun("reasoning: no verdict (no criterion settled it): no usable reply from ");
            assertThat(run.err()).contains("all 5 calls failed {GARBAGE=5}");
        }
    }

    @Test
    void verifierSampleFromAModelThatNeverAnsweredIsAFailedRunInTheSharedLine() throws IOException {
        // Before: "reasoning: IllegalStateException: no chain was sampled (12 failed calls)", without the endpoint
        // or why the calls failed, where solve, judge and the live benches name both.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            Path out = dir.resolve("chains.jsonl");
            String problems = LiveBenchFiles.write(dir).problems().toString();
            CliRun run = CliRun.of("verifier", "sample", "--provider", "openai", "--base-url",
                    server.openAiBaseUrl(), "--model", "x", "--problems", problems, "--max-problems", "2",
                    "--samples", "2", "--out", out.toString());

            run.assertFailedRun("reasoning: nothing written to " + out + ": no usable reply from "
                    + server.openAiBaseUrl() + " (model 'x'); all " + server.requests() + " calls failed "
                    + "{SERVER_ERROR=" + server.requests() + "}");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void liveConfidenceOnAModelThatNeverAnsweredIsAFailedRun() throws IOException {
        // Before: exit 0 with "problems": 0 and "skipped": "fewer than 4 problems with samples", which hid that the
        // model had answered nothing.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            CliRun run = CliRun.of(liveConfidence(server, "--samples", "2"));

            run.assertFailedRun("reasoning: no live figures: no usable reply from " + server.openAiBaseUrl());
            assertThat(run.err()).contains("all " + server.requests() + " calls failed {SERVER_ERROR="
                    + server.requests() + "}");
        }
    }

    /** {@code bench confidence --live} against {@code server}'s OpenAI API on {@link LiveBenchFiles}, plus options. */
    private String[] liveConfidence(FaultInjectingServer server, String... options) throws IOException {
        LiveBenchFiles files = LiveBenchFiles.write(dir);
        List<String> args = new ArrayList<>(List.of("bench", "confidence", "--live", "--json", "--provider",
                "openai", "--base-url", server.openAiBaseUrl(), "--model", "x", "--max-problems", "8", "--data",
                files.solutions().toString(), "--problems", files.problems().toString()));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    @Test
    void liveConfidenceOnARemoteModelReportsWhatNeedsLogProbabilitiesAsSkipped() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            CliRun run = CliRun.of(liveConfidence(server, "--samples", "3"));

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode live = run.json().path("live");
            assertThat(live.path("problems").asInt()).isEqualTo(8);
            assertThat(live.at("/consistency/majority_accuracy").asDouble()).isEqualTo(0.5);
            assertThat(live.at("/mean_token_probability/skipped").asText()).startsWith("needs log-probabilities");
            assertThat(live.at("/combiner/skipped").asText()).startsWith("needs log-probabilities");
            assertThat(live.at("/p_sure/skipped").asText()).startsWith("needs log-probabilities");
            assertThat(live.at("/endpoint/usage/samples").asInt()).isEqualTo(24);
            assertThat(server.requests()).isEqualTo(24);
        }
    }

    @Test
    void judgeWithACacheReplaysItsRemoteCallsOnTheSecondRun() throws IOException {
        String cache = dir.resolve("calls.sqlite").toString();
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            String[] args = {"judge", "What is 3 plus 4?", "--provider", "openai", "--base-url",
                    server.openAiBaseUrl(), "--model", "x", "--cache", cache};
            JsonNode first = CliRun.of(args).json();
            int requests = server.requests();
            JsonNode second = CliRun.of(args).json();

            assertThat(requests).isEqualTo(5);
            assertThat(server.requests()).as("no call on the replay").isEqualTo(requests);
            assertThat(second.at("/cache/hits").asInt()).isEqualTo(5);
            assertThat(second.at("/cache/misses").asInt()).isZero();
            assertThat(second.at("/endpoint/usage/cache_hits").asInt()).isEqualTo(5);
            assertThat(second.at("/endpoint/usage/calls_sent").asInt()).isZero();
            assertThat(second.at("/criteria/self-knowledge")).isEqualTo(first.at("/criteria/self-knowledge"));
        }
        CliRun refused = CliRun.of("bench", "aggregate", "--live", "--cache", cache);
        assertThat(refused.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(refused.err()).contains("--cache replays model calls");
    }

    @Test
    void theOldProviderValuesStillChooseTheExecutionProviderSilently() throws IOException {
        StringBuilder row = new StringBuilder("{\"question\": \"What is 6 times 7?\", \"ground_truth\": \"#### 42\"");
        for (String source : ModelSolutions.SOURCES) {
            row.append(", \"").append(source).append("\": {\"solution\": \"The answer is 42.\"}");
        }
        Path data = Files.writeString(dir.resolve("solutions.jsonl"), row + "}\n");
        String before = System.getProperty(ExecutionProvider.PROPERTY);
        try {
            CliRun run = CliRun.of("bench", "aggregate", "--json", "--provider", "cpu", "--data", data.toString());

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(System.getProperty(ExecutionProvider.PROPERTY)).isEqualTo("CPU");
        } finally {
            if (before == null) {
                System.clearProperty(ExecutionProvider.PROPERTY);
            } else {
                System.setProperty(ExecutionProvider.PROPERTY, before);
            }
        }
    }

    @Test
    void demoAndJudgeRefuseRemoteOptionsWithoutARemoteProvider() {
        CliRun demo = CliRun.of("demo", "--max-calls", "3");
        assertThat(demo.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(demo.err().lines()).singleElement().asString().startsWith("reasoning: ")
                .contains("--max-calls is for --provider openai or ollama or --model DIR");
        // With the local provider --model names an export folder, which the demo does not run.
        CliRun folder = CliRun.of("demo", "--model", "x");
        assertThat(folder.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(folder.err().lines()).singleElement().asString().startsWith("reasoning: ")
                .contains("demo does not take --model DIR (x)");

        CliRun judge = CliRun.of("judge", "q", "--provider", "ollama");
        assertThat(judge.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(judge.err().lines()).singleElement().asString().startsWith("reasoning: ")
                .contains("--provider ollama needs --model");
    }
}
