package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.AnswerExtractor;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumericAnswerExtractorTest {

    private final AnswerExtractor numeric = AnswerExtractors.numeric();

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            The answer is 42.                                        | 42
            The answer is: 42                                        | 42
            The final answer is 42 apples, not 43.                   | 42
            3 + 4 = 7. 7 * 6 = 42.\\n#### 42                         | 42
            #### 1,200                                               | 1200
            She pays 3 * $400 = $1,200 in total.\\n#### $1,200.00    | 1200
            Q: How many?\\nA: 42                                     | 42
            Answer: $1,234.50                                        | 1234.5
            **Answer:** 17                                           | 17
            **Final Answer**: 17 cm                                  | 17
            So the car goes 60 km/h. The answer is 60 km/h.          | 60
            It costs 12 dollars and 5 cents, so 12.05                | 12.05
            The temperature fell to -5 degrees. The answer is -5.    | -5
            The answer is −3                                         | -3
            The answer is -$20.                                      | -20
            The answer is $-20.                                      | -20
            The answer is .5                                         | 0.5
            The answer is 0.50                                       | 0.5
            The answer is 1,000,000.                                 | 1000000
            The answer is -0                                         | 0
            Thus $\\boxed{-3.5}$.                                    | -3.5
            The final answer is $\\boxed{12}$                        | 12
            First 5, then 8; the answer is 8. Checking: the answer is 9. | 9
            20 - 12 = 8 apples remain                                | 8
            Half of 9 is 4.5\\nA: 4.50                               | 4.5
            She paid $1,200, then $300 more. The answer is 1,500.    | 1500
            On 2023-05-01 she had 7                                  | 7
            """)
    void extractsTheFinalNumber(String response, String expected) {
        assertThat(numeric.extract(response.replace("\\n", "\n"))).contains(expected);
    }

    @Test
    void aDateIsNotANegativeNumber() {
        assertThat(numeric.extract("It was released on 2023-05-01")).contains("1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "I am not sure.", "The answer is unknown.", "#### none", "version x2"})
    void findsNoNumberWhereThereIsNone(String response) {
        assertThat(numeric.extract(response)).isEmpty();
    }

    @Test
    void aMarkerWithoutANumberDoesNotFallBackToEarlierNumbers() {
        assertThat(numeric.extract("We get 5 and 6. The answer is not clear.")).isEmpty();
    }

    @Test
    void equivalentWithinARelativeTolerance() {
        NumericAnswerExtractor extractor = new NumericAnswerExtractor();
        assertThat(extractor.equivalent("42", "42")).isTrue();
        assertThat(extractor.equivalent("1000000000", "1000000000.0000001")).isTrue();
        assertThat(extractor.equivalent("0.1", "0.10000000001")).isTrue();
        assertThat(extractor.equivalent("42", "43")).isFalse();
        assertThat(extractor.equivalent("42", "forty-two")).isFalse();
    }

    @Test
    void wholeNumbersAreEquivalentOnlyWhenEqual() {
        NumericAnswerExtractor extractor = new NumericAnswerExtractor();
        // A relative 1e-9 is a unit or more past 10^9: these wrong answers passed for the right ones.
        assertThat(extractor.equivalent("1000000001", "1000000000")).isFalse();
        assertThat(extractor.equivalent("123456789012", "123456789100")).isFalse();
        assertThat(extractor.equivalent("-5000000000", "-5000000001")).isFalse();
        assertThat(extractor.equivalent("1000000000", "1000000000.00")).isTrue();
        assertThat(extractor.equivalent("18446744073709551637", "18446744073709551637.0")).isTrue();
    }

    @Property(tries = 200)
    void anyIntegerWrittenWithSeparatorsAndCurrencyRoundTrips(@ForAll @LongRange(min = -10_000_000_000L,
            max = 10_000_000_000L) long value) {
        String written = (value < 0 ? "-$" : "$") + String.format(java.util.Locale.US, "%,d", Math.abs(value));
        assertThat(numeric.extract("Total: " + written + "\n#### " + written))
                .isEqualTo(Optional.of(Long.toString(value)));
    }

    @Test
    void aMarkedAnswerIsReadOnlyAfterAMarker() {
        NumericAnswerExtractor marked = new NumericAnswerExtractor();
        String worked = "It takes 120/24 = <<120/24=5>>5 hours to read 120 pages.";
        // Without a marker extract falls back to the last number, which is not this solution's answer.
        assertThat(numeric.extract(worked)).contains("120");
        assertThat(marked.extractMarked(worked)).isEmpty();
        assertThat(marked.extractMarked(worked + "\nA: 5")).contains("5");
        assertThat(marked.extractMarked(worked + "\n#### 1,200")).contains("1200");
        assertThat(marked.extractMarked(worked + " The answer is $5.00.")).contains("5");
        assertThat(marked.extractMarked(worked + "\nA: five")).isEmpty();
        assertThat(marked.extractMarked("<think>A: 4</think>It takes 5 hours.")).isEmpty();
    }
}
