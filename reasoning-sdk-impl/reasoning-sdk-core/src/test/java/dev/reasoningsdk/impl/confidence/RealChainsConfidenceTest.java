package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sampling consistency on 300 real GSM8K questions with four real model solutions each. */
class RealChainsConfidenceTest {

    private static final List<String> SOURCES = List.of("6b_finetuning", "6b_verification", "175b_finetuning",
            "175b_verification");

    @Test
    void consistencyRanksRealAnswersAndCalibrationReducesTheError() throws Exception {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        SamplingConsistency consistency = SamplingConsistency.of(numeric);
        ObjectMapper json = new ObjectMapper();
        List<Double> scores = new ArrayList<>();
        List<Boolean> correct = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(
                ProjectData.require("data/gsm8k/model-solutions-dev.jsonl"), StandardCharsets.UTF_8)) {
            for (int i = 0; i < 300; i++) {
                JsonNode row = json.readTree(reader.readLine());
                List<ReasoningChain> chains = SOURCES.stream()
                        .map(source -> ReasoningChain.of(row.path(source).path("solution").asText(), source)).toList();
                ConfidenceEstimate estimate = consistency.estimate(row.path("question").asText(), chains);
                String gold = numeric.extract(row.path("ground_truth").asText()).orElseThrow();
                scores.add(estimate.confidence());
                correct.add(estimate.answer().filter(answer -> numeric.equivalent(answer, gold)).isPresent());
                assertThat(estimate.rationale()).isNotBlank();
            }
        }
        boolean[] labels = new boolean[correct.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = correct.get(i);
        }
        LabelledScores data = LabelledScores.of(scores.stream().mapToDouble(Double::doubleValue).toArray(), labels);
        assertThat(ConfidenceMetrics.auroc(data)).isGreaterThan(0.8);
        LabelledScores calibrated = CrossFitting.calibrateOutOfFold(data, IsotonicCalibrator::fit);
        assertThat(ConfidenceMetrics.ece10(calibrated)).isLessThan(ConfidenceMetrics.ece10(data));
    }
}
