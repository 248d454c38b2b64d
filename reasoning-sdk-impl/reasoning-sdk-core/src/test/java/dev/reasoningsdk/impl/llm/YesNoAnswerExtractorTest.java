package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.AnswerExtractor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class YesNoAnswerExtractorTest {

    private final AnswerExtractor yesNo = AnswerExtractors.yesNo();

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            The answer is yes.                                                 | yes
            So the answer is: No                                               | no
            Yes. There is no doubt about it.                                   | yes
            **No**, because yes-men are rare.                                  | no
            Penguins cannot fly, and no penguin lives in the Arctic. So, no.   | no
            There is no record of it, but it is plausible. Therefore, yes.     | yes
            Answer: true                                                       | yes
            The statement is FALSE                                             | no
            Answer: Yes, although no one checked.                              | yes
            """)
    void extractsTheVerdict(String response, String expected) {
        assertThat(yesNo.extract(response)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "It depends.", "The answer is unclear.", "Nobody knows; yesterday it rained."})
    void findsNoVerdictWhereThereIsNone(String response) {
        assertThat(yesNo.extract(response)).isEmpty();
    }
}
