package dev.reasoningsdk.impl.wordnet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The word pattern reads a degenerate unit in linear time: the timeout is a hang guard. */
class WordNetParaphraserInputSizeTest {

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWordWithARunOfApostrophesBeforeADigitIsNoWordToReplace() {
        String unit = "a" + "'".repeat(100_000) + "5";

        assertThat(WordNetParaphraser.instance().paraphrase(unit).alternatives()).isEmpty();
    }
}
