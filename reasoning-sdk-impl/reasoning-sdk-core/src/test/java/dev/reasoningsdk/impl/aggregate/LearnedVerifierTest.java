package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures;
import dev.reasoningsdk.impl.internal.QuestionDigests;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnedVerifierTest {

    private static final String QUESTION = "Sam has 14 apples. He buys 7 more. How many apples does Sam have?";
    private static final List<ReasoningChain> CHAINS = List.of(
            ReasoningChain.of("Sam has 14 + 7 = <<14+7=21>>21 apples.\nA: 21", "175b_verification"),
            ReasoningChain.of("He has 14 - 7 = <<14-7=7>>7 apples.\nA: 7", "6b_finetuning"),
            ReasoningChain.of("14 + 7 = <<14+7=21>>21\nA: 21", "6b_verification"),
            ReasoningChain.of("He buys 7 * 2 = <<7*2=14>>14.\nA: 14", "175b_finetuning"));

    @Test
    void theShippedWeightsCarryTheirProvenance() {
        LearnedVerifier.Weights weights = LearnedVerifier.Weights.shipped();
        VerifierProvenance provenance = weights.provenance();

        assertThat(provenance.questions()).isEqualTo(1000);
        assertThat(provenance.heldOutRows()).hasSize(provenance.heldOutQuestions()).isSorted()
                .doesNotHaveDuplicates();
        assertThat(provenance.crossValidation()).anySatisfy(candidate -> {
            assertThat(candidate.features()).isEqualTo(provenance.features());
            assertThat(candidate.l2()).isEqualTo(provenance.l2());
        });
        assertThat(weights.features()).isEqualTo(ChainFeatures.Feature.parseSet(provenance.features()).stream()
                .map(ChainFeatures.Feature::fileName).toList());
        assertThat(weights.sourceAccuracy()).containsOnlyKeys("6b_finetuning", "6b_verification",
                "175b_finetuning", "175b_verification");
    }

    @Test
    void provenanceRefusesUnsortedOrTooManyDigestsAndAFileWithoutThemCannotTellItsTrainingQuestions() {
        VerifierProvenance shipped = LearnedVerifier.Weights.shipped().provenance();
        List<String> digests = shipped.trainingQuestionDigests();
        assertThat(digests).hasSize(shipped.trainQuestions()).isSorted().doesNotHaveDuplicates()
                .allSatisfy(digest -> assertThat(digest).matches("[0-9a-f]{16}"));
        assertThat(QuestionDigests.of("Sam has 14\n apples. ")).isEqualTo(
                QuestionDigests.of("Sam has 14 apples.")).isNotEqualTo(
                QuestionDigests.of("Sam has 15 apples."));

        List<String> reversed = digests.stream().sorted(java.util.Comparator.reverseOrder()).toList();
        assertThatThrownBy(() -> withDigests(shipped, reversed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sorted and distinct");
        List<String> tooMany = new java.util.ArrayList<>(digests);
        tooMany.addAll(QuestionDigests.trainingDigests(List.of("one?", "two?", "three?"), List.of(0, 1, 2)).stream()
                .filter(digest -> !digests.contains(digest)).toList());
        assertThatThrownBy(() -> withDigests(shipped, tooMany.stream().sorted().toList()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("training question digests for");
        VerifierProvenance unrecorded = withDigests(shipped, null);
        assertThat(unrecorded.recordsTrainingQuestions()).isFalse();
        assertThatThrownBy(() -> unrecorded.trainedOn(QUESTION)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retrain");
    }

    @Test
    void theShippedVerifiersTrainingQuestionsAreKnownWhateverTheirSpacesQuotesCaseAndPunctuation() throws IOException {
        VerifierProvenance shipped = LearnedVerifier.Weights.shipped().provenance();
        List<String> lines = Files.readAllLines(dev.reasoningsdk.impl.internal.ProjectData.require(
                "data/gsm8k/model-solutions-dev.jsonl"));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        int withNoBreakSpace = 0;
        for (int row = 0; row < lines.size(); row++) {
            String question = json.readTree(lines.get(row)).path("question").asText();
            boolean trained = !shipped.heldOutRows().contains(row);
            withNoBreakSpace += question.indexOf('\u00a0') >= 0 ? 1 : 0;
            assertThat(shipped.trainedOn(question)).as("row %d", row).isEqualTo(trained);
            // A copy that made every space no-break, or thin, or the data's own no-break space plain.
            assertThat(shipped.trainedOn(question.replace(' ', '\u00a0'))).as("row %d", row).isEqualTo(trained);
            assertThat(shipped.trainedOn(question.replace('\u00a0', ' ').replace(' ', '\u2009')))
                    .as("row %d", row).isEqualTo(trained);
            assertThat(shipped.trainedOn(question.replace('\u00a0', ' '))).as("row %d", row).isEqualTo(trained);
            // A copy made ASCII (straight quotes and apostrophes, plain dashes), or upper-cased, or re-punctuated.
            String ascii = question.replace('\u2019', '\'').replace('\u201c', '"').replace('\u201d', '"')
                    .replace('\u2014', '-').replace('\u00a0', ' ');
            assertThat(shipped.trainedOn(ascii)).as("row %d", row).isEqualTo(trained);
            assertThat(shipped.trainedOn(question.toUpperCase(java.util.Locale.ROOT))).as("row %d", row)
                    .isEqualTo(trained);
            assertThat(shipped.trainedOn(question.replace("?", " ?").replace(". ", "; "))).as("row %d", row)
                    .isEqualTo(trained);
        }
        // GSM8K holds such a question: row 105, a training row.
        assertThat(withNoBreakSpace).isPositive();
    }

    @Test
    void aFileWrittenBeforeUnicodeSpacesWereNormalisedStillKnowsItsQuestionsCopies() {
        String question = "If Amir eats 5 cookies,\u00a0how many do both eat?";
        // What trainingDigests recorded for it before: the digest of the text with its no-break space kept.
        String recordedBefore = java.util.HexFormat.of().formatHex(sha256(question)).substring(0, 16);
        List<String> digests = List.of(recordedBefore);
        assertThat(QuestionDigests.trainedOn(digests, question, "head")).isTrue();
        assertThat(QuestionDigests.trainedOn(digests, "  " + question + "\n", "head")).isTrue();
        assertThat(QuestionDigests.trainedOn(digests, question.replace("5", "6"), "head")).isFalse();
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static VerifierProvenance withDigests(VerifierProvenance p, List<String> digests) {
        return new VerifierProvenance(p.data(), p.dataSha256(), p.questions(), p.trainQuestions(),
                p.heldOutQuestions(), p.seed(), p.heldOutFraction(), p.heldOutRows(), p.features(), p.l2(),
                p.shippingRule(), p.crossValidation(), p.heldOut(), digests, p.crossValidationByAgreement());
    }

    @Test
    void namesHowFarAQuestionsChainsAgree() {
        assertThat(VerifierProvenance.agreementClass(4, 4)).isEqualTo("all_agree");
        assertThat(VerifierProvenance.agreementClass(3, 4)).isEqualTo("largest_group_3");
        assertThat(VerifierProvenance.agreementClass(2, 4)).isEqualTo("largest_group_2");
        assertThat(VerifierProvenance.agreementClass(1, 4)).isEqualTo("all_differ");
        assertThat(VerifierProvenance.agreementClass(0, 4)).isEqualTo("all_differ");
        assertThatThrownBy(() -> VerifierProvenance.agreementClass(5, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a group of 5 among 4 chains");
        assertThatThrownBy(() -> VerifierProvenance.agreementClass(-1, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVersionOneFileIsStillReadAndAFutureVersionIsRefused() throws IOException {
        // Version 1 knew only the chain, agreement and embedding groups, computed as they still are.
        com.fasterxml.jackson.databind.node.ObjectNode json = LearnedVerifier.Weights.shipped().toJson();
        json.putArray("features").add("source_reliability").add("agreement");
        json.set("mean", json.arrayNode().add(-0.5).add(0.3));
        json.set("scale", json.arrayNode().add(0.5).add(0.4));
        json.set("coefficients", json.arrayNode().add(0.2).add(0.7));
        json.put("encoderModelId", "");
        json.put("version", 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("training")).remove(
                List.of("trainingQuestionDigests", "crossValidationByAgreement"));
        LearnedVerifier.Weights old = LearnedVerifier.Weights.read(new ByteArrayInputStream(
                json.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(old.provenance().recordsTrainingQuestions()).isFalse();
        assertThat(old.provenance().crossValidationByAgreement()).isEmpty();
        assertThat(LearnedVerifier.Weights.shipped().provenance().crossValidationByAgreement()).isNotEmpty();
        assertThat(old.features()).containsExactly("source_reliability", "agreement");
        double agreed = LearnedVerifier.builder().weights(old).build()
                .probabilities(QUESTION, List.of(CHAINS.get(0), CHAINS.get(2))).get(0);
        assertThat(agreed).isGreaterThan(0.5);

        json.put("version", 3);
        assertThatThrownBy(() -> LearnedVerifier.Weights.read(new ByteArrayInputStream(
                json.toString().getBytes(StandardCharsets.UTF_8)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 3");
    }

    @Test
    void aDecoratorThatForwardsTheBindingKeepsTheOtherChainsInTheVote() {
        // A user's decorator (logging, metrics) around the verifier: forwarding amongChains keeps its agreement
        // features; one that does not is scored on each answer group alone, and the vote can change.
        LearnedVerifier verifier = LearnedVerifier.create();
        List<String> direct = groupScores(new ForwardingChainScorer(verifier, true));

        assertThat(direct).isEqualTo(groupScores(verifier)).hasSize(3);
        assertThat(groupScores(new ForwardingChainScorer(verifier, false))).isNotEqualTo(direct);
    }

    /** Each answer group of the scored vote over {@link #CHAINS} with its summed score. */
    private static List<String> groupScores(ChainScorer scorer) {
        AggregationResult result = WeightedVote.builder().extractor(AnswerExtractors.numeric()).scorer(scorer).build()
                .aggregate(QUESTION, CHAINS);
        return result.groups().stream().map(group -> group.answer() + "=" + group.score()).toList();
    }

    @Test
    void agreementWithTheOtherChainsRaisesAChainsScore() {
        LearnedVerifier verifier = LearnedVerifier.create();
        ReasoningChain chain = CHAINS.get(0);

        double agreed = verifier.probabilities(QUESTION, List.of(chain, CHAINS.get(2))).get(0);
        double contradicted = verifier.probabilities(QUESTION, List.of(chain, CHAINS.get(1))).get(0);

        assertThat(agreed).isGreaterThan(contradicted);
        assertThat(verifier.probabilities(QUESTION, CHAINS)).allSatisfy(p -> assertThat(p).isBetween(0.0, 1.0));
    }

    @Test
    void theVoteAndAorScoreEachChainAmongEveryChainOfTheQuestion() {
        LearnedVerifier verifier = LearnedVerifier.create();
        List<Double> probabilities = verifier.probabilities(QUESTION, CHAINS);

        AggregationResult voted = WeightedVote.builder().extractor(AnswerExtractors.numeric()).scorer(verifier)
                .build().aggregate(QUESTION, CHAINS);
        AggregationResult best = AggregationOfReasoning.builder().extractor(AnswerExtractors.numeric())
                .scorer(verifier).representatives(1).scoreThreshold(0).build().aggregate(QUESTION, CHAINS);

        for (AggregationResult result : List.of(voted, best)) {
            for (AnswerGroup group : result.groups()) {
                for (ScoredChain scored : group.chains()) {
                    assertThat(scored.localScore().orElseThrow())
                            .isCloseTo(10 * probabilities.get(scored.index()), within(1e-9));
                }
            }
        }
        AnswerGroup twentyOne = voted.groups().stream().filter(g -> g.answer().equals("21")).findFirst()
                .orElseThrow();
        assertThat(twentyOne.score()).isCloseTo(10 * (probabilities.get(0) + probabilities.get(2)), within(1e-9));
        int top = probabilities.indexOf(probabilities.stream().max(Double::compare).orElseThrow());
        assertThat(best.answer()).contains(AnswerExtractors.numeric().extract(CHAINS.get(top).text()).orElseThrow());
    }

    @Test
    void weightsRoundTripThroughTheirFile(@TempDir Path dir) throws IOException {
        LearnedVerifier.Weights weights = LearnedVerifier.Weights.shipped();
        Path file = dir.resolve("verifier.json");
        weights.save(file);
        assertThat(LearnedVerifier.Weights.read(file).toJson()).isEqualTo(weights.toJson());
        // A value: what was read back equals what was saved, arrays by content.
        assertThat(LearnedVerifier.Weights.read(file)).isEqualTo(weights).hasSameHashCodeAs(weights);
        assertThat(weights.toString()).contains(String.valueOf(weights.coefficients()[0]));
    }

    @Test
    void aCorruptWeightsFileIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("verifier.json");
        LearnedVerifier.Weights.shipped().save(file);
        String whole = Files.readString(file);
        for (String corrupt : CorruptWeightFiles.of(whole)) {
            Files.writeString(file, corrupt);
            assertThatThrownBy(() -> LearnedVerifier.Weights.read(file)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(file + ": learned-verifier file is not valid JSON");
        }
    }

    @Test
    void badWeightsAndSettingsAreRefusedEagerly() {
        LearnedVerifier.Weights shipped = LearnedVerifier.Weights.shipped();
        Map<String, Double> accuracy = Map.of("a", 0.6);
        List<String> cosine = List.of("question_cosine");
        double[] one = {1};
        assertThatThrownBy(() -> new LearnedVerifier.Weights(cosine, one, new double[] {1, 1}, one, 0, accuracy, 0.5,
                "enc", shipped.provenance())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one entry per feature");
        assertThatThrownBy(() -> new LearnedVerifier.Weights(cosine, one, one, one, 0, accuracy, 0.5, "",
                shipped.provenance())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encoder");
        assertThatThrownBy(() -> new LearnedVerifier.Weights(List.of("question_cosin"), one, one, one, 0, accuracy,
                0.5, "enc", shipped.provenance())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown verifier feature 'question_cosin'");
        assertThatThrownBy(() -> new LearnedVerifier.Weights(cosine, one, one, one, 0, Map.of("a", 1.0), 0.5, "enc",
                shipped.provenance())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.0");
        assertThatThrownBy(() -> new LearnedVerifier.Weights(cosine, one, one, one, 0, accuracy, 0, "enc",
                shipped.provenance())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0");

        LearnedVerifier.Weights embedded = new LearnedVerifier.Weights(cosine, one, one, one, 0, accuracy, 0.5, "enc",
                shipped.provenance());
        assertThatThrownBy(() -> LearnedVerifier.builder().weights(embedded).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("enc");
        assertThatThrownBy(() -> LearnedVerifier.builder().weights(embedded).encoder(new OtherEncoder()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other");
        assertThatThrownBy(() -> LearnedVerifier.Weights.read(new ByteArrayInputStream(
                "{\"format\": \"reasoning-sdk/linear-head\"}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a learned-verifier file");
        assertThatThrownBy(() -> LearnedVerifier.builder().extractor(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("extractor");
    }

    /** An encoder of another model: only its id is read. */
    private static final class OtherEncoder implements SentenceEncoder {
        @Override
        public List<float[]> embedAll(List<String> sentences) {
            throw new AssertionError("not called");
        }

        @Override
        public int dimension() {
            return 1;
        }

        @Override
        public String modelId() {
            return "other";
        }
    }
}
