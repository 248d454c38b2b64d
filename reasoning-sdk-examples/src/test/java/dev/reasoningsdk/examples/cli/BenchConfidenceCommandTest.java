package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.impl.confidence.FittedCalibrator;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchConfidenceCommandTest {

    @Test
    void printsDiscriminationCalibrationAndRefusalForRealChains() throws Exception {
        Path data = SharedData.find(ModelSolutions.DEFAULT_FILE).orElseThrow();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = ReasoningCli.execute("bench", "confidence", "--json", "--max-data-questions", "200", "--data",
                    data.toString());
        } finally {
            System.setOut(original);
        }
        assertThat(exit).isZero();
        JsonNode real = new ObjectMapper().readTree(captured.toString(StandardCharsets.UTF_8)).path("real_chains");
        assertThat(real.path("questions").asInt()).isEqualTo(200);
        assertThat(real.path("auroc").asDouble()).isBetween(0.8, 1.0);
        assertThat(real.path("ece_calibrated").asDouble()).isLessThan(real.path("ece_raw").asDouble());
        assertThat(real.path("refusal")).hasSize(2);
    }

    /**
     * Seeds come from a problem's row, which is its id in the shipped file: a user's file without ids (or with one id
     * repeated) had every problem sampled with seeds 0 to K-1, the same draws for every question.
     */
    @Test
    void liveProblemsWithoutIdsAreSampledAsTheSameProblemsWithTheirRowsAsIds(@TempDir Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> withIds = Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE)).stream()
                .filter(line -> !line.isBlank()).limit(12).toList();
        List<String> withoutIds = new ArrayList<>();
        for (String line : withIds) {
            ObjectNode row = (ObjectNode) json.readTree(line);
            row.remove("id");
            withoutIds.add(json.writeValueAsString(row));
        }
        Path data = ServedParityTest.solutions(dir, 4);
        JsonNode reference = liveFigures(Files.write(dir.resolve("with-ids.jsonl"), withIds), data);
        JsonNode own = liveFigures(Files.write(dir.resolve("without-ids.jsonl"), withoutIds), data);

        assertThat(own.path("problems").asInt()).isEqualTo(reference.path("problems").asInt()).isEqualTo(12);
        for (String score : List.of("consistency", "mean_token_probability", "entropy")) {
            assertThat(own.path(score)).as(score).isEqualTo(reference.path(score));
        }
    }

    private static JsonNode liveFigures(Path problems, Path data) throws IOException {
        CliRun run = CliRun.of("bench", "confidence", "--live", "--json", "--max-problems", "12", "--samples", "3",
                "--problems", problems.toString(), "--data", data.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json().path("live_tiny_reasoner");
    }

    @Test
    void theBestAurocOfProblemsAllAnsweredRightIsUndefinedNotMinusInfinity(@TempDir Path dir) throws Exception {
        // The first four one-step problems of the shipped file: the tiny reasoner's majority is right on each, so no
        // score has an AUROC (it needs right and wrong answers).
        ObjectMapper json = new ObjectMapper();
        List<String> oneStep = new ArrayList<>();
        for (String line : Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE))) {
            if (!line.isBlank() && json.readTree(line).path("steps").asInt() == 1 && oneStep.size() < 4) {
                oneStep.add(line);
            }
        }
        CliRun run = CliRun.of("bench", "confidence", "--live", "--json", "--max-problems", "4", "--samples", "4",
                "--problems", Files.write(dir.resolve("easy.jsonl"), oneStep).toString(),
                "--data", ServedParityTest.solutions(dir, 4).toString());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode live = run.json().path("live_tiny_reasoner");

        assertThat(live.path("consistency").path("majority_accuracy").asDouble()).isEqualTo(1.0);
        assertThat(live.path("best_auroc").asText()).isEqualTo("NaN");
        assertThat(live.path("best_auroc_score").isNull()).isTrue();
        assertThat(live.path("best_auroc_undefined").asText()).contains("right on all 4 problems");
        assertThat(live.path("target_best_auroc_0_80_met").asBoolean()).isFalse();
        // Nor can the combiner's weights be fitted on a half whose answers are all right.
        assertThat(live.path("combiner").path("skipped").asText()).endsWith("2 answers were all right");
    }

    @Test
    void overRealHttpTheCalibratorsUseLineNamesTheServedModelItWasFittedOn(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("consistency.json");
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer served = LocalOpenAiServer.builder().model(model).start();
             FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            CliRun run = CliRun.of("bench", "confidence", "--live", "--json", "--max-problems", "4", "--samples", "2",
                    "--provider", "openai", "--base-url", counting.openAiBaseUrl(), "--model", served.modelName(),
                    "--calibrator-out", out.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            String use = run.json().path("live").path("calibrator_out").path("use").asText();
            // It named no model, so the line ran the embedded tiny reasoner under this model's calibrator.
            assertThat(use).isEqualTo("reasoning confidence --method consistency --samples 2 --provider openai"
                    + " --base-url " + counting.openAiBaseUrl() + " --model " + served.modelName() + " --calibrator "
                    + out);
            int before = counting.requests();
            List<String> useArgs = List.of(use.substring("reasoning ".length()).split(" "));
            List<String> withQuestion = new ArrayList<>(useArgs.subList(1, useArgs.size()));
            withQuestion.add("Sam has 14 apples. He buys 7 more. How many apples does Sam have?");
            JsonNode answered = CliRun.succeeded(useArgs.get(0), withQuestion.toArray(String[]::new));
            assertThat(answered.path("endpoint").path("provider").asText()).isEqualTo("openai");
            assertThat(counting.requests() - before).isEqualTo(2);
        }
    }

    @Test
    void theLiveBenchWritesTheConsistencyCalibratorThatConfidenceReads(@TempDir Path dir) throws Exception {
        List<String> problems = Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE)).stream()
                .filter(line -> !line.isBlank()).limit(12).toList();
        Path out = dir.resolve("fitted").resolve("consistency.json");
        CliRun run = CliRun.of("bench", "confidence", "--live", "--json", "--max-problems", "12", "--samples", "4",
                "--problems", Files.write(dir.resolve("problems.jsonl"), problems).toString(),
                "--data", ServedParityTest.solutions(dir, 4).toString(), "--calibrator-out", out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode written = run.json().path("live_tiny_reasoner").path("calibrator_out");

        FittedCalibrator calibrator = FittedCalibrator.fromJson(Files.readString(out));
        assertThat(written.path("type").asText()).isEqualTo(calibrator.name());
        assertThat(written.path("fitted_on_problems").asInt()).isEqualTo(12);
        assertThat(written.path("use").asText()).contains("--samples 4 --calibrator " + out);
        // What reasoning confidence does with it: the agreement of 4 chains, calibrated.
        JsonNode answered = CliRun.succeeded("confidence", "--samples", "4", "--calibrator", out.toString(),
                "Sam has 14 apples. He buys 7 more. How many apples does Sam have?");
        assertThat(answered.path("calibrator").asText()).isEqualTo(calibrator.name());
        assertThat(answered.path("confidence").asDouble())
                .isEqualTo(calibrator.calibrate(answered.path("raw_confidence").asDouble()));

        CliRun.of("bench", "confidence", "--live", "--json", "--max-problems", "12", "--calibrator-out", dir.toString())
                .assertBadInput("--calibrator-out " + dir + " is a directory");
    }

    @Test
    void badInputExitsWithTwo() {
        assertThat(ReasoningCli.execute("bench", "confidence", "--max-data-questions", "3"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("bench", "confidence", "--data", "no/such/file.jsonl"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    @Test
    void anOptionOnlyTheLiveBenchReadsIsRefusedWithoutLive() {
        // Read by the live half alone, each was silently ignored by an offline run (bench aggregate refuses them).
        for (List<String> option : List.of(List.of("--seed", "7"), List.of("--samples", "5"),
                List.of("--problems", "own.jsonl"), List.of("--max-problems", "12"),
                List.of("--calibrator-out", "consistency.json"))) {
            List<String> args = new ArrayList<>(List.of("bench", "confidence", "--json"));
            args.addAll(option);

            CliRun.of(args.toArray(String[]::new)).assertBadInput(option.get(0) + " is for the live bench: add --live");
        }
    }
}
