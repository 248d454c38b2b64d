package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.confidence.PlattCalibrator;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code reasoning confidence}: on the real embedded tiny reasoner in process every method answers an easy problem
 * right with a confidence and prints every field, the same seed printing the same JSON; over real HTTP on 127.0.0.1
 * ({@link LocalOpenAiServer}, what {@code reasoning serve} runs, behind a counting {@link FaultInjectingServer}) the
 * OpenAI and the Ollama API give the in-process figures and the JSON's calls are the server's requests; a server whose
 * every request fails is a failed run (exit 1); a server without log-probabilities, a calibrator and a verbalizing
 * model scripted over HTTP; bad input exits 2 with one line.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConfidenceCommandTest {

    private static final String QUESTION = "Sam has 14 apples. He buys 7 more. How many apples does Sam have?";
    /** Every method's fields. */
    private static final List<String> FIELDS = List.of("method", "technique", "answer", "confidence",
            "raw_confidence", "calibrator", "threshold", "refused", "rationale", "signals", "samples", "model_calls",
            "failed_calls", "failures_by_kind", "input_tokens", "output_tokens", "wall_ms", "settings", "endpoint");

    private static JsonNode confidence(String... args) throws IOException {
        return CliRun.succeeded("confidence", args);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consistency", "token-probability", "p-sure"})
    void eachMethodOnTheEmbeddedTinyReasonerAnswersRightWithAConfidenceAndPrintsEveryField(String method)
            throws IOException {
        JsonNode json = confidence("--method", method, "--seed", "3", QUESTION);

        for (String field : FIELDS) {
            assertThat(json.has(field)).as(field).isTrue();
        }
        assertThat(json.path("method").asText()).isEqualTo(method);
        assertThat(json.path("answer").asText()).isEqualTo("21");
        // The tiny reasoner is sure of an easy sum: every method's confidence is high, so it is not refused.
        assertThat(json.path("confidence").asDouble()).isBetween(0.5, 1.0);
        assertThat(json.path("raw_confidence").asDouble()).isEqualTo(json.path("confidence").asDouble());
        assertThat(json.path("calibrator").isNull()).isTrue();
        assertThat(json.path("refused").asBoolean()).isFalse();
        assertThat(json.path("rationale").asText()).isNotBlank();
        assertThat(json.path("failed_calls").asInt()).isZero();
        assertThat(json.path("endpoint").path("provider").asText()).isEqualTo("local");
        assertThat(json.path("settings").path("seed").asLong()).isEqualTo(3);
        switch (method) {
            case "consistency" -> {
                assertThat(json.path("samples").asInt()).isEqualTo(ConfidenceCommand.DEFAULT_SAMPLES);
                assertThat(json.path("signals").path("agreement").asDouble())
                        .isEqualTo(json.path("confidence").asDouble());
                assertThat(json.path("settings").path("temperature").asDouble())
                        .isEqualTo(ConfidenceCommand.SAMPLING_TEMPERATURE);
            }
            case "token-probability" -> {
                assertThat(json.path("samples").asInt()).isEqualTo(1);
                assertThat(json.path("signals").path("mean_token_probability").asDouble())
                        .isEqualTo(json.path("confidence").asDouble());
                assertThat(json.path("settings").path("temperature").asDouble()).isZero();
            }
            default -> {
                assertThat(json.path("signals").path("p_sure").asDouble())
                        .isEqualTo(json.path("confidence").asDouble());
                assertThat(json.path("rationale").asText()).contains("asked if it is sure");
            }
        }
        assertThat(CliRun.withoutWallTime(confidence("--method", method, "--seed", "3", QUESTION)))
                .as("the same seed prints the same JSON").isEqualTo(CliRun.withoutWallTime(json));
    }

    @Test
    void consistencyVotesOnItsSamplesAndAThresholdAboveItsConfidenceRefusesTheAnswer() throws IOException {
        // At a high temperature the tiny reasoner's chains part ways, so the agreement is below 1.
        JsonNode json = confidence("--samples", "6", "--temperature", "2.5", "--threshold", "1", QUESTION);
        assertThat(json.path("samples").asInt()).isEqualTo(6);
        assertThat(json.path("signals").path("samples").asInt() + json.path("signals").path("unparsed").asInt())
                .isLessThanOrEqualTo(6);
        double agreement = json.path("confidence").asDouble();
        assertThat(agreement).isLessThan(1.0);
        assertThat(json.path("refused").asBoolean()).isTrue();
        assertThat(confidence("--samples", "6", "--temperature", "2.5", "--threshold", "0", QUESTION)
                .path("refused").asBoolean()).as("0 never refuses an answer").isFalse();
    }

    @Test
    void aCalibratorMapsTheRawConfidenceAndTheThresholdReadsTheCalibratedOne(@TempDir Path dir) throws IOException {
        PlattCalibrator calibrator = new PlattCalibrator(2.0, -4.0);
        Path file = Files.writeString(dir.resolve("platt.json"), calibrator.toJson());

        JsonNode json = confidence("--method", "token-probability", "--calibrator", file.toString(), QUESTION);

        double raw = json.path("raw_confidence").asDouble();
        assertThat(raw).isGreaterThan(0.9);
        assertThat(json.path("confidence").asDouble()).isEqualTo(calibrator.calibrate(raw)).isLessThan(0.5);
        assertThat(json.path("calibrator").asText()).isEqualTo("platt");
        assertThat(json.path("refused").asBoolean()).isTrue();
    }

    @Test
    void overRealHttpBothApisGiveTheInProcessFiguresAndTheJsonCountsTheServersRequests() throws IOException {
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer served = LocalOpenAiServer.builder().model(model)
                     .maxTopLogprobs(model.vocabularySize()).start();
             FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            List<List<String>> runs = List.of(
                    List.of("openai", "consistency"), List.of("ollama", "consistency"),
                    List.of("openai", "token-probability"), List.of("openai", "p-sure"));
            for (List<String> run : runs) {
                String provider = run.get(0);
                String method = run.get(1);
                String at = provider + " " + method;
                List<String> methodArgs = method.equals("consistency")
                        ? List.of("--method", method, "--seed", "5", "--samples", "4")
                        : List.of("--method", method, "--seed", "5");
                List<String> local = new ArrayList<>(methodArgs);
                local.add(QUESTION);
                JsonNode inProcess = confidence(local.toArray(String[]::new));
                List<String> remote = new ArrayList<>(methodArgs);
                remote.addAll(List.of("--provider", provider, "--base-url", provider.equals("openai")
                        ? counting.openAiBaseUrl() : counting.ollamaBaseUrl(), "--model", served.modelName()));
                if (method.equals("p-sure")) {
                    // "sure" and "unsure" are unlikely to the tiny reasoner: its whole vocabulary holds both.
                    remote.addAll(List.of("--top-logprobs", String.valueOf(model.vocabularySize())));
                }
                remote.add(QUESTION);
                int before = counting.requests();
                JsonNode overHttp = confidence(remote.toArray(String[]::new));

                int requests = counting.requests() - before;
                assertThat(overHttp.path("answer").asText()).as(at).isEqualTo(inProcess.path("answer").asText());
                // The served model's log-probabilities are floats where in process they are summed as doubles.
                assertThat(overHttp.path("confidence").asDouble()).as(at)
                        .isCloseTo(inProcess.path("confidence").asDouble(), within(1e-6));
                assertThat(overHttp.path("refused")).as(at).isEqualTo(inProcess.path("refused"));
                assertThat(overHttp.path("samples")).as(at).isEqualTo(inProcess.path("samples"));
                assertThat(requests).as(at).isPositive();
                assertThat(overHttp.path("model_calls").asInt()).as(at).isEqualTo(requests);
                assertThat(overHttp.path("failed_calls").asInt()).as(at).isZero();
                JsonNode endpoint = overHttp.path("endpoint");
                assertThat(endpoint.path("provider").asText()).as(at).isEqualTo(provider);
                assertThat(endpoint.path("usage").path("calls_sent").asInt()).as(at).isEqualTo(requests);
                // Consistency is one call per sample; p-sure asks the R-Tuning question after its one chain.
                int expected = method.equals("consistency") ? 4 : method.equals("p-sure") ? 2 : 1;
                assertThat(requests).as(at).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"consistency", "token-probability", "verbalized"})
    void overRealHttpARunWhoseEveryCallFailedExitsOneWithOneLine(String method) {
        // As reasoning serve --faults 500=1: every request a 500. Exit 1, a failed run, not 0 with a confidence.
        try (FaultInjectingServer failing = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            List<String> args = new ArrayList<>(List.of("confidence", "--method", method, "--provider", "openai",
                    "--base-url", failing.openAiBaseUrl(), "--model", "refused-model"));
            if (method.equals("consistency")) {
                args.addAll(List.of("--samples", "2"));
            }
            args.add(QUESTION);
            CliRun.of(args.toArray(String[]::new)).assertFailedRun(method.equals("verbalized")
                    ? "reasoning: no call to refused-model was answered ("
                    : "reasoning: no chain could be sampled from refused-model");
            assertThat(failing.requests()).isPositive().isEqualTo(failing.faults(HttpFault.Kind.SERVER_ERROR));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai", "ollama"})
    void overRealHttpVerbalizedWhoseEveryReplyWasBlankExitsOneAsConsistencyDoes(String provider) {
        // As reasoning serve --faults empty=1: a blank reply is no answer, so no call was answered; it exited 0
        // with a null confidence, where consistency on the same server exits 1.
        try (FaultInjectingServer blank = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.emptyAnswer(), 1.0)).start()) {
            String baseUrl = provider.equals("openai") ? blank.openAiBaseUrl() : blank.ollamaBaseUrl();
            CliRun.of("confidence", "--method", "verbalized", "--provider", provider, "--base-url", baseUrl,
                    "--model", "blank-model", QUESTION)
                    .assertFailedRun("reasoning: no call to blank-model was answered (");
            CliRun.of("confidence", "--samples", "2", "--provider", provider, "--base-url", baseUrl, "--model",
                    "blank-model", QUESTION).assertFailedRun("reasoning: no chain could be sampled from blank-model");
            assertThat(blank.requests()).isPositive().isEqualTo(blank.faults(HttpFault.Kind.EMPTY_ANSWER));
        }
    }

    @ParameterizedTest(name = "--top-logprobs {0}")
    @ValueSource(ints = {0, 1})
    void pSureWithFewerThanTwoAlternativesIsBadInputBeforeAnyCall(int topLogprobs) throws IOException {
        // With 1 every run printed a null confidence (exit 0); with 0 a call was spent and the server blamed for
        // returning the log-probabilities it was told not to list.
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer served = LocalOpenAiServer.builder().model(model).start();
             FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            CliRun.of("confidence", "--method", "p-sure", "--top-logprobs", String.valueOf(topLogprobs),
                    "--provider", "openai", "--base-url", counting.openAiBaseUrl(), "--model", served.modelName(),
                    QUESTION).assertBadInput("--top-logprobs must be >= 2 with --method p-sure");
            assertThat(counting.requests()).isZero();
        }
    }

    @Test
    void aServerThatReturnsNoLogProbabilitiesIsBadInputForTheTokenMethods() {
        // The scripted server answers every request, without logprobs.
        for (String method : List.of("token-probability", "p-sure")) {
            try (FaultInjectingServer server = FaultInjectingServer.create()) {
                CliRun run = CliRun.of("confidence", "--method", method, "--provider", "openai", "--base-url",
                        server.openAiBaseUrl(), "--model", "plain-model", QUESTION);
                run.assertBadInput("--method " + method + " needs log-probabilities: plain-model returned no token "
                        + "log-probabilities");
                assertThat(server.requests()).as(method).isEqualTo(1);
            }
        }
        // Ollama's client reads none: refused before any request.
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            CliRun.of("confidence", "--method", "p-sure", "--provider", "ollama", "--base-url",
                    server.ollamaBaseUrl(), "--model", "plain-model", QUESTION)
                    .assertBadInput("--method p-sure needs log-probabilities: --provider ollama returns none");
            assertThat(server.requests()).isZero();
        }
    }

    @Test
    void verbalizedReadsTheModelsStatedConfidenceAndReportsOneNeverStated() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .reply(user -> "14 + 7 = 21. The answer is 21.\nSelf-reflection: I am sure of a sum this small.\n"
                        + "Confidence: 9").start()) {
            JsonNode json = confidence("--method", "verbalized", "--provider", "openai", "--base-url",
                    server.openAiBaseUrl(), "--model", "saying-model", QUESTION);
            assertThat(json.path("answer").asText()).isEqualTo("21");
            assertThat(json.path("confidence").asDouble()).isEqualTo(0.9);
            assertThat(json.path("rationale").asText()).isEqualTo("I am sure of a sum this small.");
            assertThat(json.path("refused").asBoolean()).isFalse();
            assertThat(json.path("model_calls").asInt()).isEqualTo(server.requests()).isEqualTo(1);
            assertThat(json.path("settings").size()).isZero();
        }
        // A model that answers but never states a confidence: reported, with none invented, and refused even at 0.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .reply(user -> "14 + 7 = 21. The answer is 21.").start()) {
            JsonNode json = confidence("--method", "verbalized", "--threshold", "0", "--provider", "ollama",
                    "--base-url", server.ollamaBaseUrl(), "--model", "silent-model", QUESTION);
            assertThat(json.path("answer").asText()).isEqualTo("21");
            assertThat(json.path("confidence").isNull()).isTrue();
            assertThat(json.path("raw_confidence").isNull()).isTrue();
            assertThat(json.path("refused").asBoolean()).isTrue();
            assertThat(json.path("rationale").asText()).startsWith("The model stated no usable confidence");
            assertThat(json.path("model_calls").asInt()).isEqualTo(server.requests()).isEqualTo(3);
            assertThat(json.path("failures_by_kind").path("garbage").asInt()).isEqualTo(3);
        }
    }

    @Test
    void consistencyWithOneChainLeftReportsNoConfidenceAndRefuses() throws IOException {
        // The budget lets one of three samples through: that chain agrees with itself, which is no evidence.
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            JsonNode json = confidence("--samples", "3", "--max-calls", "1", "--threshold", "0", "--provider",
                    "openai", "--base-url", server.openAiBaseUrl(), "--model", "budgeted-model", QUESTION);
            assertThat(server.requests()).isEqualTo(1);
            assertThat(json.path("answer").asText()).isEqualTo("21");
            assertThat(json.path("signals").path("agreement").asDouble()).isEqualTo(1.0);
            assertThat(json.path("confidence").isNull()).isTrue();
            assertThat(json.path("refused").asBoolean()).isTrue();
            assertThat(json.path("rationale").asText()).contains("2 of 3 samples failed")
                    .endsWith("so no confidence is reported.");
            assertThat(json.path("endpoint").path("usage").path("calls_refused_by_budget").asInt()).isEqualTo(2);
        }
    }

    @Test
    void anExportFolderIsServedInProcessWithTheEmbeddedFiguresAndItsContextBoundsMaxTokens(@TempDir Path dir)
            throws IOException {
        Path folder = OwnModelFolderTest.copyOfTinyReasoner(dir.resolve("my-reasoner"));
        JsonNode inProcess = confidence("--samples", "4", QUESTION);
        JsonNode fromFolder = confidence("--samples", "4", "--model", folder.toString(), QUESTION);

        assertThat(fromFolder.path("answer")).isEqualTo(inProcess.path("answer"));
        assertThat(fromFolder.path("confidence")).isEqualTo(inProcess.path("confidence"));
        assertThat(fromFolder.path("rationale")).isEqualTo(inProcess.path("rationale"));
        assertThat(fromFolder.path("model_calls").asInt()).isEqualTo(4);
        assertThat(fromFolder.path("endpoint").path("folder").asText()).isEqualTo(folder.toString());
        assertThat(fromFolder.path("endpoint").path("usage").path("calls_sent").asInt()).isEqualTo(4);
        int context;
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            context = model.contextLength();
        }
        CliRun.of("confidence", "--max-tokens", String.valueOf(context + 1), "--model", folder.toString(), QUESTION)
                .assertBadInput("--max-tokens must be at most " + context + " with --model DIR");
    }

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of(new String[] {"  "}, "QUESTION is blank"),
                Arguments.of(new String[] {"--method", "vibes", QUESTION}, "--method must be one of consistency, "
                        + "verbalized, token-probability, p-sure, was 'vibes'"),
                Arguments.of(new String[] {"--samples", "0", QUESTION}, "--samples must be >= 1, was 0"),
                Arguments.of(new String[] {"--samples", "1", QUESTION},
                        "--samples must be >= 2 with --method consistency"),
                Arguments.of(new String[] {"--threshold", "1.5", QUESTION}, "--threshold must be in [0, 1], was 1.5"),
                Arguments.of(new String[] {"--threshold", "NaN", QUESTION}, "--threshold must be in [0, 1], was NaN"),
                Arguments.of(new String[] {"--temperature", "-1", QUESTION}, "--temperature must be >= 0"),
                Arguments.of(new String[] {"--max-tokens", "0", QUESTION}, "--max-tokens must be >= 1, was 0"),
                Arguments.of(new String[] {"--method", "token-probability", "--samples", "5", QUESTION},
                        "--samples does not apply to --method token-probability"),
                Arguments.of(new String[] {"--method", "verbalized", "--seed", "1", QUESTION},
                        "--seed does not apply to --method verbalized"),
                Arguments.of(new String[] {"--top-logprobs", "5", QUESTION},
                        "--top-logprobs does not apply to --method consistency"),
                Arguments.of(new String[] {"--method", "verbalized", QUESTION},
                        "--method verbalized needs a served model"),
                Arguments.of(new String[] {"Zo\u00eb has 7 shells. She sells 4. How many shells now?"},
                        "QUESTION: " + TinyReasoner.MODEL_ID + " cannot read it"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badInput")
    void badInputExitsTwoWithOneLineNamingIt(String[] args, String named) {
        List<String> all = new ArrayList<>(List.of("confidence"));
        all.addAll(List.of(args));
        CliRun.of(all.toArray(String[]::new)).assertBadInput(named);
    }

    @Test
    void aCalibratorFileThatIsMissingOrNoCalibratorIsBadInput(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.json");
        CliRun.of("confidence", "--calibrator", missing.toString(), QUESTION).assertBadInput(missing.toString());
        // A parameter left out is refused, not read as 0 (a Platt calibrator mapping everything to 0.5).
        Path partial = Files.writeString(dir.resolve("partial.json"), "{\"type\":\"platt\",\"slope\":1.5}");
        CliRun.of("confidence", "--calibrator", partial.toString(), QUESTION)
                .assertBadInput("--calibrator " + partial + ": not a fitted calibrator");
        Path unknown = Files.writeString(dir.resolve("unknown.json"), "{\"type\":\"histogram\"}");
        CliRun.of("confidence", "--calibrator", unknown.toString(), QUESTION)
                .assertBadInput("--calibrator " + unknown + ": not a fitted calibrator");
    }
}
