package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The prompt techniques read a reasoning model's reply outside its {@code <think>} blocks: what it drafted while
 * thinking (JSON settings, a reasoning structure, modules, paraphrases, a rationale, an answer) is not its reply, and
 * a reply cut off while thinking is read as an unparseable one. Every draft differs from the reply, so a reader that
 * reads the thinking gets a different result.
 */
class ThinkBlockRepliesTest {

    @Test
    void decodingSettingsAreReadOutsideThinking() {
        assertThat(DecodingSettings.parse("<think>Maybe {\"temperature\": 0.1}? No, it is a poem.</think>\n"
                + "{\"temperature\": 1.2}")).hasValue(DecodingSettings.clamped(1.2, null, null, null, null));
        assertThat(DecodingSettings.parse("<think>Maybe {\"temperature\": 0.1}, or higher")).isEmpty();
    }

    @Test
    void adviceCutOffWhileThinkingFallsBackAndIsCountedAsFailed() {
        ScriptedChatModel model = LlmPromptTechniquesTest.byPrompt(prompt -> prompt.startsWith("You choose")
                ? "<think>A fact question: {\"temperature\": 0.1} would do. But" : "Paris.");
        DecodingSettings fallback = DecodingSettings.clamped(0.7, null, null, null, null);
        HyperparameterAwareGeneration.Generation generation = HyperparameterAwareGeneration.builder().model(model)
                .fallback(fallback).build().generate("Capital of France?");

        assertThat(generation.settingsFromModel()).isFalse();
        assertThat(model.requests().get(1).temperature()).isEqualTo(0.7);
        assertThat(generation.usage().failedCalls()).isEqualTo(1);
    }

    @Test
    void selfDiscoverReadsModulesAndStructureOutsideThinking() {
        assertThat(SelfDiscover.selectedModules("<think>\n1. How could I devise an experiment\n</think>\n"
                + "9. How can I break down this problem")).containsExactly(9);
        assertThat(SelfDiscover.selectedModules("<think>\n1. How could I devise an experiment\n")).isEmpty();

        ScriptedChatModel model = LlmPromptTechniquesTest.byPrompt(prompt -> prompt.startsWith("Operationalize")
                ? "<think>Draft: {\"Draft step\": \"\"}. Too vague.</think>\n{\"Final step\": \"\"}" : "9.");
        SelfDiscover.ReasoningStructure structure = SelfDiscover.of(model, AnswerExtractors.numeric())
                .discover(List.of("What is 3 + 4?"));
        assertThat(structure.structure()).contains("Final step").doesNotContain("Draft step");

        ScriptedChatModel cutOff = LlmPromptTechniquesTest.byPrompt(prompt -> prompt.startsWith("Operationalize")
                ? "<think>Draft: {\"Draft step\": \"\"}. Too vague, let me" : "9.");
        assertThatThrownBy(() -> SelfDiscover.of(cutOff, AnswerExtractors.numeric()).discover(List.of("task")))
                .isInstanceOf(ReasoningException.class).hasMessageContaining("IMPLEMENT");
    }

    @Test
    void selfDiscoverFollowUpPromptsCarryTheEarlierStagesAnswersNotTheirThinking() {
        ScriptedChatModel model = LlmPromptTechniquesTest.byPrompt(prompt -> {
            if (prompt.startsWith("Select")) {
                return "<think>\nSCRATCH-SELECT: 1. How could I devise an experiment? Too much.\n</think>\n\n"
                        + "Break the problem into parts.";
            }
            if (prompt.startsWith("Rephrase")) {
                return "<think>SCRATCH-ADAPT: solving it, 3 + 4 = 7.</think>\nSplit the sum into its terms.";
            }
            return "{\"Step 1: add the terms\": \"\"}";
        });
        SelfDiscover.ReasoningStructure structure = SelfDiscover.of(model, AnswerExtractors.numeric())
                .discover(List.of("What is 3 + 4?"));

        List<String> prompts = model.userTexts();
        assertThat(prompts).hasSize(3);
        assertThat(prompts.get(1)).contains("Selected module descriptions:\nBreak the problem into parts.\n")
                .doesNotContain("SCRATCH");
        assertThat(prompts.get(2)).contains("Adapted module descriptions:\nSplit the sum into its terms.\n")
                .doesNotContain("SCRATCH");
        assertThat(structure.adaptedModules()).isEqualTo("Split the sum into its terms.");
    }

