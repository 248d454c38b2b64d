package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.model.AnswerExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChoiceAnswerExtractorTest {

    private final AnswerExtractor choice = AnswerExtractors.choice();

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            The answer is (B).                                           | B
            The answer is B                                              | B
            Answer: c                                                    | C
            Answer: (d) 42 apples                                        | D
            **Answer:** E                                                | E
            A is wrong and B is wrong. The correct answer is C.          | C
            I think a good choice is C                                   | C
            C, because it is a fruit                                     | C
            Options A and B fail, so (d)                                 | D
            Therefore $\\boxed{B}$                                       | B
            The answer is C. Earlier I thought the answer is A? No: the answer is D. | D
            """)
    void extractsTheChosenOption(String response, String expected) {
        assertThat(choice.extract(response)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "I cannot tell.", "The answer is F.", "It is a dog."})
    void findsNoOptionWhereThereIsNone(String response) {
        assertThat(choice.extract(response)).isEmpty();
    }

    @Test
    void honoursItsOwnLetters() {
        ChoiceAnswerExtractor twoOptions = new ChoiceAnswerExtractor("AB");
        assertThat(twoOptions.extract("The answer is C")).isEmpty();
        assertThat(twoOptions.extract("The answer is b")).contains("B");
    }

    @Test
    void rejectsNonLetters() {
        assertThatThrownBy(() -> new ChoiceAnswerExtractor("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChoiceAnswerExtractor("A]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChoiceAnswerExtractor("AÄ")).isInstanceOf(IllegalArgumentException.class);
    }
}
