package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfidenceChatResponseMetadataTest {

    @Test
    void builtByBuilderLikeLangChain4jsOwnMetadataAndRefusesAConfidenceOutsideTheUnitInterval() {
        ConfidenceEstimate estimate = new ConfidenceEstimate(Optional.of("4"), 0.8, "four of five agree", "consistency",
                Map.of(), Usage.NONE);

        ConfidenceChatResponseMetadata metadata = ConfidenceChatResponseMetadata.builder().estimate(estimate)
                .calibratedConfidence(0.7).threshold(0.5).build();

        assertThat(metadata.confidence()).isEqualTo(0.7);
        assertThat(metadata.threshold()).isEqualTo(0.5);
        assertThatThrownBy(() -> ConfidenceChatResponseMetadata.builder().calibratedConfidence(1.2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("calibratedConfidence must be in [0, 1], was 1.2");
        assertThatThrownBy(() -> ConfidenceChatResponseMetadata.builder().threshold(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("threshold must be in [0, 1], was NaN");
    }
}
