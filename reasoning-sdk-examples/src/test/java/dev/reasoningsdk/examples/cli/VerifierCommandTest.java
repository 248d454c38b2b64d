package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.internal.ProjectData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reasoning verifier train} and the {@code learned_verifier} entry of {@code bench aggregate}. */
class VerifierCommandTest {

    private static Path devChains() {
        return ProjectData.require(ModelSolutions.DEFAULT_FILE);
    }


    @Test
    void badFilesExitWithTwoAndOneLine(@TempDir Path dir) throws IOException {
        CliRun.of("verifier", "train", "--data", dir.resolve("missing.jsonl").toString())
                .assertBadInput("missing.jsonl");
        CliRun.of("verifier", "train", "--data", dir.toString()).assertBadInput(dir.toString());
        Path noSolution = Files.writeString(dir.resolve("rows.jsonl"),
                "{\"question\": \"q\", \"ground_truth\": \"A: 3\", \"6b_finetuning\": {\"solution\": \"A: 3\"}}\n");
        CliRun.of("verifier", "train", "--data", noSolution.toString()).assertBadInput("line 1");
        Path notJson = Files.writeString(dir.resolve("broken.jsonl"), "{not json\n");
        CliRun.of("verifier", "train", "--data", notJson.toString()).assertBadInput("broken.jsonl");
        Path sample = Files.write(dir.resolve("sample.jsonl"), Files.readAllLines(devChains()).subList(0, 40));
        CliRun.of("verifier", "train", "--data", sample.toString(), "--held-out", "1.5").assertBadInput("1.5");
        CliRun.of("verifier", "train", "--data", sample.toString(), "--feature-sets", "chain+votes")
                .assertBadInput("votes");
        assertThat(CliRun.of("verifier").exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    @Test
    void aRowWithoutItsQuestionIsRefusedNamingItsLine(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>(Files.readAllLines(devChains()).subList(0, 40));
        ObjectNode row = (ObjectNode) json.readTree(lines.get(2));
        row.remove("question");
        lines.set(2, json.writeValueAsString(row));
        Path file = Files.write(dir.resolve("no-question.jsonl"), lines);

        // Scored with an empty question, the row would count as one the shipped verifier never saw.
        CliRun.of("bench", "aggregate", "--json", "--data", file.toString())
                .assertBadInput("no-question.jsonl line 3: no question");
        CliRun.of("verifier", "train", "--data", file.toString(), "--feature-sets", "chain", "--cv-repeats", "1")
                .assertBadInput("no-question.jsonl line 3: no question");
    }

    @Test
    void aGroundTruthThatStatesNoFinalAnswerIsRefusedNamingItsLine(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>(Files.readAllLines(devChains()).subList(0, 40));
        ObjectNode row = (ObjectNode) json.readTree(lines.get(2));
        // The worked solution without its "A: N" line, ending on a number that is not the answer. Before: exit 0,
        // with that number read as the gold and every chain of the row scored wrong.
        String worked = row.path("ground_truth").asText().replaceAll("\nA: [^\n]*$", "");
        row.put("ground_truth", worked + "\nShe checks this 2 times.");
        lines.set(2, json.writeValueAsString(row));
        Path file = Files.write(dir.resolve("no-answer.jsonl"), lines);

        String refused = "no-answer.jsonl line 3: ground_truth states no final answer";
        CliRun.of("bench", "aggregate", "--json", "--data", file.toString()).assertBadInput(refused);
        CliRun.of("verifier", "train", "--data", file.toString(), "--feature-sets", "chain", "--cv-repeats", "1")
                .assertBadInput(refused);

        // GSM8K's own "#### N" and a number alone state it: the same figures as "A: N".
        List<String> original = Files.readAllLines(devChains()).subList(0, 40);
        List<String> rewritten = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            ObjectNode stated = (ObjectNode) json.readTree(original.get(i));
            String groundTruth = stated.path("ground_truth").asText();
            stated.put("ground_truth", i % 2 == 0 ? groundTruth.replaceAll("\nA: ([^\n]*)$", "\n#### $1")
                    : groundTruth.replaceAll("(?s).*\nA: ", ""));
            rewritten.add(json.writeValueAsString(stated));
        }
        Path gsm8kForm = Files.write(dir.resolve("gsm8k-form.jsonl"), rewritten);
        Path answerForm = Files.write(dir.resolve("a-form.jsonl"), original);
        CliRun run = CliRun.of("bench", "aggregate", "--json", "--data", gsm8kForm.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode expected = CliRun.of("bench", "aggregate", "--json", "--data", answerForm.toString()).json()
                .path("gsm8k");
        assertThat(run.json().path("gsm8k").path("baselines")).isEqualTo(expected.path("baselines"));
        assertThat(run.json().path("gsm8k").path("sources")).isEqualTo(expected.path("sources"));
    }

    @Test
    void isCorrectLabelsThatDisagreeWithTheAnswersAreCountedAndTheFirstNamed(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>(Files.readAllLines(devChains()).subList(0, 40));
        ObjectNode row = (ObjectNode) json.readTree(lines.get(4));
        ObjectNode solution = (ObjectNode) row.path("175b_finetuning");
        // The label says the chain is right where its answer says wrong, or the reverse: before, exit 0 without a word.
        boolean label = solution.path("is_correct").booleanValue();
        solution.put("is_correct", !label);
        ((ObjectNode) row.path("6b_finetuning")).remove("is_correct");
        lines.set(4, json.writeValueAsString(row));
        Path file = Files.write(dir.resolve("labels.jsonl"), lines);

        CliRun bench = CliRun.of("bench", "aggregate", "--json", "--data", file.toString());
        assertThat(bench.exit()).as(bench.err()).isZero();
        JsonNode labels = bench.json().path("gsm8k").path("is_correct_labels");
        assertThat(labels.path("labelled_chains").asInt()).isEqualTo(40 * 4 - 1);
        assertThat(labels.path("disagreeing_with_answers").asInt()).isEqualTo(1);
        assertThat(labels.path("first_disagreement").asText()).startsWith("line 5, 175b_finetuning: is_correct "
                + !label);
        CliRun train = CliRun.of("verifier", "train", "--data", file.toString(), "--feature-sets", "chain",
                "--cv-repeats", "1", "--json");
        assertThat(train.exit()).as(train.err()).isZero();
        assertThat(train.json().path("is_correct_labels")).isEqualTo(labels);

        // The shipped rows agree on every chain.
        CliRun agreeing = CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("agreeing.jsonl"), Files.readAllLines(devChains()).subList(0, 40)).toString());
        assertThat(agreeing.json().path("gsm8k").path("is_correct_labels").path("disagreeing_with_answers").asInt())
                .isZero();
    }

