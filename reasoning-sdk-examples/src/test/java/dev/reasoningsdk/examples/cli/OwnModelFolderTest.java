package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own Hugging Face ONNX export folder in process ({@code --provider local --model DIR}): the tiny reasoner's
 * export files copied under another name (a real model that solves the problems, loaded as any export is) give the
 * same figures, answers and chains in {@code bench aggregate --live} and {@code verifier sample} as the same folder
 * served by {@link LocalOpenAiServer} (what {@code reasoning serve --model DIR} runs) through {@code --provider
 * openai} over real HTTP; {@code --step-reward} runs best-first with a head {@code step-reward train --model DIR}
 * trained here and refuses the heads it must; a path that is not an export folder exits 2 with the loader's line.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OwnModelFolderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    private static Path folder;
    private static Path head;
    private static HuggingFaceOnnxModel served;
    private static LocalOpenAiServer server;

    @TempDir
    Path dir;

    /**
     * The tiny reasoner's own export files copied into {@code folder}, created: a Hugging Face decoder-with-past
     * export under another name, loaded as any user's folder is.
     */
    static Path copyOfTinyReasoner(Path folder) throws IOException {
        Files.createDirectories(folder);
        try (var files = Files.list(TinyReasoner.folder())) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        return folder;
    }

    @BeforeAll
    static void exportFolderHeadAndServer() throws IOException {
        folder = copyOfTinyReasoner(shared.resolve("my-reasoner"));
        Path out = shared.resolve("head");
        succeed("step-reward", "train", "--model", folder.toString(), "--max-problems", "8", "--samples", "4",
                "--completions", "1", "--out", out.toString(), "--json");
        head = out.resolve(HiddenStateStepReward.SHIPPED_RESOURCE);
        // What reasoning serve --model DIR runs: the folder's loader and the server's defaults.
        served = HuggingFaceOnnxModel.of(folder);
        server = LocalOpenAiServer.start(served);
    }

    @AfterAll
    static void stop() {
        server.close();
        served.close();
    }

    private static JsonNode succeed(String... args) throws IOException {
        CliRun run = CliRun.of(args);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json();
    }

    private static List<String> overHttp() {
        return List.of("--provider", "openai", "--base-url", server.baseUrl(), "--model", server.modelName());
    }

    /** Two GSM8K rows, so the offline half of the bench is quick. */
    private Path solutions() throws IOException {
        return ServedParityTest.solutions(dir, 2);
    }

    @Test
    void aggregationOnTheFolderInProcessEqualsTheServedFolderAndRunsItsOwnLearnedHead() throws IOException {
        // --max-problems 2 selects rows 0 and 300, both among the live bench's default rows that training never reads.
        List<String> args = new ArrayList<>(List.of("bench", "aggregate", "--live", "--json", "--max-problems", "2",
                "--data", solutions().toString()));
        List<String> inProcessArgs = new ArrayList<>(args);
        inProcessArgs.addAll(List.of("--model", folder.toString(), "--step-reward", head.toString()));
        JsonNode inProcess = succeed(inProcessArgs.toArray(String[]::new)).path("live");
        args.addAll(overHttp());
        JsonNode overHttp = succeed(args.toArray(String[]::new)).path("live");

        assertThat(inProcess.path("model").asText()).isEqualTo("my-reasoner").isEqualTo(overHttp.path("model")
                .asText());
        assertThat(inProcess.at("/endpoint/provider").asText()).isEqualTo("local");
        assertThat(inProcess.at("/endpoint/folder").asText()).isEqualTo(folder.toString());
        assertThat(inProcess.path("n_problems").asInt()).isEqualTo(2);
        for (String field : List.of("majority_at_k", "aor", "aor_lean", "answers", "aor_without_chains",
                "truncated_samples")) {
            assertThat(inProcess.path(field)).as(field).isEqualTo(overHttp.path(field));
        }
        assertThat(inProcess.at("/aor/likelihood/accuracy").isNumber()).as("log-probabilities").isTrue();
        for (String search : List.of("beam", "best_first", "mcts", "best_first_without_calculator")) {
            assertThat(inProcess.at("/step_search/" + search)).as(search)
                    .isEqualTo(overHttp.at("/step_search/" + search));
            assertThat(inProcess.at("/step_search_answers/" + search)).as(search)
                    .isEqualTo(overHttp.at("/step_search_answers/" + search)).hasSize(2);
            assertThat(inProcess.at("/step_search/" + search + "/generated_tokens").asDouble()).isPositive();
        }
        // The same calls, made the same way: the served run's cost is the in-process run's without the learned head.
        JsonNode learned = inProcess.at("/step_search/best_first_learned");
        assertThat(learned.path("accuracy").isNumber()).as(learned.toString()).isTrue();
        assertThat(learned.path("reward_forward_passes").asDouble()).isPositive();
        assertThat(inProcess.at("/step_search_answers/best_first_learned")).hasSize(2);
        assertThat(inProcess.path("notes").asText()).contains("hidden-state head of my-reasoner")
                .contains(head.toString());
        assertThat(overHttp.at("/step_search").has("best_first_learned")).isFalse();
        assertThat(inProcess.at("/endpoint/usage/calls_sent")).isEqualTo(overHttp.at("/endpoint/usage/calls_sent"));
        assertThat(inProcess.at("/endpoint/usage/failed_calls").asInt()).isZero();
    }

    @Test
    void withoutAHeadTheFolderSaysBestFirstLearnedNeedsOne() throws IOException {
        JsonNode live = succeed("bench", "aggregate", "--live", "--json", "--max-problems", "1", "--data",
                solutions().toString(), "--model", folder.toString()).path("live");
        assertThat(live.at("/step_search/best_first_learned/skipped").asText())
                .startsWith("needs --step-reward FILE: no process-reward head ships for my-reasoner");
        assertThat(live.at("/step_search/best_first/accuracy").isNumber()).isTrue();
    }

    @Test
    void confidenceOnTheFolderInProcessEqualsTheServedFolder() throws IOException {
        List<String> args = new ArrayList<>(List.of("bench", "confidence", "--live", "--json", "--max-problems", "8",
                "--samples", "2", "--data", ServedParityTest.solutions(dir, 4).toString()));
        List<String> inProcessArgs = new ArrayList<>(args);
        inProcessArgs.addAll(List.of("--model", folder.toString()));
        JsonNode inProcess = succeed(inProcessArgs.toArray(String[]::new)).path("live");
        args.addAll(overHttp());
        JsonNode overHttp = succeed(args.toArray(String[]::new)).path("live");

        assertThat(inProcess.path("problems").asInt()).isEqualTo(8);
        assertThat(inProcess.at("/mean_token_probability/auroc").isNumber()).as("log-probabilities").isTrue();
        for (String field : List.of("problems", "model_calls", "consistency", "mean_token_probability", "p_sure",
                "p_sure_unavailable")) {
            assertThat(inProcess.path(field)).as(field).isEqualTo(overHttp.path(field));
        }
        assertThat(inProcess.at("/endpoint/model").asText()).isEqualTo("my-reasoner");
    }

    @Test
    void verifierSampleOnTheFolderWritesTheServedFoldersChains() throws IOException {
        List<String> eval = Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE));
        Path problems = TrainingRowsTest.problemsTrainingReads(dir.resolve("some.jsonl"), eval.subList(300, 304),
                eval.subList(0, 200));
        Path local = dir.resolve("local.jsonl");
        Path remote = dir.resolve("served.jsonl");
        JsonNode report = succeed("verifier", "sample", "--problems", problems.toString(), "--out", local.toString(),
                "--samples", "3", "--json", "--model", folder.toString());
        List<String> args = new ArrayList<>(List.of("verifier", "sample", "--problems", problems.toString(), "--out",
                remote.toString(), "--samples", "3", "--json"));
        args.addAll(overHttp());
        succeed(args.toArray(String[]::new));

        assertThat(report.path("source").asText()).isEqualTo("my-reasoner");
        assertThat(report.at("/usage/model_calls").asInt()).isEqualTo(12);
        List<VerifierTrainer.LabelledChains> inProcess = LabelledChainsFile.read(local);
        assertThat(inProcess).hasSize(4).isEqualTo(LabelledChainsFile.read(remote));
        assertThat(report.path("chains_right").asDouble()).isPositive();
    }

    @Test
    void aHeadForAnotherModelOnTheSelectedProblemsWithoutItsProblemsOrForARemoteModelIsRefused()
            throws IOException {
        Path shipped = dir.resolve("shipped.json");
        HiddenStateStepReward.Weights.shipped().save(shipped);
        CliRun.of("bench", "aggregate", "--live", "--max-problems", "2", "--model", folder.toString(), "--step-reward",
                shipped.toString()).assertBadInput("was trained for the model 'tiny-reasoner@1', not for "
                + "'my-reasoner'");

        // The rows the head was trained on, as step-reward train chose them, as the bench's problems.
        List<String> eval = Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE));
        TreeSet<Integer> excluded = new TreeSet<>(TrainingRows.benchRows(eval.size()));
        List<Integer> allowed = IntStream.range(0, eval.size()).filter(r -> !excluded.contains(r)).boxed().toList();
        List<String> trainedRows = JsonlRows.evenlySpaced(allowed, 8).stream().map(eval::get).toList();
        Path trainedOn = Files.write(dir.resolve("trained.jsonl"), trainedRows);
        CliRun.of("bench", "aggregate", "--live", "--max-problems", "2", "--problems", trainedOn.toString(), "--model",
                folder.toString(), "--step-reward", head.toString())
                .assertBadInput("was trained on 2 of the 2 selected problems");

        ObjectNode unrecorded = (ObjectNode) JSON.readTree(head.toFile());
        ((ObjectNode) unrecorded.get("training")).remove("trainingProblemDigests");
        Path old = dir.resolve("old.json");
        JSON.writeValue(old.toFile(), unrecorded);
        CliRun.of("bench", "aggregate", "--live", "--max-problems", "2", "--model", folder.toString(), "--step-reward",
                old.toString()).assertBadInput("does not record its training problems");

        List<String> remote = new ArrayList<>(List.of("bench", "aggregate", "--live", "--max-problems", "2",
                "--step-reward", head.toString()));
        remote.addAll(overHttp());
        CliRun.of(remote.toArray(String[]::new)).assertBadInput("not with --provider openai");
        CliRun.of("bench", "aggregate", "--live", "--max-problems", "2", "--model", folder.toString(), "--step-reward",
                dir.resolve("missing.json").toString()).assertBadInput("missing.json");
        CliRun.of("bench", "aggregate", "--step-reward", head.toString()).assertBadInput("add --live");
    }

    @Test
    void aModelPathThatIsNoExportFolderExitsTwoNamingItAndWhatIsMissing() throws IOException {
        Path missing = dir.resolve("missing");
        Path file = Files.writeString(dir.resolve("model.txt"), "not a folder");
        Path noGraph = Files.createDirectories(dir.resolve("no-graph"));
        for (String name : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(folder.resolve(name), noGraph.resolve(name));
        }
        Path out = dir.resolve("chains.jsonl");
        for (Path bad : List.of(missing, file, noGraph)) {
            String named = "model folder " + bad;
            CliRun.of("bench", "aggregate", "--live", "--max-problems", "1", "--model", bad.toString())
                    .assertBadInput(named);
            CliRun.of("verifier", "sample", "--max-problems", "1", "--out", out.toString(), "--model", bad.toString())
                    .assertBadInput(named);
            CliRun.of("bench", "confidence", "--live", "--max-problems", "4", "--model", bad.toString())
                    .assertBadInput(named);
        }
        CliRun.of("bench", "aggregate", "--live", "--max-problems", "1", "--model", missing.toString())
                .assertBadInput("not found");
        CliRun.of("bench", "aggregate", "--live", "--max-problems", "1", "--model", noGraph.toString())
                .assertBadInput("model.onnx: missing");
        assertThat(out).doesNotExist();
        CliRun.of("bench", "aggregate", "--model", folder.toString()).assertBadInput("--model DIR is for the live "
                + "bench: add --live");
        CliRun.of("judge", "What is 3 plus 4?", "--model", folder.toString())
                .assertBadInput("judge does not take --model DIR");
        CliRun.of("bench", "aggregate", "--live", "--model", folder.toString(), "--top-logprobs", "21")
                .assertBadInput("--top-logprobs with --model DIR must be at most 20");
    }
}
