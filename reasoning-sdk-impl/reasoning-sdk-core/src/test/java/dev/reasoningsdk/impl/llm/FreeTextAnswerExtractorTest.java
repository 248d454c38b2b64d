package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.AnswerExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FreeTextAnswerExtractorTest {

    private final AnswerExtractor freeText = AnswerExtractors.freeText();

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            The answer is Paris.                                  | paris
            The capital is big.\\nThe answer is: The Eiffel Tower! | eiffel tower
            Answer: **The  United   States**                      | united states
            The answer is the U.S.\\nBecause it is large.         | us
            The answer is don’t panic                             | dont panic
            An apple                                              | apple
            The answer is 3.5 kg.                                 | 3.5 kg
            About 1,000 people, roughly.                          | about 1,000 people roughly
            """)
    void normalisesTheAnswer(String response, String expected) {
        assertThat(freeText.extract(response.replace("\\n", "\n"))).contains(expected);
    }

    @Test
    void anAnswerOfOnlyPunctuationOrArticlesIsNoAnswer() {
        assertThat(freeText.extract("The answer is ...")).isEmpty();
        assertThat(freeText.extract("   ")).isEmpty();
        assertThat(freeText.extract("the")).isEmpty();
    }

    @Test
    void equalAnswersCompareEqualAfterNormalisation() {
        String first = freeText.extract("The answer is The Beatles.").orElseThrow();
        String second = freeText.extract("Answer: beatles").orElseThrow();
        assertThat(freeText.equivalent(first, second)).isTrue();
        assertThat(FreeTextAnswerExtractor.normalise("  A  Tale of Two Cities ")).isEqualTo("tale of two cities");
    }
}
