package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.impl.training.HeadTrainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.internal.ProjectData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The shipped heads on the real encoder: they load, refuse another encoder, and judge plain cases sensibly. */
class ShippedHeadsTest {

    private final SentenceEncoder encoder = RetrievalTestSetup.encoder();

    @Test
    void shippedHeadsRecordTheirDataAndHeldOutFigures() {
        for (CriterionKind kind : List.of(CriterionKind.INTENT, CriterionKind.KNOWLEDGE, CriterionKind.TIME)) {
            LinearHead head = EncoderHeadCriterion.shippedHead(kind);
            assertThat(head.featureModelId()).isEqualTo(encoder.modelId());
            assertThat(head.provenance().heldOutRows()).isPositive();
            assertThat(head.provenance().heldOut().accuracy())
                    .isGreaterThan(head.provenance().heldOut().majorityAccuracy());
        }
        assertThat(HiddenStateSelfKnowledge.shippedHead().featureModelId()).isEqualTo("tiny-reasoner@1");
    }

    @Test
    void theShippedTimeHeadScoresItsRecordedHeldOutFiguresOnFreshQa() throws IOException {
        LinearHead head = EncoderHeadCriterion.shippedHead(CriterionKind.TIME);
        HeadProvenance provenance = head.provenance();
        Path data = ProjectData.require("data/" + provenance.data());
        assertThat(LabelledText.sha256(data)).isEqualTo(provenance.dataSha256());
        List<LabelledText> rows = LabelledText.readJsonl(data, provenance.textField(), provenance.labelField());
        int[] heldOut = HeadTrainer.heldOutIndices(rows.stream().map(LabelledText::label).toList(),
                provenance.seed(), provenance.heldOutFraction());
        List<LabelledText> heldOutRows = Arrays.stream(heldOut).mapToObj(rows::get).toList();

        List<Double> scores = EncoderHeadCriterion.defaultTime(encoder)
                .evaluateAll(heldOutRows.stream().map(LabelledText::text).toList()).stream()
                .map(result -> result.probability()).toList();
        BinaryMetrics metrics = BinaryMetrics.compute(scores, heldOutRows.stream().map(LabelledText::label).toList(),
                0.5);

        assertThat(head.pooledLayers()).isNotEmpty();
        assertThat(metrics.examples()).isEqualTo(provenance.heldOutRows());
        assertThat(metrics.accuracy()).isEqualTo(provenance.heldOut().accuracy());
        assertThat(metrics.auroc()).isCloseTo(provenance.heldOut().auroc(), Offset.offset(1e-3));
    }

    @Test
    void aShippedHeadRefusesAnotherEncoder() {
        assertThatThrownBy(() -> EncoderHeadCriterion.defaultIntent(new FakeEncoder("other-encoder@2", 384)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other-encoder@2")
                .hasMessageContaining(encoder.modelId());
    }

    @Test
    void judgesPlainCasesAsUarWould() {
        List<RetrievalDecision> decisions = RetrievalTestSetup.judge(encoder).judgeAll(List.of(
                "Search the web for reviews of the new Pixel phone.",
                "Summarize the following paragraph: The meeting was long and nothing was decided.",
                "What is 17 times 23?",
                "Who is the current prime minister of Japan?"));

        assertThat(decisions.get(0).decidedBy()).contains(CriterionKind.INTENT);
        assertThat(decisions.get(1).retrieve()).isFalse();
        assertThat(decisions.get(1).decidedBy()).contains(CriterionKind.KNOWLEDGE);
        assertThat(decisions.get(2).retrieve()).isFalse();
        assertThat(decisions.get(3).retrieve()).isTrue();
    }
}
