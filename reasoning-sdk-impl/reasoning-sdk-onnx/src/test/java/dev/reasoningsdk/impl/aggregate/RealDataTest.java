package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Aggregation on real data: GSM8K model solutions (the project's data folder) and the embedded tiny reasoner. */
class RealDataTest {

    private static final List<String> SOURCES = List.of("6b_finetuning", "6b_verification", "175b_finetuning",
            "175b_verification");
    private static final AnswerExtractor NUMERIC = AnswerExtractors.numeric();

    private static List<JsonNode> gsm8k(int rows) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(ProjectData.require("data/gsm8k/model-solutions-dev.jsonl"))) {
            if (out.size() == rows) {
                break;
            }
            out.add(json.readTree(line));
        }
        return out;
    }

    private static List<ReasoningChain> chains(JsonNode row) {
        return SOURCES.stream().map(s -> ReasoningChain.of(row.path(s).path("solution").asText(), s)).toList();
    }

    private static int correct(Aggregator aggregator, List<JsonNode> rows, boolean reliabilityWeights,
                               SourceReliability reliability) {
        int right = 0;
        for (JsonNode row : rows) {
            List<ReasoningChain> chains = chains(row);
            if (reliabilityWeights) {
                chains = chains.stream().map(c -> new ReasoningChain(c.text(), c.source(),
                        reliability.sourceWeight(c.source()))).toList();
            }
            String gold = NUMERIC.extract(row.path("ground_truth").asText()).orElseThrow();
            right += aggregator.aggregate(row.path("question").asText(), chains).answer()
                    .filter(a -> NUMERIC.equivalent(a, gold)).isPresent() ? 1 : 0;
        }
        return right;
    }

    @Test
    void reliabilityFindsTheBestGsm8kModelWithoutLabelsAndBeatsTheMajority() throws IOException {
        List<JsonNode> rows = gsm8k(200);
        SourceReliability reliability = SourceReliability.fit(NUMERIC, rows.stream().map(RealDataTest::chains)
                .toList());
        Map<String, Double> accuracies = reliability.accuracies();

        assertThat(accuracies.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey())
                .isEqualTo("175b_verification");
        int majority = correct(MajorityVote.of(NUMERIC), rows, false, reliability);
        int weighted = correct(WeightedVote.bySourceReliability(NUMERIC, reliability), rows, false, reliability);
        AggregationOfReasoning verifierAor = AggregationOfReasoning.builder().extractor(NUMERIC)
                .scorer(ArithmeticVerifier.builder().wholeNumberAnswers(true).build()).build();
        int verifier = correct(verifierAor, rows, true, reliability);
        int verifierUnweighted = correct(verifierAor, rows, false, reliability);

        assertThat(weighted).isGreaterThan(majority);
        assertThat(verifier).isGreaterThanOrEqualTo(weighted);
        assertThat(verifierUnweighted).isGreaterThanOrEqualTo(majority);
    }

    /**
     * The numeric extractor reads every one of the 4,000 real solutions (each ending "A: N") as the data's own
     * label says: right exactly when the solution is labelled correct. Guards the extractor's behaviour on real
     * replies, which the benches' figures depend on, against changes made for degenerate ones.
     */
    @Test
    void numericAnswersOfAllRealSolutionsAgreeWithTheirLabels() throws IOException {
        int checked = 0;
        for (JsonNode row : gsm8k(Integer.MAX_VALUE)) {
            String gold = NUMERIC.extract(row.path("ground_truth").asText()).orElseThrow();
            for (String source : SOURCES) {
                JsonNode solution = row.path(source);
                boolean right = NUMERIC.extract(solution.path("solution").asText())
                        .filter(answer -> NUMERIC.equivalent(answer, gold)).isPresent();
                assertThat(right).as("%s on %s", source, row.path("question").asText())
                        .isEqualTo(solution.path("is_correct").asBoolean());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(4000);
    }

    /**
     * The tiny reasoner's answer rule and the numeric extractor read each of the 600 greedy chains of the model's
     * eval file as the file's own {@code model_greedy_answer} says.
     */
    @Test
    void answersOfAllTinyReasonerEvalChainsAgreeWithTheEvalFile() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(ProjectData.require("models/tiny-reasoner/eval-problems.jsonl"));
        for (String line : lines) {
            JsonNode problem = json.readTree(line);
            String chain = problem.path("model_greedy_text").asText();
            int expected = problem.path("model_greedy_answer").asInt();

            assertThat(TinyReasoner.extractAnswer(chain)).as(chain).contains(expected);
            assertThat(NUMERIC.extract(chain)).as(chain).contains(Integer.toString(expected));
        }
        assertThat(lines).hasSize(600);
    }

    @Test
    void theTinyReasonerFindsItsOwnCorrectChainMoreLikelyThanACorruptedOne() {
        try (HuggingFaceOnnxModel model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU)
                .intraOpThreads(1).build()) {
            LikelihoodChainScorer scorer = LikelihoodChainScorer.of(model);
            String question = "Sam has 14 apples. He buys 7 more. He gives 5 to Ana. Then he doubles them. How many"
                    + " apples does Sam have?";
            List<ReasoningChain> chains = List.of(ReasoningChain.of("14+7=21. 21-5=16. 16*2=32. The answer is 32."),
                    ReasoningChain.of("14+7=21. 21-5=61. 61*2=122. The answer is 122."));

            List<Double> scores = scorer.scoreLocally(question, chains, List.of()).scores();

            assertThat(scores.get(0)).isGreaterThan(scores.get(1)).isGreaterThan(6.0);
            assertThat(scorer.meanLogProb(question, chains.get(0).text())).isNegative();
        }
    }
}
