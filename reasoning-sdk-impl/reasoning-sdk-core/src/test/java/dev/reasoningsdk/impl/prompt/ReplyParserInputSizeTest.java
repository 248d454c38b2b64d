package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.fixtures.HostileReply;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The prompt techniques' reply parsers (JSON objects, SELF-DISCOVER module lists, decoding settings, paraphrase
 * lists) and the unit splitters that cut model paraphrases read degenerate text (100,000 newlines, 1 MB of digits
 * or of open brackets, deep nesting, a mix of half-finished fragments) in linear time; the timeout is a hang guard,
 * far above what a linear parser needs.
 */
class ReplyParserInputSizeTest {

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void jsonObjectIsFoundInLinearTime(HostileReply input) {
        Optional<ObjectNode> object = JsonReplies.firstObject(input.text());
        Optional<DecodingSettings> settings = DecodingSettings.parse(input.text());

        if (input.isRun()) {
            assertThat(object).isEmpty();
            assertThat(settings).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void selectedModulesAreReadInLinearTime(HostileReply input) {
        List<Integer> modules = SelfDiscover.selectedModules(input.text());

        assertThat(modules).allSatisfy(module -> assertThat(module).isBetween(1, 39));
        if (input.isRun()) {
            assertThat(modules).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLabelIsReadInLinearTime(HostileReply input) {
        // Digit labels, one inside the other, meet a megabyte of digits at every position.
        for (List<String> labels : List.of(List.of("true", "false"), List.of("1", "11"), List.of("{", "[["))) {
            Optional<String> label = ChatModelPromptClassifier.readLabel(input.text(), labels);

            assertThat(label).satisfiesAnyOf(read -> assertThat(read).isEmpty(),
                    read -> assertThat(labels).contains(read.orElseThrow()));
        }
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void paraphrasesAreReadInLinearTime(HostileReply input) {
        ChatModelParaphraser paraphraser = ChatModelParaphraser.of(ScriptedChatModel.byRule(request -> input.text()));

        List<String> alternatives = paraphraser.paraphrase("add the numbers").alternatives();

        assertThat(alternatives).hasSizeLessThanOrEqualTo(ChatModelParaphraser.DEFAULT_COUNT);
        if (input.isRun()) {
            assertThat(alternatives).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void unitsAreSplitInLinearTime(HostileReply input) {
        String normalised = input.text().strip().replaceAll("\\s+", " ");

        for (EditUnitSplitter splitter : List.of(EditUnitSplitter.phrases(), EditUnitSplitter.words(),
                EditUnitSplitter.sentences())) {
            assertThat(String.join(" ", splitter.split(input.text()))).isEqualTo(normalised);
        }
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWordWrappedAroundARunOfPunctuationIsOnePhrase() {
        String token = "a" + "(".repeat(200_000) + "b";

        assertThat(EditUnitSplitter.phrases().split(token)).containsExactly(token);
    }
}
