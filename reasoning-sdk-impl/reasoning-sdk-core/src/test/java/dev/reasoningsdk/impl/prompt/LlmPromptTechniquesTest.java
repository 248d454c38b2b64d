package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.llm.AnswerExtractors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LlmPromptTechniquesTest {

    /** A scripted model that answers by {@code script} applied to the prompt (the request's last user text). */
    static ScriptedChatModel byPrompt(Function<String, String> script) {
        return ScriptedChatModel.byRule(request -> script.apply(ScriptedChatModel.userText(request)));
    }

    @Test
    void activePromptReturnsTheMostUncertainQuestions() {
        Map<String, List<String>> script = Map.of(
                "settled", List.of("The answer is 4.", "The answer is 4.", "The answer is 4.", "The answer is 4."),
                "split", List.of("The answer is 1.", "The answer is 2.", "The answer is 1.", "The answer is 2."),
                "chaos", List.of("The answer is 1.", "The answer is 2.", "The answer is 3.", "I cannot tell."));
        Map<String, Integer> served = new java.util.HashMap<>();
        ScriptedChatModel model = byPrompt(prompt -> {
            String question = prompt.substring(3, prompt.indexOf('\n'));
            int index = served.merge(question, 1, Integer::sum) - 1;
            return script.get(question).get(index);
        });
        ActivePrompt.Selection selection;
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(2).build()) {
            selection = ActivePrompt.builder().sampler(sampler, 0.7).extractor(AnswerExtractors.numeric()).samples(4)
                    .build().select(List.of("settled", "split", "chaos"), 2);
        }
        assertThat(model.userTexts()).hasSize(12).containsOnly("Q: settled\nA: Let's think step by step.",
                "Q: split\nA: Let's think step by step.", "Q: chaos\nA: Let's think step by step.");
        assertThat(selection.selected()).extracting(ActivePrompt.Ranked::question).containsExactly("chaos", "split");
        assertThat(selection.ranking()).extracting(ActivePrompt.Ranked::uncertainty).containsExactly(1.0, 0.5, 0.25);
        assertThat(selection.ranking().get(0).answers()).containsExactlyInAnyOrder("1", "2", "3", null);
        assertThat(selection.usage().samples()).isEqualTo(12);
        assertThat(selection.usage().modelCalls()).isEqualTo(12);
    }

    @Test
    void chatModelParaphrasesAreParsedCachedAndCountedInTheSearchCost() {
        ScriptedChatModel model = byPrompt(prompt -> "1. \"answer in brief\"\n2) keep it short\n\n- "
                + prompt.substring(prompt.indexOf("Phrase: ") + 8));
        ChatModelParaphraser paraphraser = ChatModelParaphraser.of(model, 3);
        Paraphraser.Paraphrases first = paraphraser.paraphrase("be brief");
        assertThat(first.alternatives()).containsExactly("answer in brief", "keep it short");
        assertThat(first.usage().modelCalls()).isEqualTo(1);
        assertThat(model.userTexts().get(0)).startsWith("Paraphrase the following phrase in 3 different ways")
                .endsWith("Phrase: be brief");
        assertThat(paraphraser.paraphrase("be brief").usage().modelCalls()).isZero();

        SearchSettings subOnly = SearchSettings.builder().operations(java.util.EnumSet.of(EditOperation.SUB))
                .paraphraser(paraphraser).maxEvaluations(6).seed(2).build();
        dev.reasoningsdk.api.prompt.OptimizationResult result = HillClimbing.builder().settings(subOnly).build()
                .optimize("Answer the question, be brief.", dev.reasoningsdk.api.prompt.PromptObjective.of(
                        prompt -> prompt.contains("short") ? 2 : 1));
        assertThat(result.bestPrompt()).contains("keep it short");
        assertThat(result.usage().modelCalls()).isEqualTo(model.userTexts().size() - 1);
    }

    @Test
    void uncertaintyMetrics() {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        List<java.util.Optional<String>> answers = Arrays.asList(java.util.Optional.of("1"),
                java.util.Optional.of("1"), java.util.Optional.of("3"), java.util.Optional.of("3"));
        assertThat(ActivePrompt.Uncertainty.ENTROPY.of(answers, numeric)).isCloseTo(Math.log(2), Offset.offset(1e-12));
        assertThat(ActivePrompt.Uncertainty.VARIANCE.of(answers, numeric)).isEqualTo(1.0);
        assertThat(ActivePrompt.Uncertainty.DISAGREEMENT.of(answers, numeric)).isEqualTo(0.5);
    }

    @Test
    void automateCotPrunesWrongRationalesAndLearnsTheHelpfulExemplar() {
        ScriptedChatModel model = byPrompt(prompt -> {
            if (prompt.endsWith("End with \"The answer is <answer>.\"")) {
                if (prompt.contains("Q: two plus two")) {
                    return "HELPFUL: two and two make four. The answer is 4.";
                }
                if (prompt.contains("Q: three plus three")) {
                    return "Plain: three and three make six. The answer is 6.";
                }
                return "Careless: five plus five is eleven. The answer is 11.";
            }
            // Validation: right only when the helpful exemplar is in the few-shot prompt.
            return prompt.contains("HELPFUL") ? "The answer is 10." : "The answer is 9.";
        });
        AutomateCot.Result result = AutomateCot.builder().model(model).extractor(AnswerExtractors.numeric())
                .exemplars(1).samplesPerStep(4).steps(15).learningRate(0.2).seed(3).build()
                .run(List.of(new AutomateCot.LabeledQuestion("two plus two", "4"),
                                new AutomateCot.LabeledQuestion("three plus three", "6"),
                                new AutomateCot.LabeledQuestion("five plus five", "10")),
                        List.of(new AutomateCot.LabeledQuestion("seven plus three", "10")));
        assertThat(result.candidates()).extracting(AutomateCot.Exemplar::question)
                .containsExactly("two plus two", "three plus three");
        assertThat(result.selected()).extracting(AutomateCot.Exemplar::question).containsExactly("two plus two");
        assertThat(result.prompt("q")).startsWith("Q: two plus two\nA: HELPFUL").endsWith("Q: q\nA:");
        assertThat(model.userTexts().get(0)).isEqualTo(
                "Q: two plus two\nA: Let's think step by step. End with \"The answer is <answer>.\"");
        assertThat(result.usage().modelCalls()).isEqualTo(3 + 15 * 4);
    }

    @Test
    void simplexProjection() {
        assertThat(AutomateCot.projectOntoSimplex(new double[] {0.5, 0.5})).containsExactly(0.5, 0.5);
        assertThat(AutomateCot.projectOntoSimplex(new double[] {2, 0})).containsExactly(1.0, 0.0);
        double[] projected = AutomateCot.projectOntoSimplex(new double[] {0.9, 0.6, -0.3});
        assertThat(projected[0]).isCloseTo(0.65, Offset.offset(1e-12));
        assertThat(projected[1]).isCloseTo(0.35, Offset.offset(1e-12));
        assertThat(projected[2]).isZero();
    }

    @Test
    void selfDiscoverRunsSelectAdaptImplementOnceThenOneCallPerInstance() {
        ScriptedChatModel model = byPrompt(prompt -> {
            if (prompt.startsWith("Select several reasoning modules")) {
                return "9. How can I break down this problem into smaller, more manageable parts?\n38. Let's think";
            }
            if (prompt.startsWith("Rephrase and specify")) {
                return "Split the word problem into quantities; compute step by step.";
            }
            if (prompt.startsWith("Operationalize")) {
                return "Here is the plan:\n```json\n{\"Quantities\": \"\", \"Steps {1}\": \"\", \"Answer\": \"\"}\n```";
            }
            return "{\"Quantities\": \"3 and 4\", \"Answer\": \"7\"} The answer is 7.";
        });
        SelfDiscover selfDiscover = SelfDiscover.of(model, AnswerExtractors.numeric());
        SelfDiscover.ReasoningStructure structure = selfDiscover.discover(List.of("What is 3 + 4?", "What is 2 * 5?"));
        assertThat(structure.selectedModules()).containsExactly(9, 38);
        assertThat(structure.structure()).contains("\"Steps {1}\"").contains("\"Answer\"");
        assertThat(model.userTexts()).hasSize(3);
        assertThat(model.userTexts().get(0)).contains("39. Let's make a step by step plan").contains("What is 2 * 5?");
        assertThat(model.userTexts().get(1)).contains("9. How can I break down this problem")
                .doesNotContain("1. How could I devise an experiment");
        assertThat(model.userTexts().get(2)).contains("Split the word problem");
        SelfDiscover.Solution solution = selfDiscover.solve(structure, "What is 3 + 4?");
        assertThat(solution.answer()).contains("7");
        assertThat(model.userTexts()).hasSize(4);
        assertThat(model.userTexts().get(3)).contains("\"Quantities\"").endsWith("Task:\nWhat is 3 + 4?");
        assertThat(SelfDiscover.reasoningModules()).hasSize(39);
    }

    @Test
    void selfDiscoverFailsClearlyWithoutAStructure() {
        ScriptedChatModel model = byPrompt(prompt -> "no json here");
        assertThatThrownBy(() -> SelfDiscover.of(model, AnswerExtractors.numeric()).discover(List.of("task")))
                .isInstanceOf(ReasoningException.class).hasMessageContaining("IMPLEMENT");
    }

    @Test
    void hyperparameterAwareGenerationClampsAndAppliesTheModelsSettings() {
        ScriptedChatModel model = byPrompt(prompt -> prompt.startsWith("You choose decoding settings")
                ? "Sure: {\"temperature\": 5, \"top_p\": 0.9, \"top_k\": \"40\", \"presence_penalty\": -7}"
                : "A calm answer.");
        HyperparameterAwareGeneration.Generation generation = HyperparameterAwareGeneration.builder().model(model)
                .build().generate("Write a haiku about rain.");
        assertThat(generation.settingsFromModel()).isTrue();
        assertThat(generation.settings()).isEqualTo(new DecodingSettings(2.0, 0.9, 40, null, -2.0));
        ChatRequest sent = model.requests().get(1);
        assertThat(sent.temperature()).isEqualTo(2.0);
        assertThat(sent.topP()).isEqualTo(0.9);
        assertThat(sent.topK()).isEqualTo(40);
        assertThat(sent.presencePenalty()).isEqualTo(-2.0);
        assertThat(sent.frequencyPenalty()).isNull();
        assertThat(model.userTexts().get(0)).endsWith("Input: Write a haiku about rain.");
        assertThat(generation.response()).isEqualTo("A calm answer.");
        assertThat(generation.usage().modelCalls()).isEqualTo(2);
    }

    @Test
    void unusableAdviceFallsBackAndIsCountedAsFailed() {
        ScriptedChatModel model = byPrompt(prompt -> prompt.startsWith("You choose")
                ? "I would use a low temperature." : "Paris.");
        DecodingSettings fallback = DecodingSettings.clamped(0.2, null, null, null, null);
        HyperparameterAwareGeneration.Generation generation = HyperparameterAwareGeneration.builder().model(model)
                .fallback(fallback).build().generate("Capital of France?");
        assertThat(generation.settingsFromModel()).isFalse();
        assertThat(model.requests().get(1).temperature()).isEqualTo(0.2);
        assertThat(generation.usage().failedCalls()).isEqualTo(1);
    }
}