    @Test
    void aSourceThatGivesNoAnswerHasNoReliabilityEstimate(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> labelled = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            labelled.add(json.writeValueAsString(json.createObjectNode()
                    .put("question", "Ann has " + i + " apples and buys 2 more. How many apples does she have?")
                    .put("answer", i + 2).set("chains", json.createArrayNode()
                            .add(json.createObjectNode().put("text", i + " + 2 = " + (i + 2) + "\nA: " + (i + 2))
                                    .put("source", "answering"))
                            .add(json.createObjectNode().put("text", i + " + 2 = " + (i + 3) + "\nA: " + (i + 3))
                                    .put("source", "answering"))
                            .add(json.createObjectNode().put("text", "I cannot tell.").put("source", "silent")))));
        }
        Path file = Files.write(dir.resolve("silent.jsonl"), labelled);
        CliRun run = CliRun.of("bench", "aggregate", "--json", "--data", file.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode silent = run.json().path("gsm8k").path("sources").path("silent");
        assertThat(silent.path("accuracy").asDouble()).isZero();
        // Before: "reliability_estimate": 0.0, the missing estimate rounded, beside an unknown source's weight.
        assertThat(silent.has("reliability_estimate")).isFalse();
        assertThat(silent.path("reliability_note").asText()).contains("no answer");
        assertThat(run.json().path("gsm8k").path("sources").path("answering").has("reliability_estimate")).isTrue();
    }

