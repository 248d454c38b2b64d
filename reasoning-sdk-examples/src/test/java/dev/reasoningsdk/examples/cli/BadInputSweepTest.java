package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.internal.ProjectData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a bad-input sweep of every command found wrong: each case below once exited 0 with an answer to a question
 * nobody asked, overwrote its own input, exited 1 for a path the caller gave, or printed picocli's reflection text.
 * Each is now exit 2 with one line naming what was wrong.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BadInputSweepTest {

    private static final Path MODEL = ProjectData.require("models/qwen3-tiny-random");

    @TempDir
    static Path dir;

    private static int closedPort;

    @BeforeAll
    static void findAClosedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
    }

    private static String closedUrl() {
        return "http://127.0.0.1:" + closedPort + "/v1";
    }

    /** Blank text where a command needs text: before, the model answered (or scored) the blank. */
    static Stream<Arguments> blankText() {
        String model = MODEL.toString();
        return Stream.of(
                Arguments.of(new String[] {"generate", "--model", model, "--user", ""}, "--user is blank"),
                Arguments.of(new String[] {"generate", "--model", model, "--user", "   "}, "--user is blank"),
                Arguments.of(new String[] {"generate", "--model", model, "--user", "hi", "--system", " "},
                        "--system is blank"),
                Arguments.of(new String[] {"score", "--model", model, "--user", "hi", "--continuation", "  \t"},
                        "--continuation is blank"));
    }

    @Test
    void aBlankUserMessageInAMessagesFileIsBadInputAsABlankUserIs() throws IOException {
        Path messages = Files.writeString(dir.resolve("blank-user.json"),
                "[{\"role\": \"system\", \"content\": \"\"}, {\"role\": \"user\", \"content\": \" \"}]");
        CliRun.of("generate", "--model", MODEL.toString(), "--messages", messages.toString(), "--max-tokens", "2")
                .assertBadInput(messages + ": message 1 is a user message with blank content");
    }

    /** A value out of range of a bench that only checked it after minutes of work, or never. */
    static Stream<Arguments> lateOrMissingChecks() {
        // A pair folder that does not exist: the options must be refused before it is read. Before, with the real
        // pair, the sweep ran for minutes and the search then refused "meanRatio" or the group, and a "share of the
        // base" of 1.5 was measured as an extrapolation, exit 0.
        List<String> hma = List.of("bench", "hma", "--pair", dir.resolve("no-such-pair").toString());
        return Stream.of(
                Arguments.of(concat(hma, "--mean", "2"), "--mean must be in [0, 1], was 2.0"),
                Arguments.of(concat(hma, "--sweep", "1.5"), "--sweep must be in [0, 1], was 1.5"),
                Arguments.of(concat(hma, "--groups", "layerz"), "--groups takes layers or modules, not layerz"),
                // Before: the bench wrote its input checkpoints first; the folder that does not exist shows the order.
                Arguments.of(new String[] {"bench", "merge", "--chunk-elements", "0", "--size-gb", "0.001", "--dir",
                        dir.resolve("no-such-folder").toString()}, "chunkElements must be in [1024, 2^26], was 0"),
                // Before: exit 0, the half byte rounded to 0, which means one unsharded file. The size is read
                // before the config, so the config need not exist.
                Arguments.of(new String[] {"merge", "--max-shard-size", "0.5B", "merge.yaml", "merged"},
                        "--max-shard-size 0.5B is under one byte"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource({"blankText", "lateOrMissingChecks"})
    void isBadInputInOneLineNamingIt(String[] args, String named) {
        CliRun.of(args).assertBadInput(named);
    }

    @Test
    void anUnknownExecutionProviderIsOneLineWithoutPicocliReflectionText() {
        CliRun run = CliRun.of("generate", "--model", MODEL.toString(), "--user", "hi", "--execution-provider", "gpu");
        run.assertBadInput("--execution-provider must be auto, cpu or cuda, was 'gpu'");
        // Before: "Could not invoke void dev.reasoningsdk...executionProvider(java.lang.String) with gpu (...)".
        assertThat(run.err()).startsWith("reasoning: --execution-provider").doesNotContain("Could not invoke")
                .contains("(see 'reasoning generate --help')");
    }

    /** Before: exit 1, "NullPointerException: Cannot invoke ...JsonNode.asText()" once the model had loaded. */
    @Test
    void anEvalRowWithoutAFieldTheReasonerBenchReadsIsBadInputNamingIt() throws IOException {
        Path eval = Files.writeString(dir.resolve("eval.jsonl"),
                "{\"id\": 0, \"steps\": 1, \"answer\": 3, \"prompt\": \"Q: What is 1 plus 2?\\nA:\"}\n");
        CliRun.of("bench", "reasoner", "--problems", eval.toString(), "--max-problems", "1", "--samples", "1",
                "--speed-questions", "0").assertBadInput(eval + ":1: 'model_greedy_text' must be text, was ");
    }

    /**
     * Before: rows without a question were sampled as empty questions and scored against an empty gold answer, and
     * only after the offline bench had run (here its data does not exist, which the old code said instead).
     */
    @Test
    void liveConfidenceProblemsWithoutAQuestionAreRefusedFirst() throws IOException {
        Path problems = Files.writeString(dir.resolve("no-questions.jsonl"),
                "{\"id\": 1, \"answer\": 3}\n{\"id\": 2, \"answer\": 4}\n{\"id\": 3, \"answer\": 5}\n"
                        + "{\"id\": 4, \"answer\": 6}\n");
        CliRun.of("bench", "confidence", "--live", "--max-problems", "4", "--problems", problems.toString(), "--data",
                dir.resolve("no-such-data.jsonl").toString())
                .assertBadInput(problems + ":1: a problem needs 'question' (text) and 'answer' (an integer)");
    }

    /** Before: a repeated problem was sampled and scored twice, weighing double in every figure. */
    @Test
    void liveConfidenceProblemsWithARepeatedQuestionAreRefusedFirst() throws IOException {
        Path problems = Files.writeString(dir.resolve("repeated.jsonl"),
                "{\"id\": 1, \"question\": \"Ana has 3 shells. She finds 1 more. How many shells now?\", "
                        + "\"answer\": 4}\n{\"id\": 2, \"question\": \"Bo has 5 cups. He breaks 2. How many cups "
                        + "now?\", \"answer\": 3}\n{\"id\": 3, \"question\": \"ana has 3 shells; she finds 1 more. "
                        + "How many shells now\", \"answer\": 4}\n{\"id\": 4, \"question\": \"Cy has 9 pens. He "
                        + "gives away 4. How many pens now?\", \"answer\": 5}\n");
        CliRun.of("bench", "confidence", "--live", "--max-problems", "4", "--problems", problems.toString(), "--data",
                dir.resolve("no-such-data.jsonl").toString())
                .assertBadInput(problems + ": lines 1 and 3 hold the same question");
    }

    /** Before: Jackson read the label "yes" as false, so every row of the task was a negative. */
    @Test
    void promptBenchLabelsThatAreNotBooleansAreRefused() throws IOException {
        Path data = Files.createDirectories(dir.resolve("prompt-data"));
        Path freshQa = Files.createDirectories(data.resolve("freshqa_time_sensitivity"))
                .resolve("freshqa_v11132023.jsonl");
        Files.writeString(freshQa, "{\"question\": \"Who is the current pope?\", \"time_sensitive\": \"yes\"}\n"
                + "{\"question\": \"What is 2 plus 2?\", \"time_sensitive\": \"no\"}\n");
        copyLines("data/retrieval_need/metatool_tool_awareness.jsonl", Files.createDirectories(
                data.resolve("retrieval_need")).resolve("metatool_tool_awareness.jsonl"), 8);
        CliRun.of("bench", "prompt", "--data", data.toString(), "--budget", "2", "--patience", "1")
                .assertBadInput(freshQa + ":1: label 'time_sensitive' must be true or false, was \"yes\"");
    }

    /** Before: exit 0, a decision by the local heads alone, the endpoint printed beside it with no call made. */
    @Test
    void judgeWithoutSelfKnowledgeRefusesARemoteModelItWouldNotAsk() {
        CliRun.of("judge", "What is 3 plus 4?", "--no-self-knowledge", "--provider", "ollama", "--base-url",
                closedUrl(), "--model", "x").assertBadInput("--no-self-knowledge leaves --provider ollama nothing");
    }

    /**
     * Before: exit 0, the remote section listing five connection failures among the other sections; then exit 2 only
     * after the offline sections had printed. Now nothing is printed but the one line.
     */
    @Test
    void theDemoOfAnEndpointNothingListensAtIsBadInput() {
        CliRun.of("demo", "--provider", "openai", "--base-url", closedUrl(), "--model", "x")
                .assertBadInput("--base-url " + closedUrl() + ": could not connect");
    }

    /**
     * Before: "expected one of [AUTO, CPU, CUDA] (case-sensitive) but was 'cpu'", the value every other command
     * takes.
     */
    @Test
    void enumOptionsTakeTheLowerCaseNamesTheOtherOptionsDocument() {
        // Past the provider, the run stops at the next check: the provider was accepted.
        CliRun.of("bench", "encoder", "--execution-provider", "cpu", "--runs", "0")
                .assertBadInput("--runs and --batches must be >= 1");
    }

    /**
     * {@code --out} naming the input: before, the command read it, worked, then replaced it with its output. The
     * other commands' cases are in {@link OutputOverInputTest}.
     */
    @Test
    void stepRewardTrainRefusesToWriteItsHeadOverItsProblems() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("step-reward"));
        Path problems = copyLines(BenchReasonerCommand.EVAL_FILE,
                folder.resolve(HiddenStateStepReward.SHIPPED_RESOURCE), 3);
        CliRun.of("step-reward", "train", "--problems", problems.toString(), "--out", folder.toString())
                .assertBadInput("is the input " + problems);
    }

    /** Before: exit 1, "UncheckedIOException: ...: cannot create the cache's directory". */
    @Test
    void aCachePathUnderAFileIsBadInputNamingIt() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder.txt"), "a file\n");
        Path cache = file.resolve("calls.sqlite");
        CliRun.of("judge", "What is 3 plus 4?", "--provider", "openai", "--base-url", closedUrl(), "--model", "x",
                "--cache", cache.toString()).assertBadInput(file.toString());
    }

    /**
     * Before: exit 1, "IllegalStateException: no chain was sampled", after every question's retries; now the
     * endpoint is refused before the first question, as {@code judge} and the live benches refuse it.
     */
    @Test
    void verifierSampleFromAnEndpointNothingListensAtIsBadInput() throws IOException {
        Path problems = copyLines(BenchReasonerCommand.EVAL_FILE, dir.resolve("unanswered.jsonl"), 3);
        Path out = dir.resolve("unanswered-chains.jsonl");
        CliRun.of("verifier", "sample", "--problems", problems.toString(), "--out", out.toString(), "--samples", "1",
                "--provider", "openai", "--base-url", closedUrl(), "--model", "x")
                .assertBadInput("--base-url " + closedUrl() + ": could not connect");
        assertThat(out).doesNotExist();
    }

    private static Path copyLines(String dataFile, Path to, int lines) throws IOException {
        try (Stream<String> all = Files.lines(ProjectData.require(dataFile))) {
            return Files.write(to, all.limit(lines).toList());
        }
    }

    private static String[] concat(List<String> head, String... tail) {
        return Stream.concat(head.stream(), Stream.of(tail)).toArray(String[]::new);
    }
}
