package dev.reasoningsdk.impl.aggregate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures.Feature;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The text and answers features on real rows of the GSM8K dev chains (training rows of the shipped split): each
 * assertion names a chain that shows the feature and one of the same question that does not.
 */
class ChainFeaturesTest {

    private static final List<String> SOURCES = List.of("6b_finetuning", "6b_verification", "175b_finetuning",
            "175b_verification");
    private static final ChainFeatures FEATURES = new ChainFeatures(AnswerExtractors.numeric());
    private static final ChainFeatures.SourceAccuracy RELIABILITY = new ChainFeatures.SourceAccuracy(Map.of(
            "6b_finetuning", 0.2, "6b_verification", 0.4, "175b_finetuning", 0.35, "175b_verification", 0.6), 0.4);

    /** The chains of row {@code row} of the dev file, observed, in {@link #SOURCES} order. */
    private static List<ChainFeatures.Observed> row(int row) throws IOException {
        String line = Files.readAllLines(ProjectData.require("data/gsm8k/model-solutions-dev.jsonl")).get(row);
        JsonNode json = new ObjectMapper().readTree(line);
        List<ReasoningChain> chains = new ArrayList<>();
        for (String source : SOURCES) {
            chains.add(ReasoningChain.of(json.path(source).path("solution").asText(), source));
        }
        return FEATURES.observe(json.path("question").asText(), chains, Optional.empty());
    }

    private static double value(ChainFeatures.Observed chain, Feature feature) {
        return chain.vector(List.of(feature), RELIABILITY)[0];
    }

    @Test
    void aNegativeProfitAndAWrongNumberAfterAnAnnotationAreRead() throws IOException {
        // Row 2, 175b_finetuning: "130000*.15=19500.0>>195,000" and "A: -129025".
        List<ChainFeatures.Observed> chains = row(2);
        assertThat(value(chains.get(2), Feature.NEGATIVE_ANSWER)).isEqualTo(1);
        assertThat(value(chains.get(2), Feature.ANNOTATION_TEXT_MISMATCH)).isEqualTo(1);
        assertThat(value(chains.get(3), Feature.NEGATIVE_ANSWER)).isZero();
        assertThat(value(chains.get(3), Feature.ANNOTATION_TEXT_MISMATCH)).isZero();
    }

    @Test
    void aFractionalCountIsRead() throws IOException {
        // Row 13 asks "how many did she start with?"; 6b_finetuning answers 10.833..., 175b_verification 23.
        List<ChainFeatures.Observed> chains = row(13);
        assertThat(value(chains.get(0), Feature.FRACTIONAL_COUNT)).isEqualTo(1);
        assertThat(value(chains.get(3), Feature.FRACTIONAL_COUNT)).isZero();
    }

    @Test
    void droppedResultsCopiedAnswersAndUnusedQuestionNumbersAreRead() throws IOException {
        // Row 0, 175b_finetuning: 16 - 3 = 13 is never used again, and its answer 4 is the question's "four".
        List<ChainFeatures.Observed> chains = row(0);
        assertThat(value(chains.get(2), Feature.UNUSED_RESULTS)).isCloseTo(Math.log(2), within(1e-12));
        assertThat(value(chains.get(2), Feature.ANSWER_IN_QUESTION)).isEqualTo(1);
        assertThat(value(chains.get(3), Feature.UNUSED_RESULTS)).isZero();
        assertThat(value(chains.get(3), Feature.ANSWER_IN_QUESTION)).isZero();
        // 6b_finetuning computes with 16, 3 and 2 but never with the question's "four".
        assertThat(value(chains.get(0), Feature.QUESTION_NUMBERS_COMPUTED)).isEqualTo(0.75);
        assertThat(value(chains.get(1), Feature.QUESTION_NUMBERS_COMPUTED)).isEqualTo(1);
        // Every chain of row 0 ends by multiplying.
        assertThat(chains).allSatisfy(chain -> {
            assertThat(value(chain, Feature.FINAL_MULTIPLICATION)).isEqualTo(1);
            assertThat(value(chain, Feature.FINAL_ADDITION)).isZero();
        });
    }

    @Test
    void aLostDollarSignIsRead() throws IOException {
        // Row 12's question prices in $; 6b_finetuning's chain never writes one, 6b_verification's does.
        List<ChainFeatures.Observed> chains = row(12);
        assertThat(value(chains.get(0), Feature.DOLLAR_MISMATCH)).isEqualTo(1);
        assertThat(value(chains.get(1), Feature.DOLLAR_MISMATCH)).isZero();
        assertThat(value(chains.get(0), Feature.ANSWER_SCALE)).isPositive();
    }

    @Test
    void answerGroupFeaturesFollowTheAgreementPattern() throws IOException {
        double verification = Math.log(0.6 / 0.4);
        double finetuning175 = Math.log(0.35 / 0.65);
        // Row 1: three chains answer 3, 175b_finetuning alone answers 250.
        List<ChainFeatures.Observed> agreeing = row(1);
        assertThat(value(agreeing.get(0), Feature.BEST_SOURCE_IN_GROUP)).isCloseTo(verification, within(1e-12));
        assertThat(value(agreeing.get(0), Feature.TOP_SUPPORT)).isEqualTo(1);
        assertThat(value(agreeing.get(0), Feature.ALONE_RELIABILITY)).isZero();
        assertThat(value(agreeing.get(2), Feature.TOP_SUPPORT)).isZero();
        assertThat(value(agreeing.get(2), Feature.ALONE_RELIABILITY)).isCloseTo(finetuning175, within(1e-12));
        assertThat(agreeing).allSatisfy(chain -> assertThat(value(chain, Feature.ALL_DIFFER_RELIABILITY)).isZero());
        // Row 0: four different answers; only the most reliable source's has the top vote weight.
        List<ChainFeatures.Observed> differing = row(0);
        assertThat(value(differing.get(2), Feature.ALL_DIFFER_RELIABILITY)).isCloseTo(finetuning175, within(1e-12));
        assertThat(value(differing.get(3), Feature.TOP_SUPPORT)).isEqualTo(1);
        assertThat(value(differing.get(2), Feature.TOP_SUPPORT)).isZero();
        assertThat(value(differing.get(2), Feature.BEST_SOURCE_IN_GROUP)).isCloseTo(finetuning175, within(1e-12));
    }

    @Test
    void featureSetsNameTheNewGroupsAndRefuseUnknownOnes() {
        assertThat(Feature.parseSet("text")).contains(Feature.FRACTIONAL_COUNT, Feature.DOLLAR_MISMATCH)
                .allSatisfy(feature -> assertThat(feature.group()).isEqualTo("text"));
        assertThat(Feature.parseSet("chain+agreement")).doesNotContain(Feature.TOP_SUPPORT, Feature.UNUSED_RESULTS);
        assertThatThrownBy(() -> Feature.parseSet("chain+words")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("words").hasMessageContaining("answers");
    }
}