    @Test
    void aQuestionRepeatedInABenchFileIsRefusedNamingBothLines(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>(Files.readAllLines(devChains()).subList(0, 40));
        String question = json.readTree(lines.get(2)).path("question").asText();
        // Line 31 asks line 3's question in capitals with doubled spaces: the same question, as verifier train tells.
        String copy = question.toUpperCase(Locale.ROOT).replace(" ", "  ");
        ObjectNode repeated = (ObjectNode) json.readTree(lines.get(30));
        repeated.put("question", copy);
        lines.set(30, json.writeValueAsString(repeated));
        Path solutions = Files.write(dir.resolve("solutions.jsonl"), lines);
        // Before: exit 0, with the question scored twice in every figure.
        CliRun.of("bench", "aggregate", "--json", "--data", solutions.toString())
                .assertBadInput("solutions.jsonl: lines 3 and 31 hold the same question");

        // Labelled chains, as verifier sample writes them: the same.
        List<String> labelled = new ArrayList<>();
        for (String text : List.of(question, "How many legs do 3 ducks have?", copy + "?")) {
            labelled.add(json.writeValueAsString(json.createObjectNode().put("question", text).put("answer", 6)
                    .set("chains", json.createArrayNode().add(json.createObjectNode().put("text", "The answer is 6.")
                            .put("source", "m")))));
        }
        Path chains = Files.write(dir.resolve("chains.jsonl"), labelled);
        CliRun.of("bench", "aggregate", "--json", "--data", chains.toString())
                .assertBadInput("chains.jsonl: lines 1 and 3 hold the same question");

        // The live bench's problems: refused before a model is loaded.
        Path problems = Files.write(dir.resolve("problems.jsonl"), List.of(
                "{\"question\": \"Ana has 7 shells. She finds 4 more. How many shells now?\", \"answer\": 11}",
                "",
                "{\"question\": \"Owen has 12 stones. He gets 30 more. How many stones now?\", \"answer\": 42}",
                "{\"question\": \"ana has 7 shells; she finds 4 more - how many shells now\", \"answer\": 11}"));
        CliRun.of("bench", "aggregate", "--live", "--json", "--max-problems", "3", "--data", devChains().toString(),
                "--problems", problems.toString())
                .assertBadInput("problems.jsonl: lines 1 and 4 hold the same question");
    }

