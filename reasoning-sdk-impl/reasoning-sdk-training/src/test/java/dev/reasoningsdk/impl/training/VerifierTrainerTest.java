package dev.reasoningsdk.impl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.aggregate.VerifierProvenance;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.IOException;
import java.nio.file.Files;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The verifier's held-out protocol on the real GSM8K dev chains. */
class VerifierTrainerTest {

    private static final List<String> SOURCES = List.of("6b_finetuning", "6b_verification", "175b_finetuning",
            "175b_verification");
    private static final VerifierTrainer.DataRecord DATA = new VerifierTrainer.DataRecord("dev", "hash");

    /** The first {@code limit} questions of the project's copy of the dev chains. */
    static List<VerifierTrainer.LabelledChains> devQuestions(int limit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<VerifierTrainer.LabelledChains> questions = new ArrayList<>();
        for (String line : Files.readAllLines(ProjectData.require("data/gsm8k/model-solutions-dev.jsonl"))) {
            if (questions.size() == limit) {
                break;
            }
            JsonNode row = json.readTree(line);
            List<ReasoningChain> chains = new ArrayList<>();
            for (String source : SOURCES) {
                chains.add(ReasoningChain.of(row.path(source).path("solution").asText(), source));
            }
            questions.add(new VerifierTrainer.LabelledChains(row.path("question").asText(),
                    AnswerExtractors.numeric().extract(row.path("ground_truth").asText()).orElseThrow(), chains));
        }
        return questions;
    }

    /** {@code rows} as a list that records each row read into {@code reads}. */
    private static <T> List<T> spy(List<T> rows, List<Integer> reads) {
        return new AbstractList<>() {
            @Override
            public T get(int index) {
                reads.add(index);
                return rows.get(index);
            }

            @Override
            public int size() {
                return rows.size();
            }
        };
    }

    private static VerifierTrainer small() {
        return VerifierTrainer.builder().featureSets(List.of("chain", "chain+agreement")).l2Grid(1, 0.01)
                .repeats(1).build();
    }

    /** Everything but the held-out figures: what training produced. */
    private static ObjectNode trained(LearnedVerifier.Weights weights) {
        ObjectNode json = weights.toJson();
        ((ObjectNode) json.get("training")).remove("heldOut");
        return json;
    }

    @Test
    void poisonedHeldOutRowsChangeNothingButTheHeldOutFigures() throws IOException {
        List<VerifierTrainer.LabelledChains> clean = devQuestions(300);
        List<Integer> heldOut = VerifierTrainer.heldOutRows(clean.size(), 42, 0.2);
        List<VerifierTrainer.LabelledChains> poisoned = new ArrayList<>(clean);
        for (int row : heldOut) {
            // Wrong gold answers and chains that all agree on them: any leak would move the weights.
            VerifierTrainer.LabelledChains question = clean.get(row);
            List<ReasoningChain> chains = question.chains().stream()
                    .map(chain -> ReasoningChain.of("7 * 9 = 63\nA: 63", chain.source())).toList();
            poisoned.set(row, new VerifierTrainer.LabelledChains(question.question(), "63", chains));
        }
        LearnedVerifier.Weights fromClean = small().train(clean, DATA, done -> { });
        LearnedVerifier.Weights fromPoisoned = small().train(poisoned, DATA, done -> { });

        assertThat(trained(fromPoisoned)).isEqualTo(trained(fromClean));
        assertThat(fromPoisoned.provenance().heldOutRows()).isEqualTo(heldOut);
        // The held-out rows are read, after training: every poisoned question is answered "right".
        assertThat(fromPoisoned.provenance().heldOut().accuracy()).isEqualTo(1.0);
        assertThat(fromClean.provenance().heldOut().accuracy()).isLessThan(1.0);
    }

    @Test
    void heldOutRowsAreReadOnlyAfterEveryTrainingRow() throws IOException {
        List<VerifierTrainer.LabelledChains> questions = devQuestions(100);
        List<Integer> reads = new ArrayList<>();
        LearnedVerifier.Weights weights = small().train(spy(questions, reads), DATA, done -> { });

        List<Integer> heldOut = weights.provenance().heldOutRows();
        assertThat(heldOut).hasSize(20);
        int training = questions.size() - heldOut.size();
        assertThat(reads.subList(0, training)).doesNotContainAnyElementsOf(heldOut).doesNotHaveDuplicates();
        // After the verifier is frozen, each held-out row is read once to measure it, and nothing else is.
        assertThat(reads.subList(training, reads.size())).containsExactlyElementsOf(heldOut);
    }

