package dev.reasoningsdk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReasoningExceptionTest {

    private static final Usage SPENT = new Usage(1, 3, 2, 40, 7, Duration.ofMillis(250), 1,
            Map.of(CallFailure.TIMEOUT, 1, CallFailure.GARBAGE, 1));

    @Test
    void aFailureCarriesWhatItsOperationSpent() {
        ReasoningException failure = new ReasoningException("stage failed", null, true, SPENT);

        assertThat(failure.usage()).isEqualTo(SPENT);
        assertThat(failure.isRetryable()).isTrue();
    }

    @Test
    void aFailureBeforeAnyCallSpentNothing() {
        assertThat(new ReasoningException("bad input").usage()).isEqualTo(Usage.NONE);
        assertThat(new ReasoningException("bad file", new IOException("gone"), false).usage()).isEqualTo(Usage.NONE);
        assertThatNullPointerException().isThrownBy(() -> new ReasoningException("x", null, false, null))
                .withMessageContaining("usage");
    }

    @Test
    void theRefusalsOfMissingLogProbsAndTokenUsageCarryWhatTheCallsBeforeThemSpent() {
        assertThat(new LogProbsUnavailableException("m", "logprobs", SPENT).usage()).isEqualTo(SPENT);
        assertThat(new TokenUsageUnavailableException("m", "tokens", SPENT).usage()).isEqualTo(SPENT);
        assertThat(new LogProbsUnavailableException("m", "logprobs").usage()).isEqualTo(Usage.NONE);
    }

    @Test
    void theUsageSurvivesSerialization() throws Exception {
        // It was transient: a budget failure read back in another JVM carried a null usage.
        BudgetExhaustedException exhausted = roundTrip(new BudgetExhaustedException("budget ran out", SPENT));
        ReasoningException failed = roundTrip(new ReasoningException("stage failed", null, true, SPENT));

        assertThat(exhausted.usage()).isEqualTo(SPENT);
        assertThat(exhausted.isRetryable()).isTrue();
        assertThat(failed.usage()).isEqualTo(SPENT);
        assertThat(failed.usage().failedCalls(CallFailure.TIMEOUT)).isEqualTo(1);
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