    @Test
    void aRowWithABlankQuestionOrAFifthModelsSolutionIsRefusedNamingItsLine(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>(Files.readAllLines(devChains()).subList(0, 40));
        ObjectNode blank = (ObjectNode) json.readTree(lines.get(2));
        blank.put("question", " ");
        List<String> withBlank = new ArrayList<>(lines);
        withBlank.set(2, json.writeValueAsString(blank));
        // A blank question was scored as one the shipped verifier never saw.
        CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("blank.jsonl"), withBlank).toString())
                .assertBadInput("blank.jsonl line 3: no question");

        ObjectNode fifth = (ObjectNode) json.readTree(lines.get(4));
        fifth.putObject("gpt4").put("is_correct", true).put("solution", fifth.path("ground_truth").asText());
        List<String> withFifth = new ArrayList<>(lines);
        withFifth.set(4, json.writeValueAsString(fifth));
        // Its chains were dropped: no figure counted them, the oracle's included.
        CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("fifth.jsonl"), withFifth).toString())
                .assertBadInput("fifth.jsonl line 5: gpt4 holds a solution");
    }

    @Test
    void anOutFolderThatIsAFileIsRefusedBeforeTrainingAndLeftAlone(@TempDir Path dir) throws IOException {
        Path sample = Files.write(dir.resolve("sample.jsonl"), Files.readAllLines(devChains()).subList(0, 40));
        Path notAFolder = Files.writeString(dir.resolve("notes.txt"), "keep me");
        CliRun.of("verifier", "train", "--data", sample.toString(), "--feature-sets", "chain", "--cv-repeats", "1",
                "--out", notAFolder.toString()).assertBadInput("--out " + notAFolder);
        assertThat(Files.readString(notAFolder)).isEqualTo("keep me");
        Files.createDirectories(dir.resolve("out").resolve(VerifierCommand.WEIGHTS_FILE));
        CliRun.of("verifier", "train", "--data", sample.toString(), "--feature-sets", "chain", "--cv-repeats", "1",
                "--out", dir.resolve("out").toString()).assertBadInput("is a directory");
    }

    @Test
    void trainsOnRealChainsAndWritesWeightsWithProvenance(@TempDir Path dir) throws IOException {
        List<String> lines = Files.readAllLines(devChains()).subList(0, 150);
        Path sample = Files.write(dir.resolve("sample.jsonl"), lines);
        CliRun run = CliRun.of("verifier", "train", "--data", sample.toString(), "--out", dir.toString(),
                "--feature-sets", "chain,chain+agreement", "--cv-repeats", "1", "--json");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode report = run.json();
        assertThat(report.path("questions").asInt()).isEqualTo(150);
        assertThat(report.path("held_out_questions").asInt()).isEqualTo(30);
        // Two feature sets times the default L2 grid (1 to 0.0001, five values).
        assertThat(report.path("cross_validation")).hasSize(10);
        assertThat(report.path("held_out").path("questions").asInt()).isEqualTo(30);
        // The chosen candidate's cross-validation split by agreement covers each training question once.
        int split = 0;
        for (JsonNode agreementClass : report.path("cross_validation_by_agreement")) {
            split += agreementClass.path("questions").asInt();
            assertThat(agreementClass.path("oracle").asDouble())
                    .isGreaterThanOrEqualTo(agreementClass.path("accuracy").asDouble());
        }
        assertThat(split).isEqualTo(120);
        LearnedVerifier.Weights weights = LearnedVerifier.Weights.read(dir.resolve(VerifierCommand.WEIGHTS_FILE));
        assertThat(weights.provenance().dataSha256()).isEqualTo(report.path("data_sha256").asText());
        assertThat(weights.provenance().heldOut().accuracy()).isEqualTo(report.path("held_out").path("accuracy")
                .asDouble());
    }

    @Test
    void theBenchScoresTheShippedVerifierOnlyOnQuestionsItNeverSaw() throws IOException {
        CliRun run = CliRun.of("bench", "aggregate", "--json", "--data", devChains().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode entry = run.json().path("gsm8k").path("learned_verifier");
        LearnedVerifier.Weights shipped = LearnedVerifier.Weights.shipped();
        assertThat(entry.path("n_questions").asInt()).isEqualTo(shipped.provenance().heldOutQuestions());
        assertThat(entry.path("rows").asText()).contains("never saw");
        // Best-of-N through AoR is the trainer's own held-out measurement of the shipped verifier.
        assertThat(entry.path("accuracy").asDouble()).isEqualTo(shipped.provenance().heldOut().accuracy());
        assertThat(entry.path("same_questions").path("best_single_model").asDouble())
                .isEqualTo(shipped.provenance().heldOut().bestSingleSource());
        assertThat(entry.path("cross_validated_dev").path("accuracy_sd_over_folds").asDouble()).isPositive();
        assertThat(entry.path("cross_validated_dev").path("by_agreement").path("all_differ").path("questions")
                .asInt()).isEqualTo(shipped.provenance().crossValidationByAgreement().get("all_differ").questions());
    }

    /**
     * A user's own verifier, end to end offline: chains in the labelled format {@code verifier sample} writes (here
     * GSM8K's real chains rewritten into it, two models' chains and two more samples of one of them), trained, then
     * measured by {@code bench aggregate --data --learned-verifier} on exactly the questions it held out.
     */
    @Test
    void theBenchMeasuresAUsersOwnVerifierOnTheLabelledChainsItHeldOut(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> labelled = new ArrayList<>();
        int mineRight = 0;
        for (String line : Files.readAllLines(devChains()).subList(0, 100)) {
            JsonNode row = json.readTree(line);
            ObjectNode out = json.createObjectNode().put("question", row.path("question").asText())
                    .put("answer", row.path("ground_truth").asText().replaceAll("(?s).*A: ", ""));
            var chains = out.putArray("chains");
            for (String source : List.of("175b_verification", "6b_verification")) {
                chains.addObject().put("text", row.path(source).path("solution").asText()).put("source", source);
            }
            for (String other : List.of("6b_finetuning", "175b_finetuning")) {
                chains.addObject().put("text", row.path(other).path("solution").asText()).put("source", "mine");
                mineRight += row.path(other).path("is_correct").asBoolean() ? 1 : 0;
            }
            labelled.add(json.writeValueAsString(out));
        }
        Path chains = Files.write(dir.resolve("my-chains.jsonl"), labelled);
        CliRun train = CliRun.of("verifier", "train", "--data", chains.toString(), "--out", dir.toString(),
                "--feature-sets", "chain+agreement", "--cv-repeats", "1", "--json");
        assertThat(train.exit()).as(train.err()).isZero();
        Path weights = dir.resolve(VerifierCommand.WEIGHTS_FILE);

        CliRun bench = CliRun.of("bench", "aggregate", "--json", "--data", chains.toString(), "--learned-verifier",
                weights.toString());

        assertThat(bench.exit()).as(bench.err()).isZero();
        JsonNode offline = bench.json().path("gsm8k");
        JsonNode entry = offline.path("learned_verifier");
        JsonNode heldOut = train.json().path("held_out");
        assertThat(entry.path("weights").asText()).isEqualTo(weights.toString());
        assertThat(entry.path("n_questions").asInt()).isEqualTo(20).isEqualTo(heldOut.path("questions").asInt());
        assertThat(entry.path("rows").asText()).contains("this is its training file");
        assertThat(entry.path("accuracy").asDouble()).isEqualTo(heldOut.path("accuracy").asDouble());
        assertThat(entry.path("same_questions").path("best_single_model").asDouble())
                .isEqualTo(heldOut.path("best_single_model").asDouble());
        assertThat(entry.path("same_questions").path("oracle").asDouble())
                .isEqualTo(heldOut.path("oracle").asDouble());
        // A source with two chains per question is measured as one sample of it, not as two questions' worth.
        assertThat(offline.path("sources").path("mine").path("accuracy").asDouble())
                .isEqualTo(Math.round(10000.0 * mineRight / 200) / 10000.0);
        assertThat(offline.path("sources").path("175b_verification").path("accuracy").asDouble())
                .isEqualTo(offline.path("baselines").path("best_single_model").asDouble());

        ObjectNode withoutQuestions = (ObjectNode) json.readTree(weights.toFile());
        ((ObjectNode) withoutQuestions.path("training")).remove("trainingQuestionDigests");
        Path blind = dir.resolve("blind.json");
        json.writeValue(blind.toFile(), withoutQuestions);
        CliRun.of("bench", "aggregate", "--json", "--data", chains.toString(), "--learned-verifier",
                blind.toString()).assertBadInput("does not record the questions it was trained on");
    }

    @Test
    void labelledChainsWhoseGoldAnswersAreWrittenWithSeparatorsAreScoredAsWithPlainNumbers(@TempDir Path dir)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> plain = new ArrayList<>();
        List<String> dressed = new ArrayList<>();
        for (String line : Files.readAllLines(devChains()).subList(0, 30)) {
            JsonNode row = json.readTree(line);
            long gold = Long.parseLong(row.path("ground_truth").asText().replaceAll("(?s).*A: ", "").replace(",", ""));
            ObjectNode out = json.createObjectNode().put("question", row.path("question").asText());
            var chains = out.putArray("chains");
            for (String source : List.of("175b_verification", "6b_verification", "175b_finetuning")) {
                chains.addObject().put("text", row.path(source).path("solution").asText()).put("source", source);
            }
            plain.add(json.writeValueAsString(out.put("answer", gold)));
            dressed.add(json.writeValueAsString(out.put("answer", String.format(java.util.Locale.US, "$%,d.00",
                    gold))));
        }
        CliRun fromPlain = CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("plain.jsonl"), plain).toString());
        CliRun fromDressed = CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("dressed.jsonl"), dressed).toString());

        assertThat(fromDressed.exit()).as(fromDressed.err()).isZero();
        JsonNode expected = fromPlain.json().path("gsm8k").path("baselines");
        assertThat(expected.path("oracle").asDouble()).isPositive();
        // Compared as written, "$18.00" matched no chain's answer: every figure fell to 0.
        assertThat(fromDressed.json().path("gsm8k").path("baselines")).isEqualTo(expected);
        assertThat(fromDressed.json().path("gsm8k").path("learned_verifier").path("accuracy"))
                .isEqualTo(fromPlain.json().path("gsm8k").path("learned_verifier").path("accuracy"));
    }

    @Test
    void theSourcesTheVerifierNeverSawAreNamed(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(devChains());
        List<String> known = new ArrayList<>();
        List<String> renamed = new ArrayList<>();
        for (int row : LearnedVerifier.Weights.shipped().provenance().heldOutRows().subList(0, 20)) {
            JsonNode solutions = json.readTree(lines.get(row));
            for (boolean rename : new boolean[] {false, true}) {
                ObjectNode out = json.createObjectNode().put("question", solutions.path("question").asText())
                        .put("answer", solutions.path("ground_truth").asText().replaceAll("(?s).*A: ", ""));
                var chains = out.putArray("chains");
                for (String source : ModelSolutions.SOURCES) {
                    chains.addObject().put("text", solutions.path(source).path("solution").asText())
                            .put("source", rename && source.startsWith("6b") ? "my-" + source : source);
                }
                (rename ? renamed : known).add(json.writeValueAsString(out));
            }
        }
        CliRun onKnown = CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("known.jsonl"), known).toString());
        CliRun onRenamed = CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("renamed.jsonl"), renamed).toString());

        assertThat(onRenamed.exit()).as(onRenamed.err()).isZero();
        assertThat(onKnown.json().path("gsm8k").path("learned_verifier").path("unseen_sources").isArray()).isTrue();
        assertThat(onKnown.json().path("gsm8k").path("learned_verifier").path("unseen_sources")).isEmpty();
        assertThat(onRenamed.json().path("gsm8k").path("learned_verifier").path("unseen_sources"))
                .extracting(JsonNode::asText).containsExactly("my-6b_finetuning", "my-6b_verification");
    }

    @Test
    void inACopyOfPartOfTheTrainingFileOnlyTheQuestionsItNeverSawAreScored(@TempDir Path dir) throws IOException {
        List<String> lines = Files.readAllLines(devChains());
        List<String> reshuffled = new ArrayList<>(lines.subList(0, 40));
        Collections.reverse(reshuffled);
        Path part = Files.write(dir.resolve("part.jsonl"), reshuffled);
        CliRun run = CliRun.of("bench", "aggregate", "--json", "--data", part.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.json().path("gsm8k").path("data").asText()).isEqualTo("part.jsonl");
        JsonNode entry = run.json().path("gsm8k").path("learned_verifier");
        long heldOut = LearnedVerifier.Weights.shipped().provenance().heldOutRows().stream()
                .filter(row -> row < 40).count();
        assertThat(heldOut).isBetween(1L, 39L);
        assertThat(entry.path("n_questions").asLong()).isEqualTo(heldOut);
        assertThat(entry.path("training_questions_skipped").asLong()).isEqualTo(40 - heldOut);
        assertThat(entry.path("rows").asText()).contains("are among its training questions");
    }

    @Test
    void onQuestionsItNeverSawTheShippedVerifierScoresEveryRow(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> unseen = new ArrayList<>();
        for (String line : Files.readAllLines(devChains()).subList(0, 25)) {
            ObjectNode row = (ObjectNode) json.readTree(line);
            row.put("question", row.path("question").asText() + " Answer in whole units.");
            unseen.add(json.writeValueAsString(row));
        }
        Path other = Files.write(dir.resolve("other.jsonl"), unseen);
        CliRun run = CliRun.of("bench", "aggregate", "--json", "--data", other.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode entry = run.json().path("gsm8k").path("learned_verifier");
        assertThat(entry.path("n_questions").asInt()).isEqualTo(25);
        assertThat(entry.path("training_questions_skipped").asInt()).isZero();
        assertThat(entry.path("rows").asText()).contains("none of this file's questions");
    }

    @Test
    void aFileOfTrainingQuestionsOnlyIsReportedAsUnmeasurable(@TempDir Path dir) throws IOException {
        List<Integer> heldOut = LearnedVerifier.Weights.shipped().provenance().heldOutRows();
        List<String> lines = Files.readAllLines(devChains());
        List<String> trained = new ArrayList<>();
        for (int row = 0; trained.size() < 10; row++) {
            if (!heldOut.contains(row)) {
                trained.add(lines.get(row));
            }
        }
        CliRun run = CliRun.of("bench", "aggregate", "--json", "--data",
                Files.write(dir.resolve("trained.jsonl"), trained).toString());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode entry = run.json().path("gsm8k").path("learned_verifier");
        assertThat(entry.path("skipped").asText()).contains("trained on every one of this file's 10 questions");
        assertThat(entry.has("accuracy")).isFalse();
        assertThat(run.json().path("gsm8k").path("majority").path("accuracy").isNumber()).isTrue();
    }
}
