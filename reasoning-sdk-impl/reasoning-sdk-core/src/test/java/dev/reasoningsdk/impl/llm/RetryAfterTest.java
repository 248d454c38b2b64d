package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.impl.internal.RetryAfter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("1994-11-06T08:49:00Z");

    @Test
    void readsDeltaSeconds() {
        assertThat(RetryAfter.parse("2", NOW)).hasValue(Duration.ofSeconds(2));
        assertThat(RetryAfter.parse(" 3600 ", NOW)).hasValue(Duration.ofHours(1));
        assertThat(RetryAfter.parse("0", NOW)).hasValue(Duration.ZERO);
        assertThat(RetryAfter.parse("99999999999999999999999", NOW)).hasValue(Duration.ofSeconds(Long.MAX_VALUE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994"})
    void readsEachOfTheThreeHttpDateForms(String date) {
        assertThat(RetryAfter.parse(date, NOW)).hasValue(Duration.ofSeconds(37));
    }

    @Test
    void aDateThatHasPassedMeansNoWait() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:48:00 GMT", NOW)).hasValue(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "-5", "1.5", "+3", "0x10", "Mon, 06 Nov 1994 08:49:37 GMT",
            "2025-01-01T00:00:00Z"})
    void anythingElseIsNoValue(String value) {
        assertThat(RetryAfter.parse(value, NOW)).isEmpty();
    }
}