    @Test
    void aHeldOutRowThatRepeatsATrainingQuestionIsRefused() throws IOException {
        // One held-out row holds a training row's question, as a file that joins two runs' solutions may: its
        // held-out figure would be measured on what was trained on.
        List<VerifierTrainer.LabelledChains> questions = new ArrayList<>(devQuestions(50));
        int heldOut = VerifierTrainer.heldOutRows(50, 42, 0.2).get(0);
        int training = heldOut == 0 ? 1 : 0;
        questions.set(heldOut, questions.get(training));

        assertThatThrownBy(() -> small().train(questions, DATA, done -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("held-out row " + heldOut)
                .hasMessageContaining("repeats a training question");
    }

    @Test
    void twoHeldOutRowsThatHoldOneQuestionAreRefused() throws IOException {
        // Both copies dealt to the held-out rows: the held-out figure counted the question twice, where a copy dealt
        // to a training row was refused (above), so whether a file was refused hung on the seed.
        List<VerifierTrainer.LabelledChains> questions = new ArrayList<>(devQuestions(50));
        List<Integer> heldOut = VerifierTrainer.heldOutRows(50, 42, 0.2);
        questions.set(heldOut.get(1), questions.get(heldOut.get(0)));

        assertThatThrownBy(() -> small().train(questions, DATA, done -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("held-out rows " + heldOut.get(0) + " and " + heldOut.get(1))
                .hasMessageContaining("hold the same question");
    }

    @Test
    void trainingRowsThatRepeatAQuestionAreRefusedBeforeCrossValidation() throws IOException {
        // Each question twice: cross-validation would score a question with a fit that saw its copy.
        List<VerifierTrainer.LabelledChains> twice = new ArrayList<>(devQuestions(50));
        twice.addAll(devQuestions(50));
        List<Integer> reads = new ArrayList<>();

        List<Integer> observed = new ArrayList<>();
        assertThatThrownBy(() -> small().train(spy(twice, reads), DATA, observed::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hold the same question");
        // Refused on the training rows alone: no held-out row was read.
        assertThat(reads).doesNotContainAnyElementsOf(VerifierTrainer.heldOutRows(100, 42, 0.2));
        // And before any row's features were observed (with embeddings, a minute on the dev chains).
        assertThat(observed).isEmpty();
    }

    @Test
    void choosesByCrossValidationAndRecordsTheRule() throws IOException {
        LearnedVerifier.Weights weights = small().train(devQuestions(200), DATA, done -> { });
        VerifierProvenance provenance = weights.provenance();

        assertThat(provenance.crossValidation()).hasSize(4);
        VerifierProvenance.Candidate best = provenance.crossValidation().stream()
                .max((a, b) -> Double.compare(a.accuracy(), b.accuracy())).orElseThrow();
        assertThat(provenance.features()).isEqualTo(best.features());
        assertThat(provenance.l2()).isEqualTo(best.l2());
        assertThat(provenance.shippingRule()).isEqualTo(VerifierTrainer.SHIPPING_RULE);
        assertThat(provenance.trainQuestions() + provenance.heldOutQuestions()).isEqualTo(200);
        assertThat(provenance.crossValidation()).allSatisfy(c -> assertThat(c.accuracySd()).isPositive());
    }

    @Test
    void recordsTheTrainingQuestionsSoThatABenchSkipsThemInAnyFile() throws IOException {
        List<VerifierTrainer.LabelledChains> questions = devQuestions(200);
        VerifierProvenance provenance = small().train(questions, DATA, done -> { }).provenance();

        List<Integer> heldOut = provenance.heldOutRows();
        for (int row = 0; row < questions.size(); row++) {
            String question = questions.get(row).question();
            assertThat(provenance.trainedOn(question)).as("row %d", row).isEqualTo(!heldOut.contains(row));
            // A copy whose white space differs is the same question.
            assertThat(provenance.trainedOn("  " + question.replace(" ", "\n") + "\t"))
                    .isEqualTo(provenance.trainedOn(question));
        }
        assertThat(provenance.trainingQuestionDigests()).hasSize(provenance.trainQuestions());
    }

    @Test
    void theShippedVerifierIsWhatTrainingOnTheDevChainsGives() throws IOException {
        LearnedVerifier.Weights shipped = LearnedVerifier.Weights.shipped();
        VerifierProvenance provenance = shipped.provenance();
        assertThat(provenance.data()).isEqualTo("gsm8k/model-solutions-dev.jsonl");
        assertThat(provenance.dataSha256()).isEqualTo(dev.reasoningsdk.impl.retrieval.LabelledText.sha256(
                ProjectData.require("data/gsm8k/model-solutions-dev.jsonl")));
        // Retrained on the chosen settings alone: the same weights (the shipped file's choice among all candidates
        // is checked by the previous test's rule).
        LearnedVerifier.Weights again = VerifierTrainer.builder().featureSets(List.of(provenance.features()))
                .l2Grid(provenance.l2()).build().train(devQuestions(1000),
                        new VerifierTrainer.DataRecord(provenance.data(), provenance.dataSha256()), done -> { });
        // The same folds give the same cross-validated figures, spread over folds included.
        assertThat(again.provenance().crossValidation()).singleElement().isIn(provenance.crossValidation());
        assertThat(again.coefficients()).containsExactly(shipped.coefficients(),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(again.bias()).isCloseTo(shipped.bias(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(again.provenance().heldOut()).isEqualTo(provenance.heldOut());
        assertThat(again.provenance().trainingQuestionDigests()).hasSize(provenance.trainQuestions())
                .isEqualTo(provenance.trainingQuestionDigests());
        assertThat(again.provenance().crossValidationByAgreement())
                .isEqualTo(provenance.crossValidationByAgreement());
    }

    @Test
    void theBestSingleSourceIsTheAccuracyOfOneOfItsChainsWhenASourceGivesSeveral() throws IOException {
        // A user's own model gives each question several samples from one source. Each question here carries every
        // source's chain twice: the share of a source's chains that are right is unchanged, and so must be the
        // best single source (which counted chains per question, and came out above 1 with ten samples).
        List<VerifierTrainer.LabelledChains> once = devQuestions(200);
        List<VerifierTrainer.LabelledChains> twice = once.stream().map(q -> {
            List<dev.reasoningsdk.api.ReasoningChain> chains = new java.util.ArrayList<>(q.chains());
            chains.addAll(q.chains());
            return new VerifierTrainer.LabelledChains(q.question(), q.gold(), chains);
        }).toList();
        VerifierProvenance single = small().train(once, DATA, done -> { }).provenance();
        VerifierProvenance doubled = small().train(twice, DATA, done -> { }).provenance();

        assertThat(doubled.heldOut().bestSingleSource()).isEqualTo(single.heldOut().bestSingleSource())
                .isBetween(0.0, 1.0);
        assertThat(doubled.crossValidation()).extracting(VerifierProvenance.Candidate::bestSingleSource)
                .containsExactlyElementsOf(single.crossValidation().stream()
                        .map(VerifierProvenance.Candidate::bestSingleSource).toList());
        assertThat(doubled.crossValidationByAgreement().values()).allSatisfy(
                figures -> assertThat(figures.bestSingleSource()).isBetween(0.0, 1.0));
    }

    @Test
    void theSplitByAgreementAddsUpToTheChosenCandidate() throws IOException {
        VerifierProvenance provenance = small().train(devQuestions(200), DATA, done -> { }).provenance();
        VerifierProvenance.Candidate chosen = provenance.crossValidation().stream()
                .filter(c -> c.features().equals(provenance.features()) && c.l2() == provenance.l2())
                .findFirst().orElseThrow();
        var classes = provenance.crossValidationByAgreement();

        assertThat(classes.keySet()).first().isEqualTo("all_agree");
        assertThat(classes.keySet()).last().isEqualTo("all_differ");
        assertThat(classes.values().stream().mapToInt(VerifierProvenance.Figures::questions).sum())
                .isEqualTo(provenance.trainQuestions());
        // Each class's shares, weighted by its questions, give the candidate's (up to the 4-decimal rounding).
        org.assertj.core.data.Offset<Double> rounding = org.assertj.core.data.Offset.offset(1e-3);
        assertThat(weighted(classes, VerifierProvenance.Figures::accuracy)).isCloseTo(chosen.accuracy(), rounding);
        assertThat(weighted(classes, VerifierProvenance.Figures::weightedVoteAccuracy))
                .isCloseTo(chosen.weightedVoteAccuracy(), rounding);
        assertThat(weighted(classes, VerifierProvenance.Figures::bestSingleSource))
                .isCloseTo(chosen.bestSingleSource(), rounding);
        // When every chain agrees, every choice is the same; when none do, a vote is a choice of one chain.
        VerifierProvenance.Figures agree = classes.get("all_agree");
        assertThat(agree.accuracy()).isEqualTo(agree.bestSingleSource()).isEqualTo(agree.oracle());
        VerifierProvenance.Figures differ = classes.get("all_differ");
        assertThat(differ.weightedVoteAccuracy()).isEqualTo(differ.accuracy());
        assertThat(classes.values()).allSatisfy(f -> assertThat(f.oracle()).isGreaterThanOrEqualTo(f.accuracy()));
    }

    private static double weighted(java.util.Map<String, VerifierProvenance.Figures> classes,
                                   java.util.function.ToDoubleFunction<VerifierProvenance.Figures> share) {
        return classes.values().stream().mapToDouble(f -> f.questions() * share.applyAsDouble(f)).sum()
                / classes.values().stream().mapToInt(VerifierProvenance.Figures::questions).sum();
    }

    @Test
    void settingsAreValidatedEagerly() {
        assertThatThrownBy(() -> VerifierTrainer.builder().heldOutFraction(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heldOutFraction").hasMessageContaining("1.5");
        assertThatThrownBy(() -> VerifierTrainer.builder().folds(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("folds");
        assertThatThrownBy(() -> VerifierTrainer.builder().l2Grid(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> VerifierTrainer.builder().featureSets(List.of("chain+votes")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("votes");
        assertThatThrownBy(() -> VerifierTrainer.builder().featureSets(List.of("chain+embedding")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoder");
        assertThatThrownBy(() -> VerifierTrainer.builder().featureSets(null))
                .isInstanceOf(NullPointerException.class).hasMessage("featureSets");
    }

    @Test
    void refusesChainsThatAreAllRight() throws IOException {
        List<VerifierTrainer.LabelledChains> allRight = devQuestions(30).stream()
                .map(q -> new VerifierTrainer.LabelledChains(q.question(), "5",
                        q.chains().stream().map(c -> ReasoningChain.of("2 + 3 = 5\nA: 5", c.source())).toList()))
                .toList();
        assertThatThrownBy(() -> small().train(allRight, DATA, done -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all right");
    }

    @Test
    void aWrongChainInOneTrainingQuestionOnlyIsNamedAsTooFewForCrossValidation() throws IOException {
        List<VerifierTrainer.LabelledChains> questions = new ArrayList<>();
        for (VerifierTrainer.LabelledChains q : devQuestions(30)) {
            questions.add(new VerifierTrainer.LabelledChains(q.question(), "5",
                    q.chains().stream().map(c -> ReasoningChain.of("2 + 3 = 5\nA: 5", c.source())).toList()));
        }
        int trainingRow = IntStream.range(0, questions.size())
                .filter(row -> !VerifierTrainer.heldOutRows(questions.size(), 42, 0.2).contains(row)).findFirst()
                .orElseThrow();
        VerifierTrainer.LabelledChains right = questions.get(trainingRow);
        List<ReasoningChain> oneWrong = new ArrayList<>(right.chains());
        oneWrong.set(0, ReasoningChain.of("2 + 3 = 6\nA: 6", oneWrong.get(0).source()));
        questions.set(trainingRow, new VerifierTrainer.LabelledChains(right.question(), "5", oneWrong));

        // Before: "the training chains are all right", of training questions one of which holds a wrong chain.
        assertThatThrownBy(() -> small().train(questions, DATA, done -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only 1 of the 24 training questions hold a wrong chain")
                .hasMessageNotContaining("all right");
    }
}
