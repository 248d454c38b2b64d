package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NoSourcesFoundExceptionTest {

    @Test
    void theRefusalCarriesWhatTheJudgesDecisionCost() {
        // A judge whose prompted criterion called the model twice before deciding to retrieve.
        Usage judging = new Usage(0, 2, 0, 80, 6, Duration.ofMillis(40));
        RetrievalDecision decision = new RetrievalDecision(true, Optional.empty(), Map.of(), judging);

        assertThat(new NoSourcesFoundException("latest release?", decision).usage()).isEqualTo(judging);
        assertThat(new NoSourcesFoundException("latest release?", null).usage()).isEqualTo(Usage.NONE);
    }
}