    @Test
    void selfDiscoverFailsAStageCutOffWhileThinkingAsAFailedCallInsteadOfPassingItOn() {
        ScriptedChatModel model = LlmPromptTechniquesTest.byPrompt(prompt -> prompt.startsWith("Rephrase")
                ? "<think>SCRATCH-ADAPT: first restate the task, then" : prompt.startsWith("Select") ? "9." : "{}");
        assertThatThrownBy(() -> SelfDiscover.of(model, AnswerExtractors.numeric()).discover(List.of("task")))
                .isInstanceOf(ReasoningException.class).hasMessageContaining("ADAPT stage failed")
                .satisfies(e -> assertThat(((ReasoningException) e).isRetryable()).isTrue());
        assertThat(model.calls()).isEqualTo(2);
    }

    @Test
    void paraphrasesAreReadOutsideThinking() {
        ScriptedChatModel model = LlmPromptTechniquesTest.byPrompt(prompt -> prompt.contains("Phrase: be brief")
                ? "<think>\nanswer tersely\nno, too curt\n</think>\nkeep it short"
                : "<think>\nanswer tersely\nno, too curt");
        ChatModelParaphraser paraphraser = ChatModelParaphraser.of(model, 3);

        assertThat(paraphraser.paraphrase("be brief").alternatives()).containsExactly("keep it short");
        assertThat(paraphraser.paraphrase("be short").alternatives()).isEmpty();
    }

    @Test
    void automateCotKeepsTheRationaleOutsideThinkingAndDropsOneCutOff() {
        ScriptedChatModel model = LlmPromptTechniquesTest.byPrompt(prompt -> {
            if (prompt.contains("Q: two plus two")) {
                return "<think>DRAFT: two and two make five? The answer is 5.</think>\nTwo and two make four. "
                        + "The answer is 4.";
            }
            if (prompt.contains("Q: three plus three")) {
                return "<think>Three and three make six. The answer is 6. Let me double-check";
            }
            return "The answer is 10.";
        });
        // An extractor that knows nothing of think blocks: the technique must not hand it the thinking.
        AutomateCot.Result result = AutomateCot.builder().model(model).extractor(firstNumber()).exemplars(1)
                .samplesPerStep(2).steps(1).build()
                .run(List.of(new AutomateCot.LabeledQuestion("two plus two", "4"),
                                new AutomateCot.LabeledQuestion("three plus three", "6")),
                        List.of(new AutomateCot.LabeledQuestion("five plus five", "10")));

        assertThat(result.candidates()).extracting(AutomateCot.Exemplar::rationale)
                .containsExactly("Two and two make four. The answer is 4.");
    }

    @Test
    void activePromptReadsAnswersOutsideThinkingWhateverTheExtractor() {
        ScriptedChatModel model = ScriptedChatModel.byRule(
                request -> "<think>Is it 1? Or 2? Or 3?</think>\nThe answer is 4.");
        ActivePrompt.Selection selection;
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).build()) {
            selection = ActivePrompt.builder().sampler(sampler, 0.7).extractor(firstNumber()).samples(3).build()
                    .select(List.of("q"), 1);
        }
        assertThat(selection.ranking().get(0).answers()).containsExactly("4", "4", "4");
    }

    /** The first number of a response, read from all of it: an extractor that does not skip thinking itself. */
    private static AnswerExtractor firstNumber() {
        Pattern number = Pattern.compile("\\d+");
        return response -> {
            Matcher matcher = number.matcher(response);
            return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
        };
    }
}
